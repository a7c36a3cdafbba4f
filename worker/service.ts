/**
 * @module service
 * `UsherService`: the one-hop, revocation-exact check for apps that run on Workers too. An app Worker binds it
 * and asks who is calling:
 *
 * ```toml
 * # the app's wrangler.toml
 * [[services]]
 * binding = "USHER"
 * service = "usher"
 * entrypoint = "UsherService"
 * ```
 * ```ts
 * const result = await env.USHER.authenticate(accessToken)
 * if (!result.ok) return c.json({ error: result.message }, 401)
 * result.userId // …
 * ```
 *
 * It runs the same check as Usher's own routes (signature, key state, session row), so a revoke, disable or
 * delete refuses the token on the very next call; JWKS verification (see discovery.ts) only notices when the
 * token expires. Refusals are values, never exceptions: RPC keeps their type.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { inspectAccessToken } from './auth/sessions'
import { createUsher, type Bindings } from './context'
import type { ProviderType, UserType } from './db/schema'

/**
 * JSON as RPC's types can carry it. `customData` is not typed with `unknown`: RPC's types keep only results
 * they can prove serializable, so an `unknown` inside would erase `authenticate`'s success case for callers
 * (`result.userId` would not compile after `if (!result.ok) return`). Three levels deep, because a
 * recursive type is too deep for those checks.
 */
type JsonLeaf = string | number | boolean | null
type JsonLevel<Inner> = Inner | Inner[] | { [key: string]: Inner }
export type JsonValue = JsonLevel<JsonLevel<JsonLevel<JsonLeaf>>>

export interface AuthenticatedUser {
  ok: true
  userId: string
  type: UserType
  identities: { id: string; providerType: ProviderType }[]
  /**
   * The user's custom data as stored now, in plain JSON (the token's `user_data` copy may be older, and is
   * canonical EJSON by default).
   */
  customData: { [key: string]: JsonValue }
  sessionId: string
  /** When this access token expires (ISO 8601). */
  expiresAt: string
}

/** `invalid`: not a token of this deployment; `expired`: refresh it; `revoked`: its session, user or key ended. */
export interface AuthenticationRefusal {
  ok: false
  reason: 'invalid' | 'expired' | 'revoked'
  message: string
}

export type AuthenticationResult = AuthenticatedUser | AuthenticationRefusal

export class UsherService extends WorkerEntrypoint<Bindings> {
  /** Who holds this access token (realm-web's `user.accessToken`), checked against the live session. */
  async authenticate(accessToken: string): Promise<AuthenticationResult> {
    if (typeof accessToken !== 'string' || accessToken.length > 16_384) {
      return { ok: false, reason: 'invalid', message: 'invalid session: invalid access token' }
    }
    const usher = createUsher(this.env, undefined, (task) => this.ctx.waitUntil(task))
    const inspected = await inspectAccessToken(usher, accessToken, true)
    if (!inspected.ok) return { ok: false, reason: inspected.reason, message: inspected.message }
    const identities = JSON.parse(inspected.identities ?? '[]') as [string, ProviderType][]
    return {
      ok: true,
      userId: inspected.user.id,
      type: inspected.user.type,
      identities: identities.map(([id, providerType]) => ({ id, providerType })),
      // Stored as JSON (users/custom-data.ts): JSON values only.
      customData: inspected.user.customData as AuthenticatedUser['customData'],
      sessionId: inspected.session.id,
      expiresAt: new Date(inspected.claims.exp * 1000).toISOString(),
    }
  }
}
