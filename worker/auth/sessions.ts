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
import { identities, sessions, signingKeys, users, type ProviderType, type SigningAlgorithm } from '../db/schema'
import { errors } from '../errors'
import { auditIfChanged } from '../users/audit'
import { findUser, type IdentityRow, type UserRow } from '../users/accounts'
import { hashSecret, newId, newSecret, secretMatches, splitCompositeSecret } from './crypto'
import { parseAccessToken, recallAccessToken, signAccessToken, verifyAccessToken, type AccessClaims } from './jwt'
import { acceptedKey, cachedVerifier, currentSigner, verifierFor } from './signing-keys'
import type { LoginClient } from './throttle'
import { eventStatement } from '../events/outbox'
import { userDataClaim } from '../users/custom-data'

export type SessionRow = typeof sessions.$inferSelect
export interface Authenticated {
  user: UserRow
  session: SessionRow
  /** The kid of the current signing key, read in the same query (signing needs no extra round trip). */
  currentKid: string | null
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
 * The hot-path read, built once per Drizzle instance (so once per isolate): building a query costs more CPU
 * than D1 takes to run it. One row, always: the current kid and the presented token's key (whatever the
 * session), then the session and its user when they exist. So a token-checked request is one round trip,
 * and a token signed with a key that was revoked anywhere is refused on its very next use.
 */
function prepareHotQueries(db: Usher['db']) {
  const kid = sql.placeholder('kid')
  const now = sql.placeholder('now')
  const fields = {
    currentKid: sql<string | null>`(SELECT ${signingKeys.kid} FROM ${signingKeys} WHERE ${signingKeys.slot} = 'current')`,
    tokenKey: sql<string | null>`(SELECT ${signingKeys.publicJwk} FROM ${signingKeys} WHERE ${signingKeys.kid} = ${kid})`,
    tokenKeyAlgorithm: sql<SigningAlgorithm | null>`(SELECT ${signingKeys.algorithm} FROM ${signingKeys} WHERE ${signingKeys.kid} = ${kid})`,
    tokenKeyAccepted: sql<number>`EXISTS (SELECT 1 FROM ${signingKeys} WHERE ${signingKeys.kid} = ${kid} AND ${acceptedKey(now)})`,
    session: sessions,
    user: users,
  }
  // Columns spelled out with their tables: Drizzle leaves them unqualified in some selects.
  const identitiesJson = sql<string | null>`(SELECT json_group_array(json_array(i.id, i.provider_type, i.email)) FROM (
    SELECT coalesce(o.external_id, o.id) AS id, o.provider_type AS provider_type, o.email AS email
    FROM ${identities} o WHERE o.user_id = "sessions"."user_id"
    ORDER BY o.created_at, o.id) i)`
  return {
    sessionWithUser: db
      .select(fields)
      .from(sql`(SELECT 1)`)
      .leftJoin(sessions, eq(sessions.id, sql.placeholder('sessionId')))
      .leftJoin(users, eq(users.id, sessions.userId))
      .prepare(),
    /** The same, plus the user's identities as one JSON column (no join fan-out, no row mapping per identity). */
    sessionWithIdentities: db
      .select({ ...fields, identities: identitiesJson })
      .from(sql`(SELECT 1)`)
      .leftJoin(sessions, eq(sessions.id, sql.placeholder('sessionId')))
      .leftJoin(users, eq(users.id, sessions.userId))
      .prepare(),
  }
}
const hotQueries = new WeakMap<object, ReturnType<typeof prepareHotQueries>>()
function hot(usher: Usher) {
  let queries = hotQueries.get(usher.db)
  if (!queries) hotQueries.set(usher.db, (queries = prepareHotQueries(usher.db)))
  return queries
}

type HotRow = Awaited<ReturnType<ReturnType<typeof prepareHotQueries>['sessionWithUser']['all']>>[number]

async function sessionRow(
  usher: Usher,
  sessionId: string,
  kid: string | null = null,
  withIdentities = false,
): Promise<HotRow & { identities?: string | null }> {
  const query = withIdentities ? hot(usher).sessionWithIdentities : hot(usher).sessionWithUser
  const [row] = await query.all({ sessionId, kid, now: usher.now() })
  return row!
}

/** Why an access token is not accepted: `invalid` (not ours), `expired`, `revoked` (ours, but its session or key ended). */
export type Refusal = { reason: 'invalid' | 'expired' | 'revoked'; message: string }
export type Inspected =
  | ({ ok: true; claims: AccessClaims; /** JSON, when asked for */ identities?: string | null } & Authenticated)
  | ({ ok: false } & Refusal)

const refusal = (reason: Refusal['reason'], message: string): { ok: false } & Refusal => ({ ok: false, reason, message })

