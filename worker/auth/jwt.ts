/**
 * @module auth/jwt
 * HS256 access tokens with the claims realm-web decodes (`sub`, numeric `exp`/`iat`, `user_data`,
 * `baas_device_id`) plus the session id (`sid`), the audience (the app id) and a type claim. Verification
 * allow-lists the algorithm (no `none`, no RS/HS confusion) and checks type, audience and expiry; the
 * caller then checks the session row, which is what makes revocation immediate.
 */
import { errors } from '../errors'

export interface AccessClaims {
  sub: string
  sid: string
  typ: 'access'
  aud: string
  iat: number
  exp: number
  baas_device_id: string
  baas_domain_id: string
  user_data: Record<string, unknown>
}

const encoder = new TextEncoder()
const keys = new Map<string, Promise<CryptoKey>>()

function signingKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ])
    keys.set(secret, key)
  }
  return key
}

// Native base64 (no Buffer polyfill on the hot path: it was a measurable share of a refresh's CPU).
const b64url = (value: string | Uint8Array) =>
  (typeof value === 'string' ? encoder.encode(value) : value).toBase64({ alphabet: 'base64url', omitPadding: true })
const decoder = new TextDecoder()

/** base64url → bytes; undefined for anything that is not base64url. */
function fromB64url(segment: string): Uint8Array | undefined {
  try {
    return Uint8Array.fromBase64(segment, { alphabet: 'base64url' })
  } catch {
    return undefined
  }
}
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))

export async function signAccessToken(claims: AccessClaims, secret: string): Promise<string> {
  const body = `${HEADER}.${b64url(JSON.stringify(claims))}`
  const signature = await crypto.subtle.sign('HMAC', await signingKey(secret), encoder.encode(body))
  return `${body}.${b64url(new Uint8Array(signature))}`
}

const SEGMENT = /^[A-Za-z0-9_-]+$/

function decodeSegment(segment: string): unknown {
  const bytes = fromB64url(segment)
  try {
    return bytes && JSON.parse(decoder.decode(bytes))
  } catch {
    return undefined
  }
}

/**
 * Verify signature, algorithm, type, audience and expiry. Anything wrong is `InvalidSession` (so realm-web
 * refreshes once and, if the refresh token is bad too, logs the user out); expiry has its own message.
 */
export async function verifyAccessToken(
  token: string,
  secret: string,
  audience: string,
  nowSeconds: number,
): Promise<AccessClaims> {
  // Built only when needed: an Error captures a stack trace, which every valid token would pay for.
  const invalid = () => errors.invalidSession('invalid session: invalid access token')
  const parts = token.split('.')
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) throw invalid()
  const [header, payload, signature] = parts as [string, string, string]
  const head = decodeSegment(header) as { alg?: unknown } | undefined
  const signatureBytes = fromB64url(signature)
  if (head?.alg !== 'HS256' || !signatureBytes) throw invalid()
  const valid = await crypto.subtle.verify(
    'HMAC',
    await signingKey(secret),
    signatureBytes,
    encoder.encode(`${header}.${payload}`),
  )
  if (!valid) throw invalid()
  const claims = decodeSegment(payload) as Partial<AccessClaims> | undefined
  if (
    !claims ||
    claims.typ !== 'access' ||
    claims.aud !== audience ||
    typeof claims.sub !== 'string' ||
    typeof claims.sid !== 'string' ||
    typeof claims.exp !== 'number' ||
    typeof claims.iat !== 'number'
  ) {
    throw invalid()
  }
  if (claims.exp <= nowSeconds) throw errors.accessTokenExpired()
  return claims as AccessClaims
}
