/**
 * @module dashboard/hints
 * What the footer offers. Browsing, it lists only the actions the rules allow for the selected row, then the
 * keys that always work; while a form, a question or help is open, how to finish it; while Usher is away,
 * the little that still works.
 */
import {
  API_KEY_ACTIONS,
  SIGNING_KEY_ACTIONS,
  USER_ACTIONS,
  type ActionContext,
  type RowAction,
} from './actions'
import type { Overlay } from './hooks/use-dashboard'
import type { Hint } from './keys'
import { TABS, type Row, type Tab } from './tabs'

const TAB_KEYS: Hint = { key: `1-${TABS.length}`, label: 'tabs' }

export function browsingHints(
  tab: Tab,
  row: Row | undefined,
  context: ActionContext | undefined,
  detailsOpen: boolean,
): Hint[] {
  const allowed = <Target>(actions: RowAction<Target>[], target: Target) =>
    actions
      .filter((candidate) => context !== undefined && candidate.refusal(target, context) === undefined)
      .map((candidate) => ({ key: candidate.key, label: candidate.label }))
  const forRow =
    row?.kind === 'user'
      ? allowed(USER_ACTIONS, row.user)
      : row?.kind === 'api-key'
        ? allowed(API_KEY_ACTIONS, row.key)
        : row?.kind === 'signing-key'
          ? allowed(SIGNING_KEY_ACTIONS, row.key)
          : []
  const create =
    tab.kind === 'users'
      ? [{ key: 'n', label: 'new user' }]
      : tab.kind === 'api-keys'
        ? [{ key: 'n', label: 'new key' }]
        : []
  return [
    ...forRow,
    ...create,
    ...(detailsOpen ? [{ key: '⏎', label: 'close details' }] : row ? [{ key: '⏎', label: 'details' }] : []),
    { key: '/', label: 'search' },
    TAB_KEYS,
    { key: '?', label: 'help' },
    { key: 'q', label: 'quit' },
  ]
}

/** Until Usher answers there is nothing to act on. */
export const OFFLINE_HINTS: Hint[] = [
  TAB_KEYS,
  { key: '?', label: 'help' },
  { key: 'q', label: 'quit' },
]

/** While a form, a question or help is open: how to finish it. */
export function overlayHints(overlay: Exclude<Overlay, { type: 'none' }>): Hint[] {
  if (overlay.type !== 'confirm') return OVERLAY_HINTS[overlay.type]
  return [
    { key: 'y', label: overlay.confirmation.consent },
    { key: 'any other key', label: 'keep it' },
  ]
}

const OVERLAY_HINTS: Record<Exclude<Overlay['type'], 'none' | 'confirm'>, Hint[]> = {
  search: [
    { key: 'Enter', label: 'keep the search' },
    { key: 'Esc', label: 'clear it' },
    { key: '↑↓', label: 'move' },
  ],
  help: [
    { key: '?/Esc', label: 'close help' },
    { key: 'q', label: 'quit' },
  ],
  'new-user': [
    { key: 'Enter', label: 'next field / create' },
    { key: 'Tab', label: 'switch field' },
    { key: 'Esc', label: 'cancel' },
  ],
  'new-key': [
    { key: 'Enter', label: 'create' },
    { key: 'Esc', label: 'cancel' },
  ],
  secret: [{ key: 'Enter/Esc', label: 'close (the key is not shown again)' }],
}
