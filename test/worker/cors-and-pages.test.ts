import { describe, expect, it } from 'vitest'
import { API, APP, ORIGIN, api, configured, confirmedUser, lastMail, uniqueEmail } from './helpers'

describe('a configured list of allowed origins', () => {
  const fetcher = configured({ ALLOWED_ORIGINS: 'https://app.example, https://admin.example' })
  const preflight = (origin: string) =>
    fetcher(
      new Request(`${APP}/location`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      }),
    )

  it('echoes a listed origin and omits the header for others', async () => {
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('landing pages for mailed links', () => {
  const form = (fields: Record<string, string>) =>
    api.call('POST', `${ORIGIN}${fields.path}`, {
      body: new URLSearchParams(Object.entries(fields).filter(([k]) => k !== 'path')).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })

  it('opening a confirmation link changes nothing; the button confirms', async () => {
    const email = uniqueEmail()
    await api.register(email)
    const mail = await lastMail(email)
    const page = await api.call('GET', mail.link!)
    expect(page.status).toBe(200)
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(await page.text()).toContain(`value="${mail.tokenId}"`)
    expect((await api.login(email)).status).toBe(401)
    const done = await form({ path: '/confirm', token: mail.token, tokenId: mail.tokenId })
    expect(done.status).toBe(200)
    expect(await done.text()).toContain('Email address confirmed')
    expect((await api.login(email)).status).toBe(200)
    const again = await form({ path: '/confirm', token: mail.token, tokenId: mail.tokenId })
    expect(again.status).toBe(400)
    expect(await again.text()).toContain('invalid token data')
  })

  it('the reset page sets a new password when both entries match', async () => {
    const email = uniqueEmail()
    await api.register(email)
    const confirm = await lastMail(email)
    await api.userpass('confirm', { token: confirm.token, tokenId: confirm.tokenId })
    await api.userpass('reset/send', { email })
    const mail = await lastMail(email)
    expect((await api.call('GET', mail.link!)).status).toBe(200)
    const mismatch = await form({ path: '/reset', token: mail.token, tokenId: mail.tokenId, password: 'new-password', repeat: 'other' })
    expect(mismatch.status).toBe(400)
    const tooShort = await form({ path: '/reset', token: mail.token, tokenId: mail.tokenId, password: 'abc', repeat: 'abc' })
    expect(await tooShort.text()).toContain('password must be between 6 and 128 characters')
    const done = await form({ path: '/reset', token: mail.token, tokenId: mail.tokenId, password: 'new-password', repeat: 'new-password' })
    expect(done.status).toBe(200)
    expect((await api.login(email, 'new-password')).status).toBe(200)
  })

  it('page content is escaped', async () => {
    const page = await api.call('GET', `${ORIGIN}/confirm?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&tokenId=x`)
    const text = await page.text()
    expect(text).not.toContain('<script>')
    expect(text).toContain('&quot;&gt;&lt;script&gt;')
  })
})

describe('caching and limits on what the review found open', () => {
  it('token and personal-data answers are never cached: login, refresh, profile, API keys, errors', async () => {
    const user = await confirmedUser()
    const answers = [
      await api.login(user.email),
      await api.refresh(user.refresh_token),
      await api.profile(user.access_token),
      await api.call('GET', `${API}/auth/api_keys`, { token: user.refresh_token }),
      await api.login(user.email, 'wrong'),
    ]
    for (const res of answers) expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('the mailed-link pages answer 429 with Retry-After past the per-IP budget', async () => {
    const limited = configured({ RATE_LIMITS: 'on' })
    const ip = `100.64.1.${Math.floor(Math.random() * 250)}`
    const post = () =>
      limited(new Request(`${ORIGIN}/confirm`, { method: 'POST', headers: { 'cf-connecting-ip': ip, 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x&tokenId=y' }))
    let res = await post()
    // Up to two windows' worth: the limiter's 60-second window may roll over during the loop.
    for (let i = 0; i < 130 && res.status !== 429; i++) res = await post()
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('60')
    expect(await res.text()).toContain('Too many attempts')
  })
})
