/**
 * @module dashboard/components/BannerLine
 * The result of the last action, like the console's banner: `✔` green, `✘` red with the server's message,
 * `⚠` yellow when the rules forbid what was asked, a spinner while a request runs.
 */
import { Spinner } from '@inkjs/ui'
import { Box, Text } from 'ink'
import type { Banner } from '../hooks/use-banner'

export function BannerLine({ banner, width }: { banner: Banner | undefined; width: number }) {
  return (
    // Two lines: a server's sentence is shown whole, not cut at the terminal's edge.
    <Box width={width} height={2} overflow="hidden">
      {banner === undefined ? (
        <Text> </Text>
      ) : banner.tone === 'progress' ? (
        <Spinner label={banner.text} />
      ) : (
        <Text wrap="wrap" color={TONE[banner.tone]} bold>
          {GLYPH[banner.tone]} {banner.text}
        </Text>
      )}
    </Box>
  )
}

const TONE = { success: 'green', failure: 'red', notice: 'yellow' } as const
const GLYPH = { success: '✔', failure: '✘', notice: '⚠' } as const
