/**
 * @module auth/providers/custom-jwt
 * `custom-token`: a JWT from the app's own identity provider (Auth0, Firebase, Cognito, Clerk…), as App
 * Services checked it. The algorithm is exactly CUSTOM_JWT_SIGNING_ALGORITHM (no HS/RS confusion, never
 * `none`); keys are the CUSTOM_JWT_SIGNING_KEYS secret (up to three HS256 secrets or RS256 PEM public keys,
 * any of which may have signed) or the JWKS at CUSTOM_JWT_JWK_URI (RS256, `kid` required); `aud`, `sub` and
 * `exp` are required, `nbf`/`iat` honoured, with 60 s of clock skew. The audience rule is App Services': the
 * token must carry every configured audience, or any one with CUSTOM_JWT_REQUIRE_ANY_AUDIENCE=true (no
 * setting: the APP_ID). `metadata_fields` copy claims (dot paths, `\.` for a literal dot) into the user's
 * data, and a required one that is missing refuses the login.
 *
 * @example realm-web: `app.logIn(Realm.Credentials.jwt(token))` → `{ token }`
 */
import { decodeProtectedHeader, errors as joseErrors, importSPKI, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { z } from 'zod'
import type { Usher } from '../../context'
import type { ProvidersConfig } from '../../config/providers'
import { errors } from '../../errors'
import { EXTERNAL_ID_MAX, type ExternalIdentity } from './external-identities'
import { CLOCK_SKEW_SECONDS, keySet, refusalOf } from './openid'

export const body = z.strictObject({ token: z.string().max(1_000_000) })

/** App Services: at most 4096 characters per metadata value. */
const METADATA_VALUE_MAX = 4096

const encoder = new TextEncoder()
const pemKeys = new Map<string, Promise<CryptoKey>>()

function keysFor(config: ProvidersConfig['customJwt']): (Uint8Array | Promise<CryptoKey> | JWTVerifyGetKey)[] {
  if (config.jwkUri) return [keySet(config.jwkUri)]
  if (config.algorithm === 'HS256') return config.signingKeys.map((secret) => encoder.encode(secret))
  return config.signingKeys.map((pem) => {
    let key = pemKeys.get(pem)
    if (!key) pemKeys.set(pem, (key = importSPKI(pem, 'RS256')))
    return key
  })
}

/** Verify with each configured key in turn: the first whose signature verifies decides (claims included). */
async function verified(token: string, config: ProvidersConfig['customJwt']): Promise<JWTPayload> {
  const header = (() => {
    try {
      return decodeProtectedHeader(token)
    } catch {
      throw errors.providerRefused('token contains an invalid number of segments')
    }
  })()
  if (header.alg !== config.algorithm) {
    throw errors.providerRefused(`signing method ${String(header.alg)} is invalid: this app expects ${config.algorithm}`)
  }
  if (config.jwkUri && typeof header.kid !== 'string') throw errors.providerRefused("token has no 'kid' header: the JWK URI needs one")
  let failure: unknown
  for (const key of keysFor(config)) {
    try {
      const resolved = typeof key === 'function' ? key : await key
      const { payload } = await jwtVerify(token, resolved as Parameters<typeof jwtVerify>[1], {
        algorithms: [config.algorithm],
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['aud', 'sub', 'exp'],
      })
      return payload
    } catch (error) {
      // Another key may have signed it; any other failure (expired, malformed…) is the token's own.
      if (!(error instanceof joseErrors.JWSSignatureVerificationFailed)) throw refusalOf(error, '')
      failure = error
    }
  }
  throw refusalOf(failure, '')
}

/** App Services' audience rule. */
function checkAudience(payload: JWTPayload, config: ProvidersConfig['customJwt']): void {
  const carried = new Set(Array.isArray(payload.aud) ? payload.aud : [payload.aud])
  const missing = config.audiences.filter((audience) => !carried.has(audience))
  if (config.requireAnyAudience ? missing.length === config.audiences.length : missing.length > 0) {
    throw errors.providerRefused(`'${(config.requireAnyAudience ? config.audiences : missing).join("', '")}' not found in 'aud' claim`)
  }
}

/** The value at a dot path of the payload, or undefined. */
function at(payload: unknown, path: string[]): unknown {
  let value: unknown = payload
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

export async function verify(usher: Usher, input: z.infer<typeof body>): Promise<ExternalIdentity> {
  const config = usher.config.providers.customJwt
  const payload = await verified(input.token, config)
  checkAudience(payload, config)
  const sub = payload.sub
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > EXTERNAL_ID_MAX) {
    throw errors.providerRefused("expected field 'sub' to be in token metadata")
  }
  const metadata: Record<string, unknown> = {}
  for (const field of config.metadataFields) {
    const value = at(payload, field.path)
    if (value === undefined || value === null) {
      if (field.required) throw errors.providerRefused(`expected field '${field.path.join('.')}' to be in token metadata`)
      continue
    }
    if (JSON.stringify(value).length > METADATA_VALUE_MAX) {
      throw errors.providerRefused(`token metadata field '${field.path.join('.')}' is longer than ${METADATA_VALUE_MAX} characters`)
    }
    metadata[field.fieldName] = value
  }
  return { provider: 'custom-token', externalId: sub, metadata }
}
