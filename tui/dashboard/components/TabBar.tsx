/**
 * @module dashboard/components/TabBar
 * The six tabs with their number keys, the open one in brackets (and inverse), and whether the data is live.
 */
import { Box, Text } from 'ink'
import { clock } from '../format'
import type { Tab } from '../tabs'

export interface TabBarProps {
  tabs: readonly Tab[]
  activeIndex: number
  status: 'connecting' | 'live' | 'down'
  refreshedAt: Date
  width: number
}

export function TabBar({ tabs, activeIndex, status, refreshedAt, width }: TabBarProps) {
  return (
    <Box width={width} justifyContent="space-between">
      <Text wrap="truncate-end">
        {tabs.map((tab, index) =>
          index === activeIndex ? (
            <Text key={tab.id} bold inverse color="cyan">
              [{index + 1} {tab.title}]
            </Text>
          ) : (
            <Text key={tab.id}>
              {' '}
              <Text bold>{index + 1}</Text> {tab.title}{' '}
            </Text>
          ),
        )}
      </Text>
      <Box flexShrink={0} marginLeft={1}>
        {status === 'live' ? (
          <Text color="green">● live{width >= 100 ? ` ${clock(refreshedAt)}` : ''}</Text>
        ) : status === 'down' ? (
          <Text color="red">✘ offline</Text>
        ) : (
          <Text color="yellow">… connecting</Text>
        )}
      </Box>
    </Box>
  )
}
