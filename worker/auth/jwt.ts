/**
 * @module auth/jwt
 * Access tokens as JWTs, through `jose`: signed with the current signing key (auth/signing-keys.ts), header
 * `{alg, kid, typ: "JWT"}`, with the claims realm-web decodes (`sub`, numeric `exp`/`iat`, `user_data`,
 * `baas_device_id`), the session id (`sid`), `typ: "access"`, `aud` = APP_ID and `iss` = the deployment's
 * public origin.
 *
 * Reading a token is two steps, so the caller can fetch the key and the session in one query:
 * `parseAccessToken` checks the shape without trusting anything (algorithm allow-list, no key material in
 * the header, canonical base64url), then `verifyAccessToken` checks signature, audience, issuer and expiry.
 * A client presents the same access token for up to 30 minutes, so each isolate remembers the tokens it
 * verified (`recallAccessToken`): the next request with the same token skips parsing and the signature
 * check, and only its expiry is checked again. Key state and session are still read on every request.
 */
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../db/schema'
import type { Signer } from './signing-keys'

export interface AccessClaims {
  sub: string
  sid: string
  typ: 'access'
  iss?: string
  aud: string
  iat: number
  exp: number
  baas_device_id: string
  baas_domain_id: string
  user_data: Record<string, unknown>
}

export async function signAccessToken(claims: AccessClaims, signer: Signer): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: signer.algorithm, kid: signer.kid, typ: 'JWT' }).sign(signer.key)
}

/** A token whose shape is acceptable, not yet verified: what to look up to verify it. */
export interface ParsedToken {
  token: string
  kid: string
  algorithm: SigningAlgorithm
  /** The session the (unverified) token names: only used to fetch its row in the same query as the key. */
  sid: string
}

/** Header parameters Usher's tokens carry; anything else (`jwk`, `jku`, `x5u`, `x5c`, `crit`…) is refused. */
const HEADER_PARAMETERS = new Set(['alg', 'kid', 'typ'])
const SEGMENTS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)$/

/** A signature segment has exactly one base64url spelling: no variant of the last character verifies. */
function canonical(segment: string): boolean {
  try {
    const bytes = Uint8Array.fromBase64(segment, { alphabet: 'base64url' })
    return bytes.toBase64({ alphabet: 'base64url', omitPadding: true }) === segment
  } catch {
    return false
  }
}

/** The token's shape, or undefined when it cannot be one of Usher's tokens. Trusts nothing it reads. */
export function parseAccessToken(token: string): ParsedToken | undefined {
  const signature = SEGMENTS.exec(token)?.[1]
  if (!signature || !canonical(signature)) return undefined
  try {
    const header = decodeProtectedHeader(token)
    const claims = decodeJwt(token)
    if (Object.keys(header).some((name) => !HEADER_PARAMETERS.has(name))) return undefined
    const algorithm = header.alg as SigningAlgorithm
    if (!SIGNING_ALGORITHMS.includes(algorithm) || typeof header.kid !== 'string' || header.kid.length > 128) return undefined
    if (typeof claims.sid !== 'string' || !/^[0-9a-f]{24}$/.test(claims.sid)) return undefined
    return { token, kid: header.kid, algorithm, sid: claims.sid }
  } catch {
    return undefined
  }
}

export type Verified = { ok: true; claims: AccessClaims } | { ok: false; reason: 'invalid' | 'expired' }

export interface Expected {
  audience: string
  issuer?: string
  nowSeconds: number
}

/**
 * Tokens verified in this isolate, by their exact text (a token differing in any character is not found),
 * with what they were verified against. Bounded: the oldest is forgotten first.
 */
const remembered = new Map<string, { parsed: ParsedToken; claims: AccessClaims; audience: string; issuer?: string }>()
const REMEMBERED_TOKENS = 1024

/**
 * A token this isolate already verified against the same audience and issuer: its parts and its verdict
 * now (expiry is checked against `nowSeconds` again, as `jwtVerify` would). Undefined: parse and verify it.
 */
export function recallAccessToken(token: string, expected: Expected): { parsed: ParsedToken; verified: Verified } | undefined {
  const known = remembered.get(token)
  if (!known || known.audience !== expected.audience || known.issuer !== expected.issuer) return undefined
  if (known.claims.exp <= expected.nowSeconds) {
    remembered.delete(token)
    return { parsed: known.parsed, verified: { ok: false, reason: 'expired' } }
  }
  return { parsed: known.parsed, verified: { ok: true, claims: known.claims } }
}

/** Frozen: every later request with this token gets the same claims object. */
function remember(parsed: ParsedToken, claims: AccessClaims, expected: Expected) {
  if (remembered.size >= REMEMBERED_TOKENS) remembered.delete(remembered.keys().next().value!)
  Object.freeze(claims.user_data)
  remembered.set(parsed.token, { parsed, claims: Object.freeze(claims), audience: expected.audience, issuer: expected.issuer })
}

/**
 * Verify signature (with the key for the token's kid and algorithm), then `aud`, `iss` (when the deployment
 * has a fixed public URL), `typ` and expiry. Never throws for a bad token.
 */
export async function verifyAccessToken(parsed: ParsedToken, key: CryptoKey, expected: Expected): Promise<Verified> {
  try {
    const { payload } = await jwtVerify(parsed.token, key, {
      algorithms: [parsed.algorithm],
      audience: expected.audience,
      issuer: expected.issuer,
      typ: 'JWT',
      currentDate: new Date(expected.nowSeconds * 1000),
      requiredClaims: ['sub', 'exp', 'iat'],
    })
    const claims = payload as Partial<AccessClaims>
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || claims.sid !== parsed.sid) {
      return { ok: false, reason: 'invalid' }
    }
    remember(parsed, claims as AccessClaims, expected)
    return { ok: true, claims: claims as AccessClaims }
  } catch (error) {
    return { ok: false, reason: error instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' }
  }
}
