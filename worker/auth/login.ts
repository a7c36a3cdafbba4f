/**
 * @module auth/login
 * Logging in with each provider realm-web speaks to (`local-userpass`, `anon-user`, `api-key`), and
 * linking (`?link=true`): the same credentials, checked the same way, attached to the calling user.
 *
 * Linking follows App Services: a confirmed registration that has never logged in is not yet a user of
 * its own, so linking moves its identity onto the caller (log in anonymously → register → confirm → link);
 * credentials that belong to a user who has logged in are refused, as are a second email/password identity
 * and anonymous credentials.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Usher } from '../context'
import { changes, runBatch } from '../db/client'
import { apiKeys, identities, users } from '../db/schema'
import { errors } from '../errors'
import { byEmailKey, firstLoginUser, identitiesOf, type IdentityRow, type UserRow } from '../users/accounts'
import { canonicalEmail } from '../users/credentials'
import { auditIfChanged } from '../users/audit'
import { hashParameterLookup } from './hash-parameters'
import { hashPassword, needsRehash, spendDummyVerification, verifyPassword } from './passwords'
import { secretMatches, splitCompositeSecret } from './crypto'
import { linkedAnswer, startSession, type Authenticated, type LoginResponse } from './sessions'
import { afterSuccessfulLogin, lockedUntil, lockState, recordFailure, type LoginClient } from './throttle'

/**
 * Email + password → the account, or `invalid username/password` for every wrong password and unknown email
 * (same answer, same hashing cost). A right password that meets a lock is told so (auth/throttle.ts); the
 * statements in `afterLogin` belong in the session batch.
 */
export async function checkPassword(usher: Usher, username: string, password: string, client: LoginClient) {
  const account = canonicalEmail(username)
  const [[row], state] = await Promise.all([byEmailKey(usher, account), lockState(usher, account, client)])
  const now = usher.now()
  const until = lockedUntil(state, now)
  usher.spendKdf()
  if (!row) {
    await spendDummyVerification(password, usher.config.kdf)
    if (!until) await runBatch(usher.db, recordFailure(usher, account, client, undefined))
    throw errors.invalidCredentials()
  }
  if (row.identity.passwordHash === null) {
    // Imported without a password (users/password-setup.ts): no password can be right, and saying so costs
    // as long as a wrong one. Told apart only where accounts may be revealed.
    await spendDummyVerification(password, usher.config.kdf)
    if (usher.config.enumerationProtection) throw errors.invalidCredentials()
    throw errors.passwordSetupRequired()
  }
  if (!(await verifyPassword(password, row.identity.passwordHash, hashParameterLookup(usher)))) {
    // While locked, failures are refused without being counted (the backoff grows only with real attempts).
    if (!until) await runBatch(usher.db, recordFailure(usher, account, client, row.user.id))
    throw errors.invalidCredentials()
  }
  // Only someone holding the password learns these.
  if (until) throw errors.accountLocked(Math.ceil((until - now) / 1000))
  if (row.user.status === 'pending-confirmation') throw errors.confirmationRequired()
  if (row.user.disabled) throw errors.userDisabled()
  return { ...row, afterLogin: afterSuccessfulLogin(usher, account, client, row.user.id, state) }
}

/**
 * Upgrade a hash made with old KDF parameters, or imported, after the response (the login already paid one
 * hash). The work yields first: workerd computes node:crypto's scrypt as soon as it is called, on this
 * thread, so the answer would otherwise wait for the new hash.
 */
function rehashLater(usher: Usher, identity: IdentityRow, password: string): void {
  if (!needsRehash(identity.passwordHash!, usher.config.kdf)) return
  usher.spendKdf()
  usher.defer(
    (async () => {
      await scheduler.wait(0)
      const passwordHash = await hashPassword(password, usher.config.kdf)
      await usher.db
        .update(identities)
        .set({ passwordHash })
        .where(and(eq(identities.id, identity.id), eq(identities.passwordHash, identity.passwordHash!)))
    })(),
  )
}

export async function loginWithPassword(
  usher: Usher,
  credentials: { username: string; password: string },
  deviceId: string,
  client: LoginClient,
): Promise<LoginResponse> {
  const { user, identity, afterLogin } = await checkPassword(usher, credentials.username, credentials.password, client)
  rehashLater(usher, identity, credentials.password)
  return startSession(usher, { user, provider: 'local-userpass', identityId: identity.id, deviceId, client, after: afterLogin })
}

