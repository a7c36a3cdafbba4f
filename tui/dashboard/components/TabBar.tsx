/**
 * @module dashboard/components/TabBar
 * The tabs with their number keys, the open one in brackets (and inverse), and whether the data is live.
 * From 100 columns each tab sits in its own padding, so the brackets take its place and nothing shifts;
 * narrower, tabs are one space apart so all seven and the live mark fit 80 columns.
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
  const roomy = width >= 100
  return (
    <Box width={width} justifyContent="space-between">
      <Text wrap="truncate-end">
        {tabs.map((tab, index) =>
          index === activeIndex ? (
            <Text key={tab.id}>
              {!roomy && index > 0 ? ' ' : ''}
              <Text bold inverse color="cyan">
                [{index + 1} {tab.title}]
              </Text>
            </Text>
          ) : (
            <Text key={tab.id}>
              {roomy || index > 0 ? ' ' : ''}
              <Text bold>{index + 1}</Text> {tab.title}
              {roomy ? ' ' : ''}
            </Text>
          ),
        )}
      </Text>
      <Box flexShrink={0} marginLeft={1}>
        {status === 'live' ? (
          <Text color="green">● live{roomy ? ` ${clock(refreshedAt)}` : ''}</Text>
        ) : status === 'down' ? (
          <Text color="red">✘ offline</Text>
        ) : (
          <Text color="yellow">… connecting</Text>
        )}
      </Box>
    </Box>
  )
}
