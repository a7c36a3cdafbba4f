import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { api, confirmedUser, count, expectError, lastMail, mailCount, uniqueEmail, type Tokens } from './helpers'

const root = admin()

async function pendingUser(email = uniqueEmail()) {
  expect((await api.register(email)).status).toBe(201)
  const { items } = await root.users.list.query({ status: 'pending', search: email })
  expect(items).toHaveLength(1)
  return items[0]!
}

async function expectTrpcError(promise: Promise<unknown>, code: string, message?: RegExp | string) {
  const error = (await promise.then(
    () => expect.unreachable('expected the call to fail'),
    (e: unknown) => e,
  )) as { message: string; data: { code: string; httpStatus: number; stack?: unknown } }
  expect(error.data.code).toBe(code)
  expect(error.data.stack).toBeUndefined()
  expect(error.message).not.toMatch(/\n\s+at /)
  if (message !== undefined) expect(error.message).toMatch(message)
  return error
}

describe('users.create', () => {
  it('creates a confirmed user who can log in at once', async () => {
    const email = uniqueEmail()
    const user = await root.users.create.mutate({ email, password: 'password1' })
    expect(user).toMatchObject({ email, status: 'confirmed', disabled: false, type: 'normal', lastLoginAt: null })
    expect(user.identities).toEqual([{ providerType: 'local-userpass', id: expect.any(String) }])
    expect((await api.login(email)).status).toBe(200)
    expect(await mailCount(email)).toBe(0)
  })

  it('refuses a duplicate email (any case) with CONFLICT, bad passwords and emails with field errors', async () => {
    const email = uniqueEmail()
    await root.users.create.mutate({ email, password: 'password1' })
    await expectTrpcError(root.users.create.mutate({ email: email.toUpperCase(), password: 'password1' }), 'CONFLICT', /already exists/)
    const short = await expectTrpcError(root.users.create.mutate({ email: uniqueEmail(), password: '12345' }), 'BAD_REQUEST', /between 6 and 128/)
    expect((short as unknown as { data: { fields: Record<string, string[]> } }).data.fields).toMatchObject({ password: [expect.any(String)] })
    await expectTrpcError(root.users.create.mutate({ email: 'nope', password: 'password1' }), 'BAD_REQUEST', /invalid email/)
  })
})

describe('confirmation actions', () => {
  it('confirm moves pending-confirmation to pending-login; then first login to confirmed', async () => {
    const user = await pendingUser()
    const confirmed = await root.users.confirm.mutate({ userId: user.id })
    expect(confirmed.status).toBe('pending-login')
    expect((await root.users.list.query({ status: 'pending', search: user.email! })).items[0]!.status).toBe('pending-login')
    await expectTrpcError(root.users.confirm.mutate({ userId: user.id }), 'BAD_REQUEST', /already confirmed/)
    expect((await api.login(user.email!)).status).toBe(200)
    expect((await root.users.list.query({ status: 'confirmed', search: user.email! })).items[0]!.status).toBe('confirmed')
    expect((await root.users.list.query({ status: 'pending', search: user.email! })).items).toEqual([])
  })

  it('rerunConfirmation (email method) mails a new link, repeatably; sendConfirmationEmail too', async () => {
    const user = await pendingUser()
    await root.users.rerunConfirmation.mutate({ userId: user.id })
    await root.users.rerunConfirmation.mutate({ userId: user.id })
    await root.users.sendConfirmationEmail.mutate({ userId: user.id })
    expect(await mailCount(user.email!)).toBe(4)
    const { token, tokenId } = await lastMail(user.email!)
    expect((await api.userpass('confirm', { token, tokenId })).status).toBe(204)
    await expectTrpcError(root.users.sendConfirmationEmail.mutate({ userId: user.id }), 'BAD_REQUEST', /already confirmed/)
    await expectTrpcError(root.users.rerunConfirmation.mutate({ userId: user.id }), 'BAD_REQUEST', /already confirmed/)
  })

  it('the list shows when a confirmation link expires, so stuck users can be found', async () => {
    const user = await pendingUser()
    expect(Date.parse(user.confirmationExpiresAt!) - Date.parse(user.createdAt)).toBe(30 * 60 * 1000)
    await env.DB.prepare("UPDATE action_tokens SET expires_at = ? WHERE user_id = ? AND purpose = 'confirm'").bind(Date.now() - 60_000, user.id).run()
    const [stuck] = (await root.users.list.query({ status: 'pending', search: user.email! })).items
    expect(Date.parse(stuck!.confirmationExpiresAt!)).toBeLessThan(Date.now())
  })
})

