/**
 * @module dashboard/hints
 * What the footer offers. Browsing, it lists only the actions the rules allow for the selected row, then the
 * keys that always work; in a user's API keys, the actions allowed on the chosen key and the way back; while
 * a form, a question or help is open, how to finish it; while Usher is away, the little that still works.
 */
import { EVENT_ACTIONS, USER_ACTIONS, type ActionContext, type RowAction } from './actions'
import type { Overlay } from './overlay'
import { API_KEY_ACTIONS, SIGNING_KEY_ACTIONS, USER_API_KEY_ACTIONS, type UserKey } from './key-actions'
import type { Hint } from './keys'
import { TABS, type Row, type Tab } from './tabs'

const TAB_KEYS: Hint = { key: `1-${TABS.length}`, label: 'tabs' }
const HELP_AND_QUIT: Hint[] = [
  { key: '?', label: 'help' },
  { key: 'q', label: 'quit' },
]

/** The actions the rules allow on `target` and the footer offers (none before the configuration is known). */
function allowed<Target>(actions: RowAction<Target>[], target: Target, context: ActionContext | undefined): Hint[] {
  return actions
    .filter(
      (candidate) =>
        context !== undefined &&
        candidate.refusal(target, context) === undefined &&
        (candidate.offered?.(target, context) ?? true),
    )
    .map((candidate) => ({ key: candidate.key, label: candidate.label }))
}

export function browsingHints(
  tab: Tab,
  row: Row | undefined,
  context: ActionContext | undefined,
  detailsOpen: boolean,
): Hint[] {
  const forRow =
    row?.kind === 'user'
      ? allowed(USER_ACTIONS, row.user, context)
      : row?.kind === 'api-key'
        ? allowed(API_KEY_ACTIONS, row.key, context)
        : row?.kind === 'signing-key'
          ? allowed(SIGNING_KEY_ACTIONS, row.key, context)
          : row?.kind === 'event'
            ? allowed(EVENT_ACTIONS, row.event, context)
            : []
  // Offered once the details show the user has keys to act on.
  const hasKeys = row?.kind === 'user' && context?.details?.id === row.user.id && context.details.apiKeys.length > 0
  const create =
    tab.kind === 'users'
      ? [{ key: 'n', label: 'new user' }]
      : tab.kind === 'api-keys'
        ? [{ key: 'n', label: 'new key' }]
        : []
  return [
    ...forRow,
    ...(hasKeys ? [{ key: 'a', label: 'API keys' }] : []),
    ...(row?.kind === 'user' ? [{ key: 'e', label: 'custom data' }] : []),
    ...create,
    ...(detailsOpen ? [{ key: '⏎', label: 'close details' }] : row ? [{ key: '⏎', label: 'details' }] : []),
    { key: '/', label: 'search' },
    ...(tab.kind === 'users' ? [{ key: 'p', label: 'provider' }] : []),
    ...(tab.kind === 'events' ? [{ key: 'f', label: 'status' }] : []),
    TAB_KEYS,
    ...HELP_AND_QUIT,
  ]
}

/** In a user's API keys: what the chosen key allows, how to choose another, and the way back. */
export function userKeysHints(chosen: UserKey | undefined, context: ActionContext | undefined): Hint[] {
  return [
    ...(chosen ? allowed(USER_API_KEY_ACTIONS, chosen, context) : []),
    { key: '↑↓', label: 'choose a key' },
    { key: 'a/Esc', label: 'back to the users' },
    ...HELP_AND_QUIT,
  ]
}

/** Until Usher answers there is nothing to act on. */
export const OFFLINE_HINTS: Hint[] = [TAB_KEYS, ...HELP_AND_QUIT]

/** While a form, a question or help is open: how to finish it. */
export function overlayHints(overlay: Exclude<Overlay, { type: 'none' }>): Hint[] {
  if (overlay.type !== 'confirm') return OVERLAY_HINTS[overlay.type]
  const { consent, alternative } = overlay.confirmation
  return [
    { key: 'y', label: consent },
    ...(alternative ? [{ key: alternative.key, label: alternative.consent }] : []),
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
  'change-email': [
    { key: 'Enter', label: 'change it' },
    { key: 'Esc', label: 'cancel' },
  ],
  secret: [{ key: 'Enter/Esc', label: 'close (the key is not shown again)' }],
  editing: [{ key: 'your editor', label: 'save and quit it to come back' }],
  'data-problem': [
    { key: 'e/Enter', label: 'edit again (your text is kept)' },
    { key: 'Esc', label: 'discard your changes' },
  ],
}
