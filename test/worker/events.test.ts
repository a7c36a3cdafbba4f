/**
 * Lifecycle events (worker/events/): written in the very batch of the change they describe, delivered at least
 * once to a real local Queue (consumed by an auxiliary worker, test/worker/events-consumer.js) and to a webhook;
 * retried, dead-lettered, redelivered. Time travel is done in D1 (an event's `next_attempt_at`), never by
 * faking the clock.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { EVENT_TYPES } from '../../worker/event-types'
import { describe, expect, it, vi } from 'vitest'
import worker from '../../worker/index'
import type { Bindings } from '../../worker/context'
import { MAX_ATTEMPTS } from '../../worker/events/delivery'
import { admin } from './admin-helpers'
import { API, client, count, expectError, lastMail, uniqueEmail, type Tokens } from './helpers'

type Fetch = (request: Request) => Promise<Response>
const testEnv = env as unknown as Bindings & { TEST_EVENTS_QUEUE: Queue; EVENTS_CONSUMER: Fetcher }

/** The real worker with these bindings, each request's deferred work (the sweep) awaited before answering. */
function usherWith(overrides: Record<string, unknown> = {}) {
  const bindings = { ...testEnv, EVENTS_QUEUE: testEnv.TEST_EVENTS_QUEUE, ...overrides } as unknown as Bindings
  const fetcher: Fetch = async (request) => {
    const ctx = createExecutionContext()
    const response = await worker.fetch(request, bindings, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
  const scheduled = async (cron = '* * * * *') => {
    const ctx = createExecutionContext()
    await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), bindings, ctx)
    await waitOnExecutionContext(ctx)
  }
  return { fetcher, bindings, scheduled, api: client(fetcher), admin: admin(undefined, (input, init) => fetcher(new Request(input, init))) }
}

interface EventRow {
  seq: number
  id: string
  type: string
  status: string
  attempts: number
  delivered_to: string
  last_error: string | null
  payload: string
}

async function eventsOf(userId: string): Promise<EventRow[]> {
  const { results } = await env.DB.prepare('SELECT * FROM events WHERE user_id = ? ORDER BY seq').bind(userId).all<EventRow>()
  return results
}
const typesOf = async (userId: string) => (await eventsOf(userId)).map((e) => e.type)

interface Received {
  messageId: string
  body: { id: string; operationType: string; providers: string[]; time: string; user: Record<string, unknown> & { id: string } }
}
async function receivedFor(userId: string): Promise<Received['body'][]> {
  const all = (await (await testEnv.EVENTS_CONSUMER.fetch('http://consumer/')).json()) as Received[]
  return all.map((m) => m.body).filter((body) => body.user.id === userId)
}

const idOf = async (email: string) =>
  (await env.DB.prepare('SELECT user_id FROM identities WHERE email = ?').bind(email).first<{ user_id: string }>())!.user_id

