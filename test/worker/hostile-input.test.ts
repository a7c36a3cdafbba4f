import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { API, APP, ORIGIN, api, count, expectError, uniqueEmail } from './helpers'

const register = `${APP}/auth/providers/local-userpass/register`
const tables = ['users', 'identities', 'sessions', 'api_keys', 'action_tokens', 'outbox', 'audit_log']
const snapshot = async () => Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(t)])))

describe('bad input gets a clear 4xx and changes nothing', () => {
  it('malformed JSON, wrong types, missing and unknown fields, hostile keys', async () => {
    const before = await snapshot()
    const bodies: [string, RegExp][] = [
      ['{"email": "a@b.c", "password": ', /malformed JSON/],
      ['[]', /invalid request body/],
      ['null', /invalid request body/],
      ['"just a string"', /invalid request body/],
      ['{"email": 42, "password": "password1"}', /email: must be a string/],
      ['{"email": {"$gt": ""}, "password": "password1"}', /email/],
      ['{"password": "password1"}', /email/],
      ['{"email": "a@b.c", "password": "password1", "admin": true}', /Unrecognized key/i],
      ['{"email": "a@b.c", "password": "password1", "__proto__": {"admin": true}}', /Unrecognized key/i],
      ['{"email": "a@b.c", "password": ["password1"]}', /password/],
    ]
    for (const [body, message] of bodies) {
      await expectError(await api.call('POST', register, { body }), 400, 'BadRequest', message)
    }
    expect(await snapshot()).toEqual(before)
  })

  it('a body that is not JSON is 415', async () => {
    const res = await api.call('POST', register, {
      body: 'email=a@b.c&password=password1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    await expectError(res, 415, 'UnsupportedMediaType')
    await expectError(await exports.default.fetch(new Request(register, { method: 'POST', body: '{}' })), 415, 'UnsupportedMediaType')
  })

  it('bodies over 16 KB are refused with 413 before parsing, with or without Content-Length', async () => {
    const before = await snapshot()
    const big = JSON.stringify({ email: uniqueEmail(), password: 'x'.repeat(17 * 1024) })
    await expectError(await api.call('POST', register, { body: big }), 413, 'PayloadTooLarge')
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)))
        controller.close()
      },
    })
    const res = await exports.default.fetch(
      new Request(register, { method: 'POST', body: chunked, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit),
    )
    await expectError(res, 413, 'PayloadTooLarge')
    expect(await snapshot()).toEqual(before)
  })

  it('unknown routes, providers and app ids answer App Services errors', async () => {
    await expectError(await api.call('GET', `${ORIGIN}/nothing-here`), 404, 'NotFound')
    await expectError(await api.call('GET', `${API}/app/other-app/location`), 404, 'NotFound', "cannot find app using Client App ID 'other-app'")
    await expectError(await api.call('POST', `${APP}/auth/providers/oauth2-google/login`, { body: {} }), 404, 'AuthProviderNotFound')
    await expectError(await api.call('POST', `${APP}/auth/providers/__proto__/login`, { body: {} }), 404, 'AuthProviderNotFound')
    await expectError(await api.call('POST', `${APP}/functions/call`, { body: { name: 'x', arguments: [] } }), 404, 'FunctionNotFound')
  })

  it('error links point at this deployment’s own error reference', async () => {
    const body = await expectError(await api.login(uniqueEmail(), 'password1'), 401, 'InvalidPassword')
    expect(body.link).toBe(`${ORIGIN}/errors#InvalidPassword`)
    const page = await api.call('GET', body.link)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('id="InvalidPassword"')
  })
})

describe('races', () => {
  it('20 concurrent registrations of one email (in several cases) make exactly one account', async () => {
    const email = uniqueEmail('Race')
    const variants = [email, email.toLowerCase(), email.toUpperCase(), email.normalize('NFKC')]
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api.register(variants[i % variants.length]!)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(1)
    for (const res of results.filter((r) => r.status !== 201)) await expectError(res, 409, 'AccountNameInUse')
    expect(await count('identities', 'email_key = ?', email.toLowerCase())).toBe(1)
    expect(await count('users u', 'NOT EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id)')).toBe(0)
  })
})

describe('CORS', () => {
  it('answers preflights for the client API with the headers realm-web sends', async () => {
    const res = await exports.default.fetch(
      new Request(`${APP}/auth/providers/local-userpass/login`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      }),
    )
    expect(res.status).toBe(204)
    // The origin echoed with credentials allowed: realm-web's OAuth link handshake fetches with credentials.
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
    const error = await api.call('GET', `${API}/auth/profile`, { headers: { origin: 'https://app.example' } })
    expect(error.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(error.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-baas-location')
  })
})
