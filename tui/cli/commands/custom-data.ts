/**
 * @module tui/cli/commands/custom-data
 * `usher users data get|set`: a user's custom data, the JSON object carried in every access token they get
 * (realm-web's `user.customData`). `set` replaces it whole; what it is given is checked here first (JSON, an
 * object, at most 4096 bytes), in the server's words, so nothing is sent that the server would refuse.
 */
import { checkCustomData, customDataBytes, prettyJson } from '../../custom-data'
import { apiCommand, type CommandGroup } from '../command'
import { CommandError } from '../failure'
import { USER_ID, userId, whoById, withEmail } from './user-argument'

export const customData: CommandGroup = {
  summary: "a user's custom data (carried in every access token)",
  commands: {
    get: apiCommand({
      summary: "print a user's custom data as JSON",
      details: 'The same JSON with or without --json: `{}` when none was set.',
      args: [USER_ID],
      examples: ['usher users data get 65f0c0ffee0123456789abcd > data.json'],
      run: async ({ client, ...invocation }) => (await client.users.get.query({ userId: userId(invocation) })).customData,
      render: prettyJson,
    }),
    set: apiCommand({
      summary: "replace a user's custom data with a JSON object",
      details:
        'The object replaces the custom data whole, in the user\'s next access token (realm-web: `user.refreshCustomData()`). It must be valid JSON, an object, and at most 4096 bytes as compact JSON: otherwise nothing is sent. Audited.',
      args: [
        USER_ID,
        { name: 'json', kind: 'text', description: 'the JSON object; `-` reads it from stdin' },
      ],
      examples: [
        `usher users data set 65f0c0ffee0123456789abcd '{"plan": "pro", "seats": 5}'`,
        'usher users data set 65f0c0ffee0123456789abcd - < data.json',
      ],
      run: async ({ client, readStdin, ...invocation }) => {
        const text = invocation.args.json === '-' ? await readStdin() : invocation.args.json!
        const checked = checkCustomData(text)
        if (!checked.ok) throw new CommandError(`${checked.problem}; nothing was sent`)
        const id = userId(invocation)
        return withEmail(client, id, () => client.users.setCustomData.mutate({ userId: id, data: checked.data }))
      },
      render: (answer) => `✓ custom data of ${whoById(answer)} set: ${customDataBytes(answer.customData)} bytes`,
    }),
  },
}
