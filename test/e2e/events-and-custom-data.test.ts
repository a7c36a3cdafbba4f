/**
 * Custom user data, the user creation function and event delivery, end to end: the unmodified realm-web
 * client against the real worker over HTTP; the app's creation function and its events webhook are real
 * HTTP servers on loopback that check Usher's signature. Retries are made due by moving an event's
 * `next_attempt_at` in the worker's D1 and running its minute cron, never by faking a clock.
 */
import { createHmac } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as Realm from 'realm-web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminClient } from '../../tui/admin-client'
import { MAX_ATTEMPTS } from '../../worker/events/delivery'
import { TEST_BINDINGS } from '../bindings'
import { ADMIN_KEY, startUsher } from './harness'
import { loopbackServer } from './identity-providers'

type Answer = { status: number; body?: unknown }
interface Received {
  body: unknown
  signatureValid: boolean
}

/** A loopback HTTP endpoint of the app's: checks Usher's signature, records each call, answers `answer(body)`. */
async function signedEndpoint(path: string) {
  const server = await loopbackServer()
  const state = {
    received: [] as Received[],
    answer: (_body: unknown): Answer => ({ status: 200, body: {} }),
  }
  server.handle((req: IncomingMessage, res: ServerResponse) => {
    let raw = ''
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()))
    req.on('end', () => {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['x-usher-signature'] ?? '')) ?? []
      const signatureValid = Boolean(t) && createHmac('sha256', TEST_BINDINGS.FUNCTION_SECRET).update(`${t}.${raw}`).digest('hex') === v1
      const body = JSON.parse(raw) as unknown
      state.received.push({ body, signatureValid })
      const { status, body: answer } = signatureValid ? state.answer(body) : { status: 401, body: { error: 'bad signature' } }
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer ?? null))
    })
  })
  return { url: `${server.origin}${path}`, state, close: server.close }
}

let usher: Awaited<ReturnType<typeof startUsher>>
let creation: Awaited<ReturnType<typeof signedEndpoint>>
let hook: Awaited<ReturnType<typeof signedEndpoint>>
let app: Realm.App
let admin: ReturnType<typeof createAdminClient>

beforeAll(async () => {
  creation = await signedEndpoint('/on-user-creation')
  hook = await signedEndpoint('/usher-events')
  usher = await startUsher({ USER_CREATION_FUNCTION_URL: creation.url, EVENTS_WEBHOOK_URL: hook.url })
  app = new Realm.App({ id: 'usher-local', baseUrl: usher.origin })
  admin = createAdminClient({ url: usher.origin, adminKey: ADMIN_KEY })
})
afterAll(async () => {
  await usher?.close()
  await creation?.close()
  await hook?.close()
})

interface Event {
  id: string
  operationType: string
  providers: string[]
  user: { id: string; data: Record<string, unknown>; custom_data: Record<string, unknown> }
  time: string
}
/** Every event the webhook accepted or refused, flattened from its JSON arrays. */
const hookEvents = () => hook.state.received.flatMap((r) => r.body as Event[])
const minuteCron = () => usher.server.getWorker().scheduled({ cron: '* * * * *' })
/** Make the user's pending events due now, and run the minute cron (as Cloudflare would, later). */
async function retryNow(userId: string) {
  await usher.db.prepare("UPDATE events SET next_attempt_at = 0 WHERE user_id = ? AND status = 'pending'").bind(userId).run()
  await minuteCron()
}
const eventRows = async (userId: string) =>
  (await usher.db.prepare('SELECT id, type, status, attempts FROM events WHERE user_id = ? ORDER BY seq').bind(userId).all<{
    id: string
    type: string
    status: string
    attempts: number
  }>()).results

describe('custom user data with realm-web', () => {
  it('the creation function’s data is in the very first access token; an admin’s change arrives with refreshCustomData()', async () => {
    creation.state.answer = (body) => {
      const user = (body as { user: { id: string; data: { email?: string } } }).user
      return { status: 200, body: { customData: { plan: 'trial', seats: 1, owner: user.data.email ?? null } } }
    }
    const email = `custom-${Date.now()}@example.com`
    await app.emailPasswordAuth.registerUser({ email, password: 'password1' })
    expect(creation.state.received.at(-1)).toMatchObject({ signatureValid: true, body: { user: { type: 'normal', data: { email }, custom_data: {} } } })
    const { token, tokenId } = await usher.lastMail(email)
    await app.emailPasswordAuth.confirmUser({ token, tokenId })
    const user = await app.logIn(Realm.Credentials.emailPassword(email, 'password1'))
    // App Services put canonical EJSON in the token; realm-web hands it over as is, and apps deserialize it.
    expect(user.customData).toEqual({ plan: 'trial', seats: { $numberInt: '1' }, owner: email })
    expect(Realm.BSON.EJSON.deserialize(user.customData)).toEqual({ plan: 'trial', seats: 1, owner: email })

    await admin.users.setCustomData.mutate({ userId: user.id, data: { plan: 'pro', seats: 25, since: '2026-12-01' } })
    expect(user.customData).toMatchObject({ plan: 'trial' })
    const fresh = await user.refreshCustomData()
    expect(fresh).toEqual({ plan: 'pro', seats: { $numberInt: '25' }, since: '2026-12-01' })
    expect(user.customData).toEqual(fresh)
    await user.logOut()
  })

  it('a creation function that refuses: registration is refused with its reason, and no row exists', async () => {
    creation.state.answer = () => ({ status: 200, body: { error: 'sign-ups are closed' } })
    const email = `refused-${Date.now()}@example.com`
    const error = (await app.emailPasswordAuth.registerUser({ email, password: 'password1' }).catch((e: unknown) => e)) as Realm.MongoDBRealmError
    expect(error).toBeInstanceOf(Realm.MongoDBRealmError)
    expect({ status: error.statusCode, message: error.error }).toEqual({ status: 400, message: 'user creation refused: sign-ups are closed' })
    const rows = await usher.db.prepare('SELECT COUNT(*) AS n FROM identities WHERE email = ?').bind(email).first<{ n: number }>()
    expect(rows!.n).toBe(0)

    // One that fails (HTTP 500): the same, with a 502; an anonymous login is refused alike.
    creation.state.answer = () => ({ status: 500, body: { message: 'database down' } })
    const failed = (await app.logIn(Realm.Credentials.anonymous()).catch((e: unknown) => e)) as Realm.MongoDBRealmError
    expect(failed.statusCode).toBe(502)
    expect(failed.error).toMatch(/user creation function answered HTTP 500.*no user was created/)
    creation.state.answer = () => ({ status: 200, body: {} })
  })
})