describe('disable, enable, revoke, delete', () => {
  it('unconfirmed users cannot be disabled, only deleted (refusal is audited)', async () => {
    const user = await pendingUser()
    await expectTrpcError(root.users.disable.mutate({ userId: user.id }), 'CONFLICT', 'unconfirmed users cannot be disabled, only deleted')
    const { items } = await root.audit.list.query({ userId: user.id })
    expect(items[0]).toMatchObject({ actor: 'admin', action: 'admin.users.disable', outcome: 'refused', detail: { reason: 'unconfirmed users cannot be disabled, only deleted' } })
    await root.users.delete.mutate({ userId: user.id })
    await expectTrpcError(root.users.get.query({ userId: user.id }), 'NOT_FOUND')
  })

  it('disable ends sessions and moves the user to the Disabled tab; enable brings them back', async () => {
    const user = await confirmedUser()
    const disabled = await root.users.disable.mutate({ userId: user.user_id })
    expect(disabled.disabled).toBe(true)
    expect((await api.refresh(user.refresh_token)).status).toBe(401)
    expect((await root.users.list.query({ status: 'disabled', search: user.email })).items.map((u) => u.id)).toEqual([user.user_id])
    expect((await root.users.list.query({ status: 'confirmed', search: user.email })).items).toEqual([])
    await root.users.enable.mutate({ userId: user.user_id })
    expect((await root.users.list.query({ status: 'confirmed', search: user.email })).items).toHaveLength(1)
    expect((await api.login(user.email)).status).toBe(200)
  })

  it('revokeSessions refuses every token from the next request and reports how many ended', async () => {
    const user = await confirmedUser()
    const other = (await (await api.login(user.email)).json()) as Tokens
    expect((await root.users.get.query({ userId: user.user_id })).sessionCount).toBe(2)
    expect(await root.users.revokeSessions.mutate({ userId: user.user_id })).toMatchObject({ revoked: 2, apiKeysDisabled: 0, userId: user.user_id })
    expect((await api.profile(user.access_token)).status).toBe(401)
    expect((await api.refresh(other.refresh_token)).status).toBe(401)
    expect((await root.users.get.query({ userId: user.user_id })).sessionCount).toBe(0)
  })

  it('an action that would change nothing is refused with a sentence, for every admin surface alike', async () => {
    const user = await confirmedUser()
    await expectTrpcError(root.users.enable.mutate({ userId: user.user_id }), 'CONFLICT', 'this user is not disabled')
    await expectTrpcError(root.users.clearLock.mutate({ userId: user.user_id }), 'CONFLICT', 'this user has no failed logins to clear')
    await root.users.disable.mutate({ userId: user.user_id })
    await expectTrpcError(root.users.disable.mutate({ userId: user.user_id }), 'CONFLICT', 'this user is already disabled')
    expect(await count('audit_log', "action = 'user.disabled' AND user_id = ?", user.user_id)).toBe(1)
    const pending = await pendingUser()
    await expectTrpcError(root.users.revokeSessions.mutate({ userId: pending.id }), 'CONFLICT', /has not logged in yet/)
    expect(await count('audit_log', "action = 'user.sessions-revoked' AND user_id = ?", pending.id)).toBe(0)
    // Created by an admin (confirmed at once) but never logged in: no sessions either.
    const created = await root.users.create.mutate({ email: uniqueEmail('never-in'), password: 'password1' })
    await expectTrpcError(root.users.revokeSessions.mutate({ userId: created.id }), 'CONFLICT', /has not logged in yet/)
  })

  it('delete works in any status and removes sessions, identities and keys', async () => {
    const user = await confirmedUser()
    await api.call('POST', 'https://usher.test/api/client/v2.0/auth/api_keys', { token: user.refresh_token, body: { name: 'k' } })
    expect(await root.users.delete.mutate({ userId: user.user_id })).toEqual({ deleted: true, userId: user.user_id, email: user.email })
    for (const table of ['sessions', 'identities', 'api_keys']) expect(await count(table, 'user_id = ?', user.user_id)).toBe(0)
    await expectTrpcError(root.users.delete.mutate({ userId: user.user_id }), 'NOT_FOUND', 'user not found')
    await expectTrpcError(root.users.disable.mutate({ userId: user.user_id }), 'NOT_FOUND')
  })
})

