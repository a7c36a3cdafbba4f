/**
 * Every App Services login provider with the unmodified realm-web client, against the real worker over HTTP
 * and real parts: a real OpenID Provider (oidc-provider) as Google and as Apple, a JWKS server for the custom
 * JWT, the app's authentication function as a signed webhook, and a Graph-compatible endpoint standing in for
 * Facebook's cloud. Each provider logs in (the same external account is always the same user) and links to
 * an existing user; the hostile cases (wrong audience, expired, alg none, HS/RS confusion, unknown kid, a JWKS
 * that hangs or answers garbage, a function that hangs, an unlisted redirect URL, a replayed state, an
 * identity linked elsewhere) are clear 4xx answers with nothing written. The redirect flow runs here with
 * plain HTTP; test/e2e/oauth-browser.test.ts runs it in a real browser.
 */
import * as Realm from 'realm-web'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminClient } from '../../tui/admin-client'
import { TEST_BINDINGS } from '../bindings'
import { ADMIN_KEY, startUsher } from './harness'
import {
  appleTeamKey,
  loopbackServer,
  startAuthFunction,
  startGraph,
  startJwks,
  startOpenIdProvider,
} from './identity-providers'

type Servers = Record<'google' | 'apple' | 'graph' | 'jwks' | 'fn' | 'app', Awaited<ReturnType<typeof loopbackServer>>>
const servers = {} as Servers
let usher: Awaited<ReturnType<typeof startUsher>>
let google: Awaited<ReturnType<typeof startOpenIdProvider>>
let apple: Awaited<ReturnType<typeof startOpenIdProvider>>
let graph: ReturnType<typeof startGraph>
let jwks: Awaited<ReturnType<typeof startJwks>>
let fn: ReturnType<typeof startAuthFunction>
let app: Realm.App

const GOOGLE = { clientId: 'web-client.apps.googleusercontent.com', secret: 'google-secret-a1b2c3d4e5f6' }
const APPLE = { bundleId: 'com.example.notes', servicesId: 'com.example.notes.web', secret: 'apple-static-secret-9f8e7d' }
const FACEBOOK = { id: '4455667788', secret: 'fb-app-secret-0a1b2c3d4e5f6a7b' }
const accounts = {
  'google-ann': { email: 'ann@gmail.example', name: 'Ann Lee', given_name: 'Ann', family_name: 'Lee', picture: 'https://pics.example/ann.png' },
  'google-bob': { email: 'bob@gmail.example', name: 'Bob Roy' },
  'apple-cid': { email: 'cid@privaterelay.example' },
}

beforeAll(async () => {
  for (const name of ['google', 'apple', 'graph', 'jwks', 'fn', 'app'] as const) servers[name] = await loopbackServer()
  jwks = await startJwks(servers.jwks)
  fn = startAuthFunction(servers.fn, TEST_BINDINGS.FUNCTION_SECRET)
  graph = startGraph(servers.graph, FACEBOOK, [
    { id: '10001', name: 'Dee Fox', first_name: 'Dee', last_name: 'Fox', email: 'dee@fb.example', picture: 'https://pics.example/dee.png', age_range: { min: 21 } },
    { id: '10002', name: 'Eve Ng' },
  ])
  const appleKey = await appleTeamKey()
  usher = await startUsher({
    AUTH_PROVIDERS: 'local-userpass,anon-user,api-key,custom-token,custom-function,oauth2-google,oauth2-apple,oauth2-facebook',
    CUSTOM_JWT_SIGNING_ALGORITHM: 'RS256',
    CUSTOM_JWT_JWK_URI: jwks.url,
    CUSTOM_JWT_METADATA_FIELDS: JSON.stringify([{ required: false, name: 'name', field_name: 'name' }]),
    CUSTOM_FUNCTION_URL: fn.url,
    GOOGLE_CLIENT_ID: GOOGLE.clientId,
    GOOGLE_CLIENT_SECRET: GOOGLE.secret,
    GOOGLE_OPENID_ISSUER: servers.google.origin,
    GOOGLE_AUTH_CODE_REDIRECT_URI: `${servers.app.origin}/code`,
    APPLE_CLIENT_ID: `${APPLE.servicesId},${APPLE.bundleId}`,
    APPLE_OPENID_ISSUER: servers.apple.origin,
    APPLE_TEAM_ID: 'TEAM123456',
    APPLE_KEY_ID: 'KEY1234567',
    APPLE_PRIVATE_KEY: appleKey.pem,
    FACEBOOK_APP_ID: FACEBOOK.id,
    FACEBOOK_APP_SECRET: FACEBOOK.secret,
    FACEBOOK_GRAPH_URL: graph.graphUrl,
    FACEBOOK_DIALOG_URL: graph.dialogUrl,
    OAUTH_REDIRECT_URLS: `${servers.app.origin}/redirect`,
  })
  const callback = `${usher.origin}/api/client/v2.0/auth/callback`
  google = await startOpenIdProvider(servers.google, {
    clientId: GOOGLE.clientId,
    clientSecret: GOOGLE.secret,
    redirectUris: [callback, `${servers.app.origin}/code`],
    pkceExempt: [`${servers.app.origin}/code`],
    accounts,
  })
  apple = await startOpenIdProvider(servers.apple, {
    clientId: APPLE.servicesId,
    clientSecret: APPLE.secret,
    redirectUris: [callback],
    accounts,
    appleClientKey: appleKey.publicKey,
  })
  app = new Realm.App({ id: 'usher-local', baseUrl: usher.origin })
}, 180_000)

