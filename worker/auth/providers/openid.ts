/**
 * @module auth/providers/openid
 * OpenID Connect the standard way, for Google and Apple (and any JWKS a provider names): the issuer's
 * discovery document gives `jwks_uri`, `authorization_endpoint` and `token_endpoint`; keys come from the
 * JWKS through jose's `createRemoteJWKSet`, cached per isolate (refetched on an unknown `kid` at most every
 * 30 s, kept at most 10 minutes) with a 5-second timeout; id tokens are verified for signature, algorithm,
 * issuer, audience, expiry (60 s of clock skew) and, in redirect flows, nonce.
 *
 * An issuer that cannot be reached, times out or answers garbage is a refusal of the login (401 AuthError
 * with the reason), never a 500.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { z } from 'zod'
import { describeFailure, errors, UsherError } from '../../errors'

const TIMEOUT_MS = 5_000
const DISCOVERY_TTL_MS = 60 * 60 * 1000
export const CLOCK_SKEW_SECONDS = 60

const discoveryDocument = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.url(),
  authorization_endpoint: z.url().optional(),
  token_endpoint: z.url().optional(),
})
type Discovery = z.infer<typeof discoveryDocument>

const discoveries = new Map<string, { at: number; document: Promise<Discovery> }>()
const keySets = new Map<string, JWTVerifyGetKey>()

/** The issuer's discovery document (cached per isolate for an hour; a failure is not cached). */
export function discover(issuer: string, now = Date.now()): Promise<Discovery> {
  const cached = discoveries.get(issuer)
  if (cached && now - cached.at < DISCOVERY_TTL_MS) return cached.document
  const document = fetchDiscovery(issuer)
  discoveries.set(issuer, { at: now, document })
  document.catch(() => discoveries.delete(issuer))
  return document
}

async function fetchDiscovery(issuer: string): Promise<Discovery> {
  let body: unknown
  try {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    body = await response.json()
  } catch (error) {
    throw errors.providerRefused(`could not read the OpenID configuration of ${issuer}: ${describe(error)}`)
  }
  const parsed = discoveryDocument.safeParse(body)
  if (!parsed.success) throw errors.providerRefused(`the OpenID configuration of ${issuer} is not usable (no jwks_uri)`)
  return parsed.data
}

/** The key set at `jwksUri`, one per isolate (jose caches its keys). */
export function keySet(jwksUri: string): JWTVerifyGetKey {
  let keys = keySets.get(jwksUri)
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 600_000 })
    keySets.set(jwksUri, keys)
  }
  return keys
}

/** A provider call's failure in a few words (jose's JWKS timeout counts as a timeout). */
export function describe(error: unknown): string {
  return error instanceof joseErrors.JWKSTimeout ? 'timed out' : describeFailure(error, 'timed out')
}

/** The reason a token failed verification, in App Services' words where they are known. */
export function refusalOf(error: unknown, prefix: string): UsherError {
  if (error instanceof UsherError) return error
  const refuse = (why: string) => errors.providerRefused(`${prefix}${why}`)
  if (error instanceof joseErrors.JWTExpired) return refuse('token is expired')
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return refuse(error.reason === 'missing' ? `expected field '${error.claim}' to be in token` : `'${error.claim}' is not valid: ${error.message}`)
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return refuse('signature is invalid')
  if (error instanceof joseErrors.JWKSNoMatchingKey) return refuse("no key of the issuer matches the token's kid")
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return refuse('signing algorithm not allowed')
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return refuse(`token is malformed: ${error.message}`)
  if (error instanceof joseErrors.JWKSTimeout) return refuse("the issuer's keys could not be fetched: timed out")
  if (error instanceof joseErrors.JOSEError) return refuse(`the issuer's keys could not be used: ${error.message}`)
  return refuse(describe(error))
}

/**
 * Verify an id token from `issuers` for one of `audiences` (signature with the issuer's JWKS, RS256 or
 * ES256). Refusals are App Services' texts after `prefix`.
 */
export async function verifyIdToken(
  token: string,
  expected: { issuer: string; alsoIssuers?: string[]; audiences: string[]; nonce?: string; prefix: string },
): Promise<JWTPayload & { sub: string }> {
  if (token.split('.').length !== 3) throw errors.providerRefused(`${expected.prefix}token contains an invalid number of segments`)
  const discovery = await discover(expected.issuer)
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, keySet(discovery.jwks_uri), {
      algorithms: ['RS256', 'ES256'],
      issuer: [discovery.issuer, ...(expected.alsoIssuers ?? [])],
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['sub', 'exp', 'aud', 'iss'],
    }))
  } catch (error) {
    throw refusalOf(error, expected.prefix)
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if (!audiences.some((aud) => aud !== undefined && expected.audiences.includes(aud))) {
    throw errors.providerRefused(`${expected.prefix}'aud' must be a string containing the client_id`)
  }
  if (expected.nonce !== undefined && payload.nonce !== expected.nonce) {
    throw errors.providerRefused(`${expected.prefix}the nonce does not match this sign-in`)
  }
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 256) {
    throw errors.providerRefused(`${expected.prefix}'sub' is missing`)
  }
  return payload as JWTPayload & { sub: string }
}

/** Claims copied into the user's data when present (App Services' metadata names). */
export function pick(source: Record<string, unknown>, fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [from, to] of Object.entries(fields)) {
    const value = source[from]
    if (value !== undefined && value !== null && value !== '') out[to] = value
  }
  return out
}
