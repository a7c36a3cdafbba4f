/**
 * @module dashboard/components/Footer
 * The keys that work right now, on two lines at most: the selected row's allowed actions first, so a key
 * the rules forbid for that row is never offered.
 */
import { Box, Text } from 'ink'
import type { Hint } from '../keys'

export function Footer({ hints, width }: { hints: Hint[]; width: number }) {
  return (
    <Box width={width} height={2} flexWrap="wrap" columnGap={2} overflow="hidden">
      {hints.map((hint) => (
        <Text key={`${hint.key} ${hint.label}`}>
          <Text bold color="cyan">
            {hint.key}
          </Text>{' '}
          {hint.label}
        </Text>
      ))}
    </Box>
  )
}
