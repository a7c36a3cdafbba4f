import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { API, APP, api, client, configured, confirmedUser, expectError, lastMail, uniqueEmail } from './helpers'

const root = admin()
const throttleOf = (email: string) =>
  env.DB.prepare('SELECT * FROM login_throttle WHERE subject = ?')
    .bind(email.toLowerCase())
    .first<{ failures: number; window_failures: number; window_start: number; locked_until: number; last_failure_at: number }>()
/** Lift the backoff of the account and of every client of it (so a test can count failures quickly). */
const unlock = (email: string) =>
  env.DB.prepare("UPDATE login_throttle SET locked_until = 0 WHERE subject = ?1 OR substr(subject, 1, length(?1) + 1) = ?1 || '|'")
    .bind(email.toLowerCase())
    .run()

async function failLogins(email: string, times: number) {
  for (let i = 0; i < times; i++) {
    expect((await api.login(email, `wrong-${i}`)).status).toBe(401)
    await unlock(email)
  }
}

describe('per-account throttling of failed logins', () => {
  it('four failures change nothing; from the fifth the account backs off: a wrong password is still "invalid", the right one "temporarily locked"', async () => {
    const user = await confirmedUser()
    await failLogins(user.email, 4)
    expect((await api.login(user.email)).status).toBe(200)
    expect((await throttleOf(user.email))!.failures).toBe(0)

    const wrong = await (await api.login(user.email, 'wrong')).json()
    await failLogins(user.email, 3)
    const fifth = await api.login(user.email, 'wrong-again')
    expect(await fifth.json()).toEqual(wrong)
    const guessed = await api.login(user.email, 'still-wrong')
    expect(guessed.status).toBe(401)
    expect(await guessed.json()).toEqual(wrong)
    // Only the password holder learns of the lock, with when to retry.
    const locked = await api.login(user.email)
    const body = await expectError(locked, 429, 'TooManyRequests', /^temporarily locked after too many failed logins: reset your password, or wait 1 minute$/)
    expect(body.error).not.toMatch(/invalid username/)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    await unlock(user.email)
    expect((await api.login(user.email)).status).toBe(200)
  })

  it("a stranger failing from elsewhere cannot keep the owner out of a device they logged in from", async () => {
    const owner = await confirmedUser()
    const deviceId = crypto.randomUUID().replaceAll('-', '').slice(0, 24)
    const fromDevice = (password = 'password1') =>
      api.call('POST', `${APP}/auth/providers/local-userpass/login`, {
        body: { username: owner.email, password, options: { device: { deviceId: { $oid: deviceId }, platform: 'chrome' } } },
      })
    const fromStranger = client((request) => {
      request.headers.set('cf-connecting-ip', '203.0.113.66')
      return configured({})(request)
    })
    const fromNewLaptop = client((request) => {
      request.headers.set('cf-connecting-ip', '198.51.100.23')
      return configured({})(request)
    })
    expect((await fromDevice()).status).toBe(200)
    // One wrong password a second, for a while: the account locks for every client it does not know.
    for (let i = 0; i < 8; i++) {
      expect((await fromStranger.login(owner.email, `guess-${i}`)).status).toBe(401)
      await env.DB.prepare('UPDATE login_throttle SET locked_until = locked_until - 1000 WHERE subject LIKE ?').bind(`${owner.email.toLowerCase()}|ip:%`).run()
    }
    expect((await throttleOf(owner.email))!.locked_until).toBeGreaterThan(Date.now())
    await expectError(await fromStranger.login(owner.email, 'another-guess'), 401, 'InvalidPassword')
    // The owner's known device gets in; a client it never logged in from is told to reset or wait.
    expect((await fromDevice()).status).toBe(200)
    await expectError(await fromNewLaptop.login(owner.email), 429, 'TooManyRequests', /reset your password, or wait \d+ minute/)
    // Logging in from the known device does not lift the stranger's lock.
    await expectError(await fromStranger.login(owner.email), 429, 'TooManyRequests')
    // A known client is still held by its own failures.
    for (let i = 0; i < 5; i++) await fromDevice(`typo-${i}`)
    await expectError(await fromDevice(), 429, 'TooManyRequests')
  })

  it('the backoff doubles from 1 s and is capped at 15 minutes', async () => {
    const { email } = await confirmedUser()
    const delays: number[] = []
    for (let i = 1; i <= 16; i++) {
      await api.login(email, 'wrong')
      const row = (await throttleOf(email))!
      if (i >= 5) delays.push(row.locked_until - row.last_failure_at)
      await unlock(email)
    }
    expect(delays.slice(0, 6)).toEqual([1000, 2000, 4000, 8000, 16000, 32000])
    expect(delays.at(-1)).toBe(15 * 60 * 1000)
  })

  it('at most 100 failures per hour, even when successful logins reset the consecutive count', async () => {
    const { email } = await confirmedUser()
    const stranger = client((request) => {
      request.headers.set('cf-connecting-ip', '203.0.113.99')
      return configured({})(request)
    })
    await api.login(email, 'wrong')
    const row = (await throttleOf(email))!
    // Both the account's row and this (known) client's own row hold the hourly cap.
    await env.DB.prepare("UPDATE login_throttle SET window_failures = 99, failures = 0 WHERE subject = ?1 OR substr(subject, 1, length(?1) + 1) = ?1 || '|'")
      .bind(email.toLowerCase())
      .run()
    await api.login(email, 'wrong')
    const capped = (await throttleOf(email))!
    expect(capped.window_failures).toBe(100)
    expect(capped.locked_until).toBe(row.window_start + 3600 * 1000)
    await expectError(await api.login(email), 429, 'TooManyRequests', /wait 60 minutes/)
    await expectError(await stranger.login(email), 429, 'TooManyRequests')
  })

  it('unknown emails are throttled the same way, so throttling reveals nothing', async () => {
    const email = uniqueEmail()
    for (let i = 0; i < 5; i++) await api.login(email, 'wrong')
    expect((await throttleOf(email))!.locked_until).toBeGreaterThan(Date.now())
    expect((await api.register(email)).status).toBe(201)
  })

  it('concurrent failures are each counted', async () => {
    const { email } = await confirmedUser()
    await Promise.all(Array.from({ length: 12 }, (_, i) => api.login(email, `wrong-${i}`)))
    const row = (await throttleOf(email))!
    expect(row.failures).toBeGreaterThanOrEqual(5)
    expect(row.locked_until).toBeGreaterThan(Date.now())
  })

  it('admins see the lock and clear it; both the lock and the clearing are audited', async () => {
    const user = await confirmedUser()
    for (let i = 0; i < 5; i++) await api.login(user.email, 'wrong')
    const details = await root.users.get.query({ userId: user.user_id })
    expect(details.lock).toMatchObject({ locked: true, consecutiveFailures: 5, failuresThisHour: 5 })
    expect(details.lockedUntil).not.toBeNull()
    expect((await root.users.list.query({ search: user.email })).items[0]!.lockedUntil).toBe(details.lock!.lockedUntil)
    expect(details.recentAudit[0]).toMatchObject({ action: 'user.login-locked', actor: 'system', outcome: 'refused' })

    const cleared = await root.users.clearLock.mutate({ userId: user.user_id })
    expect(cleared.lockedUntil).toBeNull()
    expect((await root.users.get.query({ userId: user.user_id })).lock).toBeNull()
    expect((await root.audit.list.query({ userId: user.user_id, limit: 1 })).items[0]).toMatchObject({ action: 'user.lock-cleared', actor: 'admin', detail: { wasLocked: true } })
    expect((await api.login(user.email)).status).toBe(200)
  })

  it('a password reset is the way out of a lock without an admin', async () => {
    const user = await confirmedUser()
    for (let i = 0; i < 6; i++) await api.login(user.email, 'wrong')
    await api.userpass('reset/send', { email: user.email })
    const { token, tokenId } = await lastMail(user.email)
    expect((await api.userpass('reset', { token, tokenId, password: 'fresh-password' })).status).toBe(204)
    expect((await api.login(user.email, 'fresh-password')).status).toBe(200)
  })

  it('linking with email/password is throttled the same way', async () => {
    const target = await confirmedUser()
    const anon = (await (await api.anonymous()).json()) as { access_token: string }
    for (let i = 0; i < 5; i++) {
      await api.call('POST', `${APP}/auth/providers/local-userpass/login?link=true`, { token: anon.access_token, body: { username: target.email, password: 'wrong' } })
    }
    expect((await throttleOf(target.email))!.locked_until).toBeGreaterThan(Date.now())
  })
})

