/**
 * @module dashboard/components/NewKeyForm
 * A new server API key: just its name. The key itself is shown once, right after.
 */
import { TextInput } from '@inkjs/ui'
import { Box, Text } from 'ink'

export interface NewKeyFormProps {
  width: number
  error: string | undefined
  busy: boolean
  onChange(name: string): void
  /** With the field's own value (current even if Enter came in the same chunk as the typing). */
  onSubmit(name: string): void
}

export function NewKeyForm(props: NewKeyFormProps) {
  return (
    <Box width={props.width} borderStyle="round" borderColor="green" flexDirection="column" paddingX={1}>
      <Text bold color="green">
        New server API key
      </Text>
      <Box>
        <Box width={8}>
          <Text bold>› name</Text>
        </Box>
        <TextInput
          isDisabled={props.busy}
          placeholder="e.g. backend-prod"
          onChange={props.onChange}
          onSubmit={props.onSubmit}
        />
      </Box>
      {props.error ? <Text color="red">✘ {props.error}</Text> : <Text> </Text>}
      <Text dimColor>Enter: create · Esc: cancel</Text>
    </Box>
  )
}
