/**
 * @module tui/cli/format
 * Human output: aligned tables, label/value blocks, compact dates and states shown as a glyph plus a word
 * (output is often piped or read without colour, so nothing relies on colour alone).
 *
 * Every value from the server goes through `printable`: emails, key names and audit details are chosen by
 * other people, and raw control characters in them could rewrite the reader's terminal.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** The text with control characters (escape sequences, newlines) replaced by U+FFFD. */
export const printable = (text: string) => text.replace(CONTROL, '\uFFFD')

/** Length in code points, so an emoji or accented letter counts once. */
const width = (text: string) => [...text].length

function fit(text: string, max: number | undefined): string {
  const clean = printable(text)
  if (max === undefined || width(clean) <= max) return clean
  return `${[...clean].slice(0, max - 1).join('')}…`
}

export interface Column<Row> {
  header: string
  value: (row: Row) => string
  /** Longer values are cut with an ellipsis (use --json for the full text). */
  max?: number
}

/** Rows under an upper-case header, columns two spaces apart, no trailing spaces. */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = [
    columns.map((column) => column.header.toUpperCase()),
    ...rows.map((row) => columns.map((column) => fit(column.value(row), column.max))),
  ]
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => width(line[index]!))))
  return cells
    .map((line) =>
      line
        .map((cell, index) =>
          index === line.length - 1 ? cell : cell + ' '.repeat(widths[index]! - width(cell)),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** `label  value` lines with the values aligned. */
export function fields(pairs: readonly (readonly [string, string])[]): string {
  const labelWidth = Math.max(...pairs.map(([label]) => width(label)))
  return pairs.map(([label, value]) => `${label.padEnd(labelWidth)}  ${printable(value)}`).join('\n')
}

const two = (n: number) => String(n).padStart(2, '0')

/**
 * A timestamp in local time, as short as stays unambiguous: `Nov 21 06:43` within the current year,
 * `2025-11-21` before it. `missing` stands in for null (e.g. "never" for a last login).
 */
export function shortDate(iso: string | null, missing = '—', now = new Date()): string {
  if (iso === null) return missing
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return printable(iso)
  if (date.getFullYear() !== now.getFullYear()) {
    return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`
  }
  return `${MONTHS[date.getMonth()]} ${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`
}

export interface UserState {
  status: 'pending-confirmation' | 'pending-login' | 'confirmed'
  disabled: boolean
  confirmationExpiresAt: string | null
}

/** `● confirmed`, `◐ pending login`, `○ pending confirmation (link expired)`, `⊘ disabled`. */
export function userStatus(user: UserState, now = new Date()): string {
  if (user.disabled) return '⊘ disabled'
  if (user.status === 'confirmed') return '● confirmed'
  if (user.status === 'pending-login') return '◐ pending login'
  const expired = user.confirmationExpiresAt !== null && new Date(user.confirmationExpiresAt) < now
  return expired ? '○ pending confirmation (link expired)' : '○ pending confirmation'
}

export const keyStatus = (key: { disabled: boolean }) => (key.disabled ? '⊘ disabled' : '● enabled')

const SIGNING_KEY_STATES = { next: '◌ next', current: '● current', previous: '◐ previous', retired: '○ retired' } as const

/** `◌ next`, `● current`, `◐ previous`, `○ retired`, or `⊘ revoked` for a key retired by an emergency rotation. */
export const signingKeyState = (key: {
  state: keyof typeof SIGNING_KEY_STATES
  revokedAt: string | null
}) => (key.revokedAt === null ? SIGNING_KEY_STATES[key.state] : '⊘ revoked')

const EVENT_STATES = { recorded: '○ recorded', pending: '◐ pending', delivered: '● delivered', dead: '✘ dead' } as const

/** `○ recorded` (no sink), `◐ pending`, `● delivered`, `✘ dead` (every attempt failed). */
export const eventStatus = (event: { status: keyof typeof EVENT_STATES }) => EVENT_STATES[event.status]

const OUTCOMES: Record<string, string> = { ok: '✓ ok', refused: '✗ refused', failed: '! failed' }
export const outcome = (value: string) => OUTCOMES[value] ?? value

/** `1 user`, `3 users`. */
export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

/** The hint under a page that has a next one. */
export const nextPageHint = (cursor: string | null) => (cursor ? `\nnext page: --cursor ${cursor}` : '')
