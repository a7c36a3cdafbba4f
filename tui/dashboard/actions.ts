/**
 * @module dashboard/actions
 * What an admin can do to the selected row, one entry per key. Each action knows when the rules forbid it
 * for a row (so the footer leaves it out, and pressing its key explains why instead of calling the server),
 * what to say while it runs, and the sentence for its success banner. The server stays the judge: if it
 * refuses anyway, its own message is shown.
 *
 * Adding an action is one more entry here; the footer, the help overlay and the key handling pick it up.
 */
import {
  replacedKey,
  type ServerKey,
  type SigningKey,
  type UserDetails,
  type UserItem,
} from '../admin-client'
import type { DashboardClient, DashboardConfig } from './client'
import { plural, shortKid, stamp } from './format'

export interface ActionContext {
  config: DashboardConfig
  /** The selected user's details, when the details pane has loaded them. */
  details?: UserDetails
}

/** The question asked before an action that cannot be taken back, and the words around it. */
export interface Confirmation {
  question: string
  /** What follows, said plainly, when the question alone cannot hold it. */
  warning?: string
  /** The footer's words for `y`: `y yes, delete`. */
  consent: string
  /** The banner when the admin answers anything but `y`. */
  declined: string
}

export interface RowAction<Target> {
  id: string
  key: string
  /** Footer word: `c confirm`. */
  label: string
  /** Help overlay line (short: the overlay has two columns at 80 wide). */
  description: string
  /** Asks the admin to type `y` first; `name` is how the row is called ("API key ci"). */
  confirm?(target: Target, name: string): Confirmation
  /** Why the rules forbid this action for `target`, or undefined when they allow it. */
  refusal(target: Target, context: ActionContext): string | undefined
  /** Banner while the request runs: "Confirming ann@example.com". */
  progress(target: Target): string
  /** Call the admin API; resolves to the success banner's sentence. */
  run(client: DashboardClient, target: Target): Promise<string>
}

export const userName = (user: Pick<UserItem, 'email' | 'id'>) => user.email ?? user.id

const deletion = (_target: unknown, name: string): Confirmation => ({
  question: `Delete ${name}? This cannot be undone.`,
  consent: 'yes, delete',
  declined: 'Cancelled: nothing was deleted',
})

const notAwaitingConfirmation = (user: UserItem) =>
  user.status === 'pending-login'
    ? 'already confirmed: the user now awaits their first login'
    : user.status === 'confirmed'
      ? 'already confirmed'
      : undefined

export const USER_ACTIONS: RowAction<UserItem>[] = [
  {
    id: 'confirm',
    key: 'c',
    label: 'confirm',
    description: 'confirm (awaits confirmation)',
    refusal: notAwaitingConfirmation,
    progress: (user) => `Confirming ${userName(user)}`,
    async run(client, user) {
      await client.users.confirm.mutate({ userId: user.id })
      return `Confirmed ${userName(user)}: awaits first login`
    },
  },
  {
    id: 'rerun',
    key: 'r',
    label: 're-run',
    description: 're-run the confirmation',
    refusal: notAwaitingConfirmation,
    progress: (user) => `Re-running confirmation for ${userName(user)}`,
    async run(client, user) {
      const after = await client.users.rerunConfirmation.mutate({ userId: user.id })
      return after.status === 'pending-confirmation'
        ? `Re-ran confirmation for ${userName(user)}: a new confirmation is on its way`
        : `Re-ran confirmation for ${userName(user)}: confirmed, awaits first login`
    },
  },
  {
    id: 'resend',
    key: 'e',
    label: 'email',
    description: 'resend the confirmation email',
    refusal(user, { config }) {
      const method = config.confirmation.method
      if (method !== 'email') {
        return `confirmation emails are not used: this app confirms users ${method === 'auto' ? 'automatically' : 'with a function'} (r re-runs it)`
      }
      return notAwaitingConfirmation(user)
    },
    progress: (user) => `Sending a confirmation email to ${userName(user)}`,
    async run(client, user) {
      await client.users.sendConfirmationEmail.mutate({ userId: user.id })
      return `Sent a new confirmation email to ${userName(user)}`
    },
  },
  {
    id: 'disable',
    key: 'd',
    label: 'disable',
    description: 'disable (ends their sessions)',
    refusal: (user) =>
      user.status === 'pending-confirmation'
        ? 'unconfirmed users cannot be disabled, only deleted (x)'
        : user.disabled
          ? 'already disabled'
          : undefined,
    progress: (user) => `Disabling ${userName(user)}`,
    async run(client, user) {
      await client.users.disable.mutate({ userId: user.id })
      return `Disabled ${userName(user)}: sessions ended`
    },
  },
  {
    id: 'enable',
    key: 'u',
    label: 'enable',
    description: 'enable a disabled user',
    refusal: (user) => (user.disabled ? undefined : 'not disabled'),
    progress: (user) => `Enabling ${userName(user)}`,
    async run(client, user) {
      await client.users.enable.mutate({ userId: user.id })
      return `Enabled ${userName(user)}`
    },
  },
  {
    id: 'revoke',
    key: 's',
    label: 'revoke sessions',
    description: 'revoke all their sessions',
    refusal: () => undefined,
    progress: (user) => `Revoking the sessions of ${userName(user)}`,
    async run(client, user) {
      const { revoked } = await client.users.revokeSessions.mutate({ userId: user.id })
      return `Revoked ${plural(revoked, 'session')} of ${userName(user)}`
    },
  },
  {
    id: 'unlock',
    key: 'l',
    label: 'unlock',
    description: 'clear a failed-login lock',
    refusal: (user, { details }) =>
      user.lockedUntil || (details?.id === user.id && details.lock)
        ? undefined
        : 'not locked: no failed logins on record',
    progress: (user) => `Clearing the login lock of ${userName(user)}`,
    async run(client, user) {
      await client.users.clearLock.mutate({ userId: user.id })
      return `Cleared the login lock of ${userName(user)}: they can log in again`
    },
  },
  {
    id: 'delete',
    key: 'x',
    label: 'delete',
    description: 'delete, with identities (asks y)',
    confirm: deletion,
    refusal: () => undefined,
    progress: (user) => `Deleting ${userName(user)}`,
    async run(client, user) {
      await client.users.delete.mutate({ userId: user.id })
      return `Deleted ${userName(user)}`
    },
  },
]

