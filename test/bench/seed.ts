/**
 * @module bench/seed
 * The benchmark's data, written with batched SQL straight into each bench database (never through an API):
 * one `INSERT … SELECT` over a recursive counter per table, so 100,000 users take about a second. Seeding is
 * reused between runs: a run checks the seeded rows (count and KDF parameters of their password hashes)
 * and only re-seeds when they are missing, partial or hashed with other parameters. What earlier runs added
 * (registrations, sessions, mails, audit entries) is deleted first, so every run starts from the same state.
 *
 * Seeded users share one password and one real PHC hash made with the configured KDF (Usher's own
 * `hashPassword` for Usher; ../scrypt.ts, the same derivation, for the peer), so every login verifies a
 * genuine hash at full cost. 5% are pending confirmation (with a confirmation token), 5% pending their
 * first login, 2% disabled (banned, for the peer), the rest confirmed; each is created one minute after
 * the previous one.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { getMigrations } from 'better-auth/db/migration'
import { admin } from 'better-auth/plugins'
import { hashPassword } from '../../worker/auth/passwords'
import type { KdfParams } from '../../worker/config'
import { hashScrypt, type ScryptParams } from './scrypt'
import { BENCH_DIR, d1, d1Row, type WorkerSpec } from './workers'

export const SEED_PASSWORD = 'bench-password-0'
export const SEED_DOMAIN = 'seed.bench.test'
/** Created-at of seeded user i is BASE_MS + i·STEP_MS; anything newer was added by a benchmark run. */
const BASE_MS = 1_700_000_000_000
const STEP_MS = 60_000

export const seedEmail = (i: number) => `user${i}@${SEED_DOMAIN}`

/** Seeded users a login may use: confirmed and enabled in both systems (see the distribution above). */
export function loginableUsers(count: number, users: number): number[] {
  const picked: number[] = []
  // A stride coprime with the user count spreads logins over the whole table and index.
  for (let k = 0, i = 1; picked.length < count && k < users * 2; k++, i = ((i + 7919 - 1) % users) + 1) {
    if (i % 20 > 1 && i % 50 !== 7) picked.push(i)
  }
  return picked
}

/** Users a benchmark run added (registrations): newer than every seeded one. */
const addedByRun = (users: number) => `created_at > ${BASE_MS + users * STEP_MS}`

const counter = (users: number) =>
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${users})`
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`
const createdAt = `(${BASE_MS} + i * ${STEP_MS})`
const hexId = (space: number) => `printf('%08x%016x', ${createdAt} / 1000, ${space} + i)`
const isoOf = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', (${ms}) / 1000.0, 'unixepoch')`

export interface SeedReport {
  system: string
  users: number
  seeded: boolean
  seconds: number
}

function phcParams(hash: string | undefined): string | undefined {
  return /^\$scrypt\$([^$]+)\$/.exec(hash ?? '')?.[1]
}

const expectedParams = (kdf: ScryptParams) => `ln=${Math.log2(kdf.N)},r=${kdf.r},p=${kdf.p}`

