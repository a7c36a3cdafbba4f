import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { api, appBinding, client, configured, count, expectError, lastMail, mailCount, uniqueEmail, type Tokens } from './helpers'

/** The app's confirmation or reset function: records what it receives and answers `status`. */
const appFunction = (status: string | (() => Response)) =>
  appBinding(() => (typeof status === 'function' ? status() : Response.json({ status })))

const userCount = (email: string) => count('identities', 'email = ?', email)

describe('automatic confirmation', () => {
  const autoFetch = configured({ CONFIRMATION_METHOD: 'auto' })
  const auto = client(autoFetch)

  it('a registration can log in at once and no mail is sent', async () => {
    const email = uniqueEmail()
    expect((await auto.register(email)).status).toBe(201)
    expect(await mailCount(email)).toBe(0)
    expect((await auto.login(email)).status).toBe(200)
  })

  it('confirm/send and confirm/call answer with App Services’ texts (realm-web’s own tests assert them)', async () => {
    const email = uniqueEmail()
    await api.register(email)
    await expectError(await auto.userpass('confirm/send', { email }), 400, 'UserAlreadyConfirmed', /^already confirmed$/)
    await expectError(await auto.userpass('confirm/call', { email }), 400, 'BadRequest', `cannot run confirmation for ${email}: automatic confirmation is enabled`)
  })

  it("an admin's re-run confirms a user registered under another method", async () => {
    const email = uniqueEmail()
    await api.register(email)
    const { items } = await admin().users.list.query({ search: email })
    await admin(undefined, (input, init) => autoFetch(new Request(input, init))).users.rerunConfirmation.mutate({ userId: items[0]!.id })
    expect((await auto.login(email)).status).toBe(200)
  })
})

describe('confirmation function', () => {
  it('receives {username, token, tokenId}; success confirms', async () => {
    const fn = appFunction('success')
    const app = client(configured({ CONFIRMATION_METHOD: 'function', CONFIRMATION_FUNCTION: fn.binding }))
    const email = uniqueEmail()
    expect((await app.register(email)).status).toBe(201)
    expect(fn.calls).toEqual([{ username: email, token: expect.stringMatching(/^[\w-]{43}$/), tokenId: expect.stringMatching(/^[0-9a-f]{24}$/) }])
    expect((await app.login(email)).status).toBe(200)
  })

  it('pending leaves the user to be confirmed with the token pair the function got', async () => {
    const fn = appFunction('pending')
    const app = client(configured({ CONFIRMATION_METHOD: 'function', CONFIRMATION_FUNCTION: fn.binding }))
    const email = uniqueEmail()
    expect((await app.register(email)).status).toBe(201)
    await expectError(await app.login(email), 401, 'AuthError')
    const { token, tokenId } = fn.calls[0] as { token: string; tokenId: string }
    expect((await app.userpass('confirm', { token, tokenId })).status).toBe(204)
    expect((await app.login(email)).status).toBe(200)
  })

  it('fail at registration creates nothing: the email can register again', async () => {
    const email = uniqueEmail()
    const failing = client(configured({ CONFIRMATION_METHOD: 'function', CONFIRMATION_FUNCTION: appFunction('fail').binding }))
    await expectError(await failing.register(email), 400, 'BadRequest', `failed to confirm user "${email}"`)
    expect(await userCount(email)).toBe(0)
    const fn = appFunction('success')
    const app = client(configured({ CONFIRMATION_METHOD: 'function', CONFIRMATION_FUNCTION: fn.binding }))
    expect((await app.register(email)).status).toBe(201)
  })

  it('an unreachable or nonsensical function is reported, and the registration is not kept', async () => {
    for (const answer of [() => new Response('oops', { status: 500 }), () => Response.json({ status: 'maybe' }), () => new Response('not json')]) {
      const email = uniqueEmail()
      const app = client(configured({ CONFIRMATION_METHOD: 'function', CONFIRMATION_FUNCTION: appFunction(answer).binding }))
      await expectError(await app.register(email), 502, 'ServiceUnavailable', /confirmation function/)
      expect(await userCount(email)).toBe(0)
    }
  })

  it('confirm/call re-runs the function; a failing re-run keeps the pending user', async () => {
    const email = uniqueEmail()
    const pending = appFunction('pending')
    await client(configured({ CONFIRMATION_METHOD: 'function', CONFIRMATION_FUNCTION: pending.binding })).register(email)
    const failing = client(configured({ CONFIRMATION_METHOD: 'function', CONFIRMATION_FUNCTION: appFunction('fail').binding }))
    await expectError(await failing.userpass('confirm/call', { email }), 400, 'BadRequest', /failed to confirm/)
    expect(await userCount(email)).toBe(1)
    const success = appFunction('success')
    const app = client(configured({ CONFIRMATION_METHOD: 'function', CONFIRMATION_FUNCTION: success.binding }))
    expect((await app.userpass('confirm/call', { email })).status).toBe(204)
    expect(success.calls).toHaveLength(1)
    expect((await app.login(email)).status).toBe(200)
    await expectError(await app.userpass('confirm/send', { email }), 400, 'BadRequest', /confirmation function/)
  })
})

