/**
 * @module dashboard/actions
 * What an admin can do to the selected row, one entry per key: the shape of an action, and the actions on a
 * user (the ones on keys are in key-actions.ts). Each action knows when the rules forbid it for a row (so
 * the footer leaves it out, and pressing its key explains why instead of calling the server), what to say
 * while it runs, and the sentence for its success banner. The server stays the judge: if it refuses anyway,
 * its own message is shown. An action that would change nothing is refused in the server's own words
 * (`SERVER_REFUSALS`), so the dashboard and the CLI say the same thing.
 *
 * Adding an action is one more entry in a table; the footer, the help overlay and the key handling pick it up.
 */
import type { EventItem, EventsPage, UserDetails, UserItem } from '../admin-client'
import { eventUser } from '../events'
import type { DashboardClient, DashboardConfig } from './client'
import { plural } from './format'

export interface ActionContext {
  config: DashboardConfig
  /** The selected user's details, when the details pane has loaded them. */
  details?: UserDetails
  /** Where events go, once the Events tab has loaded. */
  sinks?: EventsPage['sinks']
}

/** The question asked before an action that cannot be taken back, and the words around it. */
export interface Confirmation {
  question: string
  /** What follows, said plainly, when the question alone cannot hold it. */
  warning?: string
  /** The footer's words for `y`: `y yes, delete`. */
  consent: string
  /** A second way to go ahead, on its own key: `k` for "sessions and API keys". */
  alternative?: { key: string; consent: string }
  /** The banner when the admin answers anything but `y` (or the alternative's key). */
  declined: string
}

/** How the admin went ahead: `y`, or the confirmation's alternative key. Actions that do not ask get `yes`. */
export type Consent = 'yes' | 'alternative'

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
  /**
   * Whether the footer offers an action the rules allow (default: it does). False where only the server can
   * tell whether it would change anything: the key still sends the request, and the server's refusal is shown.
   */
  offered?(target: Target, context: ActionContext): boolean
  /** Banner while the request runs: "Confirming ann@example.com". */
  progress(target: Target, consent: Consent): string
  /** Call the admin API; resolves to the success banner's sentence. */
  run(client: DashboardClient, target: Target, consent: Consent): Promise<string>
}

export const userName = (user: Pick<UserItem, 'email' | 'id'>) => user.email ?? user.id

/**
 * The server's sentences for user actions that would change nothing (worker/users/state.ts refuses them
 * below both doors, so `usher users …` prints the same words).
 */
export const SERVER_REFUSALS = {
  alreadyDisabled: 'this user is already disabled',
  notDisabled: 'this user is not disabled',
  noFailedLogins: 'this user has no failed logins to clear',
  notLoggedIn: 'this user has not logged in yet: there are no sessions to revoke',
  noPasswordIdentity: 'this user has no email/password identity',
  sameEmail: (email: string) => `${email} is already this user's email`,
  keyAlreadyDisabled: 'this API key is already disabled',
  keyNotDisabled: 'this API key is not disabled',
  /** worker/events/delivery.ts: an event can only be redelivered somewhere, and not while it waits already. */
  noEventSink: 'no event sink is configured (EVENTS_QUEUE or EVENTS_WEBHOOK_URL): there is nowhere to deliver it',
  eventPending: 'this event is already waiting for delivery',
} as const

/** Failed logins on record: certain when locked now, else only once the details are loaded. */
const failuresOnRecord = (user: UserItem, { details }: ActionContext): boolean | undefined =>
  user.lockedUntil !== null ? true : details?.id === user.id ? details.lock !== null : undefined

export const deletion = (_target: unknown, name: string): Confirmation => ({
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
    key: 'm',
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
          ? SERVER_REFUSALS.alreadyDisabled
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
    refusal: (user) => (user.disabled ? undefined : SERVER_REFUSALS.notDisabled),
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
    description: 'revoke sessions (k: +API keys)',
    confirm: (_user, name) => ({
      question: `Revoke every session of ${name}?`,
      warning: 'Their apps must log in again. Their API keys could log straight back in: k disables them too.',
      consent: 'sessions only',
      alternative: { key: 'k', consent: 'sessions and API keys' },
      declined: 'Cancelled: no session was revoked',
    }),
    // Before a first login (both pending states, a user an admin created) there is nothing to revoke.
    refusal: (user) => (user.lastLoginAt !== null ? undefined : SERVER_REFUSALS.notLoggedIn),
    progress: (user, consent) =>
      consent === 'alternative'
        ? `Revoking the sessions and API keys of ${userName(user)}`
        : `Revoking the sessions of ${userName(user)}`,
    async run(client, user, consent) {
      const disableApiKeys = consent === 'alternative'
      const { revoked, apiKeysDisabled } = await client.users.revokeSessions.mutate({ userId: user.id, disableApiKeys })
      const done = `Revoked ${plural(revoked, 'session')} of ${userName(user)}`
      return disableApiKeys ? `${done} and disabled ${plural(apiKeysDisabled, 'API key')}` : `${done}; their API keys still log in`
    },
  },
  {
    id: 'unlock',
    key: 'l',
    label: 'unlock',
    description: 'clear a failed-login lock',
    // Without the details, only a lock in force is known: the key then asks the server, which judges.
    refusal: (user, context) =>
      failuresOnRecord(user, context) === false ? SERVER_REFUSALS.noFailedLogins : undefined,
    offered: (user, context) => failuresOnRecord(user, context) === true,
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

/** "LOGIN of ann@example.com". */
export const eventName = (event: Pick<EventItem, 'type' | 'payload' | 'userId'>) => `${event.type} of ${eventUser(event)}`

/** On the Events tab: send the selected event again (a dead one once its sink is fixed). */
export const EVENT_ACTIONS: RowAction<EventItem>[] = [
  {
    id: 'redeliver',
    key: 'r',
    label: 'redeliver',
    description: 'redeliver the event (asks y)',
    confirm: (event, name) => ({
      question: `Redeliver ${name}?`,
      warning: `It goes out again to every sink with its own id (${event.id}), which consumers deduplicate on.`,
      consent: 'yes, redeliver',
      declined: 'Cancelled: the event was not redelivered',
    }),
    refusal: (event, { sinks }) =>
      sinks && !sinks.queue && sinks.webhook === null
        ? SERVER_REFUSALS.noEventSink
        : event.status === 'pending'
          ? SERVER_REFUSALS.eventPending
          : undefined,
    progress: (event) => `Redelivering ${eventName(event)}`,
    async run(client, event) {
      const after = await client.events.redeliver.mutate({ id: event.id })
      return `Event ${eventName(after)} queued for redelivery`
    },
  },
]
