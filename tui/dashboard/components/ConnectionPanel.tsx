/**
 * @module dashboard/components/ConnectionPanel
 * Shown instead of the lists while Usher cannot be used: what is wrong, in plain words, what to do, and
 * that the dashboard keeps trying on its own.
 */
import { Spinner } from '@inkjs/ui'
import { Box, Text } from 'ink'

export interface ConnectionPanelProps {
  width: number
  height: number
  /** Undefined while the first attempt is still running. */
  problem: { title: string; advice: string[] } | undefined
  url: string
  attempt: number
  retryMs: number
}

export function ConnectionPanel(props: ConnectionPanelProps) {
  return (
    <Box
      width={props.width}
      height={props.height}
      borderStyle="round"
      borderColor={props.problem ? 'red' : 'yellow'}
      flexDirection="column"
      paddingX={1}
    >
      {props.problem ? (
        <>
          <Text bold color="red" wrap="wrap">
            ✘ {props.problem.title}
          </Text>
          {props.problem.advice.map((line) => (
            <Text key={line} wrap="wrap">
              {'  '}
              {line}
            </Text>
          ))}
          <Text> </Text>
          <Spinner
            label={`Retrying every ${Math.round(props.retryMs / 1000)} s${props.attempt > 1 ? ` (attempt ${props.attempt})` : ''}… q quits`}
          />
        </>
      ) : (
        <Spinner label={`Connecting to Usher at ${props.url}…`} />
      )}
    </Box>
  )
}
