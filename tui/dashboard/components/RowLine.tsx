/**
 * @module dashboard/components/RowLine
 * One list row per kind (user, API key, signing key, audit entry, mail) and the column header above them.
 * Columns are fixed-width cells so rows line up; the selected row carries `›` as well as inverse video.
 */
import { Text } from 'ink'
import { ago, keyLook, outcomeLook, signingKeyLook, userLook, type Look } from '../format'
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

/** Each kind's first column (it takes what the others leave) and the others, some only when there is room. */
const COLUMNS: Record<Tab['kind'], { first: string; rest(roomy: boolean): Column[] }> = {
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
  audit: {
    first: 'ACTION',
    rest: (roomy) => [
      { title: 'WHEN', width: 10 },
      { title: 'ACTOR', width: 8 },
      ...(roomy ? [{ title: 'USER', width: 26 }] : []),
    ],
  },
  outbox: {
    first: 'TO',
    rest: (roomy) => [
      { title: 'SUBJECT', width: roomy ? 30 : 18 },
      { title: 'SENT', width: 10 },
    ],
  },
}

/** Column widths for a tab at `width`; the first column takes what the others leave. */
export function columnsFor(kind: Tab['kind'], width: number): Column[] {
  const { first, rest } = COLUMNS[kind]
  const fixed = rest(width >= 70)
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
      {columns.map((column, index) => (
        <Text key={column.title} color={index === 1 && row.kind === 'user' ? look.tone : undefined}>
          {cell(cells[index] ?? '', column.width)}
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
}

function describe(row: Row, now: number): { look: Look; cells: string[] } {
  switch (row.kind) {
    case 'user': {
      const look = userLook(row.user, now)
      return {
        look,
        cells: [
          row.user.email ?? row.user.id,
          look.label,
          ago(row.user.createdAt, now),
          ago(row.user.lastLoginAt, now),
        ],
      }
    }
    case 'api-key': {
      const look = keyLook(row.key)
      return {
        look,
        cells: [row.key.name, look.label, ago(row.key.createdAt, now), ago(row.key.lastUsedAt, now)],
      }
    }
    case 'signing-key': {
      const look = signingKeyLook(row.key)
      const until = row.key.revokedAt ?? row.key.retiresAt
      return {
        look,
        cells: [
          row.key.kid,
          look.label,
          row.key.algorithm,
          ago(row.key.createdAt, now),
          until ? ago(until, now) : '—',
        ],
      }
    }
    case 'audit':
      return {
        look: outcomeLook(row.entry.outcome),
        cells: [row.entry.action, ago(row.entry.at, now), row.entry.actor, row.entry.userId ?? '—'],
      }
    case 'mail':
      return {
        look: { glyph: '▪', label: 'mail', tone: 'cyan' },
        cells: [row.mail.to, row.mail.subject, ago(row.mail.createdAt, now)],
      }
  }
}
