/**
 * @module tui/cli/commands/keys
 * `usher keys …`: the keys Usher signs access tokens with (their public parts are published at
 * `/.well-known/jwks.json`). `rotate` starts signing with a new key; the key it replaces stays accepted until
 * the tokens it signed expire, or, with `--revoke-previous` (a leaked key), is refused at once.
 */
import { replacedKey, type SigningKey } from '../../admin-client'
import { apiCommand, type CommandGroup } from '../command'
import { shortDate, signingKeyState, table } from '../format'

/** When a key stops being accepted: on its own (retires), or at once (revoked). */
const retires = (key: SigningKey) =>
  key.revokedAt === null ? shortDate(key.retiresAt) : `revoked ${shortDate(key.revokedAt)}`

export const keys: CommandGroup = {
  summary: 'the keys access tokens are signed with: list, rotate',
  commands: {
    list: apiCommand({
      summary: 'list signing keys, newest first (never private parts)',
      details:
        '◌ next is published ahead and signs from the next rotation; ● current signs new access tokens; ◐ previous no longer signs but stays published and accepted until the tokens it signed expire (RETIRES); ○ retired and ⊘ revoked keys are neither.',
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
      summary: 'sign new access tokens with a new key',
      details:
        'The current key stays published and accepted until the tokens it signed expire, so nobody notices. With --revoke-previous (a leaked key), it and every earlier key are refused at once: apps refresh their access tokens (realm-web does so by itself) and nobody is logged out. Asks first unless --yes.',
      options: {
        'revoke-previous': {
          type: 'boolean',
          description: 'emergency: refuse tokens signed by every earlier key at once',
        },
      },
      examples: ['usher keys rotate --yes', 'usher keys rotate --revoke-previous'],
      confirm: async ({ client, flags }) => {
        const { items } = await client.keys.list.query()
        const current = items.find((key) => key.state === 'current')
        const which = current ? `signing key ${current.kid}` : 'the signing key'
        return flags['revoke-previous']
          ? `Rotate ${which} and revoke it with every earlier key? Access tokens signed by earlier keys are refused at once: every app's users will have to refresh their access tokens (nobody is logged out). [y/N] `
          : `Rotate ${which}? New access tokens get a new key; this one stays accepted until the tokens it signed expire. [y/N] `
      },
      run: ({ client, flags }) =>
        client.keys.rotate.mutate({ revokePrevious: flags['revoke-previous'] === true }),
      render: (rotation) => {
        const previous = replacedKey(rotation)
        const fate = !previous
          ? ''
          : previous.revokedAt === null
            ? `; ${previous.kid} stays accepted until ${shortDate(previous.retiresAt)}, when the tokens it signed have expired`
            : `; ${previous.kid} and every earlier key are revoked: tokens they signed are refused from now on`
        return `✓ rotated: ${rotation.current.kid} signs new access tokens${fate}`
      },
    }),
  },
}
