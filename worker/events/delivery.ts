/**
 * @module events/delivery
 * Delivering the outbox, at least once, to each configured sink:
 * - a Cloudflare Queue (producer binding EVENTS_QUEUE): one message per event, its body the event;
 * - a signed webhook (EVENTS_WEBHOOK_URL): a JSON array of events per request, signed exactly like the
 *   confirmation function's calls (`X-Usher-Signature: t=<unix s>,v1=<hex HMAC-SHA256(FUNCTION_SECRET,
 *   "<t>.<body>")>`); any 2xx acknowledges the whole array.
 *
 * A sweep claims due events (a 30-second lease, so two sweepers never send one event at once), sends each to
 * the sinks that do not have it yet, and records the outcome: delivered; or retried with exponential backoff
 * (10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h); or, after the last attempt, dead — listed by
 * `events.list({ status: 'dead' })` with its last error, until an admin redelivers it. Sweeps run right after
 * a change that recorded events, on later requests (at most every 30 s per isolate) and from the minute cron,
 * so a crash between commit and delivery delays an event but never loses it. Per user, events go out in
 * commit order (a later one waits while an earlier one is backing off); there is no global order. An event is
 * only ever re-sent with its own id: consumers deduplicate on it.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Usher } from '../context'
import { rawStatement, runBatch, type Statement } from '../db/client'
import { events } from '../db/schema'
import { describeFailure, errors } from '../errors'
import { signPayload } from '../webhook-signature'
import { hasSinks, sinksOf, type Sink } from './outbox'

/** Waits before attempts 2, 3, …; after the last one an event is dead. */
export const RETRY_DELAYS_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000]
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1
/** Longer than one delivery can take (the webhook's 10 s timeout, the queue, D1): a crashed sweep's events are due again after it. */
const LEASE_MS = 30_000
const BATCH = 20
const WEBHOOK_TIMEOUT_MS = 10_000
const SWEEP_EVERY_MS = 30_000


interface Claimed {
  seq: number
  id: string
  payload: Record<string, unknown>
  attempts: number
  deliveredTo: string[]
}

/** Claim the due events (oldest first), leasing them so no other sweep takes them meanwhile. */
async function claim(usher: Usher, now: number): Promise<Claimed[]> {
  const [result] = await runBatch(usher.db, [
    rawStatement(sql`
      UPDATE ${events} SET next_attempt_at = ${now + LEASE_MS}
      WHERE seq IN (
        SELECT e.seq FROM ${events} e
        WHERE e.status = 'pending' AND e.next_attempt_at <= ${now}
          AND NOT EXISTS (SELECT 1 FROM ${events} p
                          WHERE p.user_id = e.user_id AND p.status = 'pending' AND p.seq < e.seq AND p.next_attempt_at > ${now})
        ORDER BY e.seq LIMIT ${BATCH})
      RETURNING seq, id, payload, attempts, delivered_to`),
  ])
  const rows = (result?.results ?? []) as { seq: number; id: string; payload: string; attempts: number; delivered_to: string }[]
  return rows
    .map((row) => ({
      seq: row.seq,
      id: row.id,
      payload: JSON.parse(row.payload) as Record<string, unknown>,
      attempts: row.attempts,
      deliveredTo: JSON.parse(row.delivered_to) as string[],
    }))
    .sort((a, b) => a.seq - b.seq)
}

async function sendToQueue(queue: Queue, batch: Claimed[]): Promise<void> {
  await queue.sendBatch(batch.map((event) => ({ body: event.payload, contentType: 'json' as const })))
}

