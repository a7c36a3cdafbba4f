/**
 * @module auth/providers/apple
 * `oauth2-apple`: Sign in with Apple, with the keys and endpoints of the OpenID issuer (APPLE_OPENID_ISSUER,
 * default https://appleid.apple.com).
 * - `{id_token}` (native apps, Apple's JS): verified for signature, issuer, expiry and `aud` ∈ APPLE_CLIENT_ID
 *   (comma-separated: your bundle ids and Services ID);
 * - the redirect flow: Apple answers with a form POST to Usher's callback (`response_mode=form_post`, needed to
 *   get the name and email); the code is exchanged with a client secret Usher signs itself (ES256 JWT from
 *   APPLE_TEAM_ID, APPLE_KEY_ID and the APPLE_PRIVATE_KEY secret, the `.p8` key), for the first client id.
 * Metadata: `email` when Apple shares it, and on the very first authorization the name Apple posts once.
 *
 * @example realm-web: `Realm.Credentials.apple(idToken)`, `Realm.Credentials.apple('https://app.example/callback')`
 */
import { importPKCS8, SignJWT } from 'jose'
import { z } from 'zod'
import type { Usher } from '../../context'
import { errors } from '../../errors'
import type { ExternalIdentity } from './external-identities'
import { authorizationRequest, exchangeCodeForIdToken, type RedirectProvider } from './oauth-client'
import { discover, pick, verifyIdToken } from './openid'

export const body = z.strictObject({ id_token: z.string().max(16_384).optional() })

const PREFIX = 'invalid apple id token: '

async function fromIdToken(usher: Usher, idToken: string, nonce?: string, user?: string): Promise<ExternalIdentity> {
  const { clientIds, issuer } = usher.config.providers.apple
  const claims = await verifyIdToken(idToken, {
    issuer,
    audiences: clientIds,
    nonce,
    prefix: PREFIX,
  })
  const metadata = pick(claims, { email: 'email' })
  // Apple posts the user's name once, on the first authorization, beside the code: keep it then.
  try {
    const name = (user ? (JSON.parse(user) as { name?: { firstName?: unknown; lastName?: unknown } }) : {}).name
    Object.assign(metadata, pick({ firstName: name?.firstName, lastName: name?.lastName }, { firstName: 'first_name', lastName: 'last_name' }))
  } catch {
    // Not JSON: no name, as on every later authorization.
  }
  return { provider: 'oauth2-apple', externalId: claims.sub, metadata }
}

export async function verify(usher: Usher, input: z.infer<typeof body>): Promise<ExternalIdentity> {
  if (!input.id_token) throw errors.invalidParameter('expected either accessToken, id_token or authCode in payload')
  return fromIdToken(usher, input.id_token)
}

/** Apple's client secret: a short-lived ES256 JWT signed with the team's key (Apple accepts up to 6 months). */
async function clientSecret(usher: Usher): Promise<string> {
  const { teamId, keyId, privateKey, clientIds, issuer } = usher.config.providers.apple
  if (!teamId || !keyId || !privateKey) {
    throw errors.providerRefused('Sign in with Apple by redirect needs APPLE_TEAM_ID, APPLE_KEY_ID and the APPLE_PRIVATE_KEY secret')
  }
  const key = await importPKCS8(privateKey, 'ES256')
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: keyId })
    .setIssuer(teamId)
    .setSubject(clientIds[0]!)
    .setAudience(issuer)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key)
}

export const redirect: RedirectProvider = {
  async authorizationUrl(usher, flow) {
    const { clientIds, issuer } = usher.config.providers.apple
    const { authorization_endpoint } = await discover(issuer)
    return authorizationRequest(authorization_endpoint!, flow, {
      clientId: clientIds[0]!,
      // Apple's discovery lists openid, email and name; openid is what lets a nonce be checked.
      scope: 'openid name email',
      withNonce: true,
      extra: { response_mode: 'form_post' },
    })
  },
  async complete(usher, callback, flow) {
    const { clientIds, issuer } = usher.config.providers.apple
    const { token_endpoint } = await discover(issuer)
    const idToken = await exchangeCodeForIdToken(token_endpoint, { code: callback.code, redirectUri: flow.callbackUrl, codeVerifier: flow.codeVerifier }, { clientId: clientIds[0]!, clientSecret: await clientSecret(usher) })
    return fromIdToken(usher, idToken, flow.nonce, callback.user)
  },
}
