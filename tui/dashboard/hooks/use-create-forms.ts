/**
 * @module dashboard/hooks/use-create-forms
 * The two "new" forms: a user (email and masked password, validated before sending) and a server API key
 * (whose secret is then shown once). A failed creation keeps the form open, with the server's message in
 * the banner, so nothing typed is lost.
 */
import { useCallback } from 'react'
import type { DashboardClient, DashboardConfig } from '../client'
import type { ActionRunner } from './use-action-runner'
import type { Overlay } from '../overlay'
import { useNewUserForm, validateNewUser, type NewUserForm } from './use-new-user-form'

export interface CreateForms {
  newUser: NewUserForm
  openNewUser(): void
  openNewKey(): void
  submitNewUser(password: string): void
  setKeyName(name: string): void
  submitNewKey(name: string): void
}

/** The admin API's limit on key names. */
const MAX_KEY_NAME = 256

export function useCreateForms(options: {
  client: DashboardClient
  config: DashboardConfig | undefined
  runner: ActionRunner
  overlay: Overlay
  setOverlay(next: Overlay | ((current: Overlay) => Overlay)): void
}): CreateForms {
  const { client, config, runner, overlay, setOverlay } = options
  const newUser = useNewUserForm()

  function openNewUser() {
    newUser.reset()
    setOverlay({ type: 'new-user' })
  }

  function submitNewUser(password: string) {
    if (!config) return
    newUser.changePassword(password)
    const problem = validateNewUser({ email: newUser.values.email, password }, config.password)
    if (problem) return newUser.fail(problem)
    const email = newUser.values.email.trim()
    void runner
      .run(`Creating ${email}`, async () => {
        await client.users.create.mutate({ email, password })
        return `Created ${email}: confirmed, listed on tab 2 Confirmed`
      })
      .then((created) => {
        if (!created) return
        newUser.reset()
        setOverlay({ type: 'none' })
      })
  }

  // Stable and idempotent: @inkjs/ui text inputs report their value again whenever `onChange` changes.
  const setKeyName = useCallback(
    (name: string) =>
      setOverlay((current) =>
        current.type === 'new-key' && current.name !== name
          ? { ...current, name, error: undefined }
          : current,
      ),
    [setOverlay],
  )

  function submitNewKey(typed: string) {
    if (overlay.type !== 'new-key') return
    const name = typed.trim()
    if (name === '') return setOverlay({ ...overlay, error: 'enter a name for the key' })
    if (name.length > MAX_KEY_NAME)
      return setOverlay({ ...overlay, error: `at most ${MAX_KEY_NAME} characters` })
    void runner.run(`Creating API key ${name}`, async () => {
      const created = await client.apiKeys.create.mutate({ name })
      setOverlay({ type: 'secret', name: created.name, key: created.key })
      return `Created API key ${created.name}: copy its key now, it is shown only once`
    })
  }

  return {
    newUser,
    openNewUser,
    openNewKey: () => setOverlay({ type: 'new-key', name: '', error: undefined }),
    submitNewUser,
    setKeyName,
    submitNewKey,
  }
}
