/**
 * The outside services a deployment talks to, through the real worker over real HTTP: an HTTP mail API
 * (Resend's format, at MAIL_API_URL) and the app's confirmation and reset functions as signed webhooks.
 * The receivers are local HTTP servers standing in for those services (there is no network here).
 */
import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_BINDINGS } from '../bindings'
import { startUsher } from './harness'

interface Received {
  path: string
  headers: IncomingMessage['headers']
  body: string
}

let receiver: Server
let port = 0
const received: Received[] = []
let answer = (_: Received) => ({ status: 200, body: {} as unknown })

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const entry = { path: req.url ?? '', headers: req.headers, body }
      received.push(entry)
      const { status, body: reply } = answer(entry)
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply))
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  port = (receiver.address() as { port: number }).port
})
afterAll(() => new Promise((resolve) => receiver.close(resolve)))

const post = (origin: string, path: string, body: unknown) =>
  fetch(`${origin}/api/client/v2.0/app/usher-local/auth/providers/local-userpass/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('an HTTP mail API (MAIL_PROVIDER=resend)', () => {
  let usher: Awaited<ReturnType<typeof startUsher>>
  beforeAll(async () => {
    usher = await startUsher({
      MAIL_PROVIDER: 'resend',
      MAIL_API_URL: `http://127.0.0.1:${port}/emails`,
      MAIL_API_KEY: 're_test_key',
      MAIL_FROM: 'My App <hello@app.example>',
    })
  })
  afterAll(() => usher?.close())

  it('posts the confirmation mail with the API key, and keeps no copy in the dev outbox', async () => {
    received.length = 0
    answer = () => ({ status: 200, body: { id: 'msg_1' } })
    expect((await post(usher.origin, 'register', { email: 'mailed@example.com', password: 'password1' })).status).toBe(201)
    expect(received).toHaveLength(1)
    expect(received[0]!.path).toBe('/emails')
    expect(received[0]!.headers.authorization).toBe('Bearer re_test_key')
    const mail = JSON.parse(received[0]!.body)
    expect(mail).toMatchObject({ from: 'My App <hello@app.example>', to: ['mailed@example.com'], subject: 'Confirm your email address' })
    expect(mail.text).toMatch(/\/confirm\?token=[\w-]{43}&tokenId=[0-9a-f]{24}/)
    const outbox = await usher.db.prepare('SELECT COUNT(*) AS n FROM outbox').first<{ n: number }>()
    expect(outbox!.n).toBe(0)
  })

  it('a provider error is reported, not swallowed', async () => {
    answer = () => ({ status: 422, body: { message: 'domain not verified' } })
    const res = await post(usher.origin, 'register', { email: 'unlucky@example.com', password: 'password1' })
    expect(res.status).toBe(502)
    expect(await res.json()).toMatchObject({ error_code: 'ServiceUnavailable', error: expect.stringContaining('422') })
  })
})

describe('confirmation and reset functions as signed webhooks', () => {
  let usher: Awaited<ReturnType<typeof startUsher>>
  beforeAll(async () => {
    usher = await startUsher({
      CONFIRMATION_METHOD: 'function',
      CONFIRMATION_FUNCTION_URL: `http://127.0.0.1:${port}/confirm-user`,
      RESET_METHOD: 'function',
      RESET_FUNCTION_URL: `http://127.0.0.1:${port}/reset-password`,
    })
  })
  afterAll(() => usher?.close())

  const verify = (entry: Received) => {
    const [t, v1] = String(entry.headers['x-usher-signature']).split(',').map((part) => part.split('=')[1])
    const expected = createHmac('sha256', TEST_BINDINGS.FUNCTION_SECRET).update(`${t}.${entry.body}`).digest('hex')
    return v1 === expected && Math.abs(Date.now() / 1000 - Number(t)) < 60
  }

  it('the confirmation function gets a verifiable, signed {username, token, tokenId}', async () => {
    received.length = 0
    answer = () => ({ status: 200, body: { status: 'success' } })
    expect((await post(usher.origin, 'register', { email: 'hooked@example.com', password: 'password1' })).status).toBe(201)
    expect(received).toHaveLength(1)
    expect(received[0]!.path).toBe('/confirm-user')
    expect(verify(received[0]!)).toBe(true)
    expect(JSON.parse(received[0]!.body)).toEqual({ username: 'hooked@example.com', token: expect.any(String), tokenId: expect.any(String) })
    const login = await fetch(`${usher.origin}/api/client/v2.0/app/usher-local/auth/providers/local-userpass/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'hooked@example.com', password: 'password1' }),
    })
    expect(login.status).toBe(200)
  })

  it('the reset function is signed too, and decides', async () => {
    received.length = 0
    answer = (entry) => ({ status: 200, body: { status: entry.path === '/reset-password' ? 'fail' : 'success' } })
    const res = await post(usher.origin, 'reset/call', { email: 'hooked@example.com', password: 'password2', arguments: [1] })
    expect(res.status).toBe(400)
    expect(received).toHaveLength(1)
    expect(verify(received[0]!)).toBe(true)
    expect(JSON.parse(received[0]!.body)).toMatchObject({ username: 'hooked@example.com', currentPasswordValid: false, arguments: [1] })
  })

  it('an unreachable function is a clear 502', async () => {
    answer = () => ({ status: 503, body: {} })
    const res = await post(usher.origin, 'register', { email: 'down@example.com', password: 'password1' })
    expect(res.status).toBe(502)
    expect(await res.json()).toMatchObject({ error: 'confirmation function answered HTTP 503' })
  })
})
