/**
 * @module dashboard/hooks/use-row-actions
 * What a row-action key (`c`, `d`, `x`, `r`…) does on the open tab: run the action on the selected row, ask
 * first when it cannot be taken back (delete, rotate), or, when the rules forbid it for that row (or the tab
 * has no such action), say why in the banner without calling the server.
 */
import {
  API_KEY_ACTIONS,
  SIGNING_KEY_ACTIONS,
  USER_ACTIONS,
  userName,
  type ActionContext,
  type Confirmation,
  type RowAction,
} from '../actions'
import type { DashboardClient } from '../client'
import type { Row, Tab } from '../tabs'
import type { ActionRunner } from './use-action-runner'
import type { BannerHandle } from './use-banner'

export interface RowActionOptions {
  client: DashboardClient
  tab: Tab
  row: Row | undefined
  /** Undefined until the configuration is known: nothing can be judged before. */
  context: ActionContext | undefined
  banner: BannerHandle
  runner: ActionRunner
  /** Ask the admin to type `y`; `work` runs only if they do. */
  confirm(confirmation: Confirmation, progress: string, work: () => Promise<string>): void
}

export function useRowActions(options: RowActionOptions): (key: string) => void {
  const { client, tab, row, context, banner, runner } = options

  function attempt<Target>(action: RowAction<Target>, target: Target, name: string) {
    if (!context) return
    const refusal = action.refusal(target, context)
    if (refusal) return banner.show('notice', `Can't ${action.label} ${name}: ${refusal}`)
    const progress = action.progress(target)
    const work = () => action.run(client, target)
    if (action.confirm) options.confirm(action.confirm(target, name), progress, work)
    else void runner.run(progress, work)
  }

  /** A row-action key pressed on a tab where it does not apply: say where it does. */
  function explainElsewhere(key: string) {
    const forUsers = USER_ACTIONS.find((candidate) => candidate.key === key)
    const forKeys = API_KEY_ACTIONS.find((candidate) => candidate.key === key)
    const forSigning = SIGNING_KEY_ACTIONS.find((candidate) => candidate.key === key)
    const where = [
      forUsers && `${forUsers.label} on the user tabs (1–3)`,
      forKeys && `${forKeys.label} on the API keys tab (4)`,
      forSigning && `${forSigning.label} on the Keys tab (5)`,
    ].filter(Boolean)
    if (where.length > 0) banner.show('notice', `${key} means ${where.join(', ')}; not on ${tab.title}`)
  }

  /** `key` among the open tab's actions, on the selected row (`[target, name]`) when it is one of theirs. */
  function choose<Target>(actions: RowAction<Target>[], key: string, selected: [Target, string] | undefined) {
    const chosen = actions.find((candidate) => candidate.key === key)
    if (!chosen) return explainElsewhere(key)
    if (selected) attempt(chosen, ...selected)
    else banner.show('notice', `Nothing selected to ${chosen.label}`)
  }

  return (key: string) => {
    switch (tab.kind) {
      case 'users':
        return choose(USER_ACTIONS, key, row?.kind === 'user' ? [row.user, userName(row.user)] : undefined)
      case 'api-keys':
        return choose(
          API_KEY_ACTIONS,
          key,
          row?.kind === 'api-key' ? [row.key, `API key ${row.key.name}`] : undefined,
        )
      case 'signing-keys':
        return choose(
          SIGNING_KEY_ACTIONS,
          key,
          row?.kind === 'signing-key' ? [row.key, `signing key ${row.key.kid}`] : undefined,
        )
      default:
        return explainElsewhere(key)
    }
  }
}
