/**
 * @module auth/throttle
 * Per-account brute-force throttling, in D1 (strongly consistent, unlike the per-location Rate Limiting
 * binding): exponential backoff from the 5th consecutive failed login (1 s, 2 s, 4 s … capped at 15 min) and
 * at most 100 failures per hourly window (NIST 800-63B, ASVS 2.2.1). Keyed by canonical email whether or not
 * an account exists, and answered exactly like a wrong password (same body, same hashing cost), so neither
 * the lock nor its absence reveals anything. A successful login resets the consecutive count; a password
 * reset or an admin clears the lock entirely (so a locked-out owner always has a way back in).
 */
import { eq, sql } from 'drizzle-orm'
import type { Usher } from '../context'
import { rawStatement, type Statement } from '../db/client'
import { auditLog, identities, loginThrottle } from '../db/schema'

export const BACKOFF_FROM_FAILURE = 5
export const BACKOFF_MAX_MS = 15 * 60 * 1000
export const HOURLY_FAILURE_LIMIT = 100
const HOUR_MS = 60 * 60 * 1000

export type ThrottleRow = typeof loginThrottle.$inferSelect

export function throttleQuery(usher: Usher, subject: string) {
  return usher.db.select().from(loginThrottle).where(eq(loginThrottle.subject, subject))
}

export function isLocked(row: ThrottleRow | undefined, now: number): boolean {
  return row !== undefined && row.lockedUntil > now
}

/**
 * Count one failure, atomically: every SET expression reads the old row, so concurrent failures each count.
 * When the account exists and is now locked, the lock is audited in the same batch.
 */
export function recordFailure(usher: Usher, subject: string, userId: string | undefined): Statement[] {
  const now = usher.now()
  const windowOpen = sql`window_start > ${now - HOUR_MS}`
  const statements: Statement[] = [
    rawStatement(sql`
      INSERT INTO ${loginThrottle} (subject, failures, window_start, window_failures, locked_until, last_failure_at)
      VALUES (${subject}, 1, ${now}, 1, 0, ${now})
      ON CONFLICT (subject) DO UPDATE SET
        failures = failures + 1,
        window_start = CASE WHEN ${windowOpen} THEN window_start ELSE ${now} END,
        window_failures = CASE WHEN ${windowOpen} THEN window_failures + 1 ELSE 1 END,
        locked_until = MAX(
          CASE WHEN failures + 1 >= ${BACKOFF_FROM_FAILURE}
            THEN ${now} + MIN(1000 * (1 << MIN(failures + 1 - ${BACKOFF_FROM_FAILURE}, 20)), ${BACKOFF_MAX_MS})
            ELSE 0 END,
          CASE WHEN ${windowOpen} AND window_failures + 1 >= ${HOURLY_FAILURE_LIMIT}
            THEN window_start + ${HOUR_MS} ELSE 0 END),
        last_failure_at = ${now}`),
  ]
  if (userId) {
    statements.push(
      rawStatement(sql`
        INSERT INTO ${auditLog} (at, actor, action, user_id, detail, outcome)
        SELECT ${now}, 'system', 'user.login-locked', ${userId},
               json_object('failures', failures, 'lockedUntil', locked_until, 'windowFailures', window_failures),
               'refused'
        FROM ${loginThrottle} WHERE subject = ${subject} AND locked_until > ${now}`),
    )
  }
  return statements
}

/** After a successful login: the consecutive count starts over (the hourly window keeps counting). */
export function resetConsecutiveFailures(usher: Usher, subject: string): Statement {
  return usher.db.update(loginThrottle).set({ failures: 0 }).where(eq(loginThrottle.subject, subject))
}

/** Remove every throttle state of a user's email (password reset, admin "clear lock"). */
export function clearThrottleOfUser(userId: string): Statement {
  return rawStatement(sql`
    DELETE FROM ${loginThrottle} WHERE subject IN (
      SELECT ${identities.emailKey} FROM ${identities}
      WHERE ${identities.userId} = ${userId} AND ${identities.emailKey} IS NOT NULL)`)
}

/** What an admin sees: null when the account has no failed logins on record. */
export function describeLock(row: ThrottleRow | undefined, now: number) {
  if (!row) return null
  return {
    locked: isLocked(row, now),
    lockedUntil: isLocked(row, now) ? new Date(row.lockedUntil).toISOString() : null,
    consecutiveFailures: row.failures,
    failuresThisHour: row.windowStart > now - HOUR_MS ? row.windowFailures : 0,
    lastFailureAt: new Date(row.lastFailureAt).toISOString(),
  }
}
