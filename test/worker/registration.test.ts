import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { api, count, expectError, lastMail, mailCount, uniqueEmail, userStatus, type Tokens } from './helpers'

describe('registration', () => {
  it('a new registration is pending confirmation and gets a confirmation mail with a 30-minute link', async () => {
    const email = uniqueEmail()
    const res = await api.register(email)
    expect(res.status).toBe(201)
    expect(res.headers.get('content-type')).toBeNull()
    expect(await res.text()).toBe('')
    const mail = await lastMail(email)
    expect(mail.subject).toBe('Confirm your email address')
    expect(mail.link).toMatch(/^https:\/\/usher\.test\/confirm\?token=[\w-]{43}&tokenId=[0-9a-f]{24}$/)
    expect(mail.text).toContain(mail.link!)
    const token = await env.DB.prepare('SELECT created_at, expires_at FROM action_tokens WHERE id = ?')
      .bind(mail.tokenId)
      .first<{ created_at: number; expires_at: number }>()
    expect(token!.expires_at - token!.created_at).toBe(30 * 60 * 1000)
    const user = await env.DB.prepare(
      "SELECT u.status FROM users u JOIN identities i ON i.user_id = u.id WHERE i.email = ?",
    )
      .bind(email)
      .first<{ status: string }>()
    expect(user!.status).toBe('pending-confirmation')
  })

  it('an email is taken whatever its case, pending or not', async () => {
    const email = uniqueEmail('Mixed')
    expect((await api.register(email)).status).toBe(201)
    await expectError(await api.register(email), 409, 'AccountNameInUse', 'name already in use')
    await expectError(await api.register(email.toUpperCase()), 409, 'AccountNameInUse')
    await expectError(await api.register(email.toLowerCase()), 409, 'AccountNameInUse')
  })

  it('refuses passwords outside 6–128 characters, counted in code points', async () => {
    await expectError(await api.register(uniqueEmail(), '12345'), 400, 'InvalidParameter', 'password must be between 6 and 128 characters')
    await expectError(await api.register(uniqueEmail(), 'x'.repeat(129)), 400, 'InvalidParameter')
    expect((await api.register(uniqueEmail(), '🔑'.repeat(128))).status).toBe(201)
    expect((await api.register(uniqueEmail(), '123456')).status).toBe(201)
  })

  it('refuses things that are not email addresses', async () => {
    for (const email of ['', 'no-at-sign', 'two@@example.com', ' spaced@example.com', 'a b@example.com', `${'x'.repeat(250)}@example.com`]) {
      await expectError(await api.register(email), 400, 'InvalidParameter', 'invalid email address')
    }
  })
})

