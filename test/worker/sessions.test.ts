import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createUsher, type Bindings } from '../../worker/context'
import { disableUser, enableUser, revokeSessions } from '../../worker/users/state'
import { API, api, confirmedUser, count, expectError, uniqueEmail, type Tokens } from './helpers'

const usher = () => createUsher(env as unknown as Bindings, 'https://usher.test/')
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString())

describe('email/password login', () => {
  it('answers the fields realm-web requires, with an access token it can decode', async () => {
    const user = await confirmedUser()
    expect(user.user_id).toMatch(/^[0-9a-f]{24}$/)
    expect(user.device_id).toMatch(/^[0-9a-f]{24}$/)
    expect(user.refresh_token).toMatch(/^[0-9a-f]{24}\.[\w-]{43}$/)
    const claims = claimsOf(user.access_token)
    expect(claims).toMatchObject({ sub: user.user_id, typ: 'access', aud: 'usher-local', user_data: {}, baas_device_id: user.device_id })
    expect(claims.exp - claims.iat).toBe(1800)
    expect(claims.iss).toBe('https://usher.test')
    expect(JSON.parse(Buffer.from(user.access_token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'ES256', kid: expect.any(String), typ: 'JWT' })
  })

  it('keeps the device id the client sends (EJSON $oid) and ignores the all-zero one', async () => {
    const { email } = await confirmedUser()
    const deviceId = 'abcdefabcdefabcdefabcdef'
    const login = (device: unknown) =>
      api.call('POST', `${API}/app/usher-local/auth/providers/local-userpass/login`, {
        body: { username: email, password: 'password1', options: { device } },
      })
    const withDevice = (await (await login({ deviceId: { $oid: deviceId }, platform: 'node', sdkVersion: '2.0.1' })).json()) as Tokens
    expect(withDevice.device_id).toBe(deviceId)
    const zero = (await (await login({ deviceId: { $oid: '0'.repeat(24) } })).json()) as Tokens
    expect(zero.device_id).not.toBe('0'.repeat(24))
  })

  it('a wrong password and an unknown email get the same answer, never "unauthorized"', async () => {
    const { email } = await confirmedUser()
    const wrong = await expectError(await api.login(email, 'not-the-password'), 401, 'InvalidPassword', 'invalid username/password')
    const unknown = await expectError(await api.login(uniqueEmail(), 'not-the-password'), 401, 'InvalidPassword')
    expect(unknown).toEqual(wrong)
  })

  it('logs in with any case of the email', async () => {
    const { email, user_id } = await confirmedUser(uniqueEmail('CaseUser'))
    const res = await api.login(email.toUpperCase())
    expect(res.status).toBe(200)
    expect(((await res.json()) as Tokens).user_id).toBe(user_id)
  })
})

describe('profile, refresh and logout', () => {
  it('the profile has user_id, domain_id, identities, data.email and type', async () => {
    const user = await confirmedUser()
    const res = await api.profile(user.access_token)
    expect(res.status).toBe(200)
    const profile = (await res.json()) as Record<string, unknown>
    expect(profile).toMatchObject({
      user_id: user.user_id,
      type: 'normal',
      data: { email: user.email },
      identities: [{ provider_type: 'local-userpass', id: expect.stringMatching(/^[0-9a-f]{24}$/), provider_id: expect.any(String) }],
    })
    expect(profile.domain_id).toMatch(/^[0-9a-f]{24}$/)
  })

  it('refresh gives a new working access token; logout ends the session on the next request', async () => {
    const user = await confirmedUser()
    const refreshed = await api.refresh(user.refresh_token)
    expect(refreshed.status).toBe(201)
    const { access_token } = (await refreshed.json()) as { access_token: string }
    expect((await api.profile(access_token)).status).toBe(200)

    const logout = await api.logout(user.refresh_token)
    expect(logout.status).toBe(204)
    expect(logout.headers.get('content-type')).toBeNull()
    await expectError(await api.refresh(user.refresh_token), 401, 'InvalidSession')
    await expectError(await api.profile(access_token), 401, 'InvalidSession')
    await expectError(await api.logout(user.refresh_token), 401, 'InvalidSession', 'invalid session: failed to find refresh token')
  })

  it('each login is its own session: logging out one leaves the other', async () => {
    const first = await confirmedUser()
    const second = (await (await api.login(first.email)).json()) as Tokens
    await api.logout(first.refresh_token)
    expect((await api.profile(second.access_token)).status).toBe(200)
    expect((await api.refresh(second.refresh_token)).status).toBe(201)
  })

  it('an expired session refuses refresh', async () => {
    const user = await confirmedUser()
    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, user.refresh_token.split('.')[0]).run()
    await expectError(await api.refresh(user.refresh_token), 401, 'InvalidSession', /expired/)
    await expectError(await api.profile(user.access_token), 401, 'InvalidSession')
  })
})