/** Usher: users + email/password identities + confirmation tokens for the pending-confirmation ones. */
export async function seedUsher(spec: WorkerSpec, users: number, kdf: ScryptParams): Promise<SeedReport> {
  const started = performance.now()
  const state = d1Row<{ n: number; hash: string | null }>(
    spec,
    `SELECT (SELECT count(*) FROM identities WHERE email_key LIKE '%@${SEED_DOMAIN}') AS n,
            (SELECT password_hash FROM identities WHERE email_key = ${quote(seedEmail(1))}) AS hash`,
  )
  const current = state?.n === users && phcParams(state.hash ?? undefined) === expectedParams(kdf)
  // Whatever earlier runs added: registrations (newer than every seeded user) and their sessions, mails,
  // audit entries, lifecycle events (every login records one) and throttle rows (deleting a user cascades to
  // identities, sessions and tokens).
  const cleanup = [
    `DELETE FROM users WHERE ${addedByRun(users)}`,
    'DELETE FROM sessions',
    'DELETE FROM outbox',
    'DELETE FROM audit_log',
    ...optionalTables(spec, ['login_throttle', 'events']).map((t) => `DELETE FROM ${t}`),
  ]
  if (current) {
    d1(spec, cleanup.join(';\n'))
    return { system: 'usher', users, seeded: false, seconds: (performance.now() - started) / 1000 }
  }
  const usherKdf: KdfParams = { algorithm: 'scrypt', ...kdf }
  const hash = await hashPassword(SEED_PASSWORD, usherKdf)
  d1(
    spec,
    [
      'DELETE FROM users',
      ...cleanup.slice(1),
      `${counter(users)} INSERT INTO users (id, type, status, disabled, created_at, last_login_at)
       SELECT ${hexId(0)}, 'normal',
              CASE WHEN i % 20 = 0 THEN 'pending-confirmation' WHEN i % 20 = 1 THEN 'pending-login' ELSE 'confirmed' END,
              CASE WHEN i % 50 = 7 THEN 1 ELSE 0 END, ${createdAt},
              CASE WHEN i % 20 > 1 THEN ${createdAt} + 3600000 ELSE NULL END
       FROM n`,
      `${counter(users)} INSERT INTO identities (id, user_id, provider_type, email, email_key, password_hash, created_at)
       SELECT ${hexId(2 ** 30)}, ${hexId(0)}, 'local-userpass', 'user' || i || '@${SEED_DOMAIN}',
              'user' || i || '@${SEED_DOMAIN}', ${quote(hash)}, ${createdAt}
       FROM n`,
      // The hash of a confirmation token nobody holds: the row only makes the list show an expiry.
      `${counter(users)} INSERT INTO action_tokens (id, user_id, purpose, secret_hash, created_at, expires_at)
       SELECT ${hexId(2 ** 31)}, ${hexId(0)}, 'confirm', lower(hex(randomblob(32))), ${createdAt}, ${createdAt} + 1800000
       FROM n WHERE i % 20 = 0`,
    ].join(';\n'),
  )
  return { system: 'usher', users, seeded: true, seconds: (performance.now() - started) / 1000 }
}

export const PEER_ADMIN_EMAIL = 'admin@bench.test'

const statements = (sql: string) =>
  sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean)

/**
 * The peer must run on the schema its authors ship: compare the checked-in migration with what Better
 * Auth's own migrator emits for the peer's options (email/password + admin plugin) on an empty SQLite.
 */
export async function checkPeerSchema(): Promise<void> {
  const file = path.join(BENCH_DIR, 'better-auth', 'migrations', '0001_better_auth.sql')
  const db = new DatabaseSync(':memory:')
  try {
    const { compileMigrations } = await getMigrations({
      database: db,
      emailAndPassword: { enabled: true },
      plugins: [admin()],
    })
    const expected = statements(await compileMigrations())
    const actual = statements(readFileSync(file, 'utf8'))
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      throw new Error(
        `${file} is not the schema this Better Auth version expects; replace its statements with:\n` +
          `${expected.join(';\n\n')};`,
      )
    }
  } finally {
    db.close()
  }
}

/** Better Auth: users (+ the admin plugin's role/banned) + credential accounts, and one admin. */
export async function seedPeer(spec: WorkerSpec, users: number, kdf: ScryptParams): Promise<SeedReport> {
  const started = performance.now()
  const state = d1Row<{ n: number; hash: string | null }>(
    spec,
    `SELECT (SELECT count(*) FROM "user" WHERE email LIKE '%@${SEED_DOMAIN}') AS n,
            (SELECT password FROM account WHERE userId = 'seed1') AS hash`,
  )
  const current = state?.n === users && phcParams(state.hash ?? undefined) === expectedParams(kdf)
  const cleanup = [
    `DELETE FROM "user" WHERE email NOT LIKE '%@${SEED_DOMAIN}' AND email <> ${quote(PEER_ADMIN_EMAIL)}`,
    'DELETE FROM session',
    'DELETE FROM verification',
  ]
  if (current) {
    d1(spec, cleanup.join(';\n'))
    return { system: 'better-auth', users, seeded: false, seconds: (performance.now() - started) / 1000 }
  }
  const hash = await hashScrypt(SEED_PASSWORD, kdf)
  // The admin is the oldest user, so it sits after every seeded user in newest-first pages.
  const adminAt = isoOf(String(BASE_MS))
  d1(
    spec,
    [
      'DELETE FROM "user"',
      ...cleanup.slice(1),
      `${counter(users)} INSERT INTO "user" (id, name, email, emailVerified, image, createdAt, updatedAt, role, banned)
       SELECT 'seed' || i, 'User ' || i, 'user' || i || '@${SEED_DOMAIN}', CASE WHEN i % 20 = 0 THEN 0 ELSE 1 END, NULL,
              ${isoOf(createdAt)}, ${isoOf(createdAt)}, 'user', CASE WHEN i % 50 = 7 THEN 1 ELSE 0 END
       FROM n`,
      `${counter(users)} INSERT INTO account (id, accountId, providerId, userId, password, createdAt, updatedAt)
       SELECT 'acct' || i, 'seed' || i, 'credential', 'seed' || i, ${quote(hash)}, ${isoOf(createdAt)}, ${isoOf(createdAt)}
       FROM n`,
      `INSERT INTO "user" (id, name, email, emailVerified, createdAt, updatedAt, role, banned)
       VALUES ('bench-admin', 'Bench admin', ${quote(PEER_ADMIN_EMAIL)}, 1, ${adminAt}, ${adminAt}, 'admin', 0)`,
      `INSERT INTO account (id, accountId, providerId, userId, password, createdAt, updatedAt)
       VALUES ('acct-admin', 'bench-admin', 'credential', 'bench-admin', ${quote(hash)}, ${adminAt}, ${adminAt})`,
    ].join(';\n'),
  )
  return { system: 'better-auth', users, seeded: true, seconds: (performance.now() - started) / 1000 }
}

