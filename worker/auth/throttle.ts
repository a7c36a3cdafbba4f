/**
 * @module auth/throttle
 * Failed-login throttling in D1 (strongly consistent, unlike the per-location Rate Limiting binding), on two
 * levels, so online guessing stays contained without letting a stranger lock the owner out:
 *
 * - **per account**: exponential backoff from the 5th consecutive failure (1 s, 2 s, 4 s … capped at 15 min)
 *   and at most 100 failures per hourly window (NIST 800-63B, ASVS 2.2.1 / 6.3.x). It applies to clients the
 *   account does not know;
 * - **per account and client** (the device id realm-web sends, else the IP): the same backoff and hourly cap,
 *   for every client, known or not.
 *
 * A client the account knows (a successful login from it in the last 30 days) is held only by its own row:
 * an attacker failing from elsewhere cannot keep the owner's device out. A correct password that meets a lock
 * is answered "temporarily locked: reset your password or wait N minutes" (only someone holding the password
 * ever sees it); a wrong one, locked or not, is "invalid username/password", for existing and unknown emails
 * alike (rows are keyed by canonical email whether or not an account exists). A password reset or an admin
 * clears every lock of the account.
 */
import { and, eq, gt, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { Usher } from '../context'
import { rawStatement, type Statement } from '../db/client'
import { auditLog, identities, knownClients, loginThrottle } from '../db/schema'

export const BACKOFF_FROM_FAILURE = 5
export const BACKOFF_MAX_MS = 15 * 60 * 1000
export const HOURLY_FAILURE_LIMIT = 100
/** How long a successful login makes a client "known" to the account. */
export const KNOWN_CLIENT_DAYS = 30
const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS

export type ThrottleRow = typeof loginThrottle.$inferSelect

/** Who is trying to log in, as far as the request tells. */
export interface LoginClient {
  ip: string | null
  /** The device id the client sent (realm-web sends the one it got at its first login), if any. */
  deviceId?: string
}

/** The client a login comes from: its device when it names one, else its IP. */
export function clientKey(client: LoginClient): string {
  return client.deviceId ? `device:${client.deviceId}` : `ip:${client.ip ?? 'unknown'}`
}

/** The throttle row of one client of one account. */
const clientSubject = (account: string, client: LoginClient) => `${account}|${clientKey(client)}`

export interface LockState {
  account: ThrottleRow | undefined
  client: ThrottleRow | undefined
  /** The account's password holder logged in from this client recently. */
  known: boolean
}

/** The account's and this client's throttle rows, and whether the account knows the client: one round trip. */
export async function lockState(usher: Usher, account: string, client: LoginClient): Promise<LockState> {
  const since = usher.now() - KNOWN_CLIENT_DAYS * DAY_MS
  const [rows, known] = await Promise.all([
    usher.db
      .select()
      .from(loginThrottle)
      .where(inArray(loginThrottle.subject, [account, clientSubject(account, client)])),
    usher.db
      .select({ one: sql`1` })
      .from(knownClients)
      .innerJoin(identities, eq(identities.userId, knownClients.userId))
      .where(and(eq(identities.emailKey, account), eq(knownClients.clientKey, clientKey(client)), gt(knownClients.lastLoginAt, since)))
      .limit(1),
  ])
  return {
    account: rows.find((r) => r.subject === account),
    client: rows.find((r) => r.subject !== account),
    known: known.length > 0,
  }
}

/** The account-level row alone (what admins see and clear). */
export function accountThrottle(usher: Usher, account: string): Promise<ThrottleRow | undefined> {
  return usher.db.select().from(loginThrottle).where(eq(loginThrottle.subject, account)).get()
}

export function isLocked(row: ThrottleRow | undefined, now: number): boolean {
  return row !== undefined && row.lockedUntil > now
}

/** Until when this client is held back (0 when it is not): its own lock, and the account's unless known. */
export function lockedUntil(state: LockState, now: number): number {
  const own = isLocked(state.client, now) ? state.client!.lockedUntil : 0
  const account = !state.known && isLocked(state.account, now) ? state.account!.lockedUntil : 0
  return Math.max(own, account)
}

/**
 * Count one failure on a throttle row, atomically: every SET expression reads the old row, so concurrent
 * failures each count.
 */
function failureUpsert(usher: Usher, subject: string): Statement {
  const now = usher.now()
  const windowOpen = sql`window_start > ${now - HOUR_MS}`
  return rawStatement(sql`
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
      last_failure_at = ${now}`)
}

/**
 * Count one failed login on the account's row and the client's. When the account exists and is now locked,
 * the lock is audited in the same batch.
 */
export function recordFailure(usher: Usher, account: string, client: LoginClient, userId: string | undefined): Statement[] {
  const now = usher.now()
  const statements = [failureUpsert(usher, account), failureUpsert(usher, clientSubject(account, client))]
  if (userId) {
    statements.push(
      rawStatement(sql`
        INSERT INTO ${auditLog} (at, actor, action, user_id, detail, outcome)
        SELECT ${now}, 'system', 'user.login-locked', ${userId},
               json_object('failures', failures, 'lockedUntil', locked_until, 'windowFailures', window_failures,
                           'client', ${clientKey(client)}),
               'refused'
        FROM ${loginThrottle} WHERE subject = ${account} AND locked_until > ${now}`),
    )
  }
  return statements
}

/**
 * After a successful login: this client's consecutive count starts over, and it becomes (stays) known to the
 * account. The account's count starts over too — unless the account is locked and this client got in only
 * because it is known: the stranger who locked it stays locked out.
 */
export function afterSuccessfulLogin(usher: Usher, account: string, client: LoginClient, userId: string, state: LockState): Statement[] {
  const statements: Statement[] = [
    rawStatement(sql`
      INSERT INTO ${knownClients} (user_id, client_key, last_login_at) VALUES (${userId}, ${clientKey(client)}, ${usher.now()})
      ON CONFLICT (user_id, client_key) DO UPDATE SET last_login_at = excluded.last_login_at`),
  ]
  if (state.client && state.client.failures > 0) {
    statements.push(usher.db.update(loginThrottle).set({ failures: 0 }).where(eq(loginThrottle.subject, state.client.subject)))
  }
  if (state.account && state.account.failures > 0 && !isLocked(state.account, usher.now())) {
    statements.push(usher.db.update(loginThrottle).set({ failures: 0 }).where(eq(loginThrottle.subject, account)))
  }
  return statements
}

/** The throttle rows of an email key: the account's (`key`) and its clients' (`key|client`). */
const rowsOfKey = (key: SQLWrapper | string) =>
  sql`(${loginThrottle.subject} = ${key} OR substr(${loginThrottle.subject}, 1, length(${key}) + 1) = ${key} || '|')`

/** Remove every throttle row of a user's email, the account's and its clients' (password reset, admin). */
export function clearThrottleOfUser(userId: string): Statement {
  return rawStatement(sql`
    DELETE FROM ${loginThrottle} WHERE EXISTS (
      SELECT 1 FROM ${identities}
      WHERE ${identities.userId} = ${userId} AND ${identities.emailKey} IS NOT NULL AND ${rowsOfKey(identities.emailKey)})`)
}

/** Remove every throttle row of an email key no account uses any more (after an email change), if `when`. */
export function clearThrottleOfKey(emailKey: string, when: SQL): Statement {
  return rawStatement(sql`DELETE FROM ${loginThrottle} WHERE ${rowsOfKey(emailKey)} AND ${when}`)
}

/** What an admin sees of the account-level row: null when the account has no failed logins on record. */
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