/**
 * Everything Usher knows about an access token, in one round trip: signature, claims, key state and session.
 * The one check behind the client API, the UsherService RPC and the admin's `users.verifyToken`. With the key
 * already imported in this isolate, a forged or expired token is refused before any database read; a token
 * this isolate already verified is not verified again (auth/jwt.ts `recallAccessToken`), but its key state,
 * session and user are read like any other's.
 */
export async function inspectAccessToken(usher: Usher, token: string, withIdentities = false): Promise<Inspected> {
  const expected = { audience: usher.config.appId, issuer: usher.config.publicUrl, nowSeconds: Math.floor(usher.now() / 1000) }
  const recalled = recallAccessToken(token, expected)
  const parsed = recalled?.parsed ?? parseAccessToken(token)
  if (!parsed) return refusal('invalid', 'invalid session: invalid access token')
  const cached = recalled ? undefined : cachedVerifier(parsed.kid)
  let verified = recalled?.verified ?? (cached && (await verifyAccessToken(parsed, await cached, expected)))
  if (verified && !verified.ok) return verifiedRefusal(verified.reason)
  const row = await sessionRow(usher, parsed.sid, parsed.kid, withIdentities)
  if (!verified) {
    if (!row.tokenKey || row.tokenKeyAlgorithm !== parsed.algorithm) return refusal('invalid', 'invalid session: invalid access token')
    const key = await verifierFor(parsed.kid, row.tokenKeyAlgorithm, JSON.parse(row.tokenKey) as Record<string, unknown>)
    verified = await verifyAccessToken(parsed, key, expected)
    if (!verified.ok) return verifiedRefusal(verified.reason)
  }
  if (!row.tokenKeyAccepted) return refusal('revoked', 'invalid session: the token was signed with a revoked key')
  const { session, user } = row
  if (!session || !user || user.id !== verified.claims.sub || session.expiresAt <= usher.now()) {
    return refusal('revoked', 'invalid session: the session has ended')
  }
  if (user.disabled) return refusal('revoked', 'invalid session: user disabled')
  return { ok: true, claims: verified.claims, user, session, currentKid: row.currentKid, identities: row.identities }
}

function verifiedRefusal(reason: 'invalid' | 'expired') {
  return reason === 'expired'
    ? refusal('expired', 'invalid session: access token expired')
    : refusal('invalid', 'invalid session: invalid access token')
}

/** The session behind an access token, or 401 `InvalidSession` (realm-web then refreshes once). */
export async function authenticateAccess(usher: Usher, authorization: string | undefined): Promise<Authenticated & { claims: AccessClaims }> {
  const inspected = await inspectAccessToken(usher, bearer(authorization))
  if (!inspected.ok) throw errors.invalidSession(inspected.message)
  return inspected
}

/** A session by id, for a flow that started authenticated and finishes elsewhere (the OAuth link callback). */
export async function authenticateSession(usher: Usher, sessionId: string, userId: string): Promise<Authenticated> {
  const row = await sessionRow(usher, sessionId)
  const { session, user } = row
  if (!session || !user || user.id !== userId || user.disabled || session.expiresAt <= usher.now()) {
    throw errors.invalidSession('invalid session: the session has ended')
  }
  return { session, user, currentKid: row.currentKid }
}

/** `GET auth/profile` in one round trip: the session check brings the user's identities along. */
export async function authenticatedProfile(usher: Usher, authorization: string | undefined) {
  const inspected = await inspectAccessToken(usher, bearer(authorization), true)
  if (!inspected.ok) throw errors.invalidSession(inspected.message)
  const owned = JSON.parse(inspected.identities ?? '[]') as [string, ProviderType, string | null][]
  return profileOf(usher, inspected, owned.map(([id, providerType, email]) => ({ id, providerType, email })))
}

/** The session behind a refresh token, or 401 `InvalidSession` (realm-web then logs the user out). */
export async function authenticateRefresh(usher: Usher, authorization: string | undefined): Promise<Authenticated> {
  const token = bearer(authorization)
  if (token.split('.').length === 3) throw errors.wrongTokenType()
  const parts = splitCompositeSecret(token)
  const row = parts && (await sessionRow(usher, parts.id))
  const { session, user } = row ?? {}
  if (!session || !user || !secretMatches(parts!.secret, session.refreshHash)) throw errors.refreshTokenNotFound()
  if (session.expiresAt <= usher.now()) throw errors.invalidSession('invalid session: refresh token expired')
  if (user.disabled) throw errors.invalidSession('invalid session: user disabled')
  return { session, user, currentKid: row!.currentKid }
}

/**
 * A fresh access token for a session (never valid beyond the session's own end), signed with the current key
 * (`currentKid` as the caller's own query read it; undefined reads it).
 */
