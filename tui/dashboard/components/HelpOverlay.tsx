/**
 * @module dashboard/components/HelpOverlay
 * Every key, grouped, from the same tables the key handling reads (keys.ts, actions.ts, key-actions.ts). Two
 * columns, so it fits an 80×24 terminal; its heading (how to close it) is on the status line above.
 */
import { Box, Text } from 'ink'
import { EVENT_ACTIONS, USER_ACTIONS, type RowAction } from '../actions'
import { API_KEY_ACTIONS, SIGNING_KEY_ACTIONS } from '../key-actions'
import { BINDINGS, EDIT_DATA_BINDING, USER_KEYS_BINDING, type Binding } from '../keys'

type Section = { title: string; keys: (readonly [string, string])[] }

const actions = <Target,>(title: string, list: RowAction<Target>[]): Section => ({
  title,
  keys: list.map((action) => [action.key, action.description] as const),
})

const bound = (binding: Binding) => [binding.keys, binding.description] as const

export function HelpOverlay({ width, height }: { width: number; height: number }) {
  // Balanced so that neither column is taller than an 80×24 terminal leaves (15 rows).
  const left: Section[] = [
    { title: 'Everywhere', keys: BINDINGS.map(bound) },
    actions('On the Keys tab (5)', SIGNING_KEY_ACTIONS),
    actions('On an event (tab 8)', EVENT_ACTIONS),
  ]
  const onUser = actions('On a user (tabs 1–3)', USER_ACTIONS)
  const right: Section[] = [
    { ...onUser, keys: [...onUser.keys, bound(USER_KEYS_BINDING), bound(EDIT_DATA_BINDING)] },
    // A user's own keys (after a) take the same keys as server keys.
    actions("On an API key (tab 4, or a user's)", API_KEY_ACTIONS),
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
      <Box>
        <Sections sections={left} width={column} />
        <Sections sections={right} width={column} />
      </Box>
    </Box>
  )
}

function Sections({ sections, width }: { sections: Section[]; width: number }) {
  return (
    <Box flexDirection="column" width={width} paddingRight={1}>
      {sections.map((section) => {
        // Each section's descriptions line up two columns after its longest key.
        const keyWidth = Math.max(...section.keys.map(([key]) => key.length)) + 2
        return (
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
        )
      })}
    </Box>
  )
}
