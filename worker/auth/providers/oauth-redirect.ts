/**
 * @module auth/providers/oauth-redirect
 * The OAuth 2.0 redirect ("popup") flow exactly as realm-web 2.0.1 drives it (reference app-services-2 §3.3):
 *
 * 1. realm-web opens `GET …/auth/providers/oauth2-<p>/login?state=<app state>&redirect=<url>&device=<b64>`
 *    (linking first fetches the same URL with `link=true&providerRedirectHeader=true` and the user's access
 *    token, and opens what `x-baas-location` names). Usher refuses a `redirect` that OAUTH_REDIRECT_URLS does
 *    not list before anything leaves it, stores the flow (its own random state, PKCE verifier sealed, nonce),
 *    and sends the browser to the provider;
 * 2. the provider comes back to `{origin}/api/client/v2.0/auth/callback` (Apple by form POST) with a code and
 *    Usher's state; the flow row is consumed at most once (a replayed state is refused), the code exchanged,
 *    the id token or access token verified, and the user logged in (or the identity linked);
 * 3. Usher redirects to the app's page with `#_baas_client_app_id=…&_baas_state=<app state>&_baas_ua=<access
 *    token>$<refresh token>$<user id>$<device id>` — or `_baas_error=<why>` — which `Realm.handleAuthRedirect()`
 *    hands to the opener.
 */
import { createHash } from 'node:crypto'
import { and, eq, gt } from 'drizzle-orm'
import type { Usher } from '../../context'
import { runBatch, changes } from '../../db/client'
import { oauthFlows, type ExternalProviderType } from '../../db/schema'
import { errors, UsherError } from '../../errors'
import { hashSecret, newId, newSecret, secretMatches, splitCompositeSecret, toBase64Url } from '../crypto'
import { openSecret, sealSecret } from '../key-encryption'
import { authenticateSession, deviceIdFrom, type Authenticated } from '../sessions'
import type { LoginClient } from '../throttle'
import { linkIdentityTo, loginWithIdentity } from './external-identities'
import { EXTERNAL_PROVIDERS, requireEnabled } from './index'

const FLOW_TTL_MS = 10 * 60 * 1000
const APP_STATE = /^[A-Za-z0-9_-]{1,64}$/

/** Usher's callback URL, which every provider must have registered. */
const callbackUrl = (usher: Usher) => `${usher.origin}/api/client/v2.0/auth/callback`

/** realm-web's `device` parameter: base64 of `{platform, …, deviceId}` (a plain 24-hex id here). */
function deviceFrom(param: string | undefined, now: number): string {
  let device: unknown
  try {
    device = param ? (JSON.parse(Buffer.from(param, 'base64').toString('utf8')) as unknown) : undefined
  } catch {
    // Not base64 JSON: the login gets a new device id, as without one.
  }
  return deviceIdFrom({ device }, now)
}

export interface StartRedirect {
  provider: ExternalProviderType
  appState: string | undefined
  redirectUrl: string | undefined
  device: string | undefined
  /** Linking: the authenticated caller. */
  link?: Authenticated
}

/** Step 1: validate, store the flow, and return where to send the browser. */
export async function startRedirect(usher: Usher, start: StartRedirect): Promise<URL> {
  const redirect = EXTERNAL_PROVIDERS[start.provider].redirect
  if (!redirect) throw errors.badRequest(`${start.provider} has no redirect flow: send its credentials to the login route`)
  if (!start.redirectUrl || !usher.config.providers.redirectUrls.includes(start.redirectUrl)) {
    throw errors.badRequest('redirect URL not allowed: list it in OAUTH_REDIRECT_URLS (exactly, scheme and trailing slash included)')
  }
  if (!start.appState || !APP_STATE.test(start.appState)) throw errors.badRequest('state must be 1–64 letters, digits, - or _')
  const now = usher.now()
  const id = newId(now)
  const secret = newSecret()
  const codeVerifier = newSecret()
  const nonce = newSecret()
  const callback = callbackUrl(usher)
  await runBatch(usher.db, [
    usher.db.insert(oauthFlows).values({
      id,
      secretHash: hashSecret(secret),
      provider: start.provider,
      appState: start.appState,
      redirectUrl: start.redirectUrl,
      deviceId: start.link?.session.deviceId ?? deviceFrom(start.device, now),
      codeVerifier: await sealSecret(usher.config.secrets.keyEncryptionKey, codeVerifier, id),
      nonce,
      linkUserId: start.link?.user.id ?? null,
      linkSessionId: start.link?.session.id ?? null,
      createdAt: now,
      expiresAt: now + FLOW_TTL_MS,
    }),
  ])
  return redirect.authorizationUrl(usher, {
    state: `${id}.${secret}`,
    nonce,
    codeChallenge: toBase64Url(createHash('sha256').update(codeVerifier).digest()),
    callbackUrl: callback,
  })
}

