/**
 * @module auth/sessions
 * Sessions as realm-web uses them. A login creates a session row and answers
 * `{access_token, refresh_token, user_id, device_id}`; the refresh token (`<session id>.<secret>`, 60 days by
 * default) buys new 30-minute access tokens at `POST auth/session` and ends the session at
 * `DELETE auth/session`. Every authenticated request reads its session row (one indexed join), so revoking,
 * disabling, deleting or resetting a password is refused on the very next request, access tokens included.
 */
import { createHash } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import type { Usher } from '../context'
import { changes, rawStatement, runBatch, type Statement } from '../db/client'
import { identities, sessions, users } from '../db/schema'
import { errors } from '../errors'
import { auditIfChanged } from '../users/audit'
import { findUser, type IdentityRow, type UserRow } from '../users/accounts'
import { hashSecret, newId, newSecret, secretMatches, splitCompositeSecret } from './crypto'
import { signAccessToken, verifyAccessToken } from './jwt'

export type SessionRow = typeof sessions.$inferSelect
export interface Authenticated {
  user: UserRow
  session: SessionRow
}

export interface LoginResponse {
  access_token: string
  refresh_token: string | null
  user_id: string
  device_id: string
}

/** realm-web's "no device" id. */
export const NO_DEVICE = '000000000000000000000000'

const stableIds = new Map<string, string>()
/** A stable 24-hex id derived from a name: the app's domain id and each provider's id (memoized). */
export function stableId(name: string): string {
  let id = stableIds.get(name)
  if (!id) stableIds.set(name, (id = createHash('sha256').update(name).digest('hex').slice(0, 24)))
  return id
}

function bearer(authorization: string | undefined): string {
  const match = /^Bearer ([^\s]+)$/.exec(authorization ?? '')
  if (!match) throw errors.missingAuth()
  return match[1]!
}

/**
 * The two hot-path reads, built once per Drizzle instance (so once per isolate): building a query costs
 * more CPU than D1 takes to run it. `profile` also brings the user's identities in the same round trip.
 */
function prepareHotQueries(db: Usher['db']) {
  return {
    sessionWithUser: db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sql.placeholder('sessionId')))
      .limit(1)
      .prepare(),
    sessionWithIdentities: db
      .select({ session: sessions, user: users, identity: identities })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(identities, eq(identities.userId, users.id))
      .where(eq(sessions.id, sql.placeholder('sessionId')))
      .orderBy(identities.createdAt, identities.id)
      .prepare(),
  }
}
const hotQueries = new WeakMap<object, ReturnType<typeof prepareHotQueries>>()
function hot(usher: Usher) {
  let queries = hotQueries.get(usher.db)
  if (!queries) hotQueries.set(usher.db, (queries = prepareHotQueries(usher.db)))
  return queries
}

async function sessionWithUser(usher: Usher, sessionId: string) {
  const [row] = await hot(usher).sessionWithUser.all({ sessionId })
  return row
}

/** The session behind an access token, or 401 `InvalidSession` (realm-web then refreshes once). */
export async function authenticateAccess(usher: Usher, authorization: string | undefined): Promise<Authenticated> {
  const claims = await accessClaims(usher, authorization)
  return checkedAccess(usher, claims, await sessionWithUser(usher, claims.sid))
}

async function accessClaims(usher: Usher, authorization: string | undefined) {
  const token = bearer(authorization)
  const nowSeconds = Math.floor(usher.now() / 1000)
  return verifyAccessToken(token, usher.config.secrets.tokenSigningKey, usher.config.appId, nowSeconds)
}

function checkedAccess(usher: Usher, claims: { sub: string }, row: Authenticated | undefined): Authenticated {
  if (!row || row.user.id !== claims.sub || row.user.disabled || row.session.expiresAt <= usher.now()) {
    throw errors.invalidSession('invalid session: the session has ended')
  }
  return row
}

/** `GET auth/profile` in one round trip: the session check and the user's identities in one query. */
export async function authenticatedProfile(usher: Usher, authorization: string | undefined) {
  const claims = await accessClaims(usher, authorization)
  const rows = await hot(usher).sessionWithIdentities.all({ sessionId: claims.sid })
  const caller = checkedAccess(usher, claims, rows[0])
  return profileOf(usher, caller, rows.flatMap((r) => (r.identity ? [r.identity] : [])))
}

/** The session behind a refresh token, or 401 `InvalidSession` (realm-web then logs the user out). */
export async function authenticateRefresh(usher: Usher, authorization: string | undefined): Promise<Authenticated> {
  const token = bearer(authorization)
  if (token.split('.').length === 3) throw errors.wrongTokenType()
  const parts = splitCompositeSecret(token)
  const row = parts && (await sessionWithUser(usher, parts.id))
  if (!row || !secretMatches(parts.secret, row.session.refreshHash)) throw errors.refreshTokenNotFound()
  if (row.session.expiresAt <= usher.now()) throw errors.invalidSession('invalid session: refresh token expired')
  if (row.user.disabled) throw errors.invalidSession('invalid session: user disabled')
  return row
}

