/**
 * Links and the location answer never follow the request's Host header. With PUBLIC_URL empty, only a loopback
 * origin (local development) is trusted; any other Host is refused before anything is written or mailed —
 * a forged Host on `reset/send` must never put an attacker's origin into a victim's reset mail.
 */
import { describe, expect, it } from 'vitest'
import { loopbackOriginOf } from '../../worker/context'
import { admin } from './admin-helpers'
import { client, configured, count, expectError, lastMail, mailCount, uniqueEmail } from './helpers'

const noPublicUrl = configured({ PUBLIC_URL: '', CONFIRMATION_URL: '', RESET_URL: '' })
const at = (origin: string) => {
  const app = client(noPublicUrl)
  const path = (url: string) => url.replace('https://usher.test', origin)
  return {
    ...app,
    userpass: (action: string, body: unknown) => app.call('POST', path(`https://usher.test/api/client/v2.0/app/usher-local/auth/providers/local-userpass/${action}`), { body }),
    register: (email: string) => app.call('POST', path('https://usher.test/api/client/v2.0/app/usher-local/auth/providers/local-userpass/register'), { body: { email, password: 'password1' } }),
    location: () => app.call('GET', path('https://usher.test/api/client/v2.0/app/usher-local/location')),
  }
}
const attacker = at('https://attacker.example')
const local = at('http://127.0.0.1:8787')

describe('with PUBLIC_URL empty, a foreign Host header', () => {
  it('reset/send: no mail reaches the victim, and the answer names the missing PUBLIC_URL', async () => {
    const victim = uniqueEmail('victim')
    expect((await local.register(victim)).status).toBe(201)
    const before = await mailCount(victim)
    const body = await expectError(await attacker.userpass('reset/send', { email: victim }), 500, 'InternalServerError', /no PUBLIC_URL/)
    expect(body.link).toBe('/errors#InternalServerError')
    expect(await mailCount(victim)).toBe(before)
    expect(await count('action_tokens', "purpose = 'reset'")).toBe(0)
  })

  it('register and confirm/send: refused before any account or mail exists', async () => {
    const email = uniqueEmail('host')
    await expectError(await attacker.register(email), 500, 'InternalServerError', /no PUBLIC_URL/)
    expect(await count('identities', 'email = ?', email)).toBe(0)
    expect(await mailCount(email)).toBe(0)
    expect((await local.register(email)).status).toBe(201)
    await expectError(await attacker.userpass('confirm/send', { email }), 500, 'InternalServerError')
    expect(await mailCount(email)).toBe(1)
  })

  it("the admin's send-confirmation is refused too; the location answer is never the Host's", async () => {
    const email = uniqueEmail('admin-sent')
    expect((await local.register(email)).status).toBe(201)
    const { items } = await admin().users.list.query({ search: email })
    const viaForeignHost = admin(undefined, (input, init) => noPublicUrl(new Request(String(input).replace('https://usher.test', 'https://attacker.example'), init)))
    await expect(viaForeignHost.users.sendConfirmationEmail.mutate({ userId: items[0]!.id })).rejects.toThrow(/no PUBLIC_URL/)
    expect(await mailCount(email)).toBe(1)
    await expectError(await attacker.location(), 500, 'InternalServerError')
  })

  it('a loopback origin (local development) is used as is, for links and location', async () => {
    const email = uniqueEmail('loopback')
    expect((await local.register(email)).status).toBe(201)
    expect((await lastMail(email)).link).toMatch(/^http:\/\/127\.0\.0\.1:8787\/confirm\?token=/)
    expect(await (await local.location()).json()).toMatchObject({ hostname: 'http://127.0.0.1:8787' })
  })

  it('userinfo tricks (`Host: a:80@x`) never count as loopback', () => {
    expect(loopbackOriginOf('http://a:80@127.0.0.1/')).toBeNull()
    expect(loopbackOriginOf('https://a:80@attacker.example/')).toBeNull()
    expect(loopbackOriginOf('http://localhost:8787/x')).toBe('http://localhost:8787')
    expect(loopbackOriginOf('http://[::1]:8787/x')).toBe('http://[::1]:8787')
    expect(loopbackOriginOf('http://127.0.0.1.attacker.example/')).toBeNull()
  })
})

describe('with PUBLIC_URL set', () => {
  it('every link and the location answer use it, whatever the Host', async () => {
    const app = client(configured({ PUBLIC_URL: 'https://auth.example.com', CONFIRMATION_URL: '' }))
    const email = uniqueEmail('public')
    const res = await app.call('POST', 'https://attacker.example/api/client/v2.0/app/usher-local/auth/providers/local-userpass/register', {
      body: { email, password: 'password1' },
    })
    expect(res.status).toBe(201)
    expect((await lastMail(email)).link).toMatch(/^https:\/\/auth\.example\.com\/confirm\?/)
    const error = await expectError(
      await app.call('POST', 'https://attacker.example/api/client/v2.0/app/usher-local/auth/providers/local-userpass/login', { body: { username: email, password: 'x' } }),
      401,
      'InvalidPassword',
    )
    expect(error.link).toBe('https://auth.example.com/errors#InvalidPassword')
  })
})
