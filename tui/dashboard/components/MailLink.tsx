/**
 * @module dashboard/components/MailLink
 * The selected mail's link on the Outbox tab, below the list on lines of its own: no border or other text
 * beside it, so selecting those lines in the terminal copies the link and nothing else. A link longer than
 * the terminal is wide continues on the next line (browsers drop the line break when it is pasted).
 */
import { Box, Text } from 'ink'
import { wrappedRows } from '../layout'

const LABEL = 'Link in the selected mail (on its own lines, to copy):'

/** Rows the block takes at `width`: the label and the link. */
export const mailLinkHeight = (link: string, width: number) => 1 + wrappedRows(link, width)

export function MailLink({ link, width }: { link: string; width: number }) {
  return (
    <Box width={width} flexDirection="column" flexShrink={0}>
      <Text dimColor wrap="truncate-end">
        {LABEL}
      </Text>
      <Text color="cyan" wrap="wrap">
        {link}
      </Text>
    </Box>
  )
}
