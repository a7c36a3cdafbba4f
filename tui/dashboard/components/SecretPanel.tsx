/**
 * @module dashboard/components/SecretPanel
 * A new API key's secret, shown exactly once (Usher keeps only its hash). It sits alone on its line, with no
 * border beside it, so a terminal selection copies the key and nothing else.
 */
import { Box, Text } from 'ink'

export function SecretPanel({ name, secret, width }: { name: string; secret: string; width: number }) {
  return (
    <Box width={width} flexDirection="column" paddingY={1}>
      <Text bold color="green">
        ✔ API key {name} created. Copy the key now: it is shown only this once.
      </Text>
      <Text> </Text>
      <Text bold color="yellow" wrap="wrap">
        {secret}
      </Text>
      <Text> </Text>
      <Text dimColor>
        Copy hint: select it with the mouse (Shift-drag inside tmux), or in tmux press prefix-[ and copy it.
      </Text>
      <Text dimColor>Enter or Esc closes; the key cannot be shown again.</Text>
    </Box>
  )
}
