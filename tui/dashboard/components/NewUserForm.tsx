/**
 * @module dashboard/components/NewUserForm
 * The console's "Add new user": an email and a masked password. The user is created confirmed (manual
 * creation skips the confirmation workflow).
 */
import { PasswordInput, TextInput } from '@inkjs/ui'
import { Box, Text } from 'ink'
import type { NewUserField } from '../hooks/use-new-user-form'

export interface NewUserFormProps {
  width: number
  field: NewUserField
  error: string | undefined
  passwordLimits: { minLength: number; maxLength: number }
  busy: boolean
  onEmailChange(value: string): void
  onPasswordChange(value: string): void
  onEmailSubmit(): void
  /** With the field's own value: it is current even when Enter arrives in the same chunk as the typing. */
  onPasswordSubmit(password: string): void
}

export function NewUserForm(props: NewUserFormProps) {
  const active = (field: NewUserField) => props.field === field && !props.busy
  return (
    <Box width={props.width} borderStyle="round" borderColor="green" flexDirection="column" paddingX={1}>
      <Text bold color="green">
        New email/password user (created confirmed)
      </Text>
      <Box>
        <Box width={12}>
          <Text bold={active('email')}>{active('email') ? '› ' : '  '}email</Text>
        </Box>
        <Box height={1} overflow="hidden">
          <TextInput
            isDisabled={!active('email')}
            placeholder="name@example.com"
            onChange={props.onEmailChange}
            onSubmit={props.onEmailSubmit}
          />
        </Box>
      </Box>
      <Box>
        <Box width={12}>
          <Text bold={active('password')}>{active('password') ? '› ' : '  '}password</Text>
        </Box>
        <Box height={1} overflow="hidden">
          <PasswordInput
            isDisabled={!active('password')}
            placeholder={`${props.passwordLimits.minLength}–${props.passwordLimits.maxLength} characters`}
            onChange={props.onPasswordChange}
            onSubmit={props.onPasswordSubmit}
          />
        </Box>
      </Box>
      {props.error ? <Text color="red">✘ {props.error}</Text> : <Text> </Text>}
      <Text dimColor>Enter: next field, then create · Tab/↑/↓: switch field · Esc: cancel</Text>
    </Box>
  )
}