export interface CallbackParams {
  state?: string
  code?: string
  error?: string
  errorDescription?: string
  /** Apple's first-authorization user JSON. */
  user?: string
}

/** The app page to send the browser to, with realm-web's `_baas_*` hash. */
function resultUrl(usher: Usher, redirectUrl: string, fields: Record<string, string>): string {
  const hash = Object.entries({ _baas_client_app_id: usher.config.appId, ...fields })
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&')
  return `${redirectUrl.split('#')[0]}#${hash}`
}

/**
 * Steps 2–3: consume the flow (once), finish with the provider, log in or link, and answer where to send the
 * browser. Throws only when the flow cannot be identified (no trustworthy page to send an error to).
 */
export async function completeRedirect(usher: Usher, params: CallbackParams, client: LoginClient): Promise<string> {
  const parts = splitCompositeSecret(params.state ?? '')
  const flow = parts && (await usher.db.select().from(oauthFlows).where(eq(oauthFlows.id, parts.id)).get())
  if (!parts || !flow || !secretMatches(parts.secret, flow.secretHash)) {
    throw errors.badRequest('this sign-in is unknown or was already completed: start it again from the app')
  }
  // Consumed at most once, and only before it expires: a replayed state finds nothing.
  const [consumed] = await runBatch(usher.db, [
    usher.db.delete(oauthFlows).where(and(eq(oauthFlows.id, flow.id), gt(oauthFlows.expiresAt, usher.now()))),
  ])
  if (changes(consumed) === 0) throw errors.badRequest('this sign-in expired or was already completed: start it again from the app')
  const failed = (why: string) => resultUrl(usher, flow.redirectUrl, { _baas_state: flow.appState, _baas_error: why })
  if (params.error || !params.code) {
    return failed(params.errorDescription ?? params.error ?? 'the provider answered without a code')
  }
  try {
    requireEnabled(usher, flow.provider)
    const redirect = EXTERNAL_PROVIDERS[flow.provider].redirect!
    const identity = await redirect.complete(
      usher,
      { code: params.code, user: params.user },
      {
        nonce: flow.nonce,
        codeVerifier: await openSecret(usher.config.secrets.keyEncryptionKey, flow.codeVerifier, flow.id),
        callbackUrl: callbackUrl(usher),
      },
    )
    if (flow.linkUserId && flow.linkSessionId) {
      const caller = await authenticateSession(usher, flow.linkSessionId, flow.linkUserId)
      const linked = await linkIdentityTo(usher, caller, identity)
      return resultUrl(usher, flow.redirectUrl, {
        _baas_state: flow.appState,
        _baas_ua: `${linked.access_token}$$${linked.user_id}$${linked.device_id}`,
        _baas_link: 'ok',
      })
    }
    const session = await loginWithIdentity(usher, identity, flow.deviceId, client)
    return resultUrl(usher, flow.redirectUrl, {
      _baas_state: flow.appState,
      _baas_ua: `${session.access_token}$${session.refresh_token}$${session.user_id}$${session.device_id}`,
    })
  } catch (error) {
    if (error instanceof UsherError && error.status < 500) return failed(error.message)
    throw error
  }
}