describe('users.changeEmail', () => {
  const emailEvents = (userId: string) =>
    env.DB.prepare("SELECT payload FROM events WHERE user_id = ? AND type = 'EMAIL_CHANGED'").bind(userId).all<{ payload: string }>()

  it('gives the email/password identity a new address: sessions and password stay, the old address is told; audited, with EMAIL_CHANGED', async () => {
    const user = await confirmedUser()
    const next = uniqueEmail('moved')
    // Failed logins on record under the old address (the account's and a client's): forgotten with it.
    const oldKey = user.email.toLowerCase()
    await env.DB.prepare('INSERT INTO login_throttle VALUES (?, 3, 0, 3, 0, ?), (?, 3, 0, 3, 0, ?)').bind(oldKey, Date.now(), `${oldKey}|client`, Date.now()).run()
    expect(await root.users.changeEmail.mutate({ userId: user.user_id, email: next })).toMatchObject({
      id: user.user_id,
      email: next,
      previousEmail: user.email,
      status: 'confirmed',
    })
    expect(await count('login_throttle', 'subject IN (?, ?)', oldKey, `${oldKey}|client`)).toBe(0)
    const profile = (await (await api.profile(user.access_token)).json()) as { data: { email: string } }
    expect(profile.data.email).toBe(next)
    expect((await api.login(next)).status).toBe(200)
    await expectError(await api.login(user.email), 401, 'InvalidPassword')
    await expect.poll(async () => (await lastMail(user.email)).subject).toBe('The email address of your usher-local account changed')
    expect((await lastMail(user.email)).text).toContain(`to ${next} by an administrator`)
    expect(await mailCount(next)).toBe(0)
    const audit = await root.audit.list.query({ userId: user.user_id, limit: 10 })
    expect(audit.items.find((entry) => entry.action === 'user.email-changed')).toMatchObject({ actor: 'admin', detail: { from: user.email, to: next } })
    const { results } = await emailEvents(user.user_id)
    expect(results.map((row) => JSON.parse(row.payload))).toEqual([
      expect.objectContaining({ operationType: 'EMAIL_CHANGED', providers: ['local-userpass'], user: expect.objectContaining({ id: user.user_id, data: { email: next } }) }),
    ])
    // Only the case: allowed, and the address is stored as given.
    await root.users.changeEmail.mutate({ userId: user.user_id, email: next.toUpperCase() })
    expect((await root.users.get.query({ userId: user.user_id })).email).toBe(next.toUpperCase())
  })

  it('links mailed to the old address stop working; a registration not yet a user gets no event', async () => {
    const pending = await pendingUser()
    const link = await lastMail(pending.email!)
    const next = uniqueEmail('pending-moved')
    await root.users.changeEmail.mutate({ userId: pending.id, email: next })
    await expectError(await api.userpass('confirm', { token: link.token, tokenId: link.tokenId }), 400, 'UserpassTokenInvalid')
    expect((await root.users.get.query({ userId: pending.id })).status).toBe('pending-confirmation')
    expect((await emailEvents(pending.id)).results).toEqual([])
    await root.users.sendConfirmationEmail.mutate({ userId: pending.id })
    const fresh = await lastMail(next)
    expect((await api.userpass('confirm', { token: fresh.token, tokenId: fresh.tokenId })).status).toBe(204)

    const user = await confirmedUser()
    await api.userpass('reset/send', { email: user.email })
    const reset = await lastMail(user.email)
    await root.users.changeEmail.mutate({ userId: user.user_id, email: uniqueEmail('reset-moved') })
    await expectError(await api.userpass('reset', { token: reset.token, tokenId: reset.tokenId, password: 'new-password-1' }), 400, 'UserpassTokenInvalid')
  })

  it('refuses, changing nothing: the same address, one another account has (any case), a bad address, no email/password identity, no such user', async () => {
    const user = await confirmedUser()
    const other = await confirmedUser()
    await env.DB.prepare('INSERT INTO login_throttle VALUES (?, 3, 0, 3, 0, ?)').bind(user.email.toLowerCase(), Date.now()).run()
    const change = (userId: string, email: string) => root.users.changeEmail.mutate({ userId, email })
    await expectTrpcError(change(user.user_id, user.email), 'CONFLICT', `${user.email} is already this user's email`)
    await expectTrpcError(change(user.user_id, other.email.toUpperCase()), 'CONFLICT', `an account with the email ${other.email.toUpperCase()} already exists`)
    await expectTrpcError(change(user.user_id, 'nope'), 'BAD_REQUEST', /invalid email/)
    const anonymous = (await (await api.anonymous()).json()) as Tokens
    await expectTrpcError(change(anonymous.user_id, uniqueEmail()), 'CONFLICT', 'this user has no email/password identity')
    await expectTrpcError(change('ffffffffffffffffffffffff', uniqueEmail()), 'NOT_FOUND', 'user not found')
    expect((await root.users.get.query({ userId: user.user_id })).email).toBe(user.email)
    expect(await count('login_throttle', 'subject = ?', user.email.toLowerCase())).toBe(1)
    expect((await api.login(user.email)).status).toBe(200)
    expect(await count('audit_log', "action = 'user.email-changed' AND user_id IN (?, ?)", user.user_id, anonymous.user_id)).toBe(0)
    expect((await emailEvents(user.user_id)).results).toEqual([])
  })
})

