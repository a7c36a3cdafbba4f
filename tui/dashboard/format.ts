/**
 * @module dashboard/format
 * How times and states read on screen. Every state has a glyph as well as a colour, so it survives
 * `NO_COLOR`, monochrome terminals and test frames (which carry no styling).
 */
import type { AuditEntry, EventItem, SigningKey, UserItem } from '../admin-client'

export type Tone = 'green' | 'yellow' | 'red' | 'cyan' | 'gray'

export interface Look {
  glyph: string
  label: string
  tone: Tone
}

export const GLYPH = {
  selected: '›',
  success: '✔',
  failure: '✘',
  notice: '⚠',
  live: '●',
  down: '✘',
} as const

/** A user whose confirmation link expired before they used it: only a re-run (or a manual confirm) helps. */
export function isStuck(user: Pick<UserItem, 'status' | 'confirmationExpiresAt'>, now = Date.now()): boolean {
  return (
    user.status === 'pending-confirmation' &&
    user.confirmationExpiresAt !== null &&
    Date.parse(user.confirmationExpiresAt) <= now
  )
}

export function userLook(user: UserItem, now = Date.now()): Look {
  if (user.disabled) return { glyph: '⊘', label: 'disabled', tone: 'red' }
  switch (user.status) {
    case 'pending-confirmation':
      return isStuck(user, now)
        ? { glyph: '⚠', label: 'stuck: link expired', tone: 'yellow' }
        : { glyph: '○', label: 'awaits confirmation', tone: 'yellow' }
    case 'pending-login':
      return { glyph: '◐', label: 'awaits first login', tone: 'cyan' }
    case 'confirmed':
      return { glyph: '●', label: 'confirmed', tone: 'green' }
  }
}

export function keyLook(key: { disabled: boolean }): Look {
  return key.disabled
    ? { glyph: '⊘', label: 'disabled', tone: 'red' }
    : { glyph: '●', label: 'enabled', tone: 'green' }
}

const SIGNING_KEY_LOOKS: Record<SigningKey['state'] | 'revoked', Look> = {
  next: { glyph: '◌', label: 'next', tone: 'cyan' },
  current: { glyph: '●', label: 'current', tone: 'green' },
  previous: { glyph: '◐', label: 'previous', tone: 'yellow' },
  retired: { glyph: '○', label: 'retired', tone: 'gray' },
  revoked: { glyph: '⊘', label: 'revoked', tone: 'red' },
}

/** A revoked key (emergency rotation) is told apart from one that retired on its own. */
export function signingKeyLook(key: Pick<SigningKey, 'state' | 'revokedAt'>): Look {
  return SIGNING_KEY_LOOKS[key.revokedAt === null ? key.state : 'revoked']
}

/** A key id cut like a short commit hash: enough to tell keys apart in a banner. */
export const shortKid = (kid: string) => `${kid.slice(0, 8)}…`

export function outcomeLook(outcome: AuditEntry['outcome']): Look {
  switch (outcome) {
    case 'ok':
      return { glyph: '✔', label: 'ok', tone: 'green' }
    case 'refused':
      return { glyph: '⊘', label: 'refused', tone: 'yellow' }
    case 'failed':
      return { glyph: '✘', label: 'failed', tone: 'red' }
  }
}

const EVENT_LOOKS: Record<EventItem['status'], Look> = {
  recorded: { glyph: '○', label: 'recorded', tone: 'gray' },
  pending: { glyph: '◐', label: 'pending', tone: 'yellow' },
  delivered: { glyph: '●', label: 'delivered', tone: 'green' },
  dead: { glyph: '✘', label: 'dead', tone: 'red' },
}

/** `○ recorded` (no sink), `◐ pending`, `● delivered`, `✘ dead` (every attempt failed: redeliver it). */
export const eventLook = (event: Pick<EventItem, 'status'>): Look => EVENT_LOOKS[event.status]

/** Who an audit entry is about: their address when the server knows it, else their id ("—" for none). */
export const auditUser = (entry: Pick<AuditEntry, 'email' | 'userId'>) => entry.email ?? entry.userId ?? '—'

/** "just now", "5m ago", "3h ago", "2d ago", then the date; "in 25m" for the future. */
export function ago(iso: string | null, now = Date.now()): string {
  if (iso === null) return 'never'
  const ms = now - Date.parse(iso)
  const future = ms < 0
  const minutes = Math.floor(Math.abs(ms) / 60_000)
  let span: string
  if (minutes < 1) return future ? 'in <1m' : 'just now'
  else if (minutes < 60) span = `${minutes}m`
  else if (minutes < 48 * 60) span = `${Math.floor(minutes / 60)}h`
  else if (minutes < 30 * 24 * 60) span = `${Math.floor(minutes / 1440)}d`
  else return iso.slice(0, 10)
  return future ? `in ${span}` : `${span} ago`
}

/** `2026-11-21 10:02` in local time: precise, and short enough for a details pane. */
export function stamp(iso: string | null): string {
  if (iso === null) return 'never'
  const date = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** `10:02:31`: when the lists were last refreshed. */
export function clock(date: Date): string {
  return date.toTimeString().slice(0, 8)
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
