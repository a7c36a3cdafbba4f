/**
 * @module dashboard/hooks/use-change-email
 * `E` on a user: a one-field form below the list, filled with their address, for a new one
 * (`users.changeEmail`). Nothing is sent for an empty field or the same address; the server judges the rest
 * (format, another account's address), and its refusal keeps the form open with the admin's text.
 */
import { useCallback } from 'react'
import type { UserItem } from '../../admin-client'
import { SERVER_REFUSALS, userName } from '../actions'
import type { DashboardClient } from '../client'
import type { ActionRunner } from './use-action-runner'
import type { BannerHandle } from './use-banner'
import type { Overlay } from '../overlay'

export interface ChangeEmailForm {
  open(user: UserItem): void
  setEmail(email: string): void
  submit(email: string): void
}

export function useChangeEmail(options: {
  client: DashboardClient
  runner: ActionRunner
  banner: BannerHandle
  overlay: Overlay
  setOverlay(next: Overlay | ((current: Overlay) => Overlay)): void
}): ChangeEmailForm {
  const { client, runner, banner, overlay, setOverlay } = options

  function open(user: UserItem) {
    if (user.email === null) return banner.show('notice', `${userName(user)}: ${SERVER_REFUSALS.noPasswordIdentity}`)
    setOverlay({ type: 'change-email', user, email: user.email, error: undefined })
  }

  // Stable and idempotent: @inkjs/ui text inputs report their value again whenever `onChange` changes.
  const setEmail = useCallback(
    (email: string) =>
      setOverlay((current) =>
        current.type === 'change-email' && current.email !== email ? { ...current, email, error: undefined } : current,
      ),
    [setOverlay],
  )

  function submit(typed: string) {
    if (overlay.type !== 'change-email') return
    const { user } = overlay
    const email = typed.trim()
    if (email === '') return setOverlay({ ...overlay, email: typed, error: 'enter the new email address' })
    if (email === user.email) return setOverlay({ ...overlay, email: typed, error: SERVER_REFUSALS.sameEmail(email) })
    void runner
      .run(`Changing the email of ${user.email}`, async () => {
        await client.users.changeEmail.mutate({ userId: user.id, email })
        return `Changed the email of ${user.email} to ${email}: the old address was told`
      })
      .then((changed) => {
        if (changed) setOverlay({ type: 'none' })
      })
  }

  return { open, setEmail, submit }
}
