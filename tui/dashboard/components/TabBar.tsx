/**
 * @module dashboard/components/TabBar
 * The tabs with their number keys, the open one in brackets (and inverse), and whether the data is live.
 * Where there is room each tab sits in its own padding, so the brackets take its place and nothing shifts;
 * else tabs are one space apart (100 columns), and where even that does not fit (80 columns) the other tabs'
 * numbers touch their titles, in bold, as htop writes its function keys, so all eight and the live mark fit.
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

/** The live mark and the gap before it: `● live 10:02:31` from 100 columns (the refresh time), `● live` below. */
const liveMark = (clocked: boolean) => (clocked ? 16 : 7)

/** How the tabs are spaced: each in its own padding, one space apart, or numbers touching their titles. */
function spacing(tabs: readonly Tab[], width: number): 'padded' | 'spaced' | 'tight' {
  const room = width - liveMark(width >= 100)
  // Every tab's "n Title"; padded, each has a space either side (the open one's brackets take their place);
  // spaced, one space between tabs and the open one's brackets.
  const labels = tabs.reduce((sum, tab, index) => sum + String(index + 1).length + 1 + tab.title.length, 0)
  if (width >= 100 && labels + 2 * tabs.length <= room) return 'padded'
  return labels + tabs.length + 1 <= room ? 'spaced' : 'tight'
}

export function TabBar({ tabs, activeIndex, status, refreshedAt, width }: TabBarProps) {
  const clocked = width >= 100
  const form = spacing(tabs, width)
  const roomy = form === 'padded'
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
              <Text bold>{index + 1}</Text>
              {form === 'tight' ? '' : ' '}
              {tab.title}
              {roomy ? ' ' : ''}
            </Text>
          ),
        )}
      </Text>
      <Box flexShrink={0} marginLeft={1}>
        {status === 'live' ? (
          <Text color="green">● live{clocked ? ` ${clock(refreshedAt)}` : ''}</Text>
        ) : status === 'down' ? (
          <Text color="red">✘ offline</Text>
        ) : (
          <Text color="yellow">… connecting</Text>
        )}
      </Box>
    </Box>
  )
}