async function sendToWebhook(usher: Usher, url: string, batch: Claimed[]): Promise<void> {
  const body = JSON.stringify(batch.map((event) => event.payload))
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-usher-events': String(batch.length),
      'x-usher-signature': signPayload(usher.config.secrets.functionSecret!, Math.floor(usher.now() / 1000), body),
    },
    body,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  })
  if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`)
}


export interface DeliveryReport {
  delivered: number
  retried: number
  dead: number
}

/** One sweep: deliver what is due (up to a batch), and record each outcome. */
async function deliverDue(usher: Usher): Promise<DeliveryReport> {
  const queue = usher.eventsQueue
  const report: DeliveryReport = { delivered: 0, retried: 0, dead: 0 }
  if (!hasSinks(usher)) return report
  const now = usher.now()
  const batch = await claim(usher, now)
  if (batch.length === 0) return report
  const failures = new Map<Sink, string>()
  const sinks = sinksOf(usher)
  for (const sink of sinks) {
    const missing = batch.filter((event) => !event.deliveredTo.includes(sink))
    if (missing.length === 0) continue
    try {
      if (sink === 'queue') {
        if (!queue) throw new Error('the EVENTS_QUEUE binding is missing')
        await sendToQueue(queue, missing)
      } else {
        await sendToWebhook(usher, usher.config.events.webhookUrl!, missing)
      }
      for (const event of missing) event.deliveredTo.push(sink)
    } catch (error) {
      failures.set(sink, describeFailure(error))
    }
  }
  const updates: Statement[] = batch.map((event) => {
    if (sinks.every((sink) => event.deliveredTo.includes(sink))) {
      report.delivered++
      return usher.db
        .update(events)
        .set({ status: 'delivered', deliveredAt: now, nextAttemptAt: null, attempts: event.attempts + 1, deliveredTo: event.deliveredTo, lastError: null })
        .where(eq(events.seq, event.seq))
    }
    const attempts = event.attempts + 1
    const lastError = [...failures].map(([sink, why]) => `${sink}: ${why}`).join('; ')
    const delay = RETRY_DELAYS_MS[attempts - 1]
    if (delay === undefined) report.dead++
    else report.retried++
    return usher.db
      .update(events)
      .set({
        status: delay === undefined ? 'dead' : 'pending',
        attempts,
        nextAttemptAt: delay === undefined ? null : now + delay,
        deliveredTo: event.deliveredTo,
        lastError,
      })
      .where(eq(events.seq, event.seq))
  })
  await runBatch(usher.db, updates)
  return report
}

/**
 * Sweep until nothing is due (bounded), e.g. from the cron or after a change. A round that sent something is
 * followed by another: a user's later events wait while an earlier one is in flight (commit order), so the
 * sweep that delivers the earlier one also takes the ones it held back.
 */
export async function sweep(usher: Usher, rounds = 5): Promise<DeliveryReport> {
  const total: DeliveryReport = { delivered: 0, retried: 0, dead: 0 }
  for (let round = 0; round < rounds; round++) {
    const report = await deliverDue(usher)
    total.delivered += report.delivered
    total.retried += report.retried
    total.dead += report.dead
    if (report.delivered + report.retried + report.dead === 0) break
  }
  return total
}

const lastSweep = new WeakMap<object, number>()

/**
 * After the response, deliver what is due: right away after a change that recorded events (`now`), else at
 * most every 30 s per isolate (the next-request sweep that picks up what a crash left behind).
 */
export function sweepSoon(usher: Usher): void {
  if (!hasSinks(usher)) return
  const last = lastSweep.get(usher.db) ?? 0
  if (!usher.eventsRecorded && usher.now() - last < SWEEP_EVERY_MS) return
  lastSweep.set(usher.db, usher.now())
  usher.defer(sweep(usher))
}

/**
 * An admin's "redeliver": the event (dead, delivered, or recorded while no sink was configured) goes out again,
 * with its own id, from its first attempt; a sweep follows the response. Refused, with the reason, for an
 * unknown event, with no sink to send it to, or while it is on its way already.
 */
export async function redeliver(usher: Usher, id: string): Promise<void> {
  if (!hasSinks(usher)) {
    await requireEvent(usher, id)
    throw errors.refused('no event sink is configured (EVENTS_QUEUE or EVENTS_WEBHOOK_URL): there is nowhere to deliver it')
  }
  const [updated] = await runBatch(usher.db, [
    usher.db
      .update(events)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: usher.now(), deliveredTo: [], lastError: null })
      .where(and(eq(events.id, id), inArray(events.status, ['dead', 'delivered', 'recorded']))),
  ])
  if ((updated?.meta.changes ?? 0) === 0) {
    await requireEvent(usher, id)
    throw errors.refused('this event is already waiting for delivery')
  }
  usher.eventsRecorded = true
}

/** The event with this id, or the refusal "no event with id …". */
export async function requireEvent(usher: Usher, id: string): Promise<typeof events.$inferSelect> {
  const row = await usher.db.select().from(events).where(eq(events.id, id)).get()
  if (!row) throw errors.notFound(`no event with id ${id}`)
  return row
}
