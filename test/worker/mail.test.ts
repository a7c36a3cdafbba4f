import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { parseAddress } from '../../worker/mail/mailer'
import { client, configured, count, expectError, mailCount, uniqueEmail } from './helpers'

describe('MAIL_PROVIDER=cloudflare (the send_email binding)', () => {
  it('sends the confirmation through the binding, not the dev outbox', async () => {
    const app = client(configured({ MAIL_PROVIDER: 'cloudflare', SEND_EMAIL: env.SEND_EMAIL }))
    const email = uniqueEmail()
    expect((await app.register(email)).status).toBe(201)
    expect(await mailCount(email)).toBe(0)
  })

  it('a refused send is reported to the caller and audited; the registration stays, to be resent', async () => {
    const app = client(configured({ MAIL_PROVIDER: 'cloudflare', SEND_EMAIL: env.SEND_EMAIL_RESTRICTED }))
    const email = uniqueEmail()
    await expectError(await app.register(email), 502, 'ServiceUnavailable', /email could not be sent/)
    expect(await count('identities', 'email = ?', email)).toBe(1)
    // The binding's own refusal of an unverified destination is permanent: not retried.
    const failed = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'mail.failed' ORDER BY id DESC LIMIT 1").first<{ detail: string }>()
    expect(JSON.parse(failed!.detail)).toMatchObject({ attempts: 1, reason: expect.stringContaining('not allowed') })
    await expectError(await app.register(email), 409, 'AccountNameInUse')
  })

  it('parses "Name <address>" senders', () => {
    expect(parseAddress('Usher <no-reply@usher.local>')).toEqual({ name: 'Usher', email: 'no-reply@usher.local' })
    expect(parseAddress('"My App" <hi@app.example>')).toEqual({ name: 'My App', email: 'hi@app.example' })
    expect(parseAddress('plain@app.example')).toBe('plain@app.example')
  })
})