afterAll(async () => {
  await usher?.close()
  await Promise.all(Object.values(servers).map((server) => server.close()))
})

const admin = () => createAdminClient({ url: usher.origin, adminKey: ADMIN_KEY })

async function expectRefused(promise: Promise<unknown>, status: number, code: string, message?: string | RegExp) {
  const error = (await promise.then(
    () => expect.unreachable('expected a refusal'),
    (e: unknown) => e,
  )) as Realm.MongoDBRealmError
  expect(error).toBeInstanceOf(Realm.MongoDBRealmError)
  expect({ status: error.statusCode, code: error.errorCode }).toEqual({ status, code })
  if (message) expect(error.error).toMatch(message)
}

const countUsers = async () => (await admin().users.list.query({ limit: 1 })).counts.all
const now = () => Math.floor(Date.now() / 1000)
const jwtClaims = (sub: string) => ({ sub, aud: 'usher-local', exp: now() + 600, name: `JWT ${sub}` })

describe('custom-token (JWKS at CUSTOM_JWT_JWK_URI)', () => {
  // First in the file: the worker's isolate has not fetched this JWKS yet, so these reach the server.
  it('a JWKS that hangs or answers garbage refuses the login with the reason, never a 500', async () => {
    const token = await jwks.sign(jwtClaims('jwt-early'))
    jwks.state.mode = 'hang'
    await expectRefused(app.logIn(Realm.Credentials.jwt(token)), 401, 'AuthError', /timed out/)
    jwks.state.mode = 'garbage'
    await expectRefused(app.logIn(Realm.Credentials.jwt(token)), 401, 'AuthError', /keys could not be used/)
    jwks.state.mode = 'ok'
  }, 30_000)

  it('realm-web logs in; the same sub is the same user, with the mapped metadata', async () => {
    const user = await app.logIn(Realm.Credentials.jwt(await jwks.sign(jwtClaims('jwt-ann'))))
    expect(user.providerType).toBe('custom-token')
    expect(user.identities).toEqual([{ id: 'jwt-ann', providerType: 'custom-token' }])
    expect(user.profile.name).toBe('JWT jwt-ann')
    const again = await app.logIn(Realm.Credentials.jwt(await jwks.sign(jwtClaims('jwt-ann'))))
    expect(again.id).toBe(user.id)
  })

  it('refuses wrong audience, expired, alg none, HS/RS confusion and an unknown kid, writing nothing', async () => {
    const before = await countUsers()
    const hmac = new TextEncoder().encode(JSON.stringify(await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey)))
    const [, payload] = (await jwks.sign(jwtClaims('jwt-x'))).split('.')
    const cases: [string, RegExp][] = [
      [await jwks.sign({ ...jwtClaims('jwt-x'), aud: 'another-app' }), /'usher-local' not found in 'aud' claim/],
      [await jwks.sign({ ...jwtClaims('jwt-x'), exp: now() - 300 }), /token is expired/],
      [`${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`, /signing method none is invalid/],
      [await new SignJWT(jwtClaims('jwt-x')).setProtectedHeader({ alg: 'HS256' }).sign(hmac), /signing method HS256 is invalid/],
      [await jwks.sign(jwtClaims('jwt-x'), { kid: 'no-such-kid' }), /no key of the issuer matches|keys could not be used/],
    ]
    for (const [token, message] of cases) await expectRefused(app.logIn(Realm.Credentials.jwt(token)), 401, 'AuthError', message)
    expect(await countUsers()).toBe(before)
  })
})

