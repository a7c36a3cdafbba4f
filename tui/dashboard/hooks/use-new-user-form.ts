/**
 * @module dashboard/hooks/use-new-user-form
 * The "new user" form: email, then a masked password, checked here against the app's password limits
 * (6–128 by default) before anything is sent, as the console did.
 */
import { useCallback, useRef, useState } from 'react'
import type { DashboardConfig } from '../client'

export interface NewUserValues {
  email: string
  password: string
}

export type NewUserField = keyof NewUserValues

export interface NewUserForm {
  values: NewUserValues
  field: NewUserField
  error: string | undefined
  /** Stable callbacks: @inkjs/ui inputs report their value again whenever `onChange` changes identity. */
  changeEmail(value: string): void
  changePassword(value: string): void
  focus(field: NewUserField): void
  otherField(): void
  fail(error: string): void
  reset(): void
}

const EMAIL = /^[^\s@]+@[^\s@]+$/

/** What is wrong with the values, or undefined when they may be sent. */
export function validateNewUser(
  values: NewUserValues,
  limits: DashboardConfig['password'],
): string | undefined {
  const email = values.email.trim()
  if (email === '') return 'enter an email address'
  if (!EMAIL.test(email)) return `"${email}" is not an email address (name@domain)`
  const length = [...values.password].length
  if (length < limits.minLength || length > limits.maxLength) {
    return `the password must be ${limits.minLength}–${limits.maxLength} characters (it has ${length})`
  }
  return undefined
}

const EMPTY: NewUserValues = { email: '', password: '' }

export function useNewUserForm(): NewUserForm {
  const [values, setValues] = useState<NewUserValues>(EMPTY)
  const [field, setField] = useState<NewUserField>('email')
  const [error, setError] = useState<string | undefined>(undefined)
  // The latest values, so that a change can tell whether it changes anything (the inputs repeat themselves).
  const latest = useRef(values)
  latest.current = values
  const change = useCallback((name: NewUserField, value: string) => {
    if (latest.current[name] === value) return
    latest.current = { ...latest.current, [name]: value }
    setValues(latest.current)
    // An edit clears the last complaint.
    setError(undefined)
  }, [])
  const changeEmail = useCallback((value: string) => change('email', value), [change])
  const changePassword = useCallback((value: string) => change('password', value), [change])
  const otherField = useCallback(
    () => setField((current) => (current === 'email' ? 'password' : 'email')),
    [],
  )
  const reset = useCallback(() => {
    setValues(EMPTY)
    setField('email')
    setError(undefined)
  }, [])
  return {
    values,
    field,
    error,
    changeEmail,
    changePassword,
    focus: setField,
    otherField,
    fail: setError,
    reset,
  }
}
