/**
 * @module tui/cli/commands/api-keys
 * `usher api-keys …`: server API keys, which let backends log in with the `api-key` provider. The secret is
 * printed once, by `create`; the server never returns it again.
 */
import type { ServerKey } from '../../admin-client'
import { apiCommand, ID_ARGUMENT, type CommandGroup, type Invocation } from '../command'
import { keyStatus, printable, shortDate, table } from '../format'

const KEY_ID = [ID_ARGUMENT("the key's id (24 hexadecimal characters, as `usher api-keys list` shows)")]
/** Declared arguments are always present once parsing succeeded. */
const keyId = (invocation: Invocation) => invocation.args.id!

/** `API key "ci" (65f0…)`, or `API key 65f0…` when its name is not known (it was deleted before a lookup). */
export const describeKey = (key: { name: string | null; id: string }) =>
  key.name === null ? `API key ${key.id}` : `API key "${printable(key.name)}" (${key.id})`

/** Server keys and users' own keys alike (never their secrets). */
export const apiKeyTable = (keys: readonly Omit<ServerKey, 'userId'>[]) =>
  table(keys, [
    { header: 'id', value: (key) => key.id },
    { header: 'name', value: (key) => key.name, max: 40 },
    { header: 'state', value: keyStatus },
    { header: 'created', value: (key) => shortDate(key.createdAt) },
    { header: 'last used', value: (key) => shortDate(key.lastUsedAt, 'never') },
  ])

export const apiKeys: CommandGroup = {
  summary: 'server API keys for backends (api-key login)',
  commands: {
    list: apiCommand({
      summary: 'list server API keys (never their secrets)',
      run: ({ client }) => client.apiKeys.list.query(),
      render: ({ items }) =>
        items.length === 0
          ? 'no server API keys (create one with `usher api-keys create --name <name>`)'
          : apiKeyTable(items),
    }),
    create: apiCommand({
      summary: 'create a server API key; prints its secret once',
      options: {
        name: { type: 'string', placeholder: 'name', required: true, description: 'a unique name' },
      },
      examples: [
        'usher api-keys create --name billing-backend',
        'usher api-keys create --name ci --json | jq -r .key',
      ],
      run: ({ client, options }) => client.apiKeys.create.mutate({ name: options.name! }),
      render: (key) =>
        `✓ created ${describeKey(key)}\n\nkey: ${key.key}\n\nStore the key now: it is shown only this once.`,
    }),
    enable: apiCommand({
      summary: 'enable a server API key',
      args: KEY_ID,
      run: ({ client, ...invocation }) => client.apiKeys.enable.mutate({ keyId: keyId(invocation) }),
      render: (key) => `✓ enabled ${describeKey(key)}, now ${keyStatus(key)}`,
    }),
    disable: apiCommand({
      summary: 'disable a server API key (its logins fail)',
      args: KEY_ID,
      run: ({ client, ...invocation }) => client.apiKeys.disable.mutate({ keyId: keyId(invocation) }),
      render: (key) => `✓ disabled ${describeKey(key)}, now ${keyStatus(key)}`,
    }),
    delete: apiCommand({
      summary: 'delete a server API key and its server user',
      details: 'Asks first unless --yes.',
      args: KEY_ID,
      confirm: async ({ client, ...invocation }) => {
        const key = await client.apiKeys.get.query({ keyId: keyId(invocation) })
        return `Delete ${describeKey(key)}? Backends using it can no longer log in. [y/N] `
      },
      // Looked up first, to name the key once it is gone (the deletion's own refusal says why if it fails).
      run: async ({ client, ...invocation }) => {
        const before = await client.apiKeys.get.query({ keyId: keyId(invocation) }).catch(() => undefined)
        return { ...(await client.apiKeys.delete.mutate({ keyId: keyId(invocation) })), name: before?.name ?? null }
      },
      render: ({ keyId, name }) => `✓ deleted ${describeKey({ name, id: keyId })}`,
    }),
  },
}
