/**
 * @module dashboard/components/DataProblemPrompt
 * After an edit of a user's custom data that cannot be saved (not JSON, not an object, too large, or refused
 * by the server): why, in the server's words, and the choice — back into the editor with the admin's text
 * kept, or discard it.
 */
import { Box, Text } from 'ink'
import { userName } from '../actions'
import type { DataProblem } from '../overlay'
import { wrappedRows } from '../layout'

const CHOICE = 'e or Enter: edit it again (your text is kept) · Esc: discard your changes'

const headline = ({ user, problem }: DataProblem) => `✘ The custom data of ${userName(user)} was not saved: ${problem}`

/** The rows the prompt takes at `width`: two of border, the problem, the choice. */
export function dataProblemHeight(problem: DataProblem, width: number): number {
  return 2 + wrappedRows(headline(problem), width - 4) + wrappedRows(CHOICE, width - 4)
}

export function DataProblemPrompt({ problem, width }: { problem: DataProblem; width: number }) {
  return (
    <Box width={width} borderStyle="round" borderColor="red" flexDirection="column" paddingX={1}>
      <Text bold color="red">
        {headline(problem)}
      </Text>
      <Text>{CHOICE}</Text>
    </Box>
  )
}
