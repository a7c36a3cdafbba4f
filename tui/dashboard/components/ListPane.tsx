/**
 * @module dashboard/components/ListPane
 * The bordered list of the open tab: a column header, one screen of rows (the server's page), or a sentence
 * when there is nothing to show.
 */
import { Box, Text } from 'ink'
import type { ListFilter, Row, Tab } from '../tabs'
import { ColumnHeader, RowLine } from './RowLine'

export interface ListPaneProps {
  tab: Tab
  rows: Row[]
  selectedIndex: number
  offset: number
  visibleRows: number
  width: number
  height: number
  search: string
  /** The login-provider filter on a user tab, the status filter on the Events tab. */
  filter: ListFilter | undefined
  loaded: boolean
  /** A failure to show instead of rows. */
  error: string | undefined
  now: number
}

export function ListPane(props: ListPaneProps) {
  const inner = props.width - 2
  // A form below the list can take rows away: keep the selected row in view anyway.
  const start = Math.max(props.offset, props.selectedIndex - props.visibleRows + 1)
  const shown = props.rows.slice(start, start + props.visibleRows)
  return (
    <Box
      width={props.width}
      height={props.height}
      borderStyle="round"
      borderColor="gray"
      flexDirection="column"
    >
      <ColumnHeader kind={props.tab.kind} width={inner} />
      {props.error ? (
        <Text color="red">✘ {props.error}</Text>
      ) : shown.length === 0 ? (
        <Text dimColor>{props.loaded ? emptyText(props.tab, props.search, props.filter) : '  loading…'}</Text>
      ) : (
        shown.map((row, index) => (
          <RowLine
            key={row.id}
            row={row}
            selected={start + index === props.selectedIndex}
            width={inner}
            now={props.now}
          />
        ))
      )}
    </Box>
  )
}

function emptyText(tab: Tab, search: string, filter: ListFilter | undefined): string {
  const filtered = tab.kind === 'events' ? `${filter?.value} events` : `${filter?.value} users`
  const among = filter ? ` among ${filtered}` : ''
  if (search) return `  Nothing on ${tab.title} matches "${search}"${among} (Esc clears the search)`
  if (filter && tab.kind === 'events') return `  No ${filtered} (${filter.keys}: another status, Esc: all)`
  if (filter) return `  No user on ${tab.title} has a ${filter.value} identity (${filter.keys}: another provider, Esc: all)`
  switch (tab.id) {
    case 'pending':
      return '  No user awaits confirmation or a first login.'
    case 'confirmed':
      return '  No confirmed users yet (n creates one).'
    case 'disabled':
      return '  No disabled users.'
    case 'api-keys':
      return '  No server API keys (n creates one).'
    case 'signing-keys':
      return '  No signing keys yet: Usher makes the current and next keys on first use.'
    case 'audit':
      return '  The audit trail is empty.'
    case 'outbox':
      return '  The outbox is empty: mails land here when MAIL_PROVIDER is "outbox".'
    case 'events':
      return '  No lifecycle events yet: creations, logins, confirmations… are recorded here.'
  }
}
