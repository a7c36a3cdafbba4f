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
import { exchangeCode, type RedirectProvider } from './oauth-client'
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
    audienceRefusal: `${PREFIX}'aud' must be a string containing the client_id`,
  })
  return { provider: 'oauth2-google', externalId: claims.sub, metadata: pick(claims, METADATA) }
}

export async function verify(usher: Usher, input: z.infer<typeof body>): Promise<ExternalIdentity> {
  if (input.id_token) return fromIdToken(usher, input.id_token)
  if (input.authCode) {
    const { clientId, clientSecret, issuer, authCodeRedirectUri } = usher.config.providers.google
    const { token_endpoint } = await discover(issuer)
    const tokens = await exchangeCode(token_endpoint, {
      code: input.authCode,
      client_id: clientId!,
      client_secret: clientSecret ?? '',
      redirect_uri: authCodeRedirectUri,
    })
    if (typeof tokens.id_token !== 'string') throw errors.providerRefused('error exchanging access code with OAuth2 provider')
    return fromIdToken(usher, tokens.id_token)
  }
  throw errors.invalidParameter('expected either accessToken, id_token or authCode in payload')
}

export const redirect: RedirectProvider = {
  async authorizationUrl(usher, flow) {
    const { clientId, issuer } = usher.config.providers.google
    const { authorization_endpoint } = await discover(issuer)
    const url = new URL(authorization_endpoint!)
    url.search = new URLSearchParams({
      client_id: clientId!,
      redirect_uri: flow.callbackUrl,
      response_type: 'code',
      scope: 'openid email profile',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: flow.codeChallenge,
      code_challenge_method: 'S256',
    }).toString()
    return url
  },
  async complete(usher, callback, flow) {
    const { clientId, clientSecret, issuer } = usher.config.providers.google
    const { token_endpoint } = await discover(issuer)
    const tokens = await exchangeCode(token_endpoint, {
      code: callback.code,
      client_id: clientId!,
      client_secret: clientSecret ?? '',
      redirect_uri: flow.callbackUrl,
      code_verifier: flow.codeVerifier,
    })
    if (typeof tokens.id_token !== 'string') throw errors.providerRefused('error exchanging access code with OAuth2 provider')
    return fromIdToken(usher, tokens.id_token, flow.nonce)
  },
}