/** A fresh access token for a session (never valid beyond the session's own end). */
export async function accessTokenFor(usher: Usher, user: UserRow, session: SessionRow): Promise<string> {
  const iat = Math.floor(usher.now() / 1000)
  const exp = Math.min(iat + usher.config.accessTokenTtlSeconds, Math.floor(session.expiresAt / 1000))
  return signAccessToken(
    {
      sub: user.id,
      sid: session.id,
      typ: 'access',
      aud: usher.config.appId,
      iat,
      exp,
      baas_device_id: session.deviceId,
      baas_domain_id: stableId(`domain:${usher.config.appId}`),
      user_data: {},
    },
    usher.config.secrets.tokenSigningKey,
  )
}

/**
 * Open a session for `user` in one batch with `prelude` (e.g. creating an anonymous user) and the login
 * bookkeeping: last login time, and at the first login the move from pending-login to confirmed (audited).
 */
export async function startSession(
  usher: Usher,
  start: {
    user: UserRow
    identityId?: string
    apiKeyId?: string
    deviceId: string
    prelude?: Statement[]
    after?: Statement[]
  },
): Promise<LoginResponse> {
  const now = usher.now()
  const secret = newSecret()
  const session: SessionRow = {
    id: newId(now),
    userId: start.user.id,
    identityId: start.identityId ?? null,
    apiKeyId: start.apiKeyId ?? null,
    refreshHash: hashSecret(secret),
    deviceId: start.deviceId,
    createdAt: now,
    expiresAt: now + usher.config.refreshTokenTtlSeconds * 1000,
  }
  const opened = sql`EXISTS (SELECT 1 FROM ${sessions} WHERE ${sessions.id} = ${session.id})`
  const results = await runBatch(usher.db, [
    ...(start.prelude ?? []),
    // Only while the user exists and is enabled: a login racing a disable or a delete opens nothing.
    rawStatement(sql`
      INSERT INTO ${sessions} (id, user_id, identity_id, api_key_id, refresh_hash, device_id, created_at, expires_at)
      SELECT ${session.id}, ${session.userId}, ${session.identityId}, ${session.apiKeyId}, ${session.refreshHash},
             ${session.deviceId}, ${session.createdAt}, ${session.expiresAt}
      WHERE EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${session.userId} AND NOT ${users.disabled})`),
    usher.db.update(users).set({ lastLoginAt: now }).where(and(eq(users.id, start.user.id), opened)),
    usher.db
      .update(users)
      .set({ status: 'confirmed' })
      .where(and(eq(users.id, start.user.id), eq(users.status, 'pending-login'), opened)),
    auditIfChanged(usher, { actor: `user:${start.user.id}`, action: 'user.first-login', userId: start.user.id }),
    ...(start.after ?? []),
  ])
  if (changes(results[start.prelude?.length ?? 0]) === 0) {
    throw (await findUser(usher, start.user.id)) ? errors.userDisabled() : errors.invalidCredentials()
  }
  return {
    access_token: await accessTokenFor(usher, start.user, session),
    refresh_token: `${session.id}.${secret}`,
    user_id: start.user.id,
    device_id: start.deviceId,
  }
}

/** `POST auth/session`. */
export async function refreshSession(usher: Usher, authorization: string | undefined) {
  const { user, session } = await authenticateRefresh(usher, authorization)
  return { access_token: await accessTokenFor(usher, user, session) }
}

/** `DELETE auth/session`: ends this session only. */
export async function endSession(usher: Usher, authorization: string | undefined): Promise<void> {
  const { session } = await authenticateRefresh(usher, authorization)
  await usher.db.delete(sessions).where(eq(sessions.id, session.id))
}

/** `GET auth/profile`. `type`, `identities` and `data` are required by realm-web. */
function profileOf(usher: Usher, { user }: Authenticated, owned: IdentityRow[]) {
  const email = owned.find((i) => i.providerType === 'local-userpass')?.email
  return {
    user_id: user.id,
    domain_id: stableId(`domain:${usher.config.appId}`),
    identities: owned.map((i) => ({
      id: i.id,
      provider_type: i.providerType,
      provider_id: stableId(`provider:${usher.config.appId}:${i.providerType}`),
    })),
    data: email ? { email } : {},
    type: user.type,
  }
}

/** The device id a login should carry: the client's own (EJSON `{$oid}`), else a new one. */
export function deviceIdFrom(options: unknown, now: number): string {
  const device = (options as { device?: { deviceId?: unknown } } | undefined)?.device
  const oid = (device?.deviceId as { $oid?: unknown } | undefined)?.$oid ?? device?.deviceId
  return typeof oid === 'string' && /^[0-9a-f]{24}$/.test(oid) && oid !== NO_DEVICE ? oid : newId(now)
}

