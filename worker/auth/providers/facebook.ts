/**
 * @module auth/providers/facebook
 * `oauth2-facebook`: Facebook Login through the Graph API (FACEBOOK_GRAPH_URL, default
 * https://graph.facebook.com/v25.0).
 * - `{accessToken}`: checked with the Graph's token inspection (`debug_token`, with the app token
 *   `FACEBOOK_APP_ID|FACEBOOK_APP_SECRET`): valid, a user token, issued to this app; then the profile from `me`,
 *   signed with `appsecret_proof`;
 * - the redirect flow: Facebook's login dialog (FACEBOOK_DIALOG_URL), then the code exchanged for a token.
 * Metadata: `name`, `first_name`, `last_name`, `picture`, `email`, `gender`, `birthday`, `min_age`,
 * `max_age`, as App Services collected them (each only when the user granted it).
 *
 * @example realm-web: `Realm.Credentials.facebook(accessToken)`, `Realm.Credentials.facebook('https://app.example/cb')`
 */
import { createHmac } from 'node:crypto'
import { z } from 'zod'
import type { Usher } from '../../context'
import { errors } from '../../errors'
import { EXTERNAL_ID_MAX, type ExternalIdentity } from './external-identities'
import { authorizationRequest, getJson, type RedirectProvider } from './oauth-client'
import { pick } from './openid'

export const body = z.strictObject({ accessToken: z.string().max(4096).optional() })

const FIELDS = 'id,name,first_name,last_name,email,picture,gender,birthday,age_range'

async function fromAccessToken(usher: Usher, accessToken: string): Promise<ExternalIdentity> {
  const { appId, appSecret, graphUrl } = usher.config.providers.facebook
  const inspection = new URL(`${graphUrl}/debug_token`)
  inspection.search = new URLSearchParams({ input_token: accessToken, access_token: `${appId}|${appSecret}` }).toString()
  const { data } = (await getJson(inspection, "Facebook's token inspection")) as {
    data?: { is_valid?: unknown; app_id?: unknown; type?: unknown; user_id?: unknown }
  }
  if (data?.is_valid !== true) throw errors.providerRefused('invalid Facebook access token')
  if (String(data.app_id) !== appId) throw errors.providerRefused('the Facebook access token was issued to another app')
  if (data.type !== undefined && data.type !== 'USER') throw errors.providerRefused('the Facebook access token is not a user token')
  const userId = String(data.user_id ?? '')
  if (!userId || userId.length > EXTERNAL_ID_MAX) throw errors.providerRefused('invalid Facebook access token: no user')
  const me = new URL(`${graphUrl}/me`)
  me.search = new URLSearchParams({
    fields: FIELDS,
    access_token: accessToken,
    appsecret_proof: createHmac('sha256', appSecret!).update(accessToken).digest('hex'),
  }).toString()
  const profile = await getJson(me, "Facebook's profile (me)")
  if (String(profile.id) !== userId) throw errors.providerRefused('the Facebook profile does not belong to the token')
  const picture = (profile.picture as { data?: { url?: unknown } } | undefined)?.data?.url
  const ages = profile.age_range as { min?: unknown; max?: unknown } | undefined
  const metadata = pick(
    { ...profile, picture, min_age: ages?.min, max_age: ages?.max },
    { name: 'name', first_name: 'first_name', last_name: 'last_name', email: 'email', picture: 'picture', gender: 'gender', birthday: 'birthday', min_age: 'min_age', max_age: 'max_age' },
  )
  return { provider: 'oauth2-facebook', externalId: userId, metadata }
}

export async function verify(usher: Usher, input: z.infer<typeof body>): Promise<ExternalIdentity> {
  if (!input.accessToken) throw errors.invalidParameter('expected either accessToken, id_token or authCode in payload')
  return fromAccessToken(usher, input.accessToken)
}

export const redirect: RedirectProvider = {
  async authorizationUrl(usher, flow) {
    const { appId, dialogUrl } = usher.config.providers.facebook
    return authorizationRequest(dialogUrl, flow, { clientId: appId!, scope: 'email,public_profile', withNonce: false })
  },
  async complete(usher, callback, flow) {
    const { appId, appSecret, graphUrl } = usher.config.providers.facebook
    const exchange = new URL(`${graphUrl}/oauth/access_token`)
    exchange.search = new URLSearchParams({
      client_id: appId!,
      client_secret: appSecret!,
      redirect_uri: flow.callbackUrl,
      code: callback.code,
      code_verifier: flow.codeVerifier,
    }).toString()
    const tokens = await getJson(exchange, "Facebook's code exchange")
    if (typeof tokens.access_token !== 'string') throw errors.providerRefused('error exchanging access code with OAuth2 provider')
    return fromAccessToken(usher, tokens.access_token)
  },
}
