/**
 * @module bench/profile
 * Where a `users.list` page spends its time, statement by statement. Usher's own `listUsers` (the code the
 * admin procedure runs, not a copy of its SQL) runs in Node against a snapshot of the bench database,
 * through a minimal D1 stand-in over `node:sqlite` that records every statement Drizzle sends and times it.
 * Each statement's plan then comes from `EXPLAIN QUERY PLAN` inside D1 itself (`wrangler d1 execute`), so
 * the plan is the one workerd's SQLite picks; the timings are Node's SQLite on the same file (same data,
 * same indexes; the SQLite versions may differ slightly) with no HTTP, JSON or isolate in the way.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import type { Usher } from '../../worker/context'
import { createDb } from '../../worker/db/client'
import { encodeCursor, listUsers, type ListQuery } from '../../worker/users/listing'
import { median } from './report'
import { d1, type WorkerSpec } from './workers'

export interface StatementProfile {
  /** Which list calls issue it. */
  used_by: string[]
  sql: string
  plan: string[]
  median_ms: number
  rows: number
}

export interface ListProfile {
  engine: string
  repetitions: number
  /** Median wall time of the whole `listUsers` call (all its statements + Drizzle mapping) per query. */
  calls: Record<string, { median_ms: number; statements: number }>
  statements: StatementProfile[]
}

interface Recorded {
  sql: string
  params: unknown[]
  ms: number
  rows: number
}

const toSqlite = (value: unknown): SQLInputValue =>
  typeof value === 'boolean' ? Number(value) : (value as SQLInputValue)

/** Just enough of D1's API for Drizzle's D1 driver: prepare/bind/all/raw/first/run and batch. */
function recordingD1(db: DatabaseSync, record: (entry: Recorded) => void) {
  const statements = new Map<string, StatementSync>()
  const prepared = (sql: string) => {
    let statement = statements.get(sql)
    if (!statement) statements.set(sql, (statement = db.prepare(sql)))
    return statement
  }
  const run = <T>(sql: string, params: unknown[], arrays: boolean): T[] => {
    const statement = prepared(sql)
    statement.setReturnArrays(arrays)
    const started = performance.now()
    const rows = statement.all(...params.map(toSqlite)) as T[]
    record({ sql, params, ms: performance.now() - started, rows: rows.length })
    return rows
  }
  const bound = (sql: string, params: unknown[]) => ({
    bind: (...more: unknown[]) => bound(sql, more),
    all: async () => ({ results: run(sql, params, false), success: true, meta: {} }),
    raw: async () => run(sql, params, true),
    first: async () => run<Record<string, unknown>>(sql, params, false)[0] ?? null,
    run: async () => ({ results: run(sql, params, false), success: true, meta: { changes: 0 } }),
    sql,
    params,
  })
  return {
    prepare: (sql: string) => bound(sql, []),
    batch: async (list: ReturnType<typeof bound>[]) =>
      list.map((s) => ({ results: run(s.sql, s.params, false), success: true, meta: {} })),
  }
}

/** Copy the D1 file (and its WAL) so the profile never touches the live database. */
function snapshot(spec: WorkerSpec): { file: string; cleanup: () => void } {
  const dir = path.join(spec.persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject')
  const name = readdirSync(dir).find((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')
  if (!name) throw new Error(`no D1 database file under ${dir}`)
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'usher-bench-profile-'))
  const file = path.join(tmp, 'db.sqlite')
  copyFileSync(path.join(dir, name), file)
  if (existsSync(path.join(dir, `${name}-wal`))) copyFileSync(path.join(dir, `${name}-wal`), `${file}-wal`)
  return { file, cleanup: () => rmSync(tmp, { recursive: true, force: true }) }
}

/** Inline parameters for `EXPLAIN QUERY PLAN` through `wrangler d1 execute` (which takes no bindings). */
function inline(sql: string, params: unknown[]): string {
  let i = 0
  return sql.replace(/\?/g, () => {
    const value = params[i++]
    if (typeof value === 'number' || typeof value === 'bigint') return String(value)
    if (typeof value === 'boolean') return value ? '1' : '0'
    if (value === null || value === undefined) return 'NULL'
    return `'${String(value).replaceAll("'", "''")}'`
  })
}

export async function profileUsherLists(
  spec: WorkerSpec,
  input: { before: { createdAt: number; id: string }; needle: string; repetitions?: number },
): Promise<ListProfile> {
  const repetitions = input.repetitions ?? 15
  const { file, cleanup } = snapshot(spec)
  const db = new DatabaseSync(file)
  try {
    let recording: Recorded[] = []
    const d1Stub = recordingD1(db, (entry) => recording.push(entry))
    const usher = { db: createDb(d1Stub as unknown as D1Database), now: () => Date.now() } as unknown as Usher
    const queries: Record<string, ListQuery> = {
      'list-first': { status: 'all', limit: 50 },
      'list-deep': { status: 'all', limit: 50, cursor: encodeCursor(input.before) },
      search: { status: 'all', limit: 50, search: input.needle },
    }
    const calls: ListProfile['calls'] = {}
    const bySql = new Map<
      string,
      { used_by: Set<string>; times: number[]; rows: number; params: unknown[] }
    >()
    for (const [name, query] of Object.entries(queries)) {
      const totals: number[] = []
      let count = 0
      for (let i = 0; i < repetitions + 1; i++) {
        recording = []
        const started = performance.now()
        await listUsers(usher, query)
        const total = performance.now() - started
        if (i === 0) continue // first call warms the page cache and the statement cache
        totals.push(total)
        count = recording.length
        for (const entry of recording) {
          const seen = bySql.get(entry.sql) ?? {
            used_by: new Set(),
            times: [],
            rows: entry.rows,
            params: entry.params,
          }
          seen.used_by.add(name)
          seen.times.push(entry.ms)
          bySql.set(entry.sql, seen)
        }
      }
      calls[name] = { median_ms: round(median(totals)), statements: count }
    }
    const unique = [...bySql.entries()]
    const plans = d1(
      spec,
      unique.map(([sql, s]) => `EXPLAIN QUERY PLAN ${inline(sql, s.params)}`).join(';\n'),
    ) as {
      detail: string
    }[][]
    return {
      engine: `node:sqlite ${sqliteVersion(db)} on a snapshot; plans from D1 (workerd)`,
      repetitions,
      calls,
      statements: unique
        .map(([sql, s], i) => ({
          used_by: [...s.used_by],
          sql: sql.replace(/\s+/g, ' ').trim(),
          plan: (plans[i] ?? []).map((p) => p.detail),
          median_ms: round(median(s.times)),
          rows: s.rows,
        }))
        .sort((a, b) => b.median_ms - a.median_ms),
    }
  } finally {
    db.close()
    cleanup()
  }
}

const round = (value: number) => Number(value.toFixed(3))
const sqliteVersion = (db: DatabaseSync) =>
  (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
