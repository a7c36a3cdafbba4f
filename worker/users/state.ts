/**
 * @module users/state
 * Account-level changes shared by the admin API and the client API (self-service deletion):
 * create (admin, confirmed at once), disable, enable, delete, revoke sessions. Each is one D1 batch with its
 * audit entry. Rules live here, not in either door:
 * - unconfirmed (pending-confirmation) users cannot be disabled, only deleted;
 * - disabling ends every session; so do deleting and revoking, on the very next request;
 * - clearing a login lock forgets the account's failed logins (see auth/throttle.ts);
 * - an email change keeps the sessions, ends the links mailed to the old address, and tells that address.
 */
import { and, eq, ne, sql } from 'drizzle-orm'
import { disableUserApiKeys } from '../auth/api-keys'
import { newId } from '../auth/crypto'
import { eventStatement } from '../events/outbox'
import { initialCustomData } from './custom-data'
import { hashPassword } from '../auth/passwords'
import type { Actor, Usher } from '../context'
import { changes, runBatch } from '../db/client'
import { actionTokens, identities, sessions, users } from '../db/schema'
import { errors } from '../errors'
import { accountThrottle, clearThrottleOfKey, clearThrottleOfUser, isLocked } from '../auth/throttle'
import { identitiesOf, isUniqueViolation, requirePasswordIdentity, requireUser } from './accounts'
import { emailChangedMail } from '../mail/templates'
import { auditIfChanged, auditStatement } from './audit'
import { reserveMail } from './mail-quota'
import { deliver } from './mailing'
import { assertValidEmail, assertValidPassword, canonicalEmail } from './credentials'

/** Admin "Add new user": an email/password user that skips confirmation. Returns the new user id. */
export async function createUser(
  usher: Usher,
  input: { email: string; password: string },
  actor: Actor,
): Promise<string> {
  assertValidEmail(input.email)
  assertValidPassword(usher.config, input.password)
  const now = usher.now()
  const userId = newId(now)
  const identityId = newId(now)
  // The app's user creation function (if any) decides first, before the user exists.
  const customData = await initialCustomData(usher, { userId, provider: 'local-userpass', identityId, data: { email: input.email } })
  usher.spendKdf()
  const passwordHash = await hashPassword(input.password, usher.config.kdf)
  try {
    await runBatch(usher.db, [
      usher.db.insert(users).values({ id: userId, type: 'normal', status: 'confirmed', createdAt: now, customData }),
      usher.db.insert(identities).values({
        id: identityId,
        userId,
        providerType: 'local-userpass',
        email: input.email,
        emailKey: canonicalEmail(input.email),
        passwordHash,
        createdAt: now,
      }),
      auditStatement(usher, { actor, action: 'user.created', userId, detail: { email: input.email } }),
      // Created confirmed: a user from the start, so App Services' CREATE fires now.
      ...eventStatement(usher, { type: 'CREATE', userId, provider: 'local-userpass', when: 'exists' }),
    ])
  } catch (error) {
    if (isUniqueViolation(error, 'identities.email_key')) {
      throw errors.refused(`an account with the email ${input.email} already exists`)
    }
    throw error
  }
  return userId
}

export async function disableUser(usher: Usher, userId: string, actor: Actor): Promise<void> {
  const user = await requireUser(usher, userId)
  if (user.status === 'pending-confirmation') {
    throw errors.refused('unconfirmed users cannot be disabled, only deleted')
  }
  if (user.disabled) throw errors.refused('this user is already disabled')
  const [update] = await runBatch(usher.db, [
    usher.db
      .update(users)
      .set({ disabled: true })
      .where(and(eq(users.id, userId), ne(users.status, 'pending-confirmation'), eq(users.disabled, false))),
    auditIfChanged(usher, { actor, action: 'user.disabled', userId }),
    ...eventStatement(usher, { type: 'DISABLE', userId }),
    usher.db.delete(sessions).where(eq(sessions.userId, userId)),
  ])
  if (changes(update) === 0 && (await requireUser(usher, userId)).disabled) throw errors.refused('this user is already disabled')
}

export async function enableUser(usher: Usher, userId: string, actor: Actor): Promise<void> {
  if (!(await requireUser(usher, userId)).disabled) throw errors.refused('this user is not disabled')
  const [update] = await runBatch(usher.db, [
    usher.db.update(users).set({ disabled: false }).where(and(eq(users.id, userId), eq(users.disabled, true))),
    auditIfChanged(usher, { actor, action: 'user.enabled', userId }),
    ...eventStatement(usher, { type: 'ENABLE', userId }),
  ])
  if (changes(update) === 0) {
    await requireUser(usher, userId)
    throw errors.refused('this user is not disabled')
  }
}

/**
 * Every access and refresh token of the user is refused from the next request on; with `disableApiKeys`,
 * their user API keys stop logging in too (otherwise a key holder simply logs in again).
 */
