/**
 * @module auth/providers/google
 * `oauth2-google`: Google Sign-In, with the keys and endpoints of the OpenID issuer (GOOGLE_OPENID_ISSUER,
 * default https://accounts.google.com, whose tokens may also say `accounts.google.com`).
 * - `{id_token}` (One Tap, Sign in with Google): verified for signature, issuer, `aud` = GOOGLE_CLIENT_ID, expiry;
 * - `{authCode}` (a code from Google's code client): exchanged at the issuer's token endpoint with
 *   GOOGLE_CLIENT_SECRET and GOOGLE_AUTH_CODE_REDIRECT_URI (`postmessage` for Google's popup code client);
 * - the redirect flow (auth/providers/oauth-redirect.ts): authorization code + PKCE + state + nonce.
 * Metadata: `name`, `first_name`, `last_name`, `picture`, `email` where Google gives them.
 *
 * @example realm-web: `Realm.Credentials.google({ idToken })`, `google({ authCode })`, `google({ redirectUrl })`
 */
import { z } from 'zod'
import type { Usher } from '../../context'
import { errors } from '../../errors'
import type { ExternalIdentity } from './external-identities'
import { authorizationRequest, exchangeCodeForIdToken, type RedirectProvider } from './oauth-client'
import { discover, pick, verifyIdToken } from './openid'

export const body = z.strictObject({ id_token: z.string().max(16_384).optional(), authCode: z.string().max(4096).optional() })

const METADATA = { name: 'name', given_name: 'first_name', family_name: 'last_name', picture: 'picture', email: 'email' }
const PREFIX = 'invalid id token: '

async function fromIdToken(usher: Usher, idToken: string, nonce?: string): Promise<ExternalIdentity> {
  const { clientId, issuer } = usher.config.providers.google
  const claims = await verifyIdToken(idToken, {
    issuer,
    alsoIssuers: issuer === 'https://accounts.google.com' ? ['accounts.google.com'] : [],
    audiences: [clientId!],
    nonce,
    prefix: PREFIX,
  })
  return { provider: 'oauth2-google', externalId: claims.sub, metadata: pick(claims, METADATA) }
}

export async function verify(usher: Usher, input: z.infer<typeof body>): Promise<ExternalIdentity> {
  if (input.id_token) return fromIdToken(usher, input.id_token)
  if (input.authCode) {
    const { clientId, clientSecret, issuer, authCodeRedirectUri } = usher.config.providers.google
    const { token_endpoint } = await discover(issuer)
    const idToken = await exchangeCodeForIdToken(token_endpoint, { code: input.authCode, redirectUri: authCodeRedirectUri }, { clientId: clientId!, clientSecret: clientSecret ?? '' })
    return fromIdToken(usher, idToken)
  }
  throw errors.invalidParameter('expected either accessToken, id_token or authCode in payload')
}

export const redirect: RedirectProvider = {
  async authorizationUrl(usher, flow) {
    const { clientId, issuer } = usher.config.providers.google
    const { authorization_endpoint } = await discover(issuer)
    return authorizationRequest(authorization_endpoint!, flow, { clientId: clientId!, scope: 'openid email profile', withNonce: true })
  },
  async complete(usher, callback, flow) {
    const { clientId, clientSecret, issuer } = usher.config.providers.google
    const { token_endpoint } = await discover(issuer)
    const idToken = await exchangeCodeForIdToken(token_endpoint, { code: callback.code, redirectUri: flow.callbackUrl, codeVerifier: flow.codeVerifier }, { clientId: clientId!, clientSecret: clientSecret ?? '' })
    return fromIdToken(usher, idToken, flow.nonce)
  },
}
