/**
 * The external login providers inside workerd, for everything that needs no other server: custom JWT with
 * HS256 secrets and RS256 PEM keys (App Services' audience rule, metadata fields, every refusal), the custom
 * function through a service binding, AUTH_PROVIDERS gating, linking, disabled users, and the first steps of
 * the redirect flow. Real issuers, JWKS, Graph and webhooks are exercised end to end in test/e2e/providers-*.
 */
import { env } from 'cloudflare:workers'
import { exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from 'jose'
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { API, appBinding, client, configured, count, expectError, type Tokens } from './helpers'

const HS_SECRETS = ['7c1e4f0a9b2d8e3f6a5c4b1d0e9f8a7b6c5d4e3f', 'f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d']
const enc = new TextEncoder()
const base = { AUTH_PROVIDERS: 'local-userpass,anon-user,api-key,custom-token' }
const jwtApp = (vars: Record<string, unknown> = {}) =>
  client(configured({ ...base, CUSTOM_JWT_SIGNING_KEYS: HS_SECRETS.join(','), ...vars }))

const login = (app: ReturnType<typeof client>, provider: string, body: unknown, token?: string) =>
  app.call('POST', `${API}/app/usher-local/auth/providers/${provider}/login${token ? '?link=true' : ''}`, { body, token })

async function hs256(claims: JWTPayload, secret = HS_SECRETS[0]!, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(enc.encode(secret))
}
const now = () => Math.floor(Date.now() / 1000)
const valid = (sub: string, extra: JWTPayload = {}): JWTPayload => ({ sub, aud: 'usher-local', exp: now() + 600, ...extra })
const sub = () => `auth0|${crypto.randomUUID()}`

describe('custom-token (custom JWT)', () => {
  it('the first login creates the user; the same sub is always the same user; the identity id is the sub', async () => {
    const app = jwtApp()
    const id = sub()
    const first = (await (await login(app, 'custom-token', { token: await hs256(valid(id)) })).json()) as Tokens
    const again = (await (await login(app, 'custom-token', { token: await hs256(valid(id), HS_SECRETS[1]) })).json()) as Tokens
    expect(again.user_id).toBe(first.user_id)
    const profile = await (await app.profile(first.access_token)).json()
    expect(profile).toMatchObject({ type: 'normal', identities: [{ id, provider_type: 'custom-token' }], data: {} })
    expect((await admin().users.list.query({ provider: 'custom-token', limit: 100 })).items.map((u) => u.id)).toContain(first.user_id)
    expect((await admin().users.list.query({ provider: 'custom-function', limit: 100 })).items.map((u) => u.id)).not.toContain(first.user_id)
  })

  it('the first login runs the user creation function and records CREATE then LOGIN; later logins only LOGIN', async () => {
    const creation = appBinding<{ user: unknown }>(() => Response.json({ customData: { tier: 'sso' } }))
    const seen = () => creation.calls.map((body) => body.user)
    const app = jwtApp({ USER_CREATION_FUNCTION: creation.binding, CUSTOM_JWT_METADATA_FIELDS: JSON.stringify([{ required: false, name: 'name' }]) })
    const id = sub()
    const first = (await (await login(app, 'custom-token', { token: await hs256(valid(id, { name: 'Ann' })) })).json()) as Tokens
    expect(seen()).toEqual([{ id: first.user_id, type: 'normal', data: { name: 'Ann' }, custom_data: {}, identities: [{ id, provider_type: 'custom-token', data: { name: 'Ann' } }] }])
    expect(JSON.parse(Buffer.from(first.access_token.split('.')[1]!, 'base64url').toString()).user_data).toEqual({ tier: 'sso' })
    await login(app, 'custom-token', { token: await hs256(valid(id, { name: 'Ann' })) })
    expect(seen()).toHaveLength(1)
    const { results } = await env.DB.prepare('SELECT type, payload FROM events WHERE user_id = ? ORDER BY seq').bind(first.user_id).all<{ type: string; payload: string }>()
    expect(results.map((e) => [e.type, JSON.parse(e.payload).providers])).toEqual([
      ['CREATE', ['custom-token']],
      ['LOGIN', ['custom-token']],
      ['LOGIN', ['custom-token']],
    ])
    expect(JSON.parse(results[0]!.payload).user).toMatchObject({ data: { name: 'Ann' }, custom_data: { tier: 'sso' }, identities: [{ id, provider_type: 'custom-token' }] })
  })

  it('metadata fields (dot paths, escaped dots) land in the profile data; a required missing one refuses', async () => {
    const app = jwtApp({
      CUSTOM_JWT_METADATA_FIELDS: JSON.stringify([
        { required: true, name: 'mySecretField', field_name: 'secret' },
        { required: false, name: 'location.primary.city' },
        { required: false, name: 'https://example\\.com/roles', field_name: 'roles' },
      ]),
    })
    const token = await hs256(valid(sub(), { mySecretField: 'ssh', location: { primary: { city: 'Lyon' } }, 'https://example.com/roles': ['admin'] }))
    const tokens = (await (await login(app, 'custom-token', { token })).json()) as Tokens
    expect(((await (await app.profile(tokens.access_token)).json()) as { data: unknown }).data).toEqual({ secret: 'ssh', city: 'Lyon', roles: ['admin'] })
    await expectError(await login(app, 'custom-token', { token: await hs256(valid(sub())) }), 401, 'AuthError', "expected field 'mySecretField' to be in token metadata")
  })

  it("App Services' audience rule: every configured audience, or any one with REQUIRE_ANY_AUDIENCE", async () => {
    const all = jwtApp({ CUSTOM_JWT_AUDIENCE: 'api-a,api-b' })
    const any = jwtApp({ CUSTOM_JWT_AUDIENCE: 'api-a,api-b', CUSTOM_JWT_REQUIRE_ANY_AUDIENCE: 'true' })
    const onlyA = await hs256(valid(sub(), { aud: 'api-a' }))
    await expectError(await login(all, 'custom-token', { token: onlyA }), 401, 'AuthError', "'api-b' not found in 'aud' claim")
    expect((await login(all, 'custom-token', { token: await hs256(valid(sub(), { aud: ['api-a', 'api-b'] })) })).status).toBe(200)
    expect((await login(any, 'custom-token', { token: onlyA })).status).toBe(200)
    await expectError(await login(jwtApp(), 'custom-token', { token: onlyA }), 401, 'AuthError', "'usher-local' not found in 'aud' claim")
  })

  it('refuses expired, not-yet-valid, unsigned, wrongly signed, confused and malformed tokens: 401, nothing written', async () => {
    const app = jwtApp()
    const users = await count('users')
    const rsa = await generateKeyPair('RS256')
    const claims = valid(sub())
    const [head, payload] = (await hs256(claims)).split('.') as [string, string]
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`
    const cases: [string, string | RegExp][] = [
      [await hs256({ ...claims, exp: now() - 120 }), 'token is expired'],
      [await hs256({ ...claims, nbf: now() + 600 }), /'nbf'/],
      [await hs256(claims, 'another-secret-0123456789abcdef0123456789'), 'signature is invalid'],
      [none, /signing method none is invalid/],
      [await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey), /signing method RS256 is invalid/],
      [await hs256({ aud: 'usher-local', exp: now() + 60 }), /expected field 'sub'/],
      [`${head}.${payload}`, 'token contains an invalid number of segments'],
      ['not-a-jwt', 'token contains an invalid number of segments'],
    ]
    for (const [token, message] of cases) await expectError(await login(app, 'custom-token', { token }), 401, 'AuthError', message)
    // Within the 60 s of clock skew, an expired token still passes.
    expect((await login(app, 'custom-token', { token: await hs256({ ...valid(sub()), exp: now() - 30 }) })).status).toBe(200)
    expect(await count('users')).toBe(users + 1)
  })

  it('RS256 with PEM public keys in CUSTOM_JWT_SIGNING_KEYS; an HS256 token signed with the public key is refused', async () => {
    const pair = await generateKeyPair('RS256', { extractable: true })
    const pem = await exportSPKI(pair.publicKey)
    const app = client(configured({ ...base, CUSTOM_JWT_SIGNING_ALGORITHM: 'RS256', CUSTOM_JWT_SIGNING_KEYS: pem }))
    const token = await new SignJWT(valid(sub())).setProtectedHeader({ alg: 'RS256' }).sign(pair.privateKey)
    expect((await login(app, 'custom-token', { token })).status).toBe(200)
    const confused = await new SignJWT(valid(sub())).setProtectedHeader({ alg: 'HS256' }).sign(enc.encode(pem))
    await expectError(await login(app, 'custom-token', { token: confused }), 401, 'AuthError', /signing method HS256 is invalid/)
  })

  it('links to the caller; refuses an identity that belongs to another user; a disabled user is refused', async () => {
    const app = jwtApp()
    const anon = (await (await app.anonymous()).json()) as Tokens
    const id = sub()
    const linked = (await (await login(app, 'custom-token', { token: await hs256(valid(id)) }, anon.access_token)).json()) as Tokens
    expect(linked.user_id).toBe(anon.user_id)
    const viaJwt = (await (await login(app, 'custom-token', { token: await hs256(valid(id)) })).json()) as Tokens
    expect(viaJwt.user_id).toBe(anon.user_id)
    const other = (await (await app.anonymous()).json()) as Tokens
    await expectError(await login(app, 'custom-token', { token: await hs256(valid(id)) }, other.access_token), 409, 'AuthError', 'a user already exists with the specified provider')
    await admin().users.disable.mutate({ userId: anon.user_id })
    await expectError(await login(app, 'custom-token', { token: await hs256(valid(id)) }), 401, 'UserDisabled')
  })

  it('a provider AUTH_PROVIDERS does not enable answers as an unknown provider', async () => {
    const app = client(configured({ CUSTOM_JWT_SIGNING_KEYS: HS_SECRETS[0] }))
    await expectError(await login(app, 'custom-token', { token: await hs256(valid(sub())) }), 404, 'AuthProviderNotFound', 'authentication provider not found: custom-token')
    const withoutPasswords = client(configured({ AUTH_PROVIDERS: 'anon-user' }))
    await expectError(await withoutPasswords.register('someone@example.com'), 404, 'AuthProviderNotFound')
    await expectError(await withoutPasswords.login('someone@example.com'), 404, 'AuthProviderNotFound')
  })
})

describe('custom-function', () => {
  function fn(answer: (payload: Record<string, unknown>) => Response) {
    const { calls, binding } = appBinding(answer)
    return { calls, app: client(configured({ AUTH_PROVIDERS: 'anon-user,custom-function', CUSTOM_FUNCTION: binding })) }
  }

  it('gets the payload without the device block; a string, {id} or {id, name} answer logs in', async () => {
    const { app, calls } = fn((payload) =>
      Response.json(payload.kind === 'object' ? { id: `obj-${JSON.stringify(payload.pin)}`, name: 'Ann' } : `str-${JSON.stringify(payload.pin)}`),
    )
    const pin = crypto.randomUUID().slice(0, 8)
    const a = (await (await login(app, 'custom-function', { pin: { $numberInt: pin }, options: { device: { platform: 'x' } } })).json()) as Tokens
    expect(calls[0]).toEqual({ pin: { $numberInt: pin } })
    const b = (await (await login(app, 'custom-function', { pin: { $numberInt: pin }, kind: 'object' })).json()) as Tokens
    expect(b.user_id).not.toBe(a.user_id)
    const again = (await (await login(app, 'custom-function', { pin: { $numberInt: pin } })).json()) as Tokens
    expect(again.user_id).toBe(a.user_id)
    const profile = (await (await app.profile(b.access_token)).json()) as { data: unknown; identities: unknown }
    expect(profile).toMatchObject({ data: { name: 'Ann' }, identities: [{ provider_type: 'custom-function' }] })
  })

  it("an error, another status or a bad answer is 401 with App Services' text, never a 500", async () => {
    const cases: [Response, string][] = [
      [Response.json({ error: 'no such pin' }), 'error executing auth function: {"message":"no such pin","name":"Error"}'],
      [new Response('boom', { status: 500 }), 'error executing auth function: {"message":"the authentication function answered HTTP 500","name":"Error"}'],
      [Response.json({ name: 'no id' }), 'error executing auth function:'],
      [Response.json(''), 'error executing auth function:'],
    ]
    for (const [answer, message] of cases) {
      const { app } = fn(() => answer.clone())
      const users = await count('users')
      await expectError(await login(app, 'custom-function', { pin: 1 }), 401, 'AuthError', new RegExp(`^${message.replace(/[{}()[\]|.*+?^$]/g, '\\$&')}`))
      expect(await count('users')).toBe(users)
    }
  })
})

describe('the redirect flow, before it leaves Usher', () => {
  const fb = configured({
    AUTH_PROVIDERS: 'oauth2-facebook,anon-user',
    FACEBOOK_APP_ID: '1234567890',
    FACEBOOK_APP_SECRET: 'fb-secret-0123456789abcdef',
    OAUTH_REDIRECT_URLS: 'https://app.example/auth/done',
  })
  const start = (query: string, token?: string) =>
    fb(new Request(`https://usher.test/api/client/v2.0/app/usher-local/auth/providers/oauth2-facebook/login?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, redirect: 'manual' }))

  it('sends the browser to the provider with state, PKCE and Usher’s callback; the flow is stored, its secrets are not', async () => {
    const res = await start(`state=abcdefghijkl&redirect=${encodeURIComponent('https://app.example/auth/done')}`)
    expect(res.status).toBe(302)
    const to = new URL(res.headers.get('location')!)
    expect(to.origin + to.pathname).toBe('https://www.facebook.com/v25.0/dialog/oauth')
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: '1234567890',
      redirect_uri: 'https://usher.test/api/client/v2.0/auth/callback',
      response_type: 'code',
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[0-9a-f]{24}\.[\w-]{43}$/),
    })
    const [id, secret] = to.searchParams.get('state')!.split('.') as [string, string]
    const row = await env.DB.prepare('SELECT * FROM oauth_flows WHERE id = ?').bind(id).first<Record<string, string>>()
    expect(row).toMatchObject({ provider: 'oauth2-facebook', app_state: 'abcdefghijkl', redirect_url: 'https://app.example/auth/done' })
    expect(JSON.stringify(row)).not.toContain(secret)
    expect(row!.code_verifier).toMatch(/^v1\./)
  })

  it('an unlisted redirect URL is refused before anything leaves Usher', async () => {
    const before = await count('oauth_flows')
    const res = await start(`state=abcdefghijkl&redirect=${encodeURIComponent('https://attacker.example/steal')}`)
    await expectError(res, 400, 'BadRequest', /redirect URL not allowed/)
    expect(await count('oauth_flows')).toBe(before)
  })

  it('the link handshake answers x-baas-location for the authenticated caller', async () => {
    const anon = (await (await client(fb).anonymous()).json()) as Tokens
    const res = await start(`link=true&state=abcdefghijkl&redirect=${encodeURIComponent('https://app.example/auth/done')}&providerRedirectHeader=true`, anon.access_token)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-baas-location')).toMatch(/^https:\/\/www\.facebook\.com\/v25\.0\/dialog\/oauth\?/)
    await expectError(await start(`link=true&state=abcdefghijkl&redirect=x&providerRedirectHeader=true`), 401, 'InvalidSession')
  })

  it('a sign-in started before the provider was switched off (AUTH_PROVIDERS) goes back to the app refused', async () => {
    const res = await start(`state=abcdefghijkl&redirect=${encodeURIComponent('https://app.example/auth/done')}`)
    const state = new URL(res.headers.get('location')!).searchParams.get('state')!
    const switchedOff = configured({ AUTH_PROVIDERS: 'anon-user', OAUTH_REDIRECT_URLS: 'https://app.example/auth/done' })
    const users = await count('users')
    const back = await switchedOff(new Request(`https://usher.test/api/client/v2.0/auth/callback?code=abc&state=${encodeURIComponent(state)}`, { redirect: 'manual' }))
    expect(back.status).toBe(302)
    const to = new URL(back.headers.get('location')!)
    expect(to.origin + to.pathname).toBe('https://app.example/auth/done')
    expect(new URLSearchParams(to.hash.slice(1)).get('_baas_error')).toBe('authentication provider not found: oauth2-facebook')
    expect(await count('users')).toBe(users)
  })

  it('a callback with an unknown or forged state is refused', async () => {
    const callback = (state: string) => fb(new Request(`https://usher.test/api/client/v2.0/auth/callback?code=abc&state=${encodeURIComponent(state)}`, { redirect: 'manual' }))
    await expectError(await callback(`${'0'.repeat(24)}.${'A'.repeat(43)}`), 400, 'BadRequest', /unknown or was already completed/)
    await expectError(await callback('garbage'), 400, 'BadRequest')
  })
})
