/**
 * @module dashboard/components/ErrorBoundary
 * The last line of defence: a rendering bug shows one plain sentence and how to leave, never a stack trace.
 * A class, because React offers `getDerivedStateFromError` to classes only.
 */
import { Box, Text, useApp, useInput } from 'ink'
import { Component, type ReactNode } from 'react'

interface State {
  message: string | undefined
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { message: undefined }

  static getDerivedStateFromError(error: unknown): State {
    return { message: error instanceof Error ? error.message : String(error) }
  }

  override render() {
    return this.state.message === undefined ? this.props.children : <Crashed message={this.state.message} />
  }
}

function Crashed({ message }: { message: string }) {
  const { exit } = useApp()
  useInput((input, key) => {
    if (input === 'q' || key.escape || key.return) exit()
  })
  return (
    <Box borderStyle="round" borderColor="red" flexDirection="column" paddingX={1}>
      <Text bold color="red">
        ✘ The dashboard hit a problem it cannot recover from: {message}
      </Text>
      <Text>Usher itself is unaffected. Press q to quit, then start the dashboard again.</Text>
    </Box>
  )
}
