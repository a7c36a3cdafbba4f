/**
 * @module dashboard/components/StatusLine
 * The line above the list: the filter on the list (the users' login provider, the events' status), if any,
 * then the search field while
 * typing (or the kept search), else what the tab shows; on the right, where the visible rows sit in the list
 * and whether more pages follow.
 */
import { Spinner, TextInput } from '@inkjs/ui'
import { Box, Text } from 'ink'
import type { ListFilter } from '../tabs'

export interface StatusLineProps {
  width: number
  searching: boolean
  search: string
  /** The filter on the list: login provider (user tabs), status (Events). */
  filter: ListFilter | undefined
  /** What the tab lists, shown when there is no search. */
  caption: string
  /** E.g. "rows 16–30", or undefined when there is nothing to count. */
  position: string | undefined
  hasNextPage: boolean
  loading: boolean
  onSearchChange(value: string): void
  onSearchSubmit(): void
}

export function StatusLine(props: StatusLineProps) {
  return (
    <Box width={props.width} justifyContent="space-between">
      <Box flexShrink={1}>
        {props.filter && (
          <Box flexShrink={0}>
            <Text color="cyan">
              ◆ {props.filter.value} only ({props.filter.keys} · Esc) ·{' '}
            </Text>
          </Box>
        )}
        {props.searching ? (
          <Box>
            <Text color="cyan" bold>
              /{' '}
            </Text>
            <TextInput
              defaultValue={props.search}
              placeholder="type to filter, Enter keeps, Esc clears"
              onChange={props.onSearchChange}
              onSubmit={props.onSearchSubmit}
            />
          </Box>
        ) : props.search ? (
          <Text wrap="truncate-end">
            <Text color="cyan">/ {props.search}</Text>
            <Text dimColor> (filtered · / edits · Esc clears)</Text>
          </Text>
        ) : (
          <Text dimColor wrap="truncate-end">
            {props.caption}
          </Text>
        )}
      </Box>
      <Box flexShrink={0} marginLeft={1}>
        {props.loading && <Spinner />}
        {props.position && (
          <Text dimColor>
            {' '}
            {props.position}
            {props.hasNextPage ? ' · more: PgDn ↓' : ''}
          </Text>
        )}
      </Box>
    </Box>
  )
}
