/**
 * @module auth/api-keys
 * User API keys (a logged-in, non-anonymous user's own; at most 20) and server API keys (created by admins;
 * at most 100; each gets its own `server`-type user with an `api-key` identity). A key is
 * `<id>.<secret>`, shown once at creation; only SHA-256(secret) is stored.
 *
 * Limits and name uniqueness are enforced by the database inside the insert itself (a conditional
 * INSERT … SELECT and UNIQUE indexes), so concurrent creations cannot overshoot them.
 */
import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Actor, Usher } from '../context'
import { changes, rawStatement, runBatch, type Statement } from '../db/client'
import { apiKeys, auditLog, identities, sessions, users, type ApiKeyKind } from '../db/schema'
import { errors } from '../errors'
import { identitiesOf, isUniqueViolation } from '../users/accounts'
import { auditIfChanged } from '../users/audit'
import { hashSecret, newId, newSecret } from './crypto'
import type { Authenticated } from './sessions'

export const USER_API_KEY_LIMIT = 20
export const SERVER_API_KEY_LIMIT = 100
export const API_KEY_NAME_MAX = 64

export type ApiKeyRow = typeof apiKeys.$inferSelect
/** Whose keys: one user's user keys, or the app's server keys. */
export type KeyScope = { kind: 'user'; userId: string } | { kind: 'server' }

export function assertValidKeyName(name: string): void {
  if (name.length < 1 || name.length > API_KEY_NAME_MAX || name.trim() !== name || /\p{Cc}/u.test(name)) {
    throw errors.invalidParameter(`API key names are 1–${API_KEY_NAME_MAX} characters, without surrounding spaces`, {
      name: ['must be 1–64 printable characters without leading or trailing spaces'],
    })
  }
}

function inScope(scope: KeyScope, keyId: string) {
  return scope.kind === 'user'
    ? and(eq(apiKeys.id, keyId), eq(apiKeys.userId, scope.userId), eq(apiKeys.kind, 'user'))
    : and(eq(apiKeys.id, keyId), eq(apiKeys.kind, 'server'))
}

/** Create a key; returns the stored row and the secret key (the only time it exists in clear). */
export async function createApiKey(
  usher: Usher,
  scope: KeyScope,
  name: string,
  actor: Actor,
): Promise<{ row: ApiKeyRow; key: string }> {
  assertValidKeyName(name)
  const now = usher.now()
  const id = newId(now)
  const secret = newSecret()
  const kind: ApiKeyKind = scope.kind
  const ownerId = scope.kind === 'user' ? scope.userId : newId(now)
  const limit = scope.kind === 'user' ? USER_API_KEY_LIMIT : SERVER_API_KEY_LIMIT
  const underLimit =
    scope.kind === 'user'
      ? sql`(SELECT COUNT(*) FROM ${apiKeys} WHERE ${apiKeys.userId} = ${ownerId} AND ${apiKeys.kind} = 'user') < ${limit}`
      : sql`(SELECT COUNT(*) FROM ${apiKeys} WHERE ${apiKeys.kind} = 'server') < ${limit}`
  const row: ApiKeyRow = {
    id,
    userId: ownerId,
    kind,
    name,
    secretHash: hashSecret(secret),
    disabled: false,
    createdAt: now,
    lastUsedAt: null,
  }
  const statements: Statement[] = []
  if (scope.kind === 'server') {
    // The key's own server user and its api-key identity exist only if the key is created.
    statements.push(
      rawStatement(sql`INSERT INTO ${users} (id, type, status, disabled, created_at)
        SELECT ${ownerId}, 'server', 'confirmed', 0, ${now} WHERE ${underLimit}`),
      rawStatement(sql`INSERT INTO ${identities} (id, user_id, provider_type, created_at)
        SELECT ${id}, ${ownerId}, 'api-key', ${now} WHERE changes() > 0`),
    )
  }
  const keyInsert = rawStatement(sql`INSERT INTO ${apiKeys} (id, user_id, kind, name, secret_hash, disabled, created_at)
    SELECT ${id}, ${ownerId}, ${kind}, ${name}, ${row.secretHash}, 0, ${now}
    WHERE ${scope.kind === 'server' ? sql`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${ownerId})` : underLimit}`)
  statements.push(
    keyInsert,
    auditIfChanged(usher, {
      actor,
      action: 'api-key.created',
      userId: ownerId,
      detail: { keyId: id, name, kind },
    }),
  )
  let results: D1Result[]
  try {
    results = await runBatch(usher.db, statements)
  } catch (error) {
    if (isUniqueViolation(error, 'api_keys.')) throw errors.apiKeyNameInUse()
    throw error
  }
  if (changes(results[statements.indexOf(keyInsert)]) === 0) throw errors.apiKeyLimit(limit)
  return { row, key: `${id}.${secret}` }
}

/**
 * `POST auth/api_keys`: only users with a non-anonymous identity may own keys, and only from a session they
 * opened with a credential of their own: a session opened *with* an API key cannot mint more (a leaked key
 * must not be able to multiply itself past its own revocation).
 */
