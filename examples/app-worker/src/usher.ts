/**
 * Checking Usher's users from an app Worker, both ways. Copy this file into your own Worker.
 *
 * - `viaJwks`: offline, with Hono's `jwk` middleware against Usher's published keys (cached in the isolate,
 *   refetched when a token names a key this isolate has not seen: a rotation). No call to Usher per request;
 *   a revoked session keeps working until its access token expires (ACCESS_TOKEN_TTL_SECONDS, 30 min).
 * - `viaRpc`: one hop to Usher through the `UsherService` service binding, which checks the live session:
 *   revoke, disable and delete refuse the token on the very next request.
 *
 * Either way the handler reads the caller's Usher user id from `c.var.userId`.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { jwk } from 'hono/jwk'

/** What `UsherService.authenticate` answers (worker/service.ts in the Usher project). */
export type AuthenticationResult =
  | {
      ok: true
      userId: string
      type: 'normal' | 'server'
      identities: { id: string; providerType: string }[]
      customData: Record<string, unknown>
      sessionId: string
      expiresAt: string
    }
  | { ok: false; reason: 'invalid' | 'expired' | 'revoked'; message: string }

export interface UsherBindings {
  /** Usher's public origin (its PUBLIC_URL). */
  USHER_URL: string
  /** Usher's APP_ID, the audience of its tokens. */
  USHER_APP_ID: string
  /** `[[services]] binding = "USHER", service = "usher", entrypoint = "UsherService"` */
  USHER: { authenticate(accessToken: string): Promise<AuthenticationResult> }
}

/** `jwtPayload` is set by Hono's `jwk` middleware; `userId` by either check. */
export type UsherEnv = { Bindings: UsherBindings; Variables: { jwtPayload: { sub: string }; userId: string } }

type PublicJwk = JsonWebKey & { kid: string }
let cache: { url: string; keys: PublicJwk[]; fetchedAt: number } | undefined
/** How often an unknown kid may trigger a refetch (bounds what garbage tokens can cost). */
const REFETCH_COOLDOWN_MS = 30_000
/** Usher answers `Cache-Control: max-age=300`. */
const MAX_AGE_MS = 300_000

/** The kid in a token's header, without trusting anything else about it. */
function kidOf(authorization: string | undefined): string | undefined {
  const header = authorization?.match(/^Bearer ([\w-]+)\./)?.[1]
  try {
    return header ? (JSON.parse(atob(header.replace(/-/g, '+').replace(/_/g, '/'))) as { kid?: string }).kid : undefined
  } catch {
    return undefined
  }
}

async function usherKeys(c: Context<UsherEnv>): Promise<PublicJwk[]> {
  const url = `${c.env.USHER_URL}/.well-known/jwks.json`
  const now = Date.now()
  const kid = kidOf(c.req.header('authorization'))
  const stale = !cache || cache.url !== url || now - cache.fetchedAt > MAX_AGE_MS
  const unknownKid = kid !== undefined && !cache?.keys.some((key) => key.kid === kid)
  if (stale || (unknownKid && now - cache!.fetchedAt > REFETCH_COOLDOWN_MS)) {
    const response = await fetch(url)
    if (!response.ok) throw new Error(`Usher's JWKS answered ${response.status}`)
    cache = { url, keys: ((await response.json()) as { keys: PublicJwk[] }).keys, fetchedAt: now }
  }
  return cache!.keys
}

/** Offline: signature, issuer, audience and expiry against Usher's JWKS. */
export const viaJwks: MiddlewareHandler<UsherEnv> = async (c, next) => {
  const check = jwk({
    keys: usherKeys,
    alg: ['ES256', 'EdDSA'],
    verification: { iss: c.env.USHER_URL, aud: c.env.USHER_APP_ID },
  })
  return check(c, async () => {
    c.set('userId', c.var.jwtPayload.sub)
    await next()
  })
}

/** One hop: Usher checks the token and its live session. */
export const viaRpc: MiddlewareHandler<UsherEnv> = async (c, next) => {
  const token = c.req.header('authorization')?.match(/^Bearer (\S+)$/)?.[1]
  if (!token) return c.json({ error: 'missing bearer token' }, 401)
  const result = await c.env.USHER.authenticate(token)
  if (!result.ok) return c.json({ error: result.message, reason: result.reason }, 401)
  c.set('userId', result.userId)
  await next()
}