/** Every anonymous login is a new user (realm-web reuses a logged-in anonymous user on its side). */
export async function loginAnonymously(usher: Usher, deviceId: string, client: LoginClient): Promise<LoginResponse> {
  const { user, identityId, prelude } = await firstLoginUser(usher, { provider: 'anon-user' })
  return startSession(usher, { user, provider: 'anon-user', identityId, deviceId, client, prelude })
}

/** An API key (user or server) → its owner. */
export async function checkApiKey(usher: Usher, key: string) {
  const parts = splitCompositeSecret(key)
  const [row] = parts
    ? await usher.db
        .select({ key: apiKeys, user: users })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .where(eq(apiKeys.id, parts.id))
        .limit(1)
    : []
  if (!parts || !row || !secretMatches(parts.secret, row.key.secretHash)) throw errors.invalidApiKey()
  if (row.key.disabled) throw errors.apiKeyDisabled()
  if (row.user.disabled) throw errors.userDisabled()
  return row
}

export async function loginWithApiKey(usher: Usher, key: string, deviceId: string, client: LoginClient): Promise<LoginResponse> {
  const { key: apiKey, user } = await checkApiKey(usher, key)
  return startSession(usher, {
    user,
    provider: 'api-key',
    client,
    apiKeyId: apiKey.id,
    // A server key's user has an `api-key` identity whose id is the key id.
    identityId: apiKey.kind === 'server' ? apiKey.id : undefined,
    deviceId,
    after: [usher.db.update(apiKeys).set({ lastUsedAt: usher.now() }).where(eq(apiKeys.id, apiKey.id))],
  })
}

export type Credentials =
  | { provider: 'local-userpass'; username: string; password: string }
  | { provider: 'anon-user' }
  | { provider: 'api-key'; key: string }

/** A login with any provider: a new session. */
export function logIn(usher: Usher, credentials: Credentials, deviceId: string, client: LoginClient): Promise<LoginResponse> {
  switch (credentials.provider) {
    case 'local-userpass':
      return loginWithPassword(usher, credentials, deviceId, client)
    case 'api-key':
      return loginWithApiKey(usher, credentials.key, deviceId, client)
    case 'anon-user':
      return loginAnonymously(usher, deviceId, client)
  }
}

/** `login?link=true`: attach the credentials' identity to the caller; answers with a new access token. */
export async function linkIdentity(
  usher: Usher,
  caller: Authenticated,
  credentials: Credentials,
  client: LoginClient,
): Promise<LoginResponse> {
  if (credentials.provider === 'anon-user') {
    throw errors.cannotLink('anonymous credentials cannot be linked to an existing user')
  }
  if (credentials.provider === 'api-key') {
    const { user } = await checkApiKey(usher, credentials.key)
    if (user.id !== caller.user.id) throw errors.identityBelongsToAnotherUser()
  } else {
    const { user, identity, afterLogin } = await checkPassword(usher, credentials.username, credentials.password, client)
    await runBatch(usher.db, afterLogin)
    if (user.id !== caller.user.id) await moveRegistration(usher, caller.user, user, identity)
  }
  return linkedAnswer(usher, caller)
}

async function moveRegistration(usher: Usher, caller: UserRow, owner: UserRow, identity: IdentityRow) {
  if ((await identitiesOf(usher, caller.id)).some((i) => i.providerType === 'local-userpass')) {
    throw errors.cannotLink('linking a local-userpass identity is not allowed: the user already has one')
  }
  if (owner.status !== 'pending-login' || owner.type !== 'normal') throw errors.identityBelongsToAnotherUser()
  // Conditional on the registration still never having logged in: a concurrent first login wins.
  const [moved] = await runBatch(usher.db, [
    usher.db
      .update(identities)
      .set({ userId: caller.id })
      .where(
        and(
          eq(identities.id, identity.id),
          eq(identities.userId, owner.id),
          sql`(SELECT ${users.status} FROM ${users} WHERE ${users.id} = ${owner.id}) = 'pending-login'`,
        ),
      ),
    auditIfChanged(usher, {
      actor: `user:${caller.id}`,
      action: 'user.identity-linked',
      userId: caller.id,
      detail: { provider: 'local-userpass', email: identity.email, registration: owner.id },
    }),
    usher.db
      .delete(users)
      .where(
        and(
          eq(users.id, owner.id),
          eq(users.status, 'pending-login'),
          sql`NOT EXISTS (SELECT 1 FROM ${identities} WHERE ${identities.userId} = ${owner.id})`,
        ),
      ),
  ])
  if (changes(moved) === 0) throw errors.identityBelongsToAnotherUser()
}
