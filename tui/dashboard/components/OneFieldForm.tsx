/**
 * @module dashboard/components/OneFieldForm
 * A form of one text field below the list: a new server API key's name (the key itself is shown once, right
 * after), a user's new email address.
 */
import { TextInput } from '@inkjs/ui'
import { Box, Text } from 'ink'

export interface OneFieldFormProps {
  width: number
  /** "New server API key". */
  title: string
  /** The field's name, before it: "name". */
  label: string
  placeholder: string
  /** What the field holds when the form opens. */
  defaultValue?: string
  /** What Enter does: "create". */
  submit: string
  error: string | undefined
  busy: boolean
  onChange(value: string): void
  /** With the field's own value (current even if Enter came in the same chunk as the typing). */
  onSubmit(value: string): void
}

export function OneFieldForm(props: OneFieldFormProps) {
  return (
    <Box width={props.width} borderStyle="round" borderColor="green" flexDirection="column" paddingX={1}>
      <Text bold color="green" wrap="truncate-end">
        {props.title}
      </Text>
      <Box>
        <Box width={props.label.length + 3}>
          <Text bold>› {props.label}</Text>
        </Box>
        <TextInput
          isDisabled={props.busy}
          placeholder={props.placeholder}
          defaultValue={props.defaultValue}
          onChange={props.onChange}
          onSubmit={props.onSubmit}
        />
      </Box>
      {props.error ? <Text color="red">✘ {props.error}</Text> : <Text> </Text>}
      <Text dimColor>
        Enter: {props.submit} · Esc: cancel
      </Text>
    </Box>
  )
}
