/**
 * @module maintenance
 * The daily clean-up (a Cron Trigger, see wrangler.toml): expired sessions, confirmation/reset tokens, stale
 * throttle rows, forgotten login clients, old per-recipient mail counts and login audit entries past their
 * retention would otherwise accumulate forever, and App Services deleted anonymous users 90 days
 * after their creation (ANONYMOUS_USER_TTL_DAYS; 0 keeps them), each with its DELETE event; delivered events
 * expire after EVENTS_RETENTION_DAYS; an imported Firebase project's hash parameters (their signer key is a
 * pepper) are deleted once no stored hash needs them. A run repeats its batch while a step still finds a full
 * one. Each step is bounded per run so one invocation stays well inside D1's limits; anonymous deletions are
 * audited like any other deletion.
 */
import { sql } from 'drizzle-orm'
import type { Usher } from './context'
import { changes, rawStatement, runBatch } from './db/client'
import { KNOWN_CLIENT_DAYS } from './auth/throttle'
import { eventStatement } from './events/outbox'
import {
  actionTokens,
  auditLog,
  events,
  identities,
  knownClients,
  loginThrottle,
  mailQuota,
  passwordHashParameters,
  sessions,
  users,
} from './db/schema'

const BATCH_LIMIT = 500
const DAY_MS = 24 * 60 * 60 * 1000

export interface MaintenanceReport {
  expiredSessions: number
  expiredTokens: number
  staleThrottleRows: number
  forgottenClients: number
  staleMailQuotas: number
  oldLoginEntries: number
  expiredEvents: number
  unusedHashParameters: number
  anonymousUsersDeleted: number
}

/** Passes per run: a busy deployment's day (logins, events) can leave more than one batch of each to delete. */
const MAX_PASSES = 40

/**
 * Repeat the clean-up while some step still found a full batch (up to MAX_PASSES × 500 rows per step and
 * day); each pass is one batch.
 */
export async function runMaintenance(usher: Usher): Promise<MaintenanceReport> {
  const total: MaintenanceReport = {
    expiredSessions: 0,
    expiredTokens: 0,
    staleThrottleRows: 0,
    forgottenClients: 0,
    staleMailQuotas: 0,
    oldLoginEntries: 0,
    expiredEvents: 0,
    unusedHashParameters: 0,
    anonymousUsersDeleted: 0,
  }
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const report = await maintenancePass(usher)
    for (const key of Object.keys(total) as (keyof MaintenanceReport)[]) total[key] += report[key]
    if (Object.values(report).every((n) => n < BATCH_LIMIT)) break
  }
  return total
}

/** Stored hash parameter sets older than a day that no identity's password hash names. */
const unusedHashParameters = (now: number) => sql`SELECT p.id FROM ${passwordHashParameters} p
  WHERE p.created_at <= ${now - DAY_MS}
    AND NOT EXISTS (SELECT 1 FROM ${identities} i WHERE i.password_hash LIKE '$firebase-scrypt$p=' || p.id || '$%')
  LIMIT ${BATCH_LIMIT}`

async function maintenancePass(usher: Usher): Promise<MaintenanceReport> {
  const now = usher.now()
  const bounded = (table: string, where: ReturnType<typeof sql>) =>
    rawStatement(sql`DELETE FROM ${sql.raw(table)} WHERE rowid IN (SELECT rowid FROM ${sql.raw(table)} WHERE ${where} LIMIT ${BATCH_LIMIT})`)
  const loginRetentionDays = usher.config.loginAuditRetentionDays
  const statements = [
    bounded('sessions', sql`${sessions.expiresAt} <= ${now}`),
    bounded('action_tokens', sql`${actionTokens.expiresAt} <= ${now - DAY_MS}`),
    bounded('login_throttle', sql`${loginThrottle.lockedUntil} <= ${now} AND ${loginThrottle.lastFailureAt} <= ${now - DAY_MS}`),
    bounded('known_clients', sql`${knownClients.lastLoginAt} <= ${now - KNOWN_CLIENT_DAYS * DAY_MS}`),
    bounded('mail_quota', sql`${mailQuota.dayStart} <= ${now - 30 * DAY_MS}`),
    // Every login is audited (the hottest write); those entries are kept LOGIN_AUDIT_RETENTION_DAYS (0 = always).
    bounded(
      'audit_log',
      loginRetentionDays > 0 ? sql`${auditLog.action} = 'user.login' AND ${auditLog.at} <= ${now - loginRetentionDays * DAY_MS}` : sql`0`,
    ),
    // Delivered events, and those recorded with no sink, are kept EVENTS_RETENTION_DAYS; dead ones stay
    // until an admin redelivers them (they are listed as needing attention).
    bounded('events', sql`${events.status} IN ('delivered', 'recorded') AND ${events.createdAt} <= ${now - usher.config.events.retentionDays * DAY_MS}`),
    // A Firebase project's hash parameters once no stored hash names them (each of its users logged in, and
    // was rehashed, or is gone): audited, then deleted. A day's grace lets an import that stored them with
    // its first chunk send the users that need them in the next ones.
    rawStatement(sql`INSERT INTO ${auditLog} (at, actor, action, detail, outcome)
      SELECT ${now}, 'system', 'hash-parameters.deleted', json_object('id', id, 'scheme', scheme, 'reason', 'no stored hash uses them'), 'ok'
      FROM ${passwordHashParameters} WHERE id IN (${unusedHashParameters(now)})`),
    rawStatement(sql`DELETE FROM ${passwordHashParameters} WHERE id IN (${unusedHashParameters(now)})`),
  ]
  const ttlDays = usher.config.anonymousUserTtlDays
  if (ttlDays > 0) {
    // Anonymous = every identity is anon-user (a linked account is no longer anonymous).
    const expiredAnonymous = sql`SELECT ${users.id} FROM ${users}
      WHERE ${users.createdAt} <= ${now - ttlDays * DAY_MS} AND ${users.type} = 'normal'
        AND EXISTS (SELECT 1 FROM ${identities} i WHERE i.user_id = ${users.id} AND i.provider_type = 'anon-user')
        AND NOT EXISTS (SELECT 1 FROM ${identities} i WHERE i.user_id = ${users.id} AND i.provider_type <> 'anon-user')
      ORDER BY ${users.id} LIMIT ${BATCH_LIMIT}`
    statements.push(
      // Their DELETE events first, while they can still be read (the same batch: all of it or none).
      ...eventStatement(usher, { type: 'DELETE', userId: expiredAnonymous, when: 'exists' }),
      rawStatement(sql`
        INSERT INTO ${auditLog} (at, actor, action, user_id, detail, outcome)
        SELECT ${now}, 'system', 'user.deleted', id,
               json_object('type', 'normal', 'providers', json_array('anon-user'), 'reason', 'anonymous user expired'), 'ok'
        FROM (${expiredAnonymous})`),
      rawStatement(sql`DELETE FROM ${users} WHERE ${users.id} IN (${expiredAnonymous})`),
    )
  }
  const results = await runBatch(usher.db, statements)
  return {
    expiredSessions: changes(results[0]),
    expiredTokens: changes(results[1]),
    staleThrottleRows: changes(results[2]),
    forgottenClients: changes(results[3]),
    staleMailQuotas: changes(results[4]),
    oldLoginEntries: changes(results[5]),
    expiredEvents: changes(results[6]),
    unusedHashParameters: changes(results[8]),
    // Counted by their audit entries: D1's change count for the DELETE includes its cascades.
    anonymousUsersDeleted: ttlDays > 0 ? changes(results.at(-2)) : 0,
  }
}
