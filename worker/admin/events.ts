/**
 * @module admin/events
 * The lifecycle events (events/outbox.ts): listed newest first by status, type or user (keyset pages by
 * commit order), and redelivered by hand — a dead event after its sink is fixed, or any event a consumer lost.
 */
import type { TRPCRouterRecord } from '@trpc/server'
import { and, count, desc, eq, lt } from 'drizzle-orm'
import { z } from 'zod'
import { isoTime } from '../db/client'
import { EVENT_STATUSES, EVENT_TYPES, events } from '../db/schema'
import { redeliver, requireEvent } from '../events/delivery'
import { adminProcedure } from './trpc'
import { userIdInput } from './users'

type EventRow = typeof events.$inferSelect

/** An event as admins see it: its state, and the payload exactly as sinks receive it. */
function eventView(row: EventRow) {
  return {
    id: row.id,
    seq: row.seq,
    type: row.type,
    userId: row.userId,
    status: row.status,
    attempts: row.attempts,
    createdAt: isoTime(row.createdAt)!,
    nextAttemptAt: row.status === 'pending' ? isoTime(row.nextAttemptAt) : null,
    deliveredAt: isoTime(row.deliveredAt),
    deliveredTo: row.deliveredTo,
    lastError: row.lastError,
    payload: row.payload,
  }
}


const eventId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-character hexadecimal event id')

export const eventsRouter = {
  list: adminProcedure
    .input(
      z
        .strictObject({
          status: z.enum([...EVENT_STATUSES, 'all']).default('all'),
          type: z.enum(EVENT_TYPES).optional(),
          userId: userIdInput.shape.userId.optional(),
          cursor: z.string().regex(/^\d{1,15}$/, 'invalid cursor: pass back a nextCursor exactly as received').optional(),
          limit: z.number().int().min(1).max(100).default(50),
        })
        .default({ status: 'all', limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      const { db } = ctx.usher
      const [rows, counts] = await db.batch([
        db
          .select()
          .from(events)
          .where(
            and(
              input.status === 'all' ? undefined : eq(events.status, input.status),
              input.type ? eq(events.type, input.type) : undefined,
              input.userId ? eq(events.userId, input.userId) : undefined,
              input.cursor ? lt(events.seq, Number(input.cursor)) : undefined,
            ),
          )
          .orderBy(desc(events.seq))
          .limit(input.limit + 1),
        db.select({ status: events.status, n: count() }).from(events).groupBy(events.status),
      ])
      const page = rows.slice(0, input.limit)
      return {
        items: page.map(eventView),
        nextCursor: rows.length > input.limit ? String(page[page.length - 1]!.seq) : null,
        /** Events per status (all types and users): `dead` ones need an admin. */
        counts: Object.fromEntries(EVENT_STATUSES.map((s) => [s, counts.find((c) => c.status === s)?.n ?? 0])) as Record<
          (typeof EVENT_STATUSES)[number],
          number
        >,
        /** Where events go: none means they are only recorded (and expire). */
        sinks: { queue: ctx.usher.config.events.queue, webhook: ctx.usher.config.events.webhookUrl ?? null },
      }
    }),
  get: adminProcedure.input(z.strictObject({ id: eventId })).query(async ({ ctx, input }) => eventView(await requireEvent(ctx.usher, input.id))),
  /**
   * Send an event again, with its own id, from its first attempt (a dead one after its sink is fixed; a
   * delivered one a consumer lost). Answers the event as it now is.
   */
  redeliver: adminProcedure.input(z.strictObject({ id: eventId })).mutation(async ({ ctx, input }) => {
    await redeliver(ctx.usher, input.id)
    return eventView(await requireEvent(ctx.usher, input.id))
  }),
} satisfies TRPCRouterRecord