describe('users.get', () => {
  it('shows sessions, API keys without secrets, and recent audit entries', async () => {
    const user = await confirmedUser()
    await api.call('POST', 'https://usher.test/api/client/v2.0/auth/api_keys', { token: user.refresh_token, body: { name: 'laptop' } })
    const details = await root.users.get.query({ userId: user.user_id })
    expect(details).toMatchObject({ id: user.user_id, email: user.email, status: 'confirmed', sessionCount: 1 })
    expect(details.apiKeys).toEqual([{ id: expect.any(String), name: 'laptop', kind: 'user', disabled: false, createdAt: expect.any(String), lastUsedAt: null }])
    expect(JSON.stringify(details)).not.toMatch(/secret|hash/i)
    expect(details.recentAudit.map((e) => e.action)).toEqual(['api-key.created', 'user.login', 'user.first-login', 'user.confirmed', 'user.registered'])
  })
})

describe('server API keys', () => {
  it('create shows the secret once; the key logs in as a server user listed under "all"', async () => {
    const created = await root.apiKeys.create.mutate({ name: `backend-${crypto.randomUUID().slice(0, 6)}` })
    expect(created.key).toMatch(/^[0-9a-f]{24}\.[\w-]{43}$/)
    const listed = (await root.apiKeys.list.query()).items.find((k) => k.id === created.id)!
    expect(listed).not.toHaveProperty('key')
    expect(await root.apiKeys.get.query({ keyId: created.id })).toEqual(listed)

    const login = await api.call('POST', 'https://usher.test/api/client/v2.0/app/usher-local/auth/providers/api-key/login', { body: { key: created.key } })
    expect(login.status).toBe(200)
    const tokens = (await login.json()) as Tokens
    expect(tokens.user_id).toBe(created.userId)
    const profile = (await (await api.profile(tokens.access_token)).json()) as { type: string; identities: { id: string; provider_type: string }[] }
    expect(profile).toMatchObject({ type: 'server', identities: [{ id: created.id, provider_type: 'api-key' }] })
    const all = await root.users.list.query({ status: 'all', limit: 100 })
    expect(all.items.find((u) => u.id === created.userId)).toMatchObject({ type: 'server', identities: [{ providerType: 'api-key', id: created.id }] })
    for (const tab of ['pending', 'confirmed', 'disabled'] as const) {
      expect((await root.users.list.query({ status: tab, limit: 100 })).items.some((u) => u.id === created.userId)).toBe(false)
    }
    expect((await root.apiKeys.get.query({ keyId: created.id })).lastUsedAt).not.toBeNull()
  })

  it('disable refuses logins and ends sessions; enable restores; delete removes the server user too', async () => {
    const created = await root.apiKeys.create.mutate({ name: `worker-${crypto.randomUUID().slice(0, 6)}` })
    const keyLogin = () => api.call('POST', 'https://usher.test/api/client/v2.0/app/usher-local/auth/providers/api-key/login', { body: { key: created.key } })
    const session = (await (await keyLogin()).json()) as Tokens
    expect((await root.apiKeys.disable.mutate({ keyId: created.id })).disabled).toBe(true)
    expect((await keyLogin()).status).toBe(401)
    expect((await api.refresh(session.refresh_token)).status).toBe(401)
    expect((await root.apiKeys.enable.mutate({ keyId: created.id })).disabled).toBe(false)
    expect((await keyLogin()).status).toBe(200)
    expect(await root.apiKeys.delete.mutate({ keyId: created.id })).toEqual({ deleted: true, keyId: created.id })
    expect(await count('users', 'id = ?', created.userId)).toBe(0)
    await expectTrpcError(root.apiKeys.get.query({ keyId: created.id }), 'NOT_FOUND', 'API key not found')
    await expectTrpcError(root.apiKeys.delete.mutate({ keyId: created.id }), 'NOT_FOUND')
  })

  it('names are unique and well-formed', async () => {
    const name = `dup-${crypto.randomUUID().slice(0, 6)}`
    await root.apiKeys.create.mutate({ name })
    await expectTrpcError(root.apiKeys.create.mutate({ name }), 'CONFLICT', /already exists/)
    await expectTrpcError(root.apiKeys.create.mutate({ name: '' }), 'BAD_REQUEST')
    await expectTrpcError(root.apiKeys.create.mutate({ name: ' x' }), 'BAD_REQUEST')
  })

  it("a user API key is not reachable as a server key", async () => {
    const user = await confirmedUser()
    const res = await api.call('POST', 'https://usher.test/api/client/v2.0/auth/api_keys', { token: user.refresh_token, body: { name: 'mine' } })
    const { _id } = (await res.json()) as { _id: string }
    await expectTrpcError(root.apiKeys.get.query({ keyId: _id }), 'NOT_FOUND')
    await expectTrpcError(root.apiKeys.delete.mutate({ keyId: _id }), 'NOT_FOUND')
  })
})