describe('custom-function (a signed webhook)', () => {
  it('realm-web logs in with any payload; the function gets it as canonical EJSON, signed', async () => {
    fn.state.answer = (payload) => ({ id: `fn-${String(payload.userId)}`, name: 'Function Fay' })
    const user = await app.logIn(Realm.Credentials.function({ userId: 'fay', pin: 1234 }))
    expect(fn.state.received.at(-1)).toEqual({ userId: 'fay', pin: { $numberInt: '1234' } })
    expect(user.identities).toEqual([{ id: 'fn-fay', providerType: 'custom-function' }])
    expect(user.profile.name).toBe('Function Fay')
    expect((await app.logIn(Realm.Credentials.function({ userId: 'fay', pin: 1234 }))).id).toBe(user.id)
  })

  it("an error answer is 401 with the function's message; a function that hangs is refused after 10 s", async () => {
    const before = await countUsers()
    fn.state.answer = () => ({ error: 'wrong pin' })
    await expectRefused(app.logIn(Realm.Credentials.function({ userId: 'fay', pin: 0 })), 401, 'AuthError', 'error executing auth function: {"message":"wrong pin","name":"Error"}')
    fn.state.hang = true
    await expectRefused(app.logIn(Realm.Credentials.function({ userId: 'gus' })), 401, 'AuthError', /timed out after 10 s/)
    fn.state.hang = false
    expect(await countUsers()).toBe(before)
  }, 30_000)
})

describe('Google, Apple and Facebook with tokens', () => {
  it('google({ idToken }): verified against the issuer’s keys; metadata lands in the profile', async () => {
    const user = await app.logIn(Realm.Credentials.google({ idToken: await google.idToken('google-ann') }))
    expect(user.providerType).toBe('oauth2-google')
    expect(user.profile).toMatchObject({ name: 'Ann Lee', firstName: 'Ann', lastName: 'Lee', pictureUrl: 'https://pics.example/ann.png', email: 'ann@gmail.example' })
    expect(user.identities).toEqual([{ id: 'google-ann', providerType: 'oauth2-google' }])
  })

  it('google({ authCode }): a code from the provider is exchanged with the client secret', async () => {
    const start = new URL(`${google.issuer}/auth`)
    start.search = new URLSearchParams({
      client_id: GOOGLE.clientId,
      redirect_uri: `${servers.app.origin}/code`,
      response_type: 'code',
      scope: 'openid email profile',
    }).toString()
    const { url } = await google.authorize(start.toString(), 'google-bob')
    const user = await app.logIn(Realm.Credentials.google({ authCode: url.searchParams.get('code')! }))
    expect(user.identities).toEqual([{ id: 'google-bob', providerType: 'oauth2-google' }])
    expect(user.profile).toMatchObject({ name: 'Bob Roy', email: 'bob@gmail.example' })
    // A code is good once; a made-up one is refused with App Services' text.
    await expectRefused(app.logIn(Realm.Credentials.google({ authCode: url.searchParams.get('code')! })), 401, 'AuthError', /error exchanging access code with OAuth2 provider/)
    await expectRefused(app.logIn(Realm.Credentials.google({ authCode: 'not-a-code' })), 401, 'AuthError', /error exchanging access code with OAuth2 provider/)
  })

  it('a Google id token for another client, or expired, is refused with App Services’ text', async () => {
    const foreign = await google.idToken('google-ann', { aud: 'someone-else.apps.googleusercontent.com' })
    await expectRefused(app.logIn(Realm.Credentials.google({ idToken: foreign })), 401, 'AuthError', "invalid id token: 'aud' must be a string containing the client_id")
    const expired = await google.idToken('google-ann', { exp: now() - 3600 })
    await expectRefused(app.logIn(Realm.Credentials.google({ idToken: expired })), 401, 'AuthError', /invalid id token: token is expired/)
  })

  it('apple(idToken): the audience may be the bundle id or the Services ID', async () => {
    const viaBundle = await apple.idToken('apple-cid', { aud: APPLE.bundleId })
    const user = await app.logIn(Realm.Credentials.apple(viaBundle))
    expect(user.identities).toEqual([{ id: 'apple-cid', providerType: 'oauth2-apple' }])
    const viaServices = await apple.idToken('apple-cid')
    expect((await app.logIn(Realm.Credentials.apple(viaServices))).id).toBe(user.id)
    await expectRefused(
      app.logIn(Realm.Credentials.apple(await apple.idToken('apple-cid', { aud: 'com.other.app' }))),
      401,
      'AuthError',
      "invalid apple id token: 'aud' must be a string containing the client_id",
    )
  })

  it('facebook(accessToken): inspected with the app token, profile from me with appsecret_proof', async () => {
    const user = await app.logIn(Realm.Credentials.facebook('token-10001'))
    expect(user.identities).toEqual([{ id: '10001', providerType: 'oauth2-facebook' }])
    expect(user.profile).toMatchObject({ name: 'Dee Fox', firstName: 'Dee', lastName: 'Fox', email: 'dee@fb.example', pictureUrl: 'https://pics.example/dee.png', minAge: 21 })
    await expectRefused(app.logIn(Realm.Credentials.facebook('garbage-token')), 401, 'AuthError', 'invalid Facebook access token')
    await expectRefused(app.logIn(Realm.Credentials.facebook('foreign-10002')), 401, 'AuthError', /issued to another app/)
  })
})