export async function accessTokenFor(
  usher: Usher,
  user: UserRow,
  session: SessionRow,
  currentKid?: string | null,
): Promise<string> {
  const iat = Math.floor(usher.now() / 1000)
  const exp = Math.min(iat + usher.config.accessTokenTtlSeconds, Math.floor(session.expiresAt / 1000))
  const issuer = usher.issuer
  return signAccessToken(
    {
      sub: user.id,
      sid: session.id,
      typ: 'access',
      ...(issuer ? { iss: issuer } : {}),
      aud: usher.config.appId,
      iat,
      exp,
      baas_device_id: session.deviceId,
      baas_domain_id: stableId(`domain:${usher.config.appId}`),
      user_data: userDataClaim(usher, user.customData),
    },
    await currentSigner(usher, currentKid),
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
    /** How the user logged in (recorded in the audit trail with the device and address). */
    provider: ProviderType
    client: LoginClient
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
    // A registration becomes a user at its first login: that is when App Services fired CREATE. (Statuses only
    // move forward, so a user read as confirmed needs none of this.)
    ...(start.user.status === 'pending-login'
      ? [
          usher.db
            .update(users)
            .set({ status: 'confirmed' })
            .where(and(eq(users.id, start.user.id), eq(users.status, 'pending-login'), opened)),
          ...eventStatement(usher, { type: 'CREATE', userId: start.user.id, provider: start.provider }),
          auditIfChanged(usher, { actor: `user:${start.user.id}`, action: 'user.first-login', userId: start.user.id }),
        ]
      : []),
    // Every login, in the same batch (no extra round trip): when, how and from what device and address.
    auditIfChanged(
      usher,
      {
        actor: `user:${start.user.id}`,
        action: 'user.login',
        userId: start.user.id,
        detail: { provider: start.provider, deviceId: start.deviceId, ip: start.client.ip },
      },
      opened,
    ),
    ...(start.after ?? []),
    ...eventStatement(usher, { type: 'LOGIN', userId: start.user.id, provider: start.provider, when: opened }),
    // Which key signs, read in the same round trip.
    usher.db.select({ kid: signingKeys.kid }).from(signingKeys).where(eq(signingKeys.slot, 'current')),
  ])
  if (changes(results[start.prelude?.length ?? 0]) === 0) {
    throw (await findUser(usher, start.user.id)) ? errors.userDisabled() : errors.invalidCredentials()
  }
  const currentKid = (results.at(-1)?.results[0] as { kid?: string } | undefined)?.kid ?? null
  return {
    access_token: await accessTokenFor(usher, start.user, session, currentKid),
    refresh_token: `${session.id}.${secret}`,
    user_id: start.user.id,
    device_id: start.deviceId,
  }
}

/** `POST auth/session`. */
export async function refreshSession(usher: Usher, authorization: string | undefined) {
  const { user, session, currentKid } = await authenticateRefresh(usher, authorization)
  return { access_token: await accessTokenFor(usher, user, session, currentKid) }
}

/**
 * The answer to a `?link=true` login: the caller stays who they are (same session, no new refresh token), with
 * an access token that shows the identity just linked.
 */
export async function linkedAnswer(usher: Usher, caller: Authenticated) {
  return {
    access_token: await accessTokenFor(usher, caller.user, caller.session, caller.currentKid),
    refresh_token: null,
    user_id: caller.user.id,
    device_id: caller.session.deviceId,
  }
}

/** `DELETE auth/session`: ends this session only. */
export async function endSession(usher: Usher, authorization: string | undefined): Promise<void> {
  const { session } = await authenticateRefresh(usher, authorization)
  await usher.db.delete(sessions).where(eq(sessions.id, session.id))
}

/**
 * `GET auth/profile`. `type`, `identities` and `data` are required by realm-web. An identity's `id` is the
 * provider's id for external providers (App Services: the JWT's `sub`, the function's answer…); `data` is the
 * providers' metadata plus the email/password identity's address.
 */
function profileOf(
  usher: Usher,
  { user }: Authenticated,
  owned: Pick<IdentityRow, 'id' | 'providerType' | 'email'>[],
) {
  const email = owned.find((i) => i.providerType === 'local-userpass')?.email
  return {
    user_id: user.id,
    domain_id: stableId(`domain:${usher.config.appId}`),
    identities: owned.map((i) => ({
      id: i.id,
      provider_type: i.providerType,
      provider_id: stableId(`provider:${usher.config.appId}:${i.providerType}`),
    })),
    data: email ? { ...user.data, email } : user.data,
    type: user.type,
  }
}

/** The device id the client sent in `options.device` (EJSON `{$oid}` or a plain string), if a usable one. */
export function clientDeviceId(options: unknown): string | undefined {
  const device = (options as { device?: { deviceId?: unknown } } | undefined)?.device
  const oid = (device?.deviceId as { $oid?: unknown } | undefined)?.$oid ?? device?.deviceId
  return typeof oid === 'string' && /^[0-9a-f]{24}$/.test(oid) && oid !== NO_DEVICE ? oid : undefined
}

/** The device id a login should carry: the client's own, else a new one. */
export function deviceIdFrom(options: unknown, now: number): string {
  return clientDeviceId(options) ?? newId(now)
}