describe('the events webhook', () => {
  it('gets signed JSON arrays; an event that failed twice arrives on the third attempt with the same id', async () => {
    // Earlier tests' events are all delivered first (a user's CREATE and LOGIN, held back while their CONFIRM
    // was in flight, go with the sweep that delivered it).
    const undelivered = async () => (await usher.db.prepare("SELECT COUNT(*) AS n FROM events WHERE status <> 'delivered'").first<{ n: number }>())!.n
    await expect.poll(undelivered, { timeout: 20_000 }).toBe(0)
    let calls = 0
    hook.state.answer = () => (++calls <= 2 ? { status: 503, body: { error: 'busy' } } : { status: 200, body: { ok: true } })
    const user = await app.logIn(Realm.Credentials.anonymous())
    // The first attempt ran right after the login's response.
    await expect.poll(() => calls, { timeout: 10_000 }).toBe(1)
    await retryNow(user.id)
    expect(calls).toBe(2)
    await retryNow(user.id)
    expect(calls).toBe(3)

    // The last three calls carried this user's events each time, under the same ids (other users' events,
    // due at the same moment, may share a call).
    const received = hook.state.received.slice(-3)
    expect(received.every((r) => r.signatureValid)).toBe(true)
    const mine = received.map((r) => (r.body as Event[]).filter((e) => e.user.id === user.id))
    expect(mine[0]!.map((e) => e.id)).toEqual(mine[1]!.map((e) => e.id))
    expect(mine[1]!.map((e) => e.id)).toEqual(mine[2]!.map((e) => e.id))
    const [create, login] = mine[2]!
    expect(create).toMatchObject({ operationType: 'CREATE', providers: ['anon-user'], user: { id: user.id, custom_data: {} } })
    expect(login).toMatchObject({ operationType: 'LOGIN', providers: ['anon-user'], user: { id: user.id } })
    expect(await eventRows(user.id)).toEqual([
      { id: create!.id, type: 'CREATE', status: 'delivered', attempts: 3 },
      { id: login!.id, type: 'LOGIN', status: 'delivered', attempts: 3 },
    ])
    await user.logOut()
  })

  it('a receiver that always fails: the event is dead-lettered with its last error, then redelivered by the admin', async () => {
    hook.state.answer = () => ({ status: 500, body: { error: 'bug in the handler' } })
    const email = `dead-${Date.now()}@example.com`
    const created = await admin.users.create.mutate({ email, password: 'password1' })
    await expect.poll(async () => (await eventRows(created.id))[0]?.attempts, { timeout: 10_000 }).toBe(1)
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) await retryNow(created.id)
    const [dead] = await eventRows(created.id)
    expect(dead).toMatchObject({ type: 'CREATE', status: 'dead', attempts: MAX_ATTEMPTS })
    const listed = await admin.events.list.query({ status: 'dead', userId: created.id })
    expect(listed.items).toEqual([expect.objectContaining({ id: dead!.id, lastError: 'webhook: webhook answered HTTP 500' })])
    const attemptsSeen = hookEvents().filter((e) => e.id === dead!.id).length
    expect(attemptsSeen).toBe(MAX_ATTEMPTS)

    hook.state.answer = () => ({ status: 200, body: { ok: true } })
    await admin.events.redeliver.mutate({ id: dead!.id })
    await expect.poll(async () => (await eventRows(created.id))[0]?.status, { timeout: 10_000 }).toBe('delivered')
    const last = hookEvents().filter((e) => e.id === dead!.id)
    expect(last).toHaveLength(MAX_ATTEMPTS + 1)
    expect(last.at(-1)).toMatchObject({ operationType: 'CREATE', user: { id: created.id, data: { email } } })
  })
})
