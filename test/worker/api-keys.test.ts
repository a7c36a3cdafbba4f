import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { API, APP, api, confirmedUser, count, expectError, lastMail, type Tokens } from './helpers'

const keys = (refreshToken: string) => ({
  create: (name: string) => api.call('POST', `${API}/auth/api_keys`, { token: refreshToken, body: { name } }),
  list: () => api.call('GET', `${API}/auth/api_keys`, { token: refreshToken }),
  get: (id: string) => api.call('GET', `${API}/auth/api_keys/${id}`, { token: refreshToken }),
  remove: (id: string) => api.call('DELETE', `${API}/auth/api_keys/${id}`, { token: refreshToken }),
  toggle: (id: string, action: 'enable' | 'disable') => api.call('PUT', `${API}/auth/api_keys/${id}/${action}`, { token: refreshToken }),
})
const keyLogin = (key: string) => api.call('POST', `${APP}/auth/providers/api-key/login`, { body: { key } })

describe('user API keys', () => {
  it('the secret is shown once; listing and getting never show it; logging in with it yields the owner', async () => {
    const user = await confirmedUser()
    const k = keys(user.refresh_token)
    const created = await k.create('ci')
    expect(created.status).toBe(201)
    const key = (await created.json()) as { _id: string; key: string; name: string; disabled: boolean }
    expect(key).toEqual({ _id: expect.stringMatching(/^[0-9a-f]{24}$/), key: expect.stringMatching(/^[0-9a-f]{24}\.[\w-]{43}$/), name: 'ci', disabled: false })
    expect(await (await k.list()).json()).toEqual([{ _id: key._id, name: 'ci', disabled: false }])
    expect(await (await k.get(key._id)).json()).toEqual({ _id: key._id, name: 'ci', disabled: false })

    const login = await keyLogin(key.key)
    expect(login.status).toBe(200)
    expect(((await login.json()) as Tokens).user_id).toBe(user.user_id)
    const stored = await env.DB.prepare('SELECT secret_hash FROM api_keys WHERE id = ?').bind(key._id).first<{ secret_hash: string }>()
    expect(stored!.secret_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(stored!.secret_hash).not.toContain(key.key.split('.')[1])
  })

  it('needs the refresh token, not the access token', async () => {
    const user = await confirmedUser()
    await expectError(await keys(user.access_token).list(), 401, 'InvalidSession', /incorrect token type/)
  })

  it('disabled keys cannot log in (and their sessions end); enabled again they can; deleted they are gone', async () => {
    const user = await confirmedUser()
    const k = keys(user.refresh_token)
    const key = (await (await k.create('deploy')).json()) as { _id: string; key: string }
    const viaKey = (await (await keyLogin(key.key)).json()) as Tokens
    expect((await k.toggle(key._id, 'disable')).status).toBe(204)
    await expectError(await keyLogin(key.key), 401, 'InvalidPassword', 'API key disabled')
    await expectError(await api.refresh(viaKey.refresh_token), 401, 'InvalidSession')
    expect(((await (await k.get(key._id)).json()) as { disabled: boolean }).disabled).toBe(true)
    expect((await k.toggle(key._id, 'enable')).status).toBe(204)
    expect((await keyLogin(key.key)).status).toBe(200)
    expect((await k.remove(key._id)).status).toBe(204)
    await expectError(await keyLogin(key.key), 401, 'InvalidPassword', 'invalid API key')
    await expectError(await k.get(key._id), 404, 'APIKeyNotFound', 'API key not found')
    await expectError(await k.remove(key._id), 404, 'APIKeyNotFound')
  })

  it('a session may not delete or disable the key it logged in with', async () => {
    const user = await confirmedUser()
    const key = (await (await keys(user.refresh_token).create('self')).json()) as { _id: string; key: string }
    const viaKey = (await (await keyLogin(key.key)).json()) as Tokens
    await expectError(await keys(viaKey.refresh_token).remove(key._id), 403, 'AuthError')
    await expectError(await keys(viaKey.refresh_token).toggle(key._id, 'disable'), 409, 'BadRequest')
    expect((await keys(user.refresh_token).remove(key._id)).status).toBe(204)
  })

  it("one user cannot see or touch another user's keys", async () => {
    const alice = await confirmedUser()
    const bob = await confirmedUser()
    const key = (await (await keys(alice.refresh_token).create('alice')).json()) as { _id: string }
    await expectError(await keys(bob.refresh_token).get(key._id), 404, 'APIKeyNotFound')
    await expectError(await keys(bob.refresh_token).remove(key._id), 404, 'APIKeyNotFound')
    await expectError(await keys(bob.refresh_token).toggle(key._id, 'disable'), 404, 'APIKeyNotFound')
    await expectError(await keys(bob.refresh_token).get('not-an-id'), 404, 'APIKeyNotFound')
    expect(await (await keys(bob.refresh_token).list()).json()).toEqual([])
  })

  it('names are unique per user and well-formed', async () => {
    const user = await confirmedUser()
    const k = keys(user.refresh_token)
    expect((await k.create('same')).status).toBe(201)
    await expectError(await k.create('same'), 409, 'APIKeyAlreadyExists')
    await expectError(await k.create(''), 400, 'InvalidParameter')
    await expectError(await k.create(' padded '), 400, 'InvalidParameter')
    await expectError(await k.create('x'.repeat(65)), 400, 'InvalidParameter')
    expect((await keys((await confirmedUser()).refresh_token).create('same')).status).toBe(201)
  })

  it('at most 20 per user, even when created concurrently', async () => {
    const user = await confirmedUser()
    const k = keys(user.refresh_token)
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => k.create(`key-${i}`)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(20)
    for (const refused of results.filter((r) => r.status !== 201)) {
      await expectError(refused, 400, 'BadRequest', /maximum of 20 API keys/)
    }
    expect(await count('api_keys', 'user_id = ?', user.user_id)).toBe(20)
  })

  it('anonymous users cannot create keys', async () => {
    const anon = (await (await api.anonymous()).json()) as Tokens
    await expectError(await keys(anon.refresh_token).create('nope'), 403, 'AuthError', /anonymous/)
  })
})

describe('user API keys end with the events that should end them', () => {
  const createKey = async (refreshToken: string, name = 'ci') =>
    (await (await keys(refreshToken).create(name)).json()) as { _id: string; key: string }

  it('a password reset disables the user’s API keys (audited); the owner can enable them again', async () => {
    const user = await confirmedUser()
    const key = await createKey(user.refresh_token)
    expect((await keyLogin(key.key)).status).toBe(200)
    await api.userpass('reset/send', { email: user.email })
    const { token, tokenId } = await lastMail(user.email)
    expect((await api.userpass('reset', { token, tokenId, password: 'new-password-1' })).status).toBe(204)
    await expectError(await keyLogin(key.key), 401, 'InvalidPassword', 'API key disabled')
    const audit = await admin().audit.list.query({ userId: user.user_id, limit: 5 })
    expect(audit.items.find((e) => e.action === 'api-key.disabled')?.detail).toEqual({ reason: 'password reset', keys: 1 })
    const session = (await (await api.login(user.email, 'new-password-1')).json()) as Tokens
    expect((await keys(session.refresh_token).toggle(key._id, 'enable')).status).toBe(204)
    expect((await keyLogin(key.key)).status).toBe(200)
  })

  it('users.revokeSessions({ disableApiKeys: true }) stops the keys too; without it, keys still log in', async () => {
    const user = await confirmedUser()
    const key = await createKey(user.refresh_token)
    expect(await admin().users.revokeSessions.mutate({ userId: user.user_id })).toEqual({
      revoked: 1,
      apiKeysDisabled: 0,
      userId: user.user_id,
      email: user.email,
    })
    expect((await keyLogin(key.key)).status).toBe(200)
    expect(await admin().users.revokeSessions.mutate({ userId: user.user_id, disableApiKeys: true })).toMatchObject({ apiKeysDisabled: 1 })
    await expectError(await keyLogin(key.key), 401, 'InvalidPassword', 'API key disabled')
    expect((await admin().audit.list.query({ userId: user.user_id, limit: 1 })).items[0]).toMatchObject({
      action: 'api-key.disabled',
      actor: 'admin',
      detail: { reason: 'sessions revoked', keys: 1 },
    })
  })

  it('a session opened with a user API key cannot create keys', async () => {
    const user = await confirmedUser()
    const key = await createKey(user.refresh_token)
    const keySession = (await (await keyLogin(key.key)).json()) as Tokens
    await expectError(await keys(keySession.refresh_token).create('minted'), 403, 'AuthError', /opened with an API key cannot create/)
    expect(await count('api_keys', 'user_id = ?', user.user_id)).toBe(1)
  })

  it('admins list, disable, enable and delete a user’s keys, audited; another user’s key id is not found', async () => {
    const user = await confirmedUser()
    const other = await confirmedUser()
    const key = await createKey(user.refresh_token, 'laptop')
    const otherKey = await createKey(other.refresh_token, 'phone')
    const root = admin()
    expect((await root.users.listApiKeys.query({ userId: user.user_id })).items).toEqual([
      expect.objectContaining({ id: key._id, name: 'laptop', disabled: false, userId: user.user_id }),
    ])
    expect(await root.users.disableApiKey.mutate({ userId: user.user_id, keyId: key._id })).toMatchObject({ disabled: true })
    await expectError(await keyLogin(key.key), 401, 'InvalidPassword', 'API key disabled')
    // Admins are told about a change that would change nothing (the client API stays idempotent, as App Services was).
    await expect(root.users.disableApiKey.mutate({ userId: user.user_id, keyId: key._id })).rejects.toThrow(/^this API key is already disabled$/)
    expect(await root.users.enableApiKey.mutate({ userId: user.user_id, keyId: key._id })).toMatchObject({ disabled: false })
    await expect(root.users.enableApiKey.mutate({ userId: user.user_id, keyId: key._id })).rejects.toThrow(/^this API key is not disabled$/)
    await expect(root.users.disableApiKey.mutate({ userId: user.user_id, keyId: otherKey._id })).rejects.toThrow(/API key not found/)
    expect(await root.users.deleteApiKey.mutate({ userId: user.user_id, keyId: key._id })).toEqual({ deleted: true, keyId: key._id, name: 'laptop' })
    await expectError(await keyLogin(key.key), 401, 'InvalidPassword')
    const actions = (await root.audit.list.query({ userId: user.user_id, limit: 5 })).items.map((e) => `${e.actor} ${e.action}`)
    // The refused attempt on another user's key is audited as a refusal.
    expect(actions.slice(0, 4)).toEqual(['admin api-key.deleted', 'admin admin.users.disableApiKey', 'admin admin.users.enableApiKey', 'admin api-key.enabled'])
    await expect(root.users.listApiKeys.query({ userId: '0'.repeat(24) })).rejects.toThrow(/user not found/)
  })
})