export async function revokeSessions(
  usher: Usher,
  userId: string,
  actor: Actor,
  options: { disableApiKeys?: boolean } = {},
): Promise<{ revoked: number; apiKeysDisabled: number }> {
  const user = await requireUser(usher, userId)
  if (user.lastLoginAt === null) throw errors.refused('this user has not logged in yet: there are no sessions to revoke')
  const results = await runBatch(usher.db, [
    usher.db.delete(sessions).where(eq(sessions.userId, userId)),
    auditStatement(usher, { actor, action: 'user.sessions-revoked', userId, detail: { disableApiKeys: options.disableApiKeys === true } }),
    ...eventStatement(usher, { type: 'SESSIONS_REVOKED', userId, when: 'exists' }),
    ...(options.disableApiKeys ? disableUserApiKeys(usher, userId, actor, 'sessions revoked') : []),
  ])
  return { revoked: changes(results[0]), apiKeysDisabled: options.disableApiKeys ? changes(results.at(-2)) : 0 }
}

/**
 * Delete the account with its identities, sessions, tokens and API keys (foreign-key cascades, in the same
 * statement). App data is not ours to touch: the `user.deleted` audit entry, listing the user's providers,
 * is the record for later clean-up hooks.
 */
export async function deleteUser(usher: Usher, userId: string, actor: Actor): Promise<{ email: string | null }> {
  const user = await requireUser(usher, userId)
  const owned = await identitiesOf(usher, userId)
  const deleted = eventStatement(usher, { type: 'DELETE', userId, when: sql`u.status = 'confirmed'` })
  const results = await runBatch(usher.db, [
    // Recorded first, while the user (and their providers) can still be read; the batch makes both or neither.
    // Only for users that ever were users (a registration never logged in had no CREATE either).
    ...deleted,
    usher.db.delete(users).where(eq(users.id, userId)),
    auditIfChanged(usher, {
      actor,
      action: 'user.deleted',
      userId,
      detail: {
        type: user.type,
        status: user.status,
        providers: [...new Set(owned.map((i) => i.providerType))],
        email: owned.find((i) => i.email)?.email ?? null,
      },
    }),
  ])
  if (changes(results[deleted.length]) === 0) throw errors.userNotFound()
  return { email: owned.find((i) => i.email)?.email ?? null }
}

/**
 * Admin "change email": the user's email/password identity takes a new address (checked and matched like any
 * registration's, unique). Their sessions and password stay; links mailed to the old address (confirmation,
 * reset, password setup) stop working, and a lock kept under the old address is forgotten; the old address is
 * told. One batch with its audit entry and the EMAIL_CHANGED event (for users that are users: confirmed).
 * Returns the previous address.
 */
export async function changeEmail(usher: Usher, userId: string, email: string, actor: Actor): Promise<{ previous: string }> {
  assertValidEmail(email)
  const { identity } = await requirePasswordIdentity(usher, userId)
  const previous = identity.email
  if (email === previous) throw errors.refused(`${email} is already this user's email`)
  const emailKey = canonicalEmail(email)
  // What follows the update happens only if it did (a concurrent change leaves everything as it was).
  const changed = sql`EXISTS (SELECT 1 FROM ${identities} WHERE ${and(eq(identities.id, identity.id), eq(identities.email, email))})`
  let results
  try {
    results = await runBatch(usher.db, [
      usher.db
        .update(identities)
        .set({ email, emailKey })
        .where(and(eq(identities.id, identity.id), eq(identities.email, previous))),
      auditIfChanged(usher, { actor, action: 'user.email-changed', userId, detail: { from: previous, to: email } }),
      ...eventStatement(usher, { type: 'EMAIL_CHANGED', userId, provider: 'local-userpass', when: sql`changes() > 0 AND u.status = 'confirmed'` }),
      // The links that reached the old mailbox, and a lock kept under the old address (not when only the case changed).
      usher.db.delete(actionTokens).where(and(eq(actionTokens.userId, userId), changed)),
      ...(emailKey === identity.emailKey ? [] : [clearThrottleOfKey(identity.emailKey!, changed)]),
    ])
  } catch (error) {
    if (isUniqueViolation(error, 'identities.email_key')) throw errors.refused(`an account with the email ${email} already exists`)
    throw error
  }
  if (changes(results[0]) === 0) {
    // Deleted, or given another address, meanwhile.
    const now = await requirePasswordIdentity(usher, userId)
    throw errors.refused(`the email of this user changed meanwhile (now ${now.identity.email}): nothing was changed`)
  }
  usher.defer(
    reserveMail(usher, previous, actor).then(async (allowed) => {
      if (allowed) await deliver(usher, userId, emailChangedMail(usher.config.appId, previous, email))
    }),
  )
  return { previous }
}

/** Admin "clear lock": forget the user's failed logins (the lock, the backoff, the hourly count). */
export async function clearLoginLock(usher: Usher, userId: string, actor: Actor): Promise<void> {
  const { identity } = await requirePasswordIdentity(usher, userId)
  const lock = await accountThrottle(usher, identity.emailKey!)
  if (!lock) throw errors.refused('this user has no failed logins to clear')
  await runBatch(usher.db, [
    clearThrottleOfUser(userId),
    auditStatement(usher, {
      actor,
      action: 'user.lock-cleared',
      userId,
      detail: { wasLocked: isLocked(lock, usher.now()), failuresThisHour: lock?.windowFailures ?? 0 },
    }),
  ])
}