describe('per-client-IP limits (RATE_LIMITS=on)', () => {
  const limited = configured({ RATE_LIMITS: 'on' })
  const from = (ip: string) => client((request) => {
    request.headers.set('cf-connecting-ip', ip)
    return limited(request)
  })

  it('registrations: 10 a minute per address, then 429; other addresses are unaffected', async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 200)}`
    const results = []
    for (let i = 0; i < 12; i++) results.push((await from(ip).register(uniqueEmail())).status)
    expect(results.slice(0, 10).every((s) => s === 201)).toBe(true)
    expect(results.slice(10)).toEqual([429, 429])
    expect((await from('198.51.100.7').register(uniqueEmail())).status).toBe(201)
  })

  it('logins over the budget are 429 with Retry-After, before any password is hashed', async () => {
    const user = await confirmedUser()
    const ip = `192.0.2.${Math.floor(Math.random() * 200)}`
    let res = await from(ip).login(user.email)
    // Up to two windows' worth: the limiter's 60-second window may roll over during the loop.
    for (let i = 0; i < 130 && res.status === 200; i++) res = await from(ip).login(user.email)
    await expectError(res, 429, 'TooManyRequests', 'too many requests: slow down and retry later')
    expect(res.headers.get('retry-after')).toBe('60')
    // Refused before hashing: an unhashable (over-long) password gets the same 429, not a slower answer.
    await expectError(await from(ip).login(user.email, 'x'.repeat(1024)), 429, 'TooManyRequests')
    expect((await from('198.51.100.8').login(user.email)).status).toBe(200)
  })

  it('the confirmation and reset routes answer 429 over the budget', async () => {
    const ip = `100.64.0.${Math.floor(Math.random() * 200)}`
    let last = 0
    // Up to two windows' worth: the limiter's 60-second window may roll over during the loop.
    for (let i = 0; i < 130 && last !== 429; i++) last = (await from(ip).userpass('reset/send', { email: uniqueEmail() })).status
    expect(last).toBe(429)
    expect((await from(ip).userpass('confirm/send', { email: uniqueEmail() })).status).toBe(429)
    expect((await from(ip).call('GET', `${API}/app/usher-local/location`)).status).toBe(200)
  })
})
