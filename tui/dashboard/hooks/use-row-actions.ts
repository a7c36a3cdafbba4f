/**
 * @module dashboard/hooks/use-row-actions
 * What a row-action key (`c`, `d`, `x`…) does on the open tab: run the action on the selected row, ask first
 * when it destroys something, or, when the rules forbid it for that row (or the tab has no such action),
 * say why in the banner without calling the server.
 */
import { API_KEY_ACTIONS, USER_ACTIONS, userName, type ActionContext, type RowAction } from '../actions'
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
  confirm(question: string, progress: string, work: () => Promise<string>): void
}

export function useRowActions(options: RowActionOptions): (key: string) => void {
  const { client, tab, row, context, banner, runner } = options

  function attempt<Target>(action: RowAction<Target>, target: Target, name: string) {
    if (!context) return
    const refusal = action.refusal(target, context)
    if (refusal) return banner.show('notice', `Can't ${action.label} ${name}: ${refusal}`)
    const progress = action.progress(target)
    const work = () => action.run(client, target)
    if (action.destructive)
      options.confirm(`${capitalize(action.label)} ${name}? This cannot be undone.`, progress, work)
    else void runner.run(progress, work)
  }

  /** A row-action key pressed on a tab where it does not apply: say where it does. */
  function explainElsewhere(key: string) {
    const forUsers = USER_ACTIONS.find((candidate) => candidate.key === key)
    const forKeys = API_KEY_ACTIONS.find((candidate) => candidate.key === key)
    const where = [
      forUsers && `${forUsers.label} on the user tabs (1–3)`,
      forKeys && `${forKeys.label} on the API keys tab (4)`,
    ].filter(Boolean)
    if (where.length > 0) banner.show('notice', `${key} means ${where.join(', ')}; not on ${tab.title}`)
  }

  return (key: string) => {
    if (tab.kind === 'users') {
      const chosen = USER_ACTIONS.find((candidate) => candidate.key === key)
      if (!chosen) return explainElsewhere(key)
      if (row?.kind === 'user') attempt(chosen, row.user, userName(row.user))
      else banner.show('notice', `Nothing selected to ${chosen.label}`)
    } else if (tab.kind === 'api-keys') {
      const chosen = API_KEY_ACTIONS.find((candidate) => candidate.key === key)
      if (!chosen) return explainElsewhere(key)
      if (row?.kind === 'api-key') attempt(chosen, row.key, `API key ${row.key.name}`)
      else banner.show('notice', `Nothing selected to ${chosen.label}`)
    } else {
      explainElsewhere(key)
    }
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
