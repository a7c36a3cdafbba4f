/**
 * @module dashboard/components/RowLine
 * One list row per kind (user, API key, signing key, audit entry, mail, event) and the column header above them.
 * Columns are fixed-width cells so rows line up; the selected row carries `›` as well as inverse video.
 */
import { Text } from 'ink'
import { eventUser } from '../../events'
import { ago, auditUser, eventLook, keyLook, outcomeLook, signingKeyLook, userLook, type Look } from '../format'
import type { Row, Tab } from '../tabs'

export interface RowLineProps {
  row: Row
  selected: boolean
  width: number
  now: number
}

/** `text` cut or padded to exactly `width` columns, the last one a gap before the next column. */
export function cell(text: string, width: number): string {
  if (width <= 0) return ''
  const room = width - 1
  const chars = Array.from(text)
  const fitted = chars.length > room ? `${chars.slice(0, Math.max(0, room - 1)).join('')}…` : text
  return fitted + ' '.repeat(Math.max(0, width - Array.from(fitted).length))
}

interface Column {
  title: string
  width: number
}

const CREATED: Column = { title: 'CREATED', width: 10 }
const STATE: Column = { title: 'STATE', width: 10 }

/**
 * Each kind's first column (it takes what the others leave) and the others, some only when there is room;
 * `left(fixed)` is what the fixed columns leave, for a column that splits it with the first.
 */
const COLUMNS: Record<Tab['kind'], { first: string; rest(roomy: boolean, left: (fixed: number) => number): Column[] }> = {
  users: {
    first: 'EMAIL',
    rest: (roomy) => [
      { title: 'STATUS', width: 21 },
      ...(roomy ? [CREATED, { title: 'LAST LOGIN', width: 11 }] : []),
    ],
  },
  'api-keys': {
    first: 'NAME',
    rest: (roomy) => [STATE, ...(roomy ? [CREATED, { title: 'LAST USED', width: 11 }] : [])],
  },
  'signing-keys': {
    first: 'KID',
    rest: (roomy) => [
      STATE,
      ...(roomy ? [{ title: 'ALG', width: 7 }, CREATED, { title: 'RETIRES', width: 10 }] : []),
    ],
  },
  // The user (an address) shares the room with the action; narrow (beside the details at 100 columns) the
  // actor gives way, since who the entry is about matters more.
  audit: {
    first: 'ACTION',
    rest: (roomy, left) => {
      const half = (fixed: number) => Math.floor(left(fixed) / 2)
      return [
        { title: 'WHEN', width: 10 },
        ...(roomy ? [{ title: 'ACTOR', width: 8 }, { title: 'USER', width: half(18) }] : [{ title: 'USER', width: half(10) }]),
      ]
    },
  },
  outbox: {
    first: 'TO',
    rest: (roomy) => [
      { title: 'SUBJECT', width: roomy ? 30 : 18 },
      { title: 'SENT', width: 10 },
    ],
  },
  // The type (SESSIONS_REVOKED at most) keeps its 17 columns; the user (an address) takes the rest.
  events: {
    first: 'TYPE',
    rest: (roomy, left) => {
      const fixed = roomy ? 29 : 10
      return [
        { title: 'USER', width: Math.max(8, left(fixed) - EVENT_TYPE_WIDTH) },
        { title: 'STATUS', width: 10 },
        ...(roomy ? [{ title: 'ATTEMPTS', width: 9 }, { title: 'AGE', width: 10 }] : []),
      ]
    },
  },
}

const EVENT_TYPE_WIDTH = 17

/** Column widths for a tab at `width`; the first column takes what the others leave. */
export function columnsFor(kind: Tab['kind'], width: number): Column[] {
  const { first, rest } = COLUMNS[kind]
  const fixed = rest(width >= 70, (taken) => width - 4 - taken)
  const taken = fixed.reduce((sum, column) => sum + column.width, 0)
  return [{ title: first, width: Math.max(8, width - 4 - taken) }, ...fixed]
}

export function ColumnHeader({ kind, width }: { kind: Tab['kind']; width: number }) {
  const columns = columnsFor(kind, width)
  return (
    <Text bold dimColor>
      {'    '}
      {columns.map((column) => cell(column.title, column.width)).join('')}
    </Text>
  )
}

export function RowLine({ row, selected, width, now }: RowLineProps) {
  const columns = columnsFor(KIND_OF[row.kind], width)
  const { look, cells } = describe(row, now)
  const marker = selected ? '› ' : '  '
  return (
    <Text inverse={selected} bold={selected} wrap="truncate-end">
      {marker}
      <Text color={look.tone}>{look.glyph} </Text>
      {columns.map((column) => (
        <Text key={column.title} color={column.title === 'STATUS' ? look.tone : undefined}>
          {cell(cells[column.title] ?? '', column.width)}
        </Text>
      ))}
    </Text>
  )
}

const KIND_OF: Record<Row['kind'], Tab['kind']> = {
  user: 'users',
  'api-key': 'api-keys',
  'signing-key': 'signing-keys',
  audit: 'audit',
  mail: 'outbox',
  event: 'events',
}

/** The row's look, and its text under each column title (columns left out for lack of room go unused). */
function describe(row: Row, now: number): { look: Look; cells: Record<string, string> } {
  switch (row.kind) {
    case 'user': {
      const look = userLook(row.user, now)
      return {
        look,
        cells: {
          EMAIL: row.user.email ?? row.user.id,
          STATUS: look.label,
          CREATED: ago(row.user.createdAt, now),
          'LAST LOGIN': ago(row.user.lastLoginAt, now),
        },
      }
    }
    case 'api-key': {
      const look = keyLook(row.key)
      return {
        look,
        cells: {
          NAME: row.key.name,
          STATE: look.label,
          CREATED: ago(row.key.createdAt, now),
          'LAST USED': ago(row.key.lastUsedAt, now),
        },
      }
    }
    case 'signing-key': {
      const look = signingKeyLook(row.key)
      const until = row.key.revokedAt ?? row.key.retiresAt
      return {
        look,
        cells: {
          KID: row.key.kid,
          STATE: look.label,
          ALG: row.key.algorithm,
          CREATED: ago(row.key.createdAt, now),
          RETIRES: until ? ago(until, now) : '—',
        },
      }
    }
    case 'audit':
      return {
        look: outcomeLook(row.entry.outcome),
        cells: {
          ACTION: row.entry.action,
          WHEN: ago(row.entry.at, now),
          ACTOR: row.entry.actor,
          USER: auditUser(row.entry),
        },
      }
    case 'mail':
      return {
        look: { glyph: '▪', label: 'mail', tone: 'cyan' },
        cells: { TO: row.mail.to, SUBJECT: row.mail.subject, SENT: ago(row.mail.createdAt, now) },
      }
    case 'event': {
      const look = eventLook(row.event)
      return {
        look,
        cells: {
          TYPE: row.event.type,
          USER: eventUser(row.event),
          STATUS: look.label,
          ATTEMPTS: String(row.event.attempts),
          AGE: ago(row.event.createdAt, now),
        },
      }
    }
  }
}
