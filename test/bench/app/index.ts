/**
 * @module bench/app
 * The app Worker of the `app request` scenario: the Worker a team writes next to its auth service, answering
 * one small request (`{ userId }`) for a signed-in user. Each route checks the caller a different way, so
 * the benchmark compares the cost of the check and nothing else:
 * - `GET /jwks`: Usher's access token verified offline with Hono's `jwk` middleware, against Usher's JWKS
 *   kept in this isolate (fetched once through discovery, refetched on an unknown `kid` at most every 30 s);
 *   `iss` and `aud` checked. No call to Usher: a revoked session is only noticed when its token expires.
 * - `GET /rpc`: the token handed to Usher's `UsherService.authenticate` through a service binding: one RPC,
 *   which checks signature, key and the live session (one D1 read in Usher).
 * - `GET /peer`: the Better Auth cookie forwarded to Better Auth's `get-session` through a service binding,
 *   what an app in front of Better Auth does (one fetch, one D1 read in Better Auth).
 * - `GET /bound`: the same answer with no check at all: the most any app request can do here.
 * `GET /health` answers as Usher's does, so tui/local-worker.ts can start this worker unchanged.
 */
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { jwk } from 'hono/jwk'
import { decodeHeader } from 'hono/utils/jwt/jwt'
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws'
import type { UsherService } from '../../../worker/service'

export interface AppBindings {
  USHER: Service<UsherService>
  PEER: Fetcher
  /** Usher's public origin: the `iss` of its tokens, and where its discovery document is. */
  USHER_ORIGIN: string
  /** Usher's APP_ID: the `aud` of its tokens. */
  APP_ID: string
  /** Better Auth's origin (its baseURL), for the URL of the forwarded get-session. */
  PEER_ORIGIN: string
}

const bindings = env as unknown as AppBindings

/** How soon a token with an unknown kid may fetch the JWKS again (a forged kid must not flood Usher). */
const REFETCH_AFTER_MS = 30_000

/**
 * Usher's published keys, kept for the life of the isolate. A rotation publishes the new key before it signs
 * anything, so an unknown kid means "fetch again", at most once per REFETCH_AFTER_MS (one fetch in flight).
 */
class UsherKeys {
  private keys: HonoJsonWebKey[] = []
  private fetchedAt = Number.NEGATIVE_INFINITY
  private inFlight: Promise<void> | undefined

  async for(kid: string | undefined): Promise<HonoJsonWebKey[]> {
    const known = kid !== undefined && this.keys.some((key) => key.kid === kid)
    if (!known && Date.now() - this.fetchedAt >= REFETCH_AFTER_MS) await (this.inFlight ??= this.refresh())
    return this.keys
  }

  private async refresh(): Promise<void> {
    try {
      const discovery = await getJson<{ jwks_uri: string }>(
        `${bindings.USHER_ORIGIN}/.well-known/openid-configuration`,
      )
      this.keys = (await getJson<{ keys: HonoJsonWebKey[] }>(discovery.jwks_uri)).keys
      this.fetchedAt = Date.now()
    } finally {
      this.inFlight = undefined
    }
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`)
  return (await response.json()) as T
}

const usherKeys = new UsherKeys()

/** The kid in the bearer token's header (unverified: it only picks a key; the middleware checks the rest). */
function tokenKid(authorization: string | undefined): string | undefined {
  try {
    const kid = decodeHeader(authorization?.replace(/^Bearer\s+/i, '') ?? '').kid
    return typeof kid === 'string' ? kid : undefined
  } catch {
    return undefined
  }
}

function bearer(authorization: string | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(authorization ?? '')?.[1]
}

export const app = new Hono<{ Bindings: AppBindings; Variables: { jwtPayload: { sub: string } } }>()
  .get(
    '/jwks',
    jwk({
      keys: (c) => usherKeys.for(tokenKid(c.req.header('authorization'))),
      alg: ['ES256', 'EdDSA'],
      verification: { iss: bindings.USHER_ORIGIN, aud: bindings.APP_ID },
    }),
    (c) => c.json({ userId: c.get('jwtPayload').sub }),
  )
  .get('/rpc', async (c) => {
    const token = bearer(c.req.header('authorization'))
    if (!token) return c.json({ error: 'no access token' }, 401)
    const result = await c.env.USHER.authenticate(token)
    if (result.ok) return c.json({ userId: result.userId })
    return c.json({ error: result.message }, 401)
  })
  .get('/peer', async (c) => {
    const response = await c.env.PEER.fetch(`${c.env.PEER_ORIGIN}/api/auth/get-session`, {
      headers: { cookie: c.req.header('cookie') ?? '' },
    })
    const session = response.ok ? ((await response.json()) as { user?: { id: string } } | null) : null
    if (!session?.user) return c.json({ error: 'no session' }, 401)
    return c.json({ userId: session.user.id })
  })
  .get('/bound', (c) => c.json({ userId: 'bound' }))
  .get('/health', (c) => c.json({ ok: true, appId: 'app' }))

export default app
