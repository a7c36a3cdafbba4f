/**
 * @module dashboard/key-actions
 * The actions on keys: d / u / x on an API key, whether a server key (tab 4) or one a user made for
 * themselves (in their details, after `a`), and r / R on the Keys tab (5), which rotate the keys access
 * tokens are signed with.
 */
import { replacedKey, type ServerKey, type SigningKey, type UserDetails, type UserItem } from '../admin-client'
import { deletion, SERVER_REFUSALS, userName, type RowAction } from './actions'
import type { DashboardClient } from './client'
import { plural, shortKid, stamp } from './format'

/** One of a user's API keys, as `users.get` lists them, with its owner. */
export interface UserKey {
  user: UserItem
  key: UserDetails['apiKeys'][number]
}

/** "API key laptop of ann@example.com". */
export const userKeyName = ({ user, key }: UserKey) => `API key ${key.name} of ${userName(user)}`

/** What disabling, enabling and deleting a kind of key needs: what a key is called, and the calls to make. */
interface KeyHandling<Target> {
  key(target: Target): { disabled: boolean }
  /** In banners and questions: "API key ci", "API key laptop of ann@example.com". */
  called(target: Target): string
  /** Why none of the three applies to this key, if that can happen. */
  foreign?(target: Target): string | undefined
  disable(client: DashboardClient, target: Target): Promise<unknown>
  enable(client: DashboardClient, target: Target): Promise<unknown>
  delete(client: DashboardClient, target: Target): Promise<unknown>
}

/** `d` disable, `u` enable, `x` delete (asks y): the same keys and words for every kind of API key. */
function keyActions<Target>(keys: KeyHandling<Target>): RowAction<Target>[] {
  const unless = (target: Target, reason: string | undefined) => keys.foreign?.(target) ?? reason
  const toggle = (to: 'disable' | 'enable'): RowAction<Target> => {
    const disabling = to === 'disable'
    return {
      id: `${to}-key`,
      key: disabling ? 'd' : 'u',
      label: to,
      description: `${to} the key`,
      // The server's words (it refuses an admin's no-op too).
      refusal: (target) =>
        unless(
          target,
          keys.key(target).disabled !== disabling
            ? undefined
            : disabling
              ? SERVER_REFUSALS.keyAlreadyDisabled
              : SERVER_REFUSALS.keyNotDisabled,
        ),
      progress: (target) => `${disabling ? 'Disabling' : 'Enabling'} ${keys.called(target)}`,
      async run(client, target) {
        await keys[to](client, target)
        return `${disabling ? 'Disabled' : 'Enabled'} ${keys.called(target)}`
      },
    }
  }
  return [
    toggle('disable'),
    toggle('enable'),
    {
      id: 'delete-key',
      key: 'x',
      label: 'delete',
      description: 'delete the key (asks y)',
      confirm: deletion,
      refusal: (target) => unless(target, undefined),
      progress: (target) => `Deleting ${keys.called(target)}`,
      async run(client, target) {
        await keys.delete(client, target)
        return `Deleted ${keys.called(target)}`
      },
    },
  ]
}

/** Server API keys, on tab 4. */
export const API_KEY_ACTIONS = keyActions<ServerKey>({
  key: (key) => key,
  called: (key) => `API key ${key.name}`,
  disable: (client, key) => client.apiKeys.disable.mutate({ keyId: key.id }),
  enable: (client, key) => client.apiKeys.enable.mutate({ keyId: key.id }),
  delete: (client, key) => client.apiKeys.delete.mutate({ keyId: key.id }),
})

/** The keys a user made for themselves, in their details after `a`. */
export const USER_API_KEY_ACTIONS = keyActions<UserKey>({
  key: ({ key }) => key,
  called: userKeyName,
  foreign: ({ key }) =>
    key.kind === 'server' ? "a server user's key: manage it on the API keys tab (4)" : undefined,
  disable: (client, { user, key }) => client.users.disableApiKey.mutate({ userId: user.id, keyId: key.id }),
  enable: (client, { user, key }) => client.users.enableApiKey.mutate({ userId: user.id, keyId: key.id }),
  delete: (client, { user, key }) => client.users.deleteApiKey.mutate({ userId: user.id, keyId: key.id }),
})

/**
 * On the Keys tab. A rotation replaces the current key whichever row is selected: `r` hands signing to the
 * next key (published since the last rotation, so verifiers already hold it), keeps the replaced key accepted
 * until the tokens it signed expire (nobody notices) and publishes a new next key; `R` is for a leaked key:
 * every published key is revoked at once and fresh current and next keys take over.
 */
export const SIGNING_KEY_ACTIONS: RowAction<SigningKey>[] = [
  {
    id: 'rotate',
    key: 'r',
    label: 'rotate',
    description: 'rotate (old key kept till expiry)',
    confirm: () => ({
      question: 'Rotate the signing key?',
      warning:
        'The next key (◌), published ahead, signs new access tokens and a new next key is published; the current one stays accepted until the tokens it signed expire, so nobody notices.',
      consent: 'yes, rotate',
      declined: 'Cancelled: the signing key was not rotated',
    }),
    refusal: () => undefined,
    progress: () => 'Rotating the signing key',
    run: (client) => rotate(client, false),
  },
  {
    id: 'rotate-revoke',
    key: 'R',
    label: 'emergency rotate',
    description: 'revoke all keys now, make new ones',
    confirm: () => ({
      question: 'EMERGENCY: revoke every published signing key and make new ones?',
      warning:
        "Access tokens signed so far are refused at once: every app's users must refresh their access tokens (nobody is logged out). The next key is replaced too. Only for a leaked key.",
      consent: 'yes, revoke and rotate',
      declined: 'Cancelled: no key was rotated or revoked',
    }),
    refusal: () => undefined,
    progress: () => 'Revoking every signing key and rotating',
    run: (client) => rotate(client, true),
  },
]

async function rotate(client: DashboardClient, revokePrevious: boolean): Promise<string> {
  const rotation = await client.keys.rotate.mutate({ revokePrevious })
  const previous = replacedKey(rotation)
  const signs = `Rotated: ${shortKid(rotation.current.kid)} signs new tokens`
  if (previous.revokedAt === null) {
    return `${signs}; ${shortKid(previous.kid)} stays accepted until ${stamp(previous.retiresAt).slice(-5)}; ${shortKid(rotation.next.kid)} is the new next key`
  }
  const others = rotation.revoked.filter((key) => key.kid !== previous.kid).length
  return `${signs} and ${shortKid(rotation.next.kid)} is next; revoked ${shortKid(previous.kid)} and ${plural(others, 'other key')}: tokens they signed are refused`
}