describe('confirmation by email', () => {
  it('the mailed token confirms once; the user is then pending login until the first login', async () => {
    const email = uniqueEmail()
    await api.register(email)
    const { token, tokenId } = await lastMail(email)
    const confirm = await api.userpass('confirm', { token, tokenId })
    expect(confirm.status).toBe(204)
    await expectError(await api.userpass('confirm', { token, tokenId }), 400, 'UserpassTokenInvalid', 'invalid token data')

    const login = await api.login(email)
    expect(login.status).toBe(200)
    const tokens = (await login.json()) as Tokens
    expect(await userStatus(tokens.user_id)).toMatchObject({ status: 'confirmed' })
    const actions = await env.DB.prepare('SELECT action FROM audit_log WHERE user_id = ? ORDER BY id')
      .bind(tokens.user_id)
      .all<{ action: string }>()
    expect(actions.results.map((r) => r.action)).toEqual(['user.registered', 'user.confirmed', 'user.first-login', 'user.login'])
  })

  it('a wrong, forged or expired token confirms nothing', async () => {
    const email = uniqueEmail()
    await api.register(email)
    const { token, tokenId } = await lastMail(email)
    await expectError(await api.userpass('confirm', { token: token.replace(/.$/, token.endsWith('A') ? 'B' : 'A'), tokenId }), 400, 'UserpassTokenInvalid')
    await expectError(await api.userpass('confirm', { token, tokenId: '0'.repeat(24) }), 400, 'UserpassTokenInvalid')
    await expectError(await api.userpass('confirm', { token: '', tokenId: '' }), 400, 'UserpassTokenInvalid')
    await env.DB.prepare('UPDATE action_tokens SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, tokenId).run()
    await expectError(await api.userpass('confirm', { token, tokenId }), 400, 'UserpassTokenInvalid')
    await expectError(await api.login(email), 401, 'AuthError', /confirmation required/)
  })

  it('a resent confirmation mail retires the previous link', async () => {
    const email = uniqueEmail()
    await api.register(email)
    const first = await lastMail(email)
    expect((await api.userpass('confirm/send', { email })).status).toBe(204)
    expect(await mailCount(email)).toBe(2)
    const second = await lastMail(email)
    expect(second.tokenId).not.toBe(first.tokenId)
    await expectError(await api.userpass('confirm', { token: first.token, tokenId: first.tokenId }), 400, 'UserpassTokenInvalid')
    expect((await api.userpass('confirm', { token: second.token, tokenId: second.tokenId })).status).toBe(204)
  })

  it('confirm/call re-runs the email method: a new mail', async () => {
    const email = uniqueEmail()
    await api.register(email)
    expect((await api.userpass('confirm/call', { email })).status).toBe(204)
    expect(await mailCount(email)).toBe(2)
  })

  it('resending for a confirmed user or an unknown email is refused (App Services semantics)', async () => {
    const email = uniqueEmail()
    await api.register(email)
    const { token, tokenId } = await lastMail(email)
    expect((await api.userpass('confirm', { token, tokenId })).status).toBe(204)
    await expectError(await api.userpass('confirm/send', { email }), 400, 'UserAlreadyConfirmed', 'already confirmed')
    await expectError(await api.userpass('confirm/call', { email }), 400, 'UserAlreadyConfirmed')
    await expectError(await api.userpass('confirm/send', { email: uniqueEmail() }), 404, 'UserNotFound', 'user not found')
  })

  it('an unconfirmed user cannot log in, even with the right password', async () => {
    const email = uniqueEmail()
    await api.register(email)
    await expectError(await api.login(email), 401, 'AuthError', /confirmation required/)
    await expectError(await api.login(email, 'wrong-password'), 401, 'InvalidPassword', 'invalid username/password')
    expect(await count('sessions')).toBeGreaterThanOrEqual(0)
  })
})

describe('addresses that only look like another', () => {
  it('a fullwidth, invisible or bidi-laced address is refused, so it can never squat the plain one', async () => {
    const local = `ann${crypto.randomUUID().slice(0, 6)}`
    const plain = `${local}@example.com`
    const fullwidth = `${[...local].map((c) => String.fromCharCode(c.charCodeAt(0) + (/[a-z]/.test(c) ? 0xfee0 : 0))).join('')}@example.com`
    await expectError(await api.register(fullwidth), 400, 'InvalidParameter', /plain form/)
    await expectError(await api.register(plain.replace('@', '\u200b@')), 400, 'InvalidParameter', /invisible/)
    await expectError(await api.register(`\u202e${plain}`), 400, 'InvalidParameter', /invisible/)
    await expectError(await api.register(plain.replace('.com', '.\ud800com')), 400, 'InvalidParameter')
    expect(await count('identities', 'email_key = ?', plain)).toBe(0)
    expect((await api.register(plain)).status).toBe(201)
    // Case still folds: the same account.
    await expectError(await api.register(plain.toUpperCase()), 409, 'AccountNameInUse')
  })

  it('Greek final sigma folds: ας@ and ασ@ are one account', async () => {
    const tag = crypto.randomUUID().slice(0, 6)
    expect((await api.register(`ας${tag}@example.gr`)).status).toBe(201)
    await expectError(await api.register(`ασ${tag}@example.gr`), 409, 'AccountNameInUse')
  })

  it('a new registration replaces one whose confirmation link expired unused (audited); a live one still blocks', async () => {
    const email = uniqueEmail('squatted')
    expect((await api.register(email, 'squatter-password')).status).toBe(201)
    await expectError(await api.register(email), 409, 'AccountNameInUse')
    const old = await env.DB.prepare('SELECT user_id FROM identities WHERE email = ?').bind(email).first<{ user_id: string }>()
    await env.DB.prepare('UPDATE action_tokens SET expires_at = ? WHERE user_id = ?').bind(Date.now() - 1, old!.user_id).run()
    expect((await api.register(email, 'owner-password')).status).toBe(201)
    const fresh = await lastMail(email)
    expect((await api.userpass('confirm', { token: fresh.token, tokenId: fresh.tokenId })).status).toBe(204)
    expect((await api.login(email, 'owner-password')).status).toBe(200)
    await expectError(await api.login(email, 'squatter-password'), 401, 'InvalidPassword')
    expect(await count('users', 'id = ?', old!.user_id)).toBe(0)
    expect(await count('audit_log', "action = 'user.registration-replaced' AND user_id = ?", old!.user_id)).toBe(1)
  })
})