describe('password reset by email', () => {
  it('mails a 30-minute link; the reset changes the password and ends every session', async () => {
    const email = uniqueEmail()
    await api.register(email, 'old-password')
    await api.userpass('confirm', await lastMailPair(email))
    const session = (await (await api.login(email, 'old-password')).json()) as Tokens
    expect((await api.userpass('reset/send', { email })).status).toBe(204)
    const mail = await lastMail(email)
    expect(mail.subject).toBe('Reset your password')
    expect(mail.link).toMatch(/^https:\/\/usher\.test\/reset\?token=/)
    expect((await api.userpass('reset', { token: mail.token, tokenId: mail.tokenId, password: 'new-password' })).status).toBe(204)
    await expectError(await api.refresh(session.refresh_token), 401, 'InvalidSession')
    await expectError(await api.profile(session.access_token), 401, 'InvalidSession')
    await expectError(await api.login(email, 'old-password'), 401, 'InvalidPassword')
    expect((await api.login(email, 'new-password')).status).toBe(200)
    await expectError(await api.userpass('reset', { token: mail.token, tokenId: mail.tokenId, password: 'third-password' }), 400, 'UserpassTokenInvalid')
  })

  it('refuses expired tokens, bad passwords and unknown or unconfirmed emails', async () => {
    const email = uniqueEmail()
    await api.register(email)
    await expectError(await api.userpass('reset/send', { email }), 400, 'BadRequest', /not confirmed/)
    await api.userpass('confirm', await lastMailPair(email))
    await api.userpass('reset/send', { email })
    const { token, tokenId } = await lastMail(email)
    await expectError(await api.userpass('reset', { token, tokenId, password: '123' }), 400, 'InvalidParameter')
    await env.DB.prepare('UPDATE action_tokens SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, tokenId).run()
    await expectError(await api.userpass('reset', { token, tokenId, password: 'new-password' }), 400, 'UserpassTokenInvalid')
    await expectError(await api.userpass('reset/send', { email: uniqueEmail() }), 404, 'UserNotFound')
  })

  it('reset/call is refused while the method is email', async () => {
    await expectError(await api.userpass('reset/call', { email: uniqueEmail(), password: 'password2' }), 400, 'BadRequest', /reset\/send/)
  })
})

describe('password reset by function', () => {
  async function confirmed(email: string) {
    await api.register(email, 'old-password')
    await api.userpass('confirm', await lastMailPair(email))
  }
  const withReset = (fn: ReturnType<typeof appFunction>) => client(configured({ RESET_METHOD: 'function', RESET_FUNCTION: fn.binding }))

  it('gets username, password, token pair, currentPasswordValid and the arguments; success changes the password', async () => {
    const email = uniqueEmail()
    await confirmed(email)
    const fn = appFunction('success')
    const app = withReset(fn)
    expect((await app.userpass('reset/call', { email: email.toUpperCase(), password: 'new-password', arguments: ['sms', { code: 42 }] })).status).toBe(204)
    expect(fn.calls[0]).toEqual({
      username: email,
      password: 'new-password',
      token: expect.any(String),
      tokenId: expect.any(String),
      currentPasswordValid: false,
      arguments: ['sms', { code: 42 }],
    })
    expect((await app.login(email, 'new-password')).status).toBe(200)
    await app.userpass('reset/call', { email, password: 'new-password' })
    expect(fn.calls[1]).toMatchObject({ currentPasswordValid: true, arguments: [] })
  })

  it('pending is completed later with the token pair; fail refuses', async () => {
    const email = uniqueEmail()
    await confirmed(email)
    const pending = appFunction('pending')
    expect((await withReset(pending).userpass('reset/call', { email, password: 'new-password' })).status).toBe(204)
    expect((await api.login(email, 'old-password')).status).toBe(200)
    const { token, tokenId } = pending.calls[0] as { token: string; tokenId: string }
    expect((await api.userpass('reset', { token, tokenId, password: 'chosen-later' })).status).toBe(204)
    expect((await api.login(email, 'chosen-later')).status).toBe(200)

    await expectError(await withReset(appFunction('fail')).userpass('reset/call', { email, password: 'other-password' }), 400, 'BadRequest', `failed to reset password for user "${email}"`)
    expect((await api.login(email, 'chosen-later')).status).toBe(200)
  })

  it('reset/send is refused while a reset function is configured; unknown emails are UserNotFound', async () => {
    const app = withReset(appFunction('success'))
    await expectError(await app.userpass('reset/send', { email: uniqueEmail() }), 400, 'BadRequest', 'please use reset password via function')
    await expectError(await app.userpass('reset/call', { email: uniqueEmail(), password: 'password2' }), 404, 'UserNotFound')
  })
})

async function lastMailPair(email: string) {
  const { token, tokenId } = await lastMail(email)
  return { token, tokenId }
}
