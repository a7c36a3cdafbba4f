/**
 * @module dashboard/components/ConfirmPrompt
 * "Delete ann@example.com? Type y": the one question the dashboard asks, before actions that cannot be taken
 * back, with what follows said plainly below it when the question alone cannot hold it. A question may offer
 * a second way to go ahead on its own key ("y: sessions only, k: sessions and API keys").
 */
import { ConfirmInput } from '@inkjs/ui'
import { Box, Text } from 'ink'
import type { Confirmation, Consent } from '../actions'
import { wrappedRows } from '../layout'

export interface ConfirmPromptProps extends Omit<Confirmation, 'declined'> {
  width: number
  onAnswer(consent: Consent | undefined): void
}

/** The line that says which keys answer (ConfirmInput then shows `y/N`). */
function answers({ consent, alternative }: Pick<Confirmation, 'consent' | 'alternative'>): string {
  return alternative
    ? `y: ${consent} · ${alternative.key}: ${alternative.consent} · any other key keeps it.`
    : 'Type y to go ahead; any other key keeps it.'
}

/** The rows the prompt takes at `width`: two of border, the question, the warning, the answer line. */
export function confirmPromptHeight(props: Omit<ConfirmPromptProps, 'onAnswer'>): number {
  const { question, warning, width } = props
  const inner = width - 4
  return (
    2 +
    wrappedRows(`⚠ ${question}`, inner) +
    (warning ? wrappedRows(warning, inner) : 0) +
    wrappedRows(`${answers(props)} y/N`, inner)
  )
}

export function ConfirmPrompt({ question, warning, width, onAnswer, ...choices }: ConfirmPromptProps) {
  return (
    <Box width={width} borderStyle="round" borderColor="red" flexDirection="column" paddingX={1}>
      <Text bold color="red">
        ⚠ {question}
      </Text>
      {warning && <Text color="yellow">{warning}</Text>}
      <Text>
        {answers(choices)}{' '}
        <ConfirmInput
          defaultChoice="cancel"
          submitOnEnter={false}
          onConfirm={() => onAnswer('yes')}
          onCancel={() => onAnswer(undefined)}
        />
      </Text>
    </Box>
  )
}
