/**
 * @module dashboard/hooks/use-dashboard-keys
 * Keys to intentions, by mode. Text fields (search, forms) own printable keys while they are open, so only
 * Esc, Enter, Tab and arrows are read here then; in the browsing mode the binding table (keys.ts) and the
 * row actions (actions.ts, key-actions.ts) apply, and in a user's API keys (after `a`) the moves and d / u / x
 * are the key list's. A key handler must never crash the terminal app, so failures become a red banner.
 */
import { useInput, type Key } from 'ink'
import type { Consent } from '../actions'
import { commandFor, type Command } from '../keys'
import type { Move } from './use-paged-list'

export type Mode =
  | 'browse'
  | 'user-keys'
  | 'offline'
  | 'search'
  | 'help'
  | 'confirm'
  | 'new-user'
  | 'new-key'
  | 'change-email'
  | 'secret'
  | 'editing'
  | 'data-problem'

export interface KeyHandlers {
  command(command: Command): void
  /** A key that may be a row action (`c`, `d`, `x`…). */
  action(key: string): void
  move(to: Move): void
  /** In a user's API keys: a key that may be a key action (`d`, `u`, `x`). */
  keyAction(key: string): void
  moveKey(by: 1 | -1): void
  /** Back from a user's API keys to the users. */
  leaveKeys(): void
  /** Esc: close what is open (overlay, search, details). */
  back(): void
  /** The confirm prompt: `y` or the alternative's key goes ahead; anything else cancels (undefined). */
  answer(consent: Consent | undefined): void
  /** The open question's alternative key (`k`), if it has one. */
  alternativeKey: string | undefined
  /** Tab / ↑ / ↓ in a form. */
  otherField(): void
  /** After an edit that could not be saved: back into the editor with the text kept. */
  editAgain(): void
  quit(): void
  toggleHelp(): void
  failed(error: unknown): void
}

export function useDashboardKeys(mode: Mode, handlers: KeyHandlers): void {
  useInput((input, key) => {
    try {
      handle(mode, input, key, handlers)
    } catch (error) {
      handlers.failed(error)
    }
  })
}

function handle(mode: Mode, input: string, key: Key, on: KeyHandlers): void {
  switch (mode) {
    case 'search':
      if (key.escape) on.back()
      else if (key.upArrow) on.move('up')
      else if (key.downArrow) on.move('down')
      return // Enter submits through the text field.
    case 'new-user':
    case 'new-key':
    case 'change-email':
      if (key.escape) on.back()
      else if (key.tab || key.upArrow || key.downArrow) on.otherField()
      return
    case 'confirm':
      // The prompt (ConfirmInput) reads y and n itself; the alternative's key goes ahead its own way; every
      // other key is a no.
      if (on.alternativeKey !== undefined && input === on.alternativeKey) on.answer('alternative')
      else if (!['y', 'n'].includes(input.toLowerCase())) on.answer(undefined)
      return
    case 'secret':
      if (key.escape || key.return) on.back()
      return
    case 'editing':
      return // The editor has the terminal; anything that still arrives is not for the dashboard.
    case 'data-problem':
      if (key.escape || ['n', 'd'].includes(input)) on.back()
      else if (key.return || ['e', 'y'].includes(input)) on.editAgain()
      return
    case 'help':
      if (key.escape || input === '?') on.toggleHelp()
      else if (input === 'q') on.quit()
      return
    case 'offline': {
      // Nothing to act on yet, but choosing a tab, help and quitting work while Usher is away.
      const command = commandFor(input, key)
      if (command && ['tab', 'next-tab', 'previous-tab', 'help', 'quit'].includes(command.type))
        on.command(command)
      return
    }
    case 'browse': {
      if (key.escape) return on.back()
      const held = heldMoves(input)
      if (held) return held.forEach((by) => on.move(by === 1 ? 'down' : 'up'))
      const command = commandFor(input, key)
      if (command) return on.command(command)
      if (input.length === 1 && !key.ctrl && !key.meta) on.action(input)
      return
    }
    case 'user-keys': {
      const command = commandFor(input, key)
      if (key.escape || command?.type === 'user-keys') return on.leaveKeys()
      const held = heldMoves(input)
      if (held) return held.forEach(on.moveKey)
      if (command?.type === 'move' && (command.by === 'up' || command.by === 'down')) {
        return on.moveKey(command.by === 'up' ? -1 : 1)
      }
      // Leaving the user (another tab, closing the details) leaves their keys; help, quit, `e` (the user's
      // custom data) and `E` (their email) work as ever.
      if (command && ['tab', 'next-tab', 'previous-tab', 'details', 'help', 'quit', 'edit-data', 'change-email'].includes(command.type)) {
        return on.command(command)
      }
      if (input.length === 1 && !key.ctrl && !key.meta) on.keyAction(input)
    }
  }
}

/**
 * A held j or k can arrive as one chunk ("jjj"): one move each (+1 down, -1 up). Any other run of characters
 * is a paste, and a paste must never fire actions (think "xy").
 */
function heldMoves(input: string): (1 | -1)[] | undefined {
  const repeated = /^([jk])\1+$/.exec(input)
  return repeated ? Array.from(input, () => (repeated[1] === 'j' ? 1 : -1)) : undefined
}
