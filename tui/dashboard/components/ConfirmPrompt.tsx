/**
 * @module dashboard/components/ConfirmPrompt
 * "Delete ann@example.com? Type y": the one question the dashboard asks, before actions that cannot be taken
 * back, with what follows said plainly below it when the question alone cannot hold it.
 */
import { ConfirmInput } from '@inkjs/ui'
import { Box, Text } from 'ink'
import { wrappedRows } from '../layout'

export interface ConfirmPromptProps {
  question: string
  warning?: string
  width: number
  onAnswer(yes: boolean): void
}

/** The rows the prompt takes at `width`: two of border, the question, the warning, the `y` line. */
export function confirmPromptHeight(props: Omit<ConfirmPromptProps, 'onAnswer'>): number {
  const { question, warning, width } = props
  const inner = width - 4
  return 3 + wrappedRows(`⚠ ${question}`, inner) + (warning ? wrappedRows(warning, inner) : 0)
}

export function ConfirmPrompt({ question, warning, width, onAnswer }: ConfirmPromptProps) {
  return (
    <Box width={width} borderStyle="round" borderColor="red" flexDirection="column" paddingX={1}>
      <Text bold color="red">
        ⚠ {question}
      </Text>
      {warning && <Text color="yellow">{warning}</Text>}
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
