/**
 * @module dashboard/components/HelpOverlay
 * Every key, grouped, from the same tables the key handling reads (keys.ts, actions.ts). Two columns, so it
 * fits an 80×24 terminal.
 */
import { Box, Text } from 'ink'
import { API_KEY_ACTIONS, USER_ACTIONS } from '../actions'
import { BINDINGS } from '../keys'

type Section = { title: string; keys: (readonly [string, string])[] }

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const left: Section[] = [
    { title: 'Everywhere', keys: BINDINGS.map((binding) => [binding.keys, binding.description] as const) },
  ]
  const right: Section[] = [
    {
      title: 'On a user (tabs 1–3)',
      keys: USER_ACTIONS.map((action) => [action.key, action.description] as const),
    },
    {
      title: 'On an API key (tab 4)',
      keys: API_KEY_ACTIONS.map((action) => [action.key, action.description] as const),
    },
  ]
  const column = Math.floor((width - 4) / 2)
  return (
    <Box
      width={width}
      height={height}
      borderStyle="double"
      borderColor="cyan"
      flexDirection="column"
      paddingX={1}
    >
      <Text bold wrap="truncate-end">
        Keys · ? or Esc closes · the footer offers only what the rules allow for the selected row
      </Text>
      <Box>
        <Sections sections={left} width={column} keyWidth={11} />
        <Sections sections={right} width={column} keyWidth={3} />
      </Box>
    </Box>
  )
}

function Sections({ sections, width, keyWidth }: { sections: Section[]; width: number; keyWidth: number }) {
  return (
    <Box flexDirection="column" width={width} paddingRight={1}>
      {sections.map((section) => (
        <Box key={section.title} flexDirection="column">
          <Text bold color="cyan">
            {section.title}
          </Text>
          {section.keys.map(([key, description]) => (
            <Text key={`${key}${description}`} wrap="truncate-end">
              <Text bold>{key.padEnd(keyWidth)}</Text>
              {description}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  )
}