export async function createUserApiKey(usher: Usher, caller: Authenticated, name: string) {
  if (caller.user.type === 'server') throw errors.refused('server users cannot create user API keys')
  if (caller.session.apiKeyId !== null) throw errors.apiKeySessionCannotCreateKeys()
  const owned = await identitiesOf(usher, caller.user.id)
  if (!owned.some((i) => i.providerType !== 'anon-user')) throw errors.anonymousApiKeys()
  return createApiKey(usher, { kind: 'user', userId: caller.user.id }, name, `user:${caller.user.id}`)
}

export function listApiKeys(usher: Usher, scope: KeyScope): Promise<ApiKeyRow[]> {
  const where =
    scope.kind === 'user'
      ? and(eq(apiKeys.userId, scope.userId), eq(apiKeys.kind, 'user'))
      : eq(apiKeys.kind, 'server')
  return usher.db.select().from(apiKeys).where(where).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
}

export async function countServerKeys(usher: Usher): Promise<number> {
  const [row] = await usher.db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.kind, 'server'))
  return row?.n ?? 0
}

export async function getApiKey(usher: Usher, scope: KeyScope, keyId: string): Promise<ApiKeyRow> {
  const row = await usher.db.select().from(apiKeys).where(inScope(scope, keyId)).get()
  if (!row) throw errors.apiKeyNotFound()
  return row
}

/**
 * Enable or disable a key. Disabling ends the sessions opened with it; a session may not disable the key
 * it logged in with (it would cut its own branch; delete or disable it from another session). The client
 * API is idempotent (as App Services was: realm-web may disable a disabled key); admins, with `refuseNoOp`,
 * are told when the key already is in that state instead of an audit entry for nothing.
 */
export async function setApiKeyDisabled(
  usher: Usher,
  scope: KeyScope,
  keyId: string,
  disabled: boolean,
  actor: Actor,
  options: { currentSessionKeyId?: string | null; refuseNoOp?: boolean } = {},
): Promise<void> {
  if (disabled && options.currentSessionKeyId === keyId) {
    throw errors.refused('cannot disable the API key this session logged in with')
  }
  const key = await getApiKey(usher, scope, keyId)
  const noOp = () => errors.refused(disabled ? 'this API key is already disabled' : 'this API key is not disabled')
  if (options.refuseNoOp && key.disabled === disabled) throw noOp()
  const [update] = await runBatch(usher.db, [
    usher.db
      .update(apiKeys)
      .set({ disabled })
      .where(and(inScope(scope, keyId), options.refuseNoOp ? eq(apiKeys.disabled, !disabled) : undefined)),
    auditIfChanged(usher, {
      actor,
      action: disabled ? 'api-key.disabled' : 'api-key.enabled',
      userId: key.userId,
      detail: { keyId, name: key.name, kind: key.kind },
    }),
    ...(disabled ? [usher.db.delete(sessions).where(eq(sessions.apiKeyId, keyId))] : []),
  ])
  if (changes(update) === 0) {
    await getApiKey(usher, scope, keyId)
    throw noOp()
  }
}

/** Delete a key (and, for a server key, its server user); sessions opened with it end with it. */
export async function deleteApiKey(
  usher: Usher,
  scope: KeyScope,
  keyId: string,
  actor: Actor,
  currentSessionKeyId?: string | null,
): Promise<{ name: string }> {
  if (currentSessionKeyId === keyId) throw errors.apiKeyInUse()
  const key = await getApiKey(usher, scope, keyId)
  const removal =
    scope.kind === 'server'
      ? usher.db.delete(users).where(and(eq(users.id, key.userId), eq(users.type, 'server')))
      : usher.db.delete(apiKeys).where(inScope(scope, keyId))
  const [removed] = await runBatch(usher.db, [
    removal,
    auditIfChanged(usher, {
      actor,
      action: 'api-key.deleted',
      userId: key.userId,
      detail: { keyId, name: key.name, kind: key.kind },
    }),
  ])
  if (changes(removed) === 0) throw errors.apiKeyNotFound()
  return { name: key.name }
}

/**
 * Disable every enabled user API key of a user, with one audit entry counting them: a password reset does
 * this (the owner's way back from a compromise must also shut keys a thief may have made), and so can an
 * admin's "revoke all sessions". Sessions opened with the keys end with them (the caller's batch ends all).
 */
export function disableUserApiKeys(
  usher: Usher,
  userId: string,
  actor: Actor,
  reason: string,
  /** Only if this holds (e.g. the reset in the same batch really changed the password). */
  when?: SQL,
): Statement[] {
  return [
    usher.db
      .update(apiKeys)
      .set({ disabled: true })
      .where(and(eq(apiKeys.userId, userId), eq(apiKeys.kind, 'user'), eq(apiKeys.disabled, false), when)),
    rawStatement(sql`
      INSERT INTO ${auditLog} (at, actor, action, user_id, detail, outcome)
      SELECT ${usher.now()}, ${actor}, 'api-key.disabled', ${userId}, json_object('reason', ${reason}, 'keys', changes()), 'ok'
      WHERE changes() > 0`),
  ]
}