describe('linking each provider to an existing user', () => {
  it('an anonymous user links a JWT, a function, Google, Apple and Facebook; each then logs in as that user', async () => {
    const anon = await app.logIn(Realm.Credentials.anonymous(false))
    fn.state.answer = (payload) => `fn-${String(payload.userId)}`
    await anon.linkCredentials(Realm.Credentials.jwt(await jwks.sign(jwtClaims('jwt-linked'))))
    await anon.linkCredentials(Realm.Credentials.function({ userId: 'linked' }))
    await anon.linkCredentials(Realm.Credentials.google({ idToken: await google.idToken('google-linked') }))
    await anon.linkCredentials(Realm.Credentials.apple(await apple.idToken('apple-linked')))
    await anon.linkCredentials(Realm.Credentials.facebook('token-10002'))
    expect(anon.identities.map((i) => i.providerType)).toEqual(['anon-user', 'custom-token', 'custom-function', 'oauth2-google', 'oauth2-apple', 'oauth2-facebook'])
    for (const credentials of [
      Realm.Credentials.jwt(await jwks.sign(jwtClaims('jwt-linked'))),
      Realm.Credentials.google({ idToken: await google.idToken('google-linked') }),
      Realm.Credentials.facebook('token-10002'),
    ]) {
      expect((await app.logIn(credentials)).id).toBe(anon.id)
    }
    const details = await admin().users.get.query({ userId: anon.id })
    expect(details.identities.map((i) => i.providerType)).toContain('oauth2-apple')
  })

  it('an identity that belongs to another user is refused (409, nothing linked, no refresh loop)', async () => {
    const someoneElse = await app.logIn(Realm.Credentials.anonymous(false))
    await expectRefused(
      someoneElse.linkCredentials(Realm.Credentials.jwt(await jwks.sign(jwtClaims('jwt-linked')))),
      409,
      'AuthError',
      'a user already exists with the specified provider',
    )
    expect((await admin().users.get.query({ userId: someoneElse.id })).identities).toHaveLength(1)
  })
})

