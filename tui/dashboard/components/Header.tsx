/**
 * @module dashboard/components/Header
 * Top line: which deployment (app id, URL) and how many users each user tab holds.
 */
import { Box, Text } from 'ink'
import type { UserCounts } from '../../admin-client'

export interface HeaderProps {
  appId: string | undefined
  url: string
  counts: UserCounts | undefined
  width: number
}

export function Header({ appId, url, counts, width }: HeaderProps) {
  const roomy = width >= 100
  return (
    <Box width={width} justifyContent="space-between">
      <Box flexShrink={1}>
        <Text wrap="truncate-end">
          {roomy && <Text bold>Usher · </Text>}
          <Text bold color="cyan">
            {appId ?? '…'}
          </Text>
          <Text> · {url}</Text>
        </Text>
      </Box>
      <Box flexShrink={0} marginLeft={1}>
        {counts ? (
          <Text>
            <Text color="yellow">○</Text> {counts.pending} pending{'  '}
            <Text color="green">●</Text> {counts.confirmed} confirmed{'  '}
            <Text color="red">⊘</Text> {counts.disabled} disabled
          </Text>
        ) : (
          <Text dimColor>users: not counted yet</Text>
        )}
      </Box>
    </Box>
  )
}
