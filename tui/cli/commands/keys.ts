/**
 * @module tui/cli/commands/keys
 * `usher keys …`: the keys Usher signs access tokens with (their public parts are published at
 * `/.well-known/jwks.json`). `rotate` hands signing to the next key, published ahead so verifiers already hold
 * it, and publishes a new next key; the key it replaces stays accepted until the tokens it signed expire, or,
 * with `--revoke-previous` (a leaked key), every published key is refused at once and new ones take over.
 */
import { replacedKey, type SigningKey } from '../../admin-client'
import { apiCommand, type CommandGroup } from '../command'
import { count, shortDate, signingKeyState, table } from '../format'

/** When a key stops being accepted: on its own (retires), or at once (revoked). */
const retires = (key: SigningKey) =>
  key.revokedAt === null ? shortDate(key.retiresAt) : `revoked ${shortDate(key.revokedAt)}`

export const keys: CommandGroup = {
  summary: 'the keys access tokens are signed with: list, rotate',
  commands: {
    list: apiCommand({
      summary: 'list signing keys: current, next, then earlier ones (never private parts)',
      details:
        '● current signs new access tokens; ◌ next is published ahead and signs from the next rotation; ◐ previous no longer signs but stays published and accepted until the tokens it signed expire (RETIRES); ○ retired and ⊘ revoked keys are neither. Earlier keys are listed newest first.',
      run: ({ client }) => client.keys.list.query(),
      render: ({ items }) =>
        table(items, [
          { header: 'kid', value: (key) => key.kid },
          { header: 'algorithm', value: (key) => key.algorithm },
          { header: 'state', value: signingKeyState },
          { header: 'created', value: (key) => shortDate(key.createdAt) },
          { header: 'rotated', value: (key) => shortDate(key.rotatedAt) },
          { header: 'retires', value: retires },
        ]),
    }),
    rotate: apiCommand({
      summary: 'hand signing to the next key and publish a new next key',
      details:
        'The next key was published at the last rotation, so verifiers already hold it: nobody notices. The current key stays published and accepted until the tokens it signed expire. With --revoke-previous (a leaked key), every published key (current, previous and next) is refused at once and fresh current and next keys take over: apps refresh their access tokens (realm-web does so by itself) and nobody is logged out. Asks first unless --yes.',
      options: {
        'revoke-previous': {
          type: 'boolean',
          description: 'emergency: revoke every published key at once and start over with new ones',
        },
      },
      examples: ['usher keys rotate --yes', 'usher keys rotate --revoke-previous'],
      confirm: async ({ client, flags }) => {
        const { items } = await client.keys.list.query()
        const current = items.find((key) => key.state === 'current')
        const next = items.find((key) => key.state === 'next')
        const which = current ? `signing key ${current.kid}` : 'the signing key'
        return flags['revoke-previous']
          ? `Revoke ${which} and every other published key (previous and next), and start over with new ones? Access tokens signed so far are refused at once: every app's users will have to refresh their access tokens (nobody is logged out). [y/N] `
          : `Rotate ${which}? ${next ? `The next key ${next.kid}` : 'The next key'} signs new access tokens; this one stays accepted until the tokens it signed expire. [y/N] `
      },
      run: ({ client, flags }) =>
        client.keys.rotate.mutate({ revokePrevious: flags['revoke-previous'] === true }),
      render: (rotation) => {
        const previous = replacedKey(rotation)
        const next = `${rotation.next.kid} is published as the next key`
        if (previous.revokedAt === null) {
          return `✓ rotated: ${rotation.current.kid} signs new access tokens; ${previous.kid} stays accepted until ${shortDate(previous.retiresAt)}, when the tokens it signed have expired; ${next}`
        }
        const revoked = rotation.revoked
          .map((key) => `  ${key.kid}${key.kid === previous.kid ? ' (signed until now)' : ''}`)
          .join('\n')
        return `✓ rotated: ${rotation.current.kid} signs new access tokens; ${next}\nrevoked ${count(rotation.revoked.length, 'key')}, whose tokens are refused from now on:\n${revoked}`
      },
    }),
  },
}
