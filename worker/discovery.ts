/**
 * @module discovery
 * What an app's own backend needs to check Usher's access tokens offline, in the standard places:
 * - `GET /.well-known/jwks.json`: the public signing keys (current and previous; never private material);
 * - `GET /.well-known/openid-configuration`: `issuer`, `jwks_uri` and the signing algorithms, so JWKS-aware
 *   libraries (jose's `createRemoteJWKSet`, Hono's `jwk` middleware, express-jwt, PyJWT) configure themselves.
 * Usher issues access tokens only (no OpenID Connect login endpoints), and says so by listing none.
 *
 * Caching: clients may keep the key set 5 minutes. A rotation publishes the new key at once; libraries refetch
 * on an unknown `kid`. An emergency revocation stops Usher accepting the old key at once, while an offline
 * verifier may keep accepting it until its cached copy expires (README "Checking users in your backend").
 */
import { Hono } from 'hono'
import { publishedKeys } from './auth/signing-keys'
import { SIGNING_ALGORITHMS } from './db/schema'
import type { AppEnv } from './env'

const CACHE = 'public, max-age=300, stale-while-revalidate=60'

export const discovery = new Hono<AppEnv>()
  .get('/.well-known/jwks.json', async (c) => {
    const keys = await publishedKeys(c.var.usher)
    return c.json(keys, 200, { 'cache-control': CACHE, 'access-control-allow-origin': '*' })
  })
  .get('/.well-known/openid-configuration', (c) => {
    const issuer = c.var.usher.origin
    return c.json(
      {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
        token_endpoint_auth_methods_supported: [],
        response_types_supported: [],
        subject_types_supported: ['public'],
        claims_supported: ['iss', 'aud', 'sub', 'exp', 'iat', 'sid', 'typ', 'user_data', 'baas_device_id', 'baas_domain_id'],
        usher_access_token_audience: c.var.usher.config.appId,
      },
      200,
      { 'cache-control': CACHE, 'access-control-allow-origin': '*' },
    )
  })