describe('the redirect flow over plain HTTP', () => {
  const redirect = () => `${servers.app.origin}/redirect`
  const loginUrl = (provider: string, extra = '') =>
    `${usher.origin}/api/client/v2.0/app/usher-local/auth/providers/${provider}/login?state=abcdefghijkl&redirect=${encodeURIComponent(redirect())}${extra}`
  /** Where Usher finally sends the browser, and realm-web's hash fields. */
  async function finish(provider: string, loginHint: string, token?: string, extra = '') {
    const start = await fetch(loginUrl(provider, extra), { redirect: 'manual', headers: token ? { authorization: `Bearer ${token}` } : {} })
    const providerUrl = start.headers.get('x-baas-location') ?? start.headers.get('location')
    expect(providerUrl, await start.text()).toBeTruthy()
    let back: Response
    if (provider === 'oauth2-facebook') {
      const dialog = await fetch(`${providerUrl}&login_hint=${loginHint}`, { redirect: 'manual' })
      back = await fetch(dialog.headers.get('location')!, { redirect: 'manual' })
    } else {
      const op = provider === 'oauth2-google' ? google : apple
      const { url, form } = await op.authorize(providerUrl!, loginHint)
      back = form
        ? await fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' })
        : await fetch(url, { redirect: 'manual' })
    }
    const final = new URL(back.headers.get('location') ?? 'http://missing/')
    const fields = Object.fromEntries(final.hash.slice(1).split('&').map((pair) => pair.split('=').map(decodeURIComponent) as [string, string]))
    return { final, fields, callback: back.url }
  }

  it('Google: PKCE, state and nonce; realm-web’s _baas_ hash with four parts that work', async () => {
    const { final, fields } = await finish('oauth2-google', 'google-ann')
    expect(final.origin + final.pathname).toBe(redirect())
    expect(fields).toMatchObject({ _baas_client_app_id: 'usher-local', _baas_state: 'abcdefghijkl' })
    const [accessToken, refreshToken, userId, deviceId] = fields._baas_ua!.split('$')
    expect(refreshToken).toMatch(/^[0-9a-f]{24}\.[\w-]{43}$/)
    expect(deviceId).toMatch(/^[0-9a-f]{24}$/)
    const profile = await fetch(`${usher.origin}/api/client/v2.0/auth/profile`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(await profile.json()).toMatchObject({ user_id: userId, identities: [{ id: 'google-ann', provider_type: 'oauth2-google' }] })
  })

  it('Apple: the form POST back, and the client secret Usher signs with the team key', async () => {
    const { fields } = await finish('oauth2-apple', 'apple-cid')
    expect(fields._baas_error).toBeUndefined()
    expect(fields._baas_ua!.split('$')).toHaveLength(4)
  })

  it('Facebook: its login dialog and code exchange', async () => {
    const { fields } = await finish('oauth2-facebook', '10001')
    expect(fields._baas_ua!.split('$')[2]).toBe((await app.logIn(Realm.Credentials.facebook('token-10001'))).id)
  })

  it('linking: the x-baas-location handshake, then the hash names the caller', async () => {
    const anon = await app.logIn(Realm.Credentials.anonymous(false))
    const { fields } = await finish('oauth2-google', 'google-redirect-link', anon.accessToken!, '&link=true&providerRedirectHeader=true')
    expect(fields).toMatchObject({ _baas_link: 'ok' })
    expect(fields._baas_ua!.split('$')[2]).toBe(anon.id)
    expect((await app.logIn(Realm.Credentials.google({ idToken: await google.idToken('google-redirect-link') }))).id).toBe(anon.id)
  })

  it('a replayed callback is refused; an unlisted redirect URL never leaves Usher', async () => {
    const start = await fetch(loginUrl('oauth2-google'), { redirect: 'manual' })
    const { url } = await google.authorize(start.headers.get('location')!, 'google-bob')
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(302)
    const replay = await fetch(url, { redirect: 'manual' })
    expect(replay.status).toBe(400)
    expect(((await replay.json()) as { error: string }).error).toMatch(/already completed/)
    const unlisted = await fetch(loginUrl('oauth2-google').replace(encodeURIComponent(redirect()), encodeURIComponent('https://attacker.example/x')), { redirect: 'manual' })
    expect(unlisted.status).toBe(400)
    expect(unlisted.headers.get('location')).toBeNull()
  })
})
