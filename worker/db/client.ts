/**
 * @module db/client
 * One Drizzle instance per request, built from the D1 binding. D1 has no interactive transactions: every
 * multi-row change goes through `db.batch([...])`, which runs as one transaction (all or nothing).
 */
import { drizzle } from 'drizzle-orm/d1'
import * as schema from './schema'

export const createDb = (d1: D1Database) => drizzle(d1, { schema })
export type Db = ReturnType<typeof createDb>
/** One statement of a batch. */
export type BatchItem = Parameters<Db['batch']>[0][number]

/** Run statements as one D1 batch: one round trip, one transaction, all or nothing. */
export async function runBatch(db: Db, items: BatchItem[]): Promise<unknown[]> {
  if (items.length === 0) return []
  return db.batch(items as [BatchItem, ...BatchItem[]])
}

/** Rows changed by a write statement's batch result. */
export function changes(result: unknown): number {
  return (result as D1Result).meta.changes
}