/** Bound worker: `rows` rows keyed like Usher's ids (see bound/index.ts `boundRowId`). */
export function seedBound(spec: WorkerSpec, rows: number): SeedReport {
  const started = performance.now()
  const n = d1Row<{ n: number }>(spec, 'SELECT count(*) AS n FROM bound_rows')?.n
  if (n === rows)
    return { system: 'bound', users: rows, seeded: false, seconds: (performance.now() - started) / 1000 }
  d1(
    spec,
    `DELETE FROM bound_rows;
     WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows - 1})
     INSERT INTO bound_rows (id, value) SELECT printf('%08x%016x', 1700000000, i), 'row ' || i FROM n`,
  )
  return { system: 'bound', users: rows, seeded: true, seconds: (performance.now() - started) / 1000 }
}

function optionalTables(spec: WorkerSpec, names: string[]): string[] {
  const rows = d1<{ name: string }>(
    spec,
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${names.map(quote).join(', ')})`,
  )[0]
  return (rows ?? []).map((r) => r.name)
}

/** Usher's users at newest-first positions `offset`, `offset + 1`, … (for a deep keyset cursor). */
export function usherRowsAt(
  spec: WorkerSpec,
  offset: number,
  count: number,
): { createdAt: number; id: string }[] {
  const rows = d1<{ created_at: number; id: string }>(
    spec,
    `SELECT created_at, id FROM users ORDER BY created_at DESC, id DESC LIMIT ${count} OFFSET ${offset}`,
  ).at(-1)
  if (!rows || rows.length < count)
    throw new Error(`Usher's bench database has fewer than ${offset + count} users`)
  return rows.map((r) => ({ createdAt: r.created_at, id: r.id }))
}

export interface UsherRunCounts {
  /** Sessions opened: one per committed login (the cleanup leaves none). */
  logins: number
  /** Users the run registered. */
  registrations: number
  /** Lifecycle events recorded, by type, then by status. */
  events: Record<string, Record<string, number>>
}

/** What a run committed to an Usher bench database (read after its worker stopped). */
export function usherRunCounts(spec: WorkerSpec, users: number): UsherRunCounts {
  const [sessions, added, events] = d1<{ n: number; type: string; status: string }>(
    spec,
    `SELECT count(*) AS n FROM sessions;
     SELECT count(*) AS n FROM users WHERE ${addedByRun(users)};
     SELECT type, status, count(*) AS n FROM events GROUP BY type, status`,
  )
  const byType: UsherRunCounts['events'] = {}
  for (const { type, status, n } of events ?? []) byType[type] = { ...byType[type], [status]: n }
  return { logins: sessions?.[0]?.n ?? 0, registrations: added?.[0]?.n ?? 0, events: byType }
}

/**
 * `firebase login`'s account, read from `usher-import`'s database after its worker stopped: sessions (one per
 * committed login; the import opens none), and users on Usher's own hash or still on their Firebase one.
 */
export function firebaseHashCounts(spec: WorkerSpec): {
  committed: number
  rehashed: number
  firebase_left: number
} {
  const [sessions, rehashed, left] = d1<{ n: number }>(
    spec,
    `SELECT count(*) AS n FROM sessions;
     SELECT count(*) AS n FROM identities WHERE password_hash LIKE '$scrypt$%';
     SELECT count(*) AS n FROM identities WHERE password_hash LIKE '$firebase-scrypt$%'`,
  )
  return {
    committed: sessions?.[0]?.n ?? 0,
    rehashed: rehashed?.[0]?.n ?? 0,
    firebase_left: left?.[0]?.n ?? 0,
  }
}
