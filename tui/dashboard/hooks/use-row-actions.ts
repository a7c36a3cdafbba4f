/**
 * @module dashboard/hooks/use-row-actions
 * What an action key (`c`, `d`, `x`, `r`…) does: on the open tab, the action on the selected row; in a
 * user's API keys (after `a`), the action on the chosen key. It asks first when the action cannot be taken
 * back (delete, rotate, revoke), or, when the rules forbid it for that row (or the place has no such action),
 * says why in the banner without calling the server.
 */
import {
  EVENT_ACTIONS,
  eventName,
  USER_ACTIONS,
  userName,
  type ActionContext,
  type Confirmation,
  type Consent,
  type RowAction,
} from '../actions'
import type { DashboardClient } from '../client'
import {
  API_KEY_ACTIONS,
  SIGNING_KEY_ACTIONS,
  USER_API_KEY_ACTIONS,
  userKeyName,
  type UserKey,
} from '../key-actions'
import type { Row, Tab } from '../tabs'
import type { ActionRunner } from './use-action-runner'
import type { BannerHandle } from './use-banner'

export interface RowActionOptions {
  client: DashboardClient
  tab: Tab
  row: Row | undefined
  /** The chosen key while the admin is in a user's API keys. */
  userKey: UserKey | undefined
  /** Undefined until the configuration is known: nothing can be judged before. */
  context: ActionContext | undefined
  banner: BannerHandle
  runner: ActionRunner
  /** Ask the admin first; `proceed` runs the action the way they answered, only if they went ahead. */
  confirm(confirmation: Confirmation, proceed: (consent: Consent) => void): void
}

export interface RowActions {
  /** A key pressed while browsing the open tab. */
  onRow(key: string): void
  /** A key pressed in a user's API keys. */
  onUserKey(key: string): void
}

export function useRowActions(options: RowActionOptions): RowActions {
  const { client, tab, row, context, banner, runner } = options

  function attempt<Target>(action: RowAction<Target>, target: Target, name: string) {
    if (!context) return
    const refusal = action.refusal(target, context)
    if (refusal) return banner.show('notice', `Can't ${action.label} ${name}: ${refusal}`)
    const proceed = (consent: Consent) =>
      void runner.run(action.progress(target, consent), () => action.run(client, target, consent))
    if (action.confirm) options.confirm(action.confirm(target, name), proceed)
    else proceed('yes')
  }

  /** A row-action key pressed on a tab where it does not apply: say where it does. */
  function explainElsewhere(key: string) {
    const forUsers = USER_ACTIONS.find((candidate) => candidate.key === key)
    const forKeys = API_KEY_ACTIONS.find((candidate) => candidate.key === key)
    const forSigning = SIGNING_KEY_ACTIONS.find((candidate) => candidate.key === key)
    const forEvents = EVENT_ACTIONS.find((candidate) => candidate.key === key)
    const where = [
      forUsers && `${forUsers.label} on the user tabs (1–3)`,
      forKeys && `${forKeys.label} on the API keys tab (4)`,
      forSigning && `${forSigning.label} on the Keys tab (5)`,
      forEvents && `${forEvents.label} on the Events tab (8)`,
    ].filter(Boolean)
    if (where.length > 0) banner.show('notice', `${key} means ${where.join(', ')}; not on ${tab.title}`)
  }

  /** A key pressed in a user's API keys that is not a key action: the user's own actions wait outside. */
  function explainInKeys(key: string) {
    const forUser = USER_ACTIONS.find((candidate) => candidate.key === key)
    const what = forUser ? `${key} (${forUser.label}) acts on the user` : `${key} does nothing here`
    banner.show('notice', `${what}: in their API keys, d u x act on the key; Esc goes back to the users`)
  }

  /** `key` among `actions`, on the chosen target (`[target, name]`), if there is one. */
  function choose<Target>(
    actions: RowAction<Target>[],
    key: string,
    selected: [Target, string] | undefined,
    explain: (key: string) => void,
  ) {
    const chosen = actions.find((candidate) => candidate.key === key)
    if (!chosen) return explain(key)
    if (selected) attempt(chosen, ...selected)
    else banner.show('notice', `Nothing selected to ${chosen.label}`)
  }

  function onRow(key: string) {
    switch (tab.kind) {
      case 'users':
        return choose(
          USER_ACTIONS,
          key,
          row?.kind === 'user' ? [row.user, userName(row.user)] : undefined,
          explainElsewhere,
        )
      case 'api-keys':
        return choose(
          API_KEY_ACTIONS,
          key,
          row?.kind === 'api-key' ? [row.key, `API key ${row.key.name}`] : undefined,
          explainElsewhere,
        )
      case 'signing-keys':
        return choose(
          SIGNING_KEY_ACTIONS,
          key,
          row?.kind === 'signing-key' ? [row.key, `signing key ${row.key.kid}`] : undefined,
          explainElsewhere,
        )
      case 'events':
        return choose(
          EVENT_ACTIONS,
          key,
          row?.kind === 'event' ? [row.event, `event ${eventName(row.event)}`] : undefined,
          explainElsewhere,
        )
      default:
        return explainElsewhere(key)
    }
  }

  function onUserKey(key: string) {
    const chosen = options.userKey
    choose(USER_API_KEY_ACTIONS, key, chosen && [chosen, userKeyName(chosen)], explainInKeys)
  }

  return { onRow, onUserKey }
}
