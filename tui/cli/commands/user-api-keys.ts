/**
 * @module tui/cli/commands/user-api-keys
 * `usher users api-keys|enable-api-key|disable-api-key|delete-api-key`: the API keys users make for
 * themselves from their app (each logs in as its user). An admin disables or deletes one that leaked;
 * `usher users revoke-sessions --disable-api-keys` and a password reset disable them all. Their secrets were
 * shown once, to their owner, and are never shown here.
 */
import type { ServerKey } from '../../admin-client'
import { apiCommand, type ApiCommand, type ArgumentSpec, type Invocation } from '../command'
import { keyStatus, printable } from '../format'
import { apiKeyTable, describeKey } from './api-keys'
import { USER_ID, userId, who, whoById, withEmail } from './user-argument'

const KEY_ARGUMENTS: readonly ArgumentSpec[] = [
  USER_ID,
  { name: 'key-id', kind: 'id', description: "the key's id (as `usher users api-keys <id>` shows)" },
]
/** Declared arguments are always present once parsing succeeded. */
const target = (invocation: Invocation) => ({ userId: userId(invocation), keyId: invocation.args['key-id']! })
const ofUser = (key: ServerKey & { email: string | null }) => `${describeKey(key)} of ${whoById(key)}`

export const userApiKeys: Record<string, ApiCommand> = {
  'api-keys': apiCommand({
    summary: "a user's own API keys (never their secrets)",
    details:
      'Keys the user made from their app; each logs in as the user. A password reset disables them all, as does `usher users revoke-sessions <id> --disable-api-keys`.',
    args: [USER_ID],
    run: ({ client, ...invocation }) => client.users.listApiKeys.query({ userId: userId(invocation) }),
    render: ({ items }, invocation) =>
      items.length === 0 ? `user ${userId(invocation)} has no API keys` : apiKeyTable(items),
  }),
  'disable-api-key': apiCommand({
    summary: "disable one of a user's API keys (its logins fail)",
    details: 'Sessions opened with the key end with it; `enable-api-key` lets it log in again.',
    args: KEY_ARGUMENTS,
    run: ({ client, ...invocation }) =>
      withEmail(client, userId(invocation), () => client.users.disableApiKey.mutate(target(invocation))),
    render: (key) => `✓ disabled ${ofUser(key)}, now ${keyStatus(key)}`,
  }),
  'enable-api-key': apiCommand({
    summary: "enable one of a user's disabled API keys",
    args: KEY_ARGUMENTS,
    run: ({ client, ...invocation }) =>
      withEmail(client, userId(invocation), () => client.users.enableApiKey.mutate(target(invocation))),
    render: (key) => `✓ enabled ${ofUser(key)}, now ${keyStatus(key)}`,
  }),
  'delete-api-key': apiCommand({
    summary: "delete one of a user's API keys",
    details: 'Apps using the key can no longer log in with it. Asks first unless --yes.',
    args: KEY_ARGUMENTS,
    examples: ['usher users delete-api-key 65f0c0ffee0123456789abcd 65f0c0ffee0123456789abce --yes'],
    confirm: async ({ client, ...invocation }) => {
      const { userId, keyId } = target(invocation)
      const user = await client.users.get.query({ userId })
      const key = user.apiKeys.find((candidate) => candidate.id === keyId && candidate.kind === 'user')
      // Not one of the user's keys: nothing to ask about, and the server's refusal says so.
      if (!key) return undefined
      return `Delete API key "${printable(key.name)}" (${key.id}) of ${who(user)}? Apps using it can no longer log in with it. [y/N] `
    },
    // The answer names the key; the user's address is looked up first (it answers with their id only).
    run: ({ client, ...invocation }) =>
      withEmail(client, userId(invocation), () => client.users.deleteApiKey.mutate(target(invocation))),
    render: (answer) =>
      `✓ deleted ${describeKey({ name: answer.name, id: answer.keyId })} of ${whoById(answer)}`,
  }),
}