describe('with a Queue sink', () => {
  const usher = usherWith()

  it('every event type is written exactly when its change commits, and reaches the queue once, with its id', async () => {
    const email = uniqueEmail('events')
    expect((await usher.api.register(email)).status).toBe(201)
    const userId = await idOf(email)
    // A registration is not a user yet (App Services fired CREATE at the first login).
    expect(await typesOf(userId)).toEqual([])

    const mail = await lastMail(email)
    expect((await usher.api.userpass('confirm', { token: mail.token, tokenId: mail.tokenId })).status).toBe(204)
    expect(await typesOf(userId)).toEqual(['CONFIRM'])

    const first = (await (await usher.api.login(email)).json()) as Tokens
    expect(await typesOf(userId)).toEqual(['CONFIRM', 'CREATE', 'LOGIN'])
    await usher.api.login(email)
    expect(await typesOf(userId)).toEqual(['CONFIRM', 'CREATE', 'LOGIN', 'LOGIN'])

    await usher.admin.users.disable.mutate({ userId })
    await usher.admin.users.enable.mutate({ userId })
    await usher.admin.users.revokeSessions.mutate({ userId })
    expect((await usher.api.refresh(first.refresh_token)).status).toBe(401)

    expect((await usher.api.userpass('reset/send', { email })).status).toBe(204)
    const reset = await lastMail(email)
    expect((await usher.api.userpass('reset', { token: reset.token, tokenId: reset.tokenId, password: 'password2' })).status).toBe(204)
    expect(await typesOf(userId)).toEqual(['CONFIRM', 'CREATE', 'LOGIN', 'LOGIN', 'DISABLE', 'ENABLE', 'SESSIONS_REVOKED', 'PASSWORD_RESET'])

    const moved = uniqueEmail('events-moved')
    await usher.admin.users.changeEmail.mutate({ userId, email: moved })
    const all = ['CONFIRM', 'CREATE', 'LOGIN', 'LOGIN', 'DISABLE', 'ENABLE', 'SESSIONS_REVOKED', 'PASSWORD_RESET', 'EMAIL_CHANGED']
    expect(await typesOf(userId)).toEqual(all)
    expect(new Set(all)).toEqual(new Set(EVENT_TYPES.filter((type) => type !== 'DELETE')))

    await usher.admin.users.delete.mutate({ userId })
    const rows = await eventsOf(userId)
    expect(rows.map((e) => e.type)).toEqual([...all, 'DELETE'])

    // The DELETE carries the user as they were: App Services' shape, plus the event's id.
    const deleted = JSON.parse(rows.at(-1)!.payload) as Received['body']
    expect(deleted).toMatchObject({
      id: rows.at(-1)!.id,
      operationType: 'DELETE',
      providers: ['local-userpass'],
      user: { id: userId, type: 'normal', data: { email: moved }, custom_data: {}, identities: [{ provider_type: 'local-userpass', data: {} }] },
    })
    expect(new Date(deleted.time).toISOString()).toBe(deleted.time)

    // Every one delivered to the queue (each sweep ran right after its change), exactly once, by its id.
    await vi.waitFor(async () => expect((await receivedFor(userId)).length).toBe(rows.length), { timeout: 5000 })
    const received = await receivedFor(userId)
    expect(received.map((e) => e.id)).toEqual(rows.map((e) => e.id))
    expect(received.map((e) => e.operationType)).toEqual(rows.map((e) => e.type))
    for (const row of await eventsOf(userId)) {
      expect(row).toMatchObject({ status: 'delivered', attempts: 1, delivered_to: '["queue"]', last_error: null })
    }
  })

  it('anonymous users, admin-created users and API-key users have their CREATE too (and one only)', async () => {
    const anonymous = (await (await usher.api.anonymous()).json()) as Tokens
    const anonymousEvents = (await eventsOf(anonymous.user_id)).map((e) => [e.type, JSON.parse(e.payload).providers])
    expect(anonymousEvents).toEqual([
      ['CREATE', ['anon-user']],
      ['LOGIN', ['anon-user']],
    ])

    const email = uniqueEmail('created')
    const created = await usher.admin.users.create.mutate({ email, password: 'password1' })
    expect(await typesOf(created.id)).toEqual(['CREATE'])
    expect((await usher.api.login(email)).status).toBe(200)
    expect(await typesOf(created.id)).toEqual(['CREATE', 'LOGIN'])
  })

  it('a refused or failed change writes no event', async () => {
    const email = uniqueEmail('refused')
    await usher.api.register(email)
    const pendingId = await idOf(email)
    await expect(usher.admin.users.disable.mutate({ userId: pendingId })).rejects.toThrow(/unconfirmed users cannot be disabled/)
    await expect(usher.admin.users.revokeSessions.mutate({ userId: pendingId })).rejects.toThrow(/has not logged in yet/)
    const mail = await lastMail(email)
    await usher.api.userpass('confirm', { token: mail.token, tokenId: mail.tokenId })
    // The same link again: no second confirmation.
    await expectError(await usher.api.userpass('confirm', { token: mail.token, tokenId: mail.tokenId }), 400, 'UserpassTokenInvalid')
    await expectError(await usher.api.login(email, 'wrong-password'), 401, 'InvalidPassword')
    expect(await typesOf(pendingId)).toEqual(['CONFIRM'])
    await usher.api.login(email)
    await expect(usher.admin.users.enable.mutate({ userId: pendingId })).rejects.toThrow(/not disabled/)
    await usher.admin.users.disable.mutate({ userId: pendingId })
    await expect(usher.admin.users.disable.mutate({ userId: pendingId })).rejects.toThrow(/already disabled/)
    await expectError(await usher.api.login(email), 401, 'UserDisabled')
    expect(await typesOf(pendingId)).toEqual(['CONFIRM', 'CREATE', 'LOGIN', 'DISABLE'])

    // A batch that fails after its event statement ran rolls the event back with everything else: a fault
    // injected in the real D1 (ending the sessions fails), then the same disable succeeds.
    await usher.admin.users.enable.mutate({ userId: pendingId })
    await env.DB.prepare(
      `CREATE TRIGGER fail_session_delete BEFORE DELETE ON sessions WHEN OLD.user_id = '${pendingId}' BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
    ).run()
    await usher.api.login(email)
    await expect(usher.admin.users.disable.mutate({ userId: pendingId })).rejects.toThrow()
    await env.DB.prepare('DROP TRIGGER fail_session_delete').run()
    expect(await typesOf(pendingId)).toEqual(['CONFIRM', 'CREATE', 'LOGIN', 'DISABLE', 'ENABLE', 'LOGIN'])
    expect((await env.DB.prepare('SELECT disabled FROM users WHERE id = ?').bind(pendingId).first<{ disabled: number }>())!.disabled).toBe(0)

    // An address already taken: the admin's create fails in its batch, and no CREATE exists for it.
    const before = await count('events')
    await expect(usher.admin.users.create.mutate({ email, password: 'password1' })).rejects.toThrow(/already exists/)
    expect(await count('events')).toBe(before)
  })

  it('EVENTS_TYPES keeps only the listed types', async () => {
    const only = usherWith({ EVENTS_TYPES: 'delete, CONFIRM' })
    const email = uniqueEmail('filtered')
    await only.api.register(email)
    const mail = await lastMail(email)
    await only.api.userpass('confirm', { token: mail.token, tokenId: mail.tokenId })
    await only.api.login(email)
    const userId = await idOf(email)
    await only.admin.users.delete.mutate({ userId })
    expect(await typesOf(userId)).toEqual(['CONFIRM', 'DELETE'])
    await expectError(
      await client(usherWith({ EVENTS_TYPES: 'LOGIN,UPDATE' }).fetcher).anonymous(),
      500,
      'InternalServerError',
    )
  })

  it('per user, a later event waits while an earlier one is backing off (commit order); other users are not held up', async () => {
    const email = uniqueEmail('ordered')
    const held = await usher.admin.users.create.mutate({ email, password: 'password1' })
    const other = (await (await usher.api.anonymous()).json()) as Tokens
    const [create] = await eventsOf(held.id)
    // The CREATE was delivered; make it one still backing off from a failed attempt.
    await env.DB.prepare("UPDATE events SET status = 'pending', delivered_to = '[]', next_attempt_at = ? WHERE id = ?").bind(Date.now() + 60_000, create!.id).run()
    await usher.api.login(email)
    const [, login] = await eventsOf(held.id)
    expect(login).toMatchObject({ type: 'LOGIN', status: 'pending', attempts: 0 })
    await usher.scheduled()
    expect((await eventsOf(held.id))[1]).toMatchObject({ status: 'pending', attempts: 0 })
    expect((await eventsOf(other.user_id)).every((e) => e.status === 'delivered')).toBe(true)
    // Once the earlier one is due, both go, in order.
    await env.DB.prepare('UPDATE events SET next_attempt_at = 0 WHERE id = ?').bind(create!.id).run()
    await usher.scheduled()
    expect((await eventsOf(held.id)).map((e) => e.status)).toEqual(['delivered', 'delivered'])
    await vi.waitFor(async () => expect((await receivedFor(held.id)).map((e) => e.operationType)).toEqual(['CREATE', 'CREATE', 'LOGIN']))
  })
})

describe('with a webhook that cannot be reached', () => {
  // Nothing listens on the discard port: every attempt fails as a real connection failure.
  const broken = usherWith({ EVENTS_WEBHOOK_URL: 'http://127.0.0.1:9/usher-events' })

  it('retries with backoff, dead-letters after the last attempt, never resends to the sink that has it, and an admin redelivers', async () => {
    const anonymous = (await (await broken.api.anonymous()).json()) as Tokens
    const [create] = await eventsOf(anonymous.user_id)
    // The queue took it at once; the webhook did not.
    expect(create).toMatchObject({ type: 'CREATE', status: 'pending', attempts: 1, delivered_to: '["queue"]' })
    expect(create!.last_error).toMatch(/^webhook: /)
    const due = (await env.DB.prepare('SELECT next_attempt_at AS t FROM events WHERE id = ?').bind(create!.id).first<{ t: number }>())!.t
    expect(due - Date.now()).toBeGreaterThan(5_000)
    expect(due - Date.now()).toBeLessThanOrEqual(10_000)

    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      await env.DB.prepare('UPDATE events SET next_attempt_at = 0 WHERE user_id = ?').bind(anonymous.user_id).run()
      await broken.scheduled()
    }
    const dead = (await eventsOf(anonymous.user_id)).find((e) => e.id === create!.id)!
    expect(dead).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS, delivered_to: '["queue"]' })
    // The queue got it once, not once per attempt.
    await vi.waitFor(async () => expect((await receivedFor(anonymous.user_id)).filter((e) => e.id === create!.id)).toHaveLength(1))

    const listed = await broken.admin.events.list.query({ status: 'dead' })
    expect(listed.items.map((e) => e.id)).toContain(create!.id)
    expect(listed.counts.dead).toBeGreaterThan(0)
    expect(listed.items.find((e) => e.id === create!.id)).toMatchObject({ type: 'CREATE', userId: anonymous.user_id, lastError: expect.stringMatching(/^webhook: /) })

    // Redelivered (to the webhook, now fixed: here, the queue only): the same id, from a first attempt.
    const queueOnly = usherWith()
    const again = await queueOnly.admin.events.redeliver.mutate({ id: create!.id })
    expect(again.id).toBe(create!.id)
    expect((await eventsOf(anonymous.user_id)).find((e) => e.id === create!.id)).toMatchObject({ status: 'delivered', attempts: 1 })
    await vi.waitFor(async () => expect((await receivedFor(anonymous.user_id)).filter((e) => e.id === create!.id)).toHaveLength(2))
    await expect(queueOnly.admin.events.redeliver.mutate({ id: 'ffffffffffffffffffffffff' })).rejects.toThrow(/no event with id/)
    await expect(queueOnly.admin.events.redeliver.mutate({ id: 'not-an-id' })).rejects.toThrow(/24-character/)
  })
})

describe('with no sink (local development)', () => {
  const plain = usherWith({ EVENTS_QUEUE: undefined })

  it('events are recorded and visible, then expire after EVENTS_RETENTION_DAYS; dead ones stay', async () => {
    const anonymous = (await (await plain.api.anonymous()).json()) as Tokens
    const rows = await eventsOf(anonymous.user_id)
    expect(rows.map((e) => [e.type, e.status])).toEqual([
      ['CREATE', 'recorded'],
      ['LOGIN', 'recorded'],
    ])
    const listed = await plain.admin.events.list.query({ userId: anonymous.user_id })
    expect(listed.items.map((e) => e.type)).toEqual(['LOGIN', 'CREATE'])
    expect(listed.sinks).toEqual({ queue: false, webhook: null })
    await expect(plain.admin.events.redeliver.mutate({ id: rows[0]!.id })).rejects.toThrow(/no event sink is configured/)

    const DAY = 86_400_000
    await env.DB.prepare('UPDATE events SET created_at = ? WHERE id = ?').bind(Date.now() - 8 * DAY, rows[0]!.id).run()
    await env.DB.prepare("UPDATE events SET created_at = ?, status = 'dead' WHERE id = ?").bind(Date.now() - 8 * DAY, rows[1]!.id).run()
    await plain.scheduled('17 3 * * *')
    expect((await eventsOf(anonymous.user_id)).map((e) => e.type)).toEqual(['LOGIN'])
  })

  it('the daily job keeps going while a step finds a full batch (a busy day leaves thousands of events)', async () => {
    const old = Date.now() - 30 * 86_400_000
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1300)
       INSERT INTO events (id, type, user_id, payload, status, created_at, attempts, delivered_to)
       SELECT printf('%024x', 1000000 + i), 'LOGIN', 'bulk-user', '{}', 'delivered', ?, 1, '["webhook"]' FROM n`,
    ).bind(old).run()
    expect(await count('events', "user_id = 'bulk-user'")).toBe(1300)
    await plain.scheduled('17 3 * * *')
    expect(await count('events', "user_id = 'bulk-user'")).toBe(0)
  })

  it('the anonymous users the daily job deletes have their DELETE', async () => {
    const anonymous = (await (await plain.api.anonymous()).json()) as Tokens
    await env.DB.prepare('UPDATE users SET created_at = 0 WHERE id = ?').bind(anonymous.user_id).run()
    await plain.scheduled('17 3 * * *')
    expect(await count('users', 'id = ?', anonymous.user_id)).toBe(0)
    const [, , deleted] = await eventsOf(anonymous.user_id)
    expect(deleted?.type).toBe('DELETE')
    expect(JSON.parse(deleted!.payload)).toMatchObject({ providers: ['anon-user'], user: { id: anonymous.user_id, identities: [{ provider_type: 'anon-user' }] } })
  })

  it('self-service deletion has its DELETE', async () => {
    const anonymous = (await (await plain.api.anonymous()).json()) as Tokens
    expect((await plain.api.call('DELETE', `${API}/auth/delete`, { token: anonymous.access_token })).status).toBe(204)
    expect(await typesOf(anonymous.user_id)).toEqual(['CREATE', 'LOGIN', 'DELETE'])
  })
})
