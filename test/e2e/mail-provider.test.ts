/**
 * A mail provider over HTTP (MAIL_PROVIDER=resend, MAIL_API_URL pointing at a local server speaking Resend's
 * format — Resend's cloud itself is not reachable from the tests): transient failures are retried under one
 * idempotency key, permanent ones are not; a failure that remains is audited and reported, never lost silently.
 */
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminClient } from '../../tui/admin-client'
import { ADMIN_KEY, freePort, startUsher } from './harness'

interface Received {
  idempotencyKey: string | undefined
  authorization: string | undefined
  body: { from: string; to: string[]; subject: string; text: string }
}
const received: Received[] = []
/** What the provider answers next, in order (then 200). */
let script: { status: number; body: string }[] = []
let server: Server
let usher: Awaited<ReturnType<typeof startUsher>>

beforeAll(async () => {
  const port = await freePort()
  server = createServer((request, response) => {
    let data = ''
    request.on('data', (chunk: Buffer) => (data += chunk.toString()))
    request.on('end', () => {
      received.push({
        idempotencyKey: request.headers['idempotency-key'] as string | undefined,
        authorization: request.headers.authorization,
        body: JSON.parse(data) as Received['body'],
      })
      const next = script.shift() ?? { status: 200, body: '{"id":"mail-1"}' }
      response.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  usher = await startUsher({
    MAIL_PROVIDER: 'resend',
    MAIL_API_URL: `http://127.0.0.1:${port}/emails`,
    MAIL_API_KEY: 're_test_4d8f2a91c7b3e6f0',
    MAIL_FROM: 'Notes <no-reply@notes.example>',
  })
}, 120_000)
afterAll(async () => {
  await usher?.close()
  await new Promise((resolve) => server?.close(resolve))
})

const register = (email: string) =>
  fetch(`${usher.origin}/api/client/v2.0/app/usher-local/auth/providers/local-userpass/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'password1' }),
  })
const sentTo = (email: string) => received.filter((r) => r.body.to[0] === email)
const failedMails = async () =>
  (await createAdminClient({ url: usher.origin, adminKey: ADMIN_KEY }).audit.list.query({ limit: 20 })).items.filter(
    (e) => e.action === 'mail.failed',
  )

describe('MAIL_PROVIDER=resend with a provider that fails', () => {
  it('sends with the API key and the configured sender', async () => {
    const email = `plain-${Date.now()}@example.com`
    expect((await register(email)).status).toBe(201)
    const [mail] = sentTo(email)
    expect(mail).toMatchObject({ authorization: 'Bearer re_test_4d8f2a91c7b3e6f0', body: { from: 'Notes <no-reply@notes.example>', subject: 'Confirm your email address' } })
    expect(mail!.body.text).toContain('/confirm?token=')
  })

  it('a 503 and a 429 rate limit are retried, under one idempotency key, and the mail goes out', async () => {
    const email = `retried-${Date.now()}@example.com`
    script = [
      { status: 503, body: '{"name":"internal_server_error"}' },
      { status: 429, body: '{"name":"rate_limit_exceeded"}' },
    ]
    expect((await register(email)).status).toBe(201)
    const attempts = sentTo(email)
    expect(attempts).toHaveLength(3)
    expect(new Set(attempts.map((a) => a.idempotencyKey)).size).toBe(1)
    expect(attempts[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('a permanent refusal is not retried: audited with the code, reported 502, the registration kept to resend', async () => {
    const email = `refused-${Date.now()}@example.com`
    script = [{ status: 422, body: '{"name":"validation_error","message":"invalid from"}' }]
    const res = await register(email)
    expect(res.status).toBe(502)
    expect(((await res.json()) as { error: string }).error).toMatch(/the email could not be sent \(mail provider answered 422/)
    expect(sentTo(email)).toHaveLength(1)
    expect((await failedMails())[0]).toMatchObject({ outcome: 'failed', detail: { code: '422', attempts: 1 } })
  })

  it('a provider that stays down is tried three times, then audited and reported', async () => {
    const email = `down-${Date.now()}@example.com`
    script = Array.from({ length: 3 }, () => ({ status: 500, body: '{}' }))
    expect((await register(email)).status).toBe(502)
    expect(sentTo(email)).toHaveLength(3)
    expect((await failedMails())[0]).toMatchObject({ detail: { code: '500', attempts: 3 } })
  })
})
