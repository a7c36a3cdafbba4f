import { describe, expect, it } from 'vitest'
import { APP, api, confirmedUser, count, expectError, lastMail, uniqueEmail, type Tokens } from './helpers'

const link = (accessToken: string, provider: string, body: unknown) =>
  api.call('POST', `${APP}/auth/providers/${provider}/login?link=true`, { token: accessToken, body })

async function anonymous(): Promise<Tokens> {
  return (await (await api.anonymous()).json()) as Tokens
}

async function registeredAndConfirmed(email = uniqueEmail(), password = 'password1') {
  await api.register(email, password)
  const { token, tokenId } = await lastMail(email)
  expect((await api.userpass('confirm', { token, tokenId })).status).toBe(204)
  return { email, password }
}

describe('linking identities', () => {
  it('anonymous → register → confirm → link: one user, reachable with either credential', async () => {
    const anon = await anonymous()
    const { email, password } = await registeredAndConfirmed()
    const res = await link(anon.access_token, 'local-userpass', { username: email, password, options: { device: {} } })
    expect(res.status).toBe(200)
    const linked = (await res.json()) as Tokens
    expect(linked.user_id).toBe(anon.user_id)
    expect(linked.device_id).toBe(anon.device_id)

    const profile = (await (await api.profile(linked.access_token)).json()) as { identities: { provider_type: string }[]; data: { email?: string } }
    expect(profile.identities.map((i) => i.provider_type)).toEqual(['anon-user', 'local-userpass'])
    expect(profile.data.email).toBe(email)

    const viaEmail = (await (await api.login(email, password)).json()) as Tokens
    expect(viaEmail.user_id).toBe(anon.user_id)
    expect(await count('identities', 'email = ?', email)).toBe(1)
    // The registration's own account is gone, not left behind as an empty user.
    expect(await count('users u', 'NOT EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id)')).toBe(0)
  })

  it('linking credentials of a user who has logged in is refused without a refresh loop (409, not 401)', async () => {
    const owner = await confirmedUser()
    const anon = await anonymous()
    await expectError(await link(anon.access_token, 'local-userpass', { username: owner.email, password: 'password1' }), 409, 'AuthError', 'a user already exists with the specified provider')
    expect((await api.login(owner.email)).status).toBe(200)
  })

  it('a wrong password, an unconfirmed registration, a second email identity and anonymous credentials are refused', async () => {
    const anon = await anonymous()
    const { email } = await registeredAndConfirmed()
    await expectError(await link(anon.access_token, 'local-userpass', { username: email, password: 'wrong-password' }), 401, 'InvalidPassword')

    const pendingEmail = uniqueEmail()
    await api.register(pendingEmail)
    await expectError(await link(anon.access_token, 'local-userpass', { username: pendingEmail, password: 'password1' }), 401, 'AuthError', /confirmation required/)

    const user = await confirmedUser()
    const other = await registeredAndConfirmed()
    await expectError(await link(user.access_token, 'local-userpass', { username: other.email, password: other.password }), 400, 'InvalidParameter', /already has one/)
    await expectError(await link(user.access_token, 'anon-user', {}), 400, 'InvalidParameter', /anonymous/)
  })

  it('linking an identity the caller already has is a no-op success', async () => {
    const user = await confirmedUser()
    const res = await link(user.access_token, 'local-userpass', { username: user.email, password: 'password1' })
    expect(res.status).toBe(200)
    expect(((await res.json()) as Tokens).user_id).toBe(user.user_id)
  })

  it('linking needs a valid access token', async () => {
    const { email, password } = await registeredAndConfirmed()
    await expectError(await api.call('POST', `${APP}/auth/providers/local-userpass/login?link=true`, { body: { username: email, password } }), 401, 'InvalidSession')
  })
})
