/**
 * @module db/client
 * One Drizzle instance per request, built from the D1 binding. D1 has no interactive transactions: every
 * multi-row change goes through `runBatch`, which D1 runs as one transaction (all or nothing).
 */
import { drizzle } from 'drizzle-orm/d1'
import type { SQL } from 'drizzle-orm'
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core'
import * as schema from './schema'

/**
 * Beware `db.batch([...selects])`: Drizzle maps batched D1 rows from objects keyed by column name, so a
 * batched join of tables sharing a column name (`id`, `created_at`) silently loses values. Batch only
 * selects whose columns are unique; run joins on their own.
 */
export const createDb = (d1: D1Database) => drizzle(d1, { schema })
export type Db = ReturnType<typeof createDb>

/** Anything that renders to one SQL statement: Drizzle query builders, or `rawStatement(sql…)`. */
export interface Statement {
  toSQL(): { sql: string; params: unknown[] }
}

const dialect = new SQLiteAsyncDialect()

/** A hand-written statement (conditional inserts such as `INSERT … SELECT … WHERE changes() > 0`). */
export function rawStatement(query: SQL): Statement {
  return { toSQL: () => dialect.sqlToQuery(query) }
}

/**
 * Run statements as one D1 batch: one round trip, one transaction, all or nothing. Statements are bound
 * directly on the D1 client (Drizzle's own `batch()` cannot bind raw statements with parameters); results
 * are D1's, in order.
 */
export async function runBatch(db: Db, statements: Statement[]): Promise<D1Result[]> {
  if (statements.length === 0) return []
  const client = db.$client
  return client.batch(
    statements.map((statement) => {
      const { sql, params } = statement.toSQL()
      return client.prepare(sql).bind(...params)
    }),
  )
}

/** Rows changed by a write statement's batch result. */
export function changes(result: D1Result | undefined): number {
  return result?.meta.changes ?? 0
}

/** A stored time (Unix milliseconds) as the APIs show it: ISO 8601, or null when there is none. */
export const isoTime = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString())
