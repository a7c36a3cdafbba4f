/**
 * @module auth/providers/oauth-client
 * The OAuth 2.0 client side shared by Google, Apple and Facebook: what a provider module implements to take
 * part in the redirect flow (auth/providers/oauth-redirect.ts), and the authorization-code exchange at a
 * token endpoint. Plain `fetch` with a timeout: the three providers' token endpoints are fixed, standard
 * form posts; jose verifies what they return.
 */
import type { Usher } from '../../context'
import { errors } from '../../errors'
import type { ExternalIdentity } from './external-identities'
import { describe } from './openid'

/** What the provider's authorization request carries (PKCE S256, state, nonce). */
export interface FlowRequest {
  /** Sent to the provider and back: `<flow id>.<secret>` (auth/providers/oauth-redirect.ts). */
  state: string
  nonce: string
  codeChallenge: string
  /** Usher's callback: `{PUBLIC_URL}/api/client/v2.0/auth/callback` (register it with the provider). */
  callbackUrl: string
}

/** What completing the flow needs back. */
export interface FlowCompletion {
  nonce: string
  codeVerifier: string
  callbackUrl: string
}

/** The provider's callback parameters (Apple also posts `user`, on the first authorization only). */
export interface Callback {
  code: string
  user?: string
}

export interface RedirectProvider {
  authorizationUrl(usher: Usher, flow: FlowRequest): Promise<URL>
  complete(usher: Usher, callback: Callback, flow: FlowCompletion): Promise<ExternalIdentity>
}

const TIMEOUT_MS = 10_000

/**
 * The provider's authorization URL for this flow: the authorization-code request with PKCE (S256) and the
 * state, plus the nonce for OpenID providers and whatever else the provider wants (`extra`).
 */
export function authorizationRequest(
  endpoint: string,
  flow: FlowRequest,
  request: { clientId: string; scope: string; withNonce: boolean; extra?: Record<string, string> },
): URL {
  const url = new URL(endpoint)
  url.search = new URLSearchParams({
    client_id: request.clientId,
    redirect_uri: flow.callbackUrl,
    response_type: 'code',
    ...request.extra,
    scope: request.scope,
    state: flow.state,
    ...(request.withNonce && { nonce: flow.nonce }),
    code_challenge: flow.codeChallenge,
    code_challenge_method: 'S256',
  }).toString()
  return url
}

/** An OpenID provider's code exchange: the ID token it answers with, or App Services' exchange error. */
export async function exchangeCodeForIdToken(
  tokenEndpoint: string | undefined,
  grant: { code: string; redirectUri: string; codeVerifier?: string },
  client: { clientId: string; clientSecret: string },
): Promise<string> {
  const tokens = await exchangeCode(tokenEndpoint, {
    code: grant.code,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uri: grant.redirectUri,
    ...(grant.codeVerifier !== undefined && { code_verifier: grant.codeVerifier }),
  })
  if (typeof tokens.id_token !== 'string') throw errors.providerRefused('error exchanging access code with OAuth2 provider')
  return tokens.id_token
}

/** POST an authorization code to a token endpoint; any failure is App Services' exchange error. */
async function exchangeCode(tokenEndpoint: string | undefined, form: Record<string, string>): Promise<Record<string, unknown>> {
  if (!tokenEndpoint) throw errors.providerRefused('error exchanging access code with OAuth2 provider: no token endpoint')
  let response: Response
  try {
    response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', ...form }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'manual',
    })
  } catch (error) {
    throw errors.providerRefused(`error exchanging access code with OAuth2 provider: ${describe(error)}`)
  }
  const answer = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (!response.ok || !answer) {
    const reason = typeof answer?.error === 'string' ? `: ${answer.error}` : ` (HTTP ${response.status})`
    throw errors.providerRefused(`error exchanging access code with OAuth2 provider${reason}`)
  }
  return answer
}

/** GET JSON from a provider API (Facebook's Graph), with a timeout; a failure refuses the login. */
export async function getJson(url: URL, what: string): Promise<Record<string, unknown>> {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual', headers: { accept: 'application/json' } })
  } catch (error) {
    throw errors.providerRefused(`${what} could not be reached: ${describe(error)}`)
  }
  const answer = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (!answer || typeof answer !== 'object') throw errors.providerRefused(`${what} answered something that is not JSON (HTTP ${response.status})`)
  const error = answer.error as { message?: unknown } | undefined
  if (!response.ok || error) {
    throw errors.providerRefused(`${what} refused: ${typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`}`)
  }
  return answer
}