describe('token validation', () => {
  it('refuses tampered, unsigned, wrongly typed, expired and foreign tokens', async () => {
    const user = await confirmedUser()
    const [header, payload, signature] = user.access_token.split('.') as [string, string, string]
    const claims = claimsOf(user.access_token)
    const forged = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}`,
      `${header}.${b64({ ...claims, sub: '0'.repeat(24) })}.${signature}`,
      `${header}.${b64({ ...claims, exp: claims.exp + 3600 })}.${signature}`,
      `${b64({ alg: 'HS512', typ: 'JWT' })}.${payload}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -2)}AA`,
      user.refresh_token,
      'garbage',
      '',
    ]
    for (const token of forged) {
      await expectError(await api.call('GET', `${API}/auth/profile`, { headers: { authorization: `Bearer ${token}` } }), 401, 'InvalidSession')
    }
    await expectError(await api.call('GET', `${API}/auth/profile`), 401, 'InvalidSession')
    await expectError(await api.call('GET', `${API}/auth/profile`, { headers: { authorization: `Basic ${user.access_token}` } }), 401, 'InvalidSession')
    await expectError(await api.refresh(user.access_token), 401, 'InvalidSession', 'invalid refresh token: incorrect token type')
    const secret = user.refresh_token.split('.')[1]!
    await expectError(await api.refresh(`${'0'.repeat(24)}.${secret}`), 401, 'InvalidSession')
    await expectError(await api.refresh(`${user.refresh_token.split('.')[0]}.${'A'.repeat(43)}`), 401, 'InvalidSession')
  })

  it('an access token past its exp is refused with the App Services message', async () => {
    const user = await confirmedUser()
    const { signAccessToken } = await import('../../worker/auth/jwt')
    const { currentSigner } = await import('../../worker/auth/signing-keys')
    const signer = await currentSigner(usher())
    const claims = claimsOf(user.access_token)
    const expired = await signAccessToken({ ...claims, iat: claims.iat - 4000, exp: claims.iat - 10 }, signer)
    await expectError(await api.profile(expired), 401, 'InvalidSession', 'invalid session: access token expired')
    const otherApp = await signAccessToken({ ...claims, aud: 'another-app' }, signer)
    await expectError(await api.profile(otherApp), 401, 'InvalidSession')
  })
})

describe('a token accepted before is checked again on every request', () => {
  it('refused once it expires, and once its session is revoked', async () => {
    const user = await confirmedUser()
    const { inspectAccessToken } = await import('../../worker/auth/sessions')
    expect(await inspectAccessToken(usher(), user.access_token)).toMatchObject({ ok: true })
    const { exp } = claimsOf(user.access_token)
    const atExpiry = { ...usher(), now: () => exp * 1000 }
    expect(await inspectAccessToken(atExpiry, user.access_token)).toMatchObject({ ok: false, reason: 'expired' })
    expect(await inspectAccessToken(usher(), user.access_token)).toMatchObject({ ok: true })
    await revokeSessions(usher(), user.user_id, 'admin')
    expect(await inspectAccessToken(usher(), user.access_token)).toMatchObject({ ok: false, reason: 'revoked' })
    await expectError(await api.profile(user.access_token), 401, 'InvalidSession')
  })
})

describe('revocation takes effect on the next request', () => {
  it('revoking all sessions refuses existing access and refresh tokens', async () => {
    const user = await confirmedUser()
    const other = (await (await api.login(user.email)).json()) as Tokens
    expect(await revokeSessions(usher(), user.user_id, 'admin')).toEqual({ revoked: 2, apiKeysDisabled: 0 })
    for (const tokens of [user, other]) {
      await expectError(await api.profile(tokens.access_token), 401, 'InvalidSession')
      await expectError(await api.refresh(tokens.refresh_token), 401, 'InvalidSession')
    }
    expect((await api.login(user.email)).status).toBe(200)
  })

  it('a disabled user is refused everywhere until enabled', async () => {
    const user = await confirmedUser()
    await disableUser(usher(), user.user_id, 'admin')
    await expectError(await api.profile(user.access_token), 401, 'InvalidSession')
    await expectError(await api.refresh(user.refresh_token), 401, 'InvalidSession')
    await expectError(await api.login(user.email), 401, 'UserDisabled')
    await expectError(await api.login(user.email, 'wrong-password'), 401, 'InvalidPassword')
    expect(await count('sessions', 'user_id = ?', user.user_id)).toBe(0)
    await enableUser(usher(), user.user_id, 'admin')
    expect((await api.login(user.email)).status).toBe(200)
  })
})

describe('anonymous users', () => {
  it('every anonymous login is a new confirmed user with an anon-user identity', async () => {
    const a = (await (await api.anonymous()).json()) as Tokens
    const b = (await (await api.anonymous()).json()) as Tokens
    expect(a.user_id).not.toBe(b.user_id)
    const profile = (await (await api.profile(a.access_token)).json()) as { identities: { provider_type: string }[]; data: object; type: string }
    expect(profile).toMatchObject({ type: 'normal', data: {}, identities: [{ provider_type: 'anon-user' }] })
  })
})
