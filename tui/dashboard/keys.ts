/**
 * @module dashboard/keys
 * The dashboard's keys that are not row actions (those live in actions.ts and key-actions.ts): tabs,
 * movement, search, the filters (login provider on the user tabs, status on the Events tab), details, new,
 * help and quit; and on a user, `a`, which moves into their API keys, `e`, which opens their custom data
 * in the admin's editor, and `E`, which gives them a new email address. One table feeds the key handling, the footer and the `?` overlay, so they cannot
 * drift.
 */
import type { Key } from 'ink'
import { TABS } from './tabs'

export type Command =
  | { type: 'tab'; index: number }
  | { type: 'next-tab' }
  | { type: 'previous-tab' }
  | { type: 'move'; by: 'up' | 'down' | 'page-up' | 'page-down' | 'top' | 'bottom' }
  | { type: 'search' }
  | { type: 'provider'; by: 1 | -1 }
  | { type: 'event-status'; by: 1 | -1 }
  | { type: 'details' }
  | { type: 'new' }
  | { type: 'user-keys' }
  | { type: 'edit-data' }
  | { type: 'change-email' }
  | { type: 'help' }
  | { type: 'quit' }

export interface Binding {
  /** As written in the help overlay. */
  keys: string
  description: string
  /** The command this key press means, if it is one of this binding's keys. */
  read(input: string, key: Key): Command | undefined
}

const plain = (key: Key) => !key.ctrl && !key.meta
const move = (by: Extract<Command, { type: 'move' }>['by']): Command => ({ type: 'move', by })

/** `p` / `P` (or `f` / `F`): the next or previous filter. */
const cycling = (input: string, key: Key, letter: string): 1 | -1 | undefined =>
  !plain(key) ? undefined : input === letter ? 1 : input === letter.toUpperCase() ? -1 : undefined

// Descriptions stay within 23 characters: the help overlay has two columns at 80 wide.
export const BINDINGS: Binding[] = [
  {
    keys: `1–${TABS.length} Tab ⇧Tab`,
    description: 'jump to / cycle tabs',
    read: (input, key) =>
      key.tab
        ? { type: key.shift ? 'previous-tab' : 'next-tab' }
        : /^[1-9]$/.test(input) && Number(input) <= TABS.length
          ? { type: 'tab', index: Number(input) - 1 }
          : undefined,
  },
  {
    keys: '↑↓ k j',
    description: 'move (pages at ends)',
    read: (input, key) =>
      key.upArrow || (input === 'k' && plain(key))
        ? move('up')
        : key.downArrow || (input === 'j' && plain(key))
          ? move('down')
          : undefined,
  },
  {
    keys: 'PgUp PgDn',
    description: 'previous / next page',
    read: (_, key) => (key.pageUp ? move('page-up') : key.pageDown ? move('page-down') : undefined),
  },
  {
    keys: 'g G',
    description: 'newest / last on page',
    read: (input, key) =>
      key.home || (input === 'g' && plain(key))
        ? move('top')
        : key.end || (input === 'G' && plain(key))
          ? move('bottom')
          : undefined,
  },
  {
    keys: '/',
    description: 'search (Esc clears)',
    read: (input, key) => (input === '/' && plain(key) ? { type: 'search' } : undefined),
  },
  {
    // p P: users by login provider (tabs 1–3); f F: events by status (the Events tab).
    keys: 'p P f F',
    description: 'filter users / events',
    read: (input, key) => {
      const provider = cycling(input, key, 'p')
      if (provider) return { type: 'provider', by: provider }
      const status = cycling(input, key, 'f')
      return status ? { type: 'event-status', by: status } : undefined
    },
  },
  {
    keys: 'Enter',
    description: 'details of the row',
    read: (_, key) => (key.return ? { type: 'details' } : undefined),
  },
  {
    keys: 'n',
    description: 'new user / new API key',
    read: (input, key) => (input === 'n' && plain(key) ? { type: 'new' } : undefined),
  },
  {
    keys: '? q',
    description: 'this help, quit',
    read: (input, key) =>
      input === '?' && plain(key) ? { type: 'help' } : input === 'q' && plain(key) ? { type: 'quit' } : undefined,
  },
]

/** On a user (tabs 1–3): into their API keys, where d / u / x act on the key and Esc (or `a`) comes back. */
export const USER_KEYS_BINDING: Binding = {
  keys: 'a',
  description: 'their API keys: d u x, Esc back',
  read: (input, key) => (input === 'a' && plain(key) ? { type: 'user-keys' } : undefined),
}

/**
 * On a user (tabs 1–3, their details, their keys): `e`, their custom data in $VISUAL / $EDITOR, checked before
 * saving; `E`, a new email address for their email/password login.
 */
export const EDIT_DATA_BINDING: Binding = {
  keys: 'e E',
  description: 'custom data / email',
  read: (input, key) =>
    !plain(key) ? undefined : input === 'e' ? { type: 'edit-data' } : input === 'E' ? { type: 'change-email' } : undefined,
}

export function commandFor(input: string, key: Key): Command | undefined {
  for (const binding of [...BINDINGS, USER_KEYS_BINDING, EDIT_DATA_BINDING]) {
    const command = binding.read(input, key)
    if (command) return command
  }
  return undefined
}

/** A footer entry: the key, and the word after it. */
export interface Hint {
  key: string
  label: string
}
