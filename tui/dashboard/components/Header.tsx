/**
 * @module dashboard/components/Header
 * Top line: which deployment (app id, URL) and how many users each user tab holds. Below it, in yellow for as
 * long as the dashboard runs, what the deployment's configuration warns about (a production deployment with
 * ALLOWED_ORIGINS=* or APP_ID=usher-local): one line each, at most two.
 */
import { Box, Text } from 'ink'
import type { UserCounts } from '../../admin-client'
import { warningLines } from '../layout'

export interface HeaderProps {
  appId: string | undefined
  url: string
  counts: UserCounts | undefined
  /** The configuration's warnings (none before it is read). */
  warnings: readonly string[]
  width: number
}

export function Header({ warnings, width, ...deployment }: HeaderProps) {
  return (
    <Box flexDirection="column" width={width}>
      <Deployment {...deployment} width={width} />
      {warningLines(warnings).map((line) => (
        <Text key={line} color="yellow" wrap="truncate-end">
          ⚠ {line}
        </Text>
      ))}
    </Box>
  )
}

function Deployment({ appId, url, counts, width }: Omit<HeaderProps, 'warnings'>) {
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