describe('outbox, audit, config', () => {
  it('outbox lists mails newest first, filtered by recipient (any case)', async () => {
    const user = await pendingUser()
    await root.users.sendConfirmationEmail.mutate({ userId: user.id })
    const { items } = await root.outbox.list.query({ to: user.email!.toUpperCase() })
    expect(items).toHaveLength(2)
    expect(items[0]).toMatchObject({ to: user.email, subject: 'Confirm your email address', link: expect.stringContaining('/confirm?token=') })
    expect(items[0]!.id).toBeGreaterThan(items[1]!.id)
    expect((await root.outbox.list.query({ limit: 1 })).items).toHaveLength(1)
  })

  it('audit pages newest first through every lifecycle event', async () => {
    const user = await confirmedUser()
    await root.users.disable.mutate({ userId: user.user_id })
    await root.users.enable.mutate({ userId: user.user_id })
    await root.users.revokeSessions.mutate({ userId: user.user_id })
    const first = await root.audit.list.query({ userId: user.user_id, limit: 3 })
    expect(first.items.map((e) => e.action)).toEqual(['user.sessions-revoked', 'user.enabled', 'user.disabled'])
    expect(first.items.every((e) => e.actor === 'admin' && e.outcome === 'ok')).toBe(true)
    const second = await root.audit.list.query({ userId: user.user_id, limit: 4, cursor: first.nextCursor! })
    expect(second.items.map((e) => e.action)).toEqual(['user.login', 'user.first-login', 'user.confirmed', 'user.registered'])
    expect(second.nextCursor).toBeNull()
    // Who each entry is about, readable, and every login with how and from what device.
    expect(second.items.map((e) => e.email)).toEqual(second.items.map(() => user.email))
    expect(second.items[0]!.detail).toEqual({ provider: 'local-userpass', deviceId: user.device_id, ip: null })
    expect(new Date(first.items[0]!.at).toISOString()).toBe(first.items[0]!.at)
  })

  it('config.get shows the effective configuration and no secret', async () => {
    const config = await root.config.get.query()
    expect(config).toMatchObject({ appId: 'usher-local', confirmation: { method: 'email' }, reset: { method: 'email' }, kdf: { algorithm: 'scrypt' } })
    const text = JSON.stringify(config)
    for (const secret of [env.ADMIN_API_KEY, env.KEY_ENCRYPTION_KEY, env.FUNCTION_SECRET]) expect(text).not.toContain(secret)
  })
})

describe('server API key limit', () => {
  it('at most 100 per app, even when created concurrently; a refused one leaves no server user behind', async () => {
    const before = (await root.apiKeys.list.query()).items.length
    const usersBefore = await count('users', "type = 'server'")
    const tag = crypto.randomUUID().slice(0, 6)
    const results = await Promise.allSettled(
      Array.from({ length: 105 - before }, (_, i) => root.apiKeys.create.mutate({ name: `cap-${tag}-${i}` })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(100 - before)
    for (const refused of results.filter((r) => r.status === 'rejected')) {
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ message: 'maximum of 100 API keys reached: delete one first' })
    }
    expect((await root.apiKeys.list.query()).items).toHaveLength(100)
    expect(await count('users', "type = 'server'")).toBe(usersBefore + 100 - before)
  })
})
