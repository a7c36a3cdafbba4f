/**
 * @module dashboard/hooks/use-dashboard-keys
 * Keys to intentions, by mode. Text fields (search, forms) own printable keys while they are open, so only
 * Esc, Enter, Tab and arrows are read here then; in the browsing mode the binding table (keys.ts) and the
 * row actions (actions.ts) apply. A key handler must never crash the terminal app, so failures become a
 * red banner.
 */
import { useInput, type Key } from 'ink'
import { commandFor, type Command } from '../keys'
import type { Move } from './use-paged-list'

export type Mode = 'browse' | 'offline' | 'search' | 'help' | 'confirm' | 'new-user' | 'new-key' | 'secret'

export interface KeyHandlers {
  command(command: Command): void
  /** A key that may be a row action (`c`, `d`, `x`…). */
  action(key: string): void
  move(to: Move): void
  /** Esc: close what is open (overlay, search, details). */
  back(): void
  /** The confirm prompt: anything but `y` cancels. */
  answer(yes: boolean): void
  /** Tab / ↑ / ↓ in a form. */
  otherField(): void
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
      if (key.escape) on.back()
      else if (key.tab || key.upArrow || key.downArrow) on.otherField()
      return
    case 'confirm':
      // The prompt (ConfirmInput) reads y and n itself; every other key is a no.
      if (!['y', 'n'].includes(input.toLowerCase())) on.answer(false)
      return
    case 'secret':
      if (key.escape || key.return) on.back()
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
      // A held j or k can arrive as one chunk ("jjj"); any other run of characters is a paste, and a paste
      // must never fire actions (think "xy").
      const repeated = /^([jk])\1+$/.exec(input)
      if (repeated) {
        for (let n = 0; n < input.length; n++) on.move(repeated[1] === 'j' ? 'down' : 'up')
        return
      }
      const command = commandFor(input, key)
      if (command) return on.command(command)
      if (input.length === 1 && !key.ctrl && !key.meta) on.action(input)
    }
  }
}
