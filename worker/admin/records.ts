/**
 * @module admin/records
 * Read-only views: the dev outbox, the audit trail (newest first, keyset pages by id), and the effective
 * configuration without secrets.
 */
import type { TRPCRouterRecord } from '@trpc/server'
import { and, desc, eq, getTableColumns, lt, sql } from 'drizzle-orm'
import { z } from 'zod'
import { publicConfig } from '../config'
import { auditLog, identities, outbox } from '../db/schema'
import { toAuditItem } from '../users/listing'
import { adminProcedure } from './trpc'
import { userId } from './users'

export const outboxRouter = {
  list: adminProcedure
    .input(
      z
        .strictObject({ to: z.string().max(254).optional(), limit: z.number().int().min(1).max(100).default(20) })
        .default({ limit: 20 }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.usher.db
        .select()
        .from(outbox)
        .where(input.to ? sql`lower(${outbox.to}) = lower(${input.to})` : undefined)
        .orderBy(desc(outbox.id))
        .limit(input.limit)
      return { items: rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() })) }
    }),
} satisfies TRPCRouterRecord

export const auditRouter = {
  list: adminProcedure
    .input(
      z
        .strictObject({
          userId: userId.optional(),
          cursor: z.string().regex(/^\d{1,15}$/, 'invalid cursor: pass back a nextCursor exactly as received').optional(),
          limit: z.number().int().min(1).max(100).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.usher.db
        .select({
          ...getTableColumns(auditLog),
          // Who the entry is about, readable: the user's address, or the one a deletion recorded.
          // (Columns spelled out with their tables: in a one-table select Drizzle leaves them unqualified.)
          email: sql<string | null>`coalesce(
            (SELECT i.email FROM ${identities} i WHERE i.user_id = "audit_log"."user_id" AND i.email IS NOT NULL LIMIT 1),
            json_extract("audit_log"."detail", '$.email'))`,
        })
        .from(auditLog)
        .where(
          and(
            input.userId ? eq(auditLog.userId, input.userId) : undefined,
            input.cursor ? lt(auditLog.id, Number(input.cursor)) : undefined,
          ),
        )
        .orderBy(desc(auditLog.id))
        .limit(input.limit + 1)
      const page = rows.slice(0, input.limit)
      return {
        items: page.map(toAuditItem),
        nextCursor: rows.length > input.limit ? String(page[page.length - 1]!.id) : null,
      }
    }),
} satisfies TRPCRouterRecord

export const configRouter = {
  get: adminProcedure.query(({ ctx }) => publicConfig(ctx.usher.config)),
} satisfies TRPCRouterRecord
