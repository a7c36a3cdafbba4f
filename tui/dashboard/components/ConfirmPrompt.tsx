/**
 * @module dashboard/components/ConfirmPrompt
 * "Delete ann@example.com? Type y": the one question the dashboard asks, before destructive actions.
 */
import { ConfirmInput } from '@inkjs/ui'
import { Box, Text } from 'ink'

export interface ConfirmPromptProps {
  question: string
  width: number
  onAnswer(yes: boolean): void
}

export function ConfirmPrompt({ question, width, onAnswer }: ConfirmPromptProps) {
  return (
    <Box width={width} borderStyle="round" borderColor="red" flexDirection="column" paddingX={1}>
      <Text bold color="red">
        ⚠ {question}
      </Text>
      <Text>
        Type <Text bold>y</Text> to go ahead; any other key keeps it.{' '}
        <ConfirmInput
          defaultChoice="cancel"
          submitOnEnter={false}
          onConfirm={() => onAnswer(true)}
          onCancel={() => onAnswer(false)}
        />
      </Text>
    </Box>
  )
}