export const API_KEY_ACTIONS: RowAction<ServerKey>[] = [
  {
    id: 'disable-key',
    key: 'd',
    label: 'disable',
    description: 'disable the key',
    refusal: (key) => (key.disabled ? 'already disabled' : undefined),
    progress: (key) => `Disabling API key ${key.name}`,
    async run(client, key) {
      await client.apiKeys.disable.mutate({ keyId: key.id })
      return `Disabled API key ${key.name}`
    },
  },
  {
    id: 'enable-key',
    key: 'u',
    label: 'enable',
    description: 'enable the key',
    refusal: (key) => (key.disabled ? undefined : 'not disabled'),
    progress: (key) => `Enabling API key ${key.name}`,
    async run(client, key) {
      await client.apiKeys.enable.mutate({ keyId: key.id })
      return `Enabled API key ${key.name}`
    },
  },
  {
    id: 'delete-key',
    key: 'x',
    label: 'delete',
    description: 'delete the key (asks y)',
    confirm: deletion,
    refusal: () => undefined,
    progress: (key) => `Deleting API key ${key.name}`,
    async run(client, key) {
      await client.apiKeys.delete.mutate({ keyId: key.id })
      return `Deleted API key ${key.name}`
    },
  },
]

/**
 * On the Keys tab. A rotation replaces the current key whichever row is selected: `r` hands signing to the
 * next key (published since the last rotation, so verifiers already hold it), keeps the replaced key accepted
 * until the tokens it signed expire (nobody notices) and publishes a new next key; `R` is for a leaked key:
 * every published key is revoked at once and fresh current and next keys take over.
 */
export const SIGNING_KEY_ACTIONS: RowAction<SigningKey>[] = [
  {
    id: 'rotate',
    key: 'r',
    label: 'rotate',
    description: 'rotate (old key kept till expiry)',
    confirm: () => ({
      question: 'Rotate the signing key?',
      warning:
        'The next key (◌), published ahead, signs new access tokens and a new next key is published; the current one stays accepted until the tokens it signed expire, so nobody notices.',
      consent: 'yes, rotate',
      declined: 'Cancelled: the signing key was not rotated',
    }),
    refusal: () => undefined,
    progress: () => 'Rotating the signing key',
    run: (client) => rotate(client, false),
  },
  {
    id: 'rotate-revoke',
    key: 'R',
    label: 'emergency rotate',
    description: 'revoke all keys now, make new ones',
    confirm: () => ({
      question: 'EMERGENCY: revoke every published signing key and make new ones?',
      warning:
        "Access tokens signed so far are refused at once: every app's users must refresh their access tokens (nobody is logged out). The next key is replaced too. Only for a leaked key.",
      consent: 'yes, revoke and rotate',
      declined: 'Cancelled: no key was rotated or revoked',
    }),
    refusal: () => undefined,
    progress: () => 'Revoking every signing key and rotating',
    run: (client) => rotate(client, true),
  },
]

async function rotate(client: DashboardClient, revokePrevious: boolean): Promise<string> {
  const rotation = await client.keys.rotate.mutate({ revokePrevious })
  const previous = replacedKey(rotation)
  const signs = `Rotated: ${shortKid(rotation.current.kid)} signs new tokens`
  if (previous.revokedAt === null) {
    return `${signs}; ${shortKid(previous.kid)} stays accepted until ${stamp(previous.retiresAt).slice(-5)}; ${shortKid(rotation.next.kid)} is the new next key`
  }
  const others = rotation.revoked.filter((key) => key.kid !== previous.kid).length
  return `${signs} and ${shortKid(rotation.next.kid)} is next; revoked ${shortKid(previous.kid)} and ${plural(others, 'other key')}: tokens they signed are refused`
}
