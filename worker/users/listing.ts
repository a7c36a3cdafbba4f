/**
 * @module users/listing
 * The admin's view of users: tabbed, searchable, newest-first lists with keyset pagination, and one user's
 * details. Pages never skip or repeat rows while users are added (the cursor is a position in the
 * `(created_at, id)` order, and new users sort before every existing cursor). Search matches a substring of
 * the email, case-insensitively, with `%` and `_` taken literally (it is `instr`, not `LIKE`).
 */
import { and, count, desc, eq, exists, gt, max, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import type { Usher } from '../context'
import { isoTime } from '../db/client'
import { describeLock } from '../auth/throttle'
import {
  actionTokens,
  apiKeys,
  auditLog,
  identities,
  loginThrottle,
  sessions,
  userTabCounts,
  users,
  type ProviderType,
  type UserTab,
} from '../db/schema'
import { errors } from '../errors'
import type { UserRow } from './accounts'
import { canonicalEmail } from './credentials'
import { USER_ID_PATTERN } from './import-record'
import { mailQuotaOf } from './mail-quota'

export const LIST_STATUSES = ['pending', 'confirmed', 'disabled', 'all'] as const
export type ListStatus = (typeof LIST_STATUSES)[number]
export const LIST_LIMIT_MAX = 100
export const LIST_LIMIT_DEFAULT = 50

export interface UserItem {
  id: string
  email: string | null
  type: UserRow['type']
  status: UserRow['status']
  disabled: boolean
  identities: { providerType: ProviderType; id: string }[]
  createdAt: string
  lastLoginAt: string | null
  /** When the latest confirmation link expires (pending-confirmation users); in the past = stuck. */
  confirmationExpiresAt: string | null
  /** Until when failed logins lock this account out (null when not locked now). */
  lockedUntil: string | null
}


const cursorShape = z.tuple([z.number().int().nonnegative(), z.string().regex(USER_ID_PATTERN)])

export function encodeCursor(row: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt, row.id])).toString('base64url')
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  let parsed
  try {
    parsed = cursorShape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')))
  } catch {
    parsed = undefined
  }
  if (!parsed?.success) throw errors.badRequest('invalid cursor: pass back a nextCursor exactly as received')
  return { createdAt: parsed.data[0], id: parsed.data[1] }
}

/** Expand user rows into list items: identities and confirmation expiry, in one round trip. */
export async function toItems(usher: Usher, rows: UserRow[]): Promise<UserItem[]> {
  if (rows.length === 0) return []
  const ids = sql`(SELECT value FROM json_each(${JSON.stringify(rows.map((r) => r.id))}))`
  const [owned, expiries, locks] = await usher.db.batch([
    usher.db
      // An identity's id as App Services showed it: the provider's id for external providers.
      .select({
        id: sql<string>`coalesce(${identities.externalId}, ${identities.id})`,
        userId: identities.userId,
        providerType: identities.providerType,
        email: identities.email,
      })
      .from(identities)
      .where(sql`${identities.userId} IN ${ids}`)
      .orderBy(identities.createdAt, identities.id),
    usher.db
      .select({ userId: actionTokens.userId, expiresAt: max(actionTokens.expiresAt) })
      .from(actionTokens)
      .where(and(eq(actionTokens.purpose, 'confirm'), sql`${actionTokens.userId} IN ${ids}`))
      .groupBy(actionTokens.userId),
    usher.db
      .select({ userId: identities.userId, lockedUntil: loginThrottle.lockedUntil })
      .from(loginThrottle)
      .innerJoin(identities, eq(identities.emailKey, loginThrottle.subject))
      .where(and(sql`${identities.userId} IN ${ids}`, gt(loginThrottle.lockedUntil, usher.now()))),
  ])
  return rows.map((row) => {
    const mine = owned.filter((i) => i.userId === row.id)
    return {
      id: row.id,
      email: mine.find((i) => i.email)?.email ?? null,
      type: row.type,
      status: row.status,
      disabled: row.disabled,
      identities: mine.map((i) => ({ providerType: i.providerType, id: i.id })),
      createdAt: isoTime(row.createdAt)!,
      lastLoginAt: isoTime(row.lastLoginAt),
      confirmationExpiresAt:
        row.status === 'pending-confirmation' ? isoTime(expiries.find((e) => e.userId === row.id)?.expiresAt) : null,
      lockedUntil: isoTime(locks.find((l) => l.userId === row.id)?.lockedUntil),
    }
  })
}

export interface ListQuery {
  status: ListStatus
  /** Only users with an identity of this provider. */
  provider?: ProviderType
  search?: string
  cursor?: string
  limit: number
}

export async function listUsers(usher: Usher, query: ListQuery) {
  const position = query.cursor ? decodeCursor(query.cursor) : undefined
  const conditions: (SQL | undefined)[] = [
    query.status === 'all' ? undefined : eq(users.tab, query.status satisfies UserTab),
    position && sql`(${users.createdAt}, ${users.id}) < (${position.createdAt}, ${position.id})`,
  ]
  if (query.provider) {
    conditions.push(
      exists(
        usher.db
          .select({ one: sql`1` })
          .from(identities)
          .where(and(eq(identities.userId, users.id), eq(identities.providerType, query.provider))),
      ),
    )
  }
  const needle = query.search ? canonicalEmail(query.search) : ''
  if (needle) conditions.push(await searchCondition(usher, needle))
  const [rows, tabs] = await usher.db.batch([
    usher.db
      .select()
      .from(users)
      .where(and(...conditions))
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(query.limit + 1),
    // Kept exact by triggers (drizzle/0004_user_tab_count_triggers.sql): counting 100,000 index entries per page
    // was most of a page's time.
    usher.db.select({ tab: userTabCounts.tab, n: userTabCounts.n }).from(userTabCounts),
  ])
  const page = rows.slice(0, query.limit)
  const tally = (tab: UserTab) => tabs.find((t) => t.tab === tab)?.n ?? 0
  return {
    items: await toItems(usher, page),
    nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null,
    counts: {
      pending: tally('pending'),
      confirmed: tally('confirmed'),
      disabled: tally('disabled'),
      all: tabs.reduce((sum, t) => sum + t.n, 0),
    },
  }
}

/** Up to this many matching accounts, search sorts just the matches; beyond, it walks users newest first. */
const SEARCH_MATCH_LIST = 1000

/**
 * Which users an email search keeps. A rare needle (the usual "find this person") is answered from the
 * matching identities alone: one scan of the emails, then at most 1,000 rows sorted. A common one (say the
 * company's domain) keeps today's newest-first walk, which finds a page of matches after a few rows.
 */
async function searchCondition(usher: Usher, needle: string): Promise<SQL> {
  const hits = await usher.db
    .select({ userId: identities.userId })
    .from(identities)
    .where(sql`instr(${identities.emailKey}, ${needle}) > 0`)
    .limit(SEARCH_MATCH_LIST + 1)
  if (hits.length <= SEARCH_MATCH_LIST) {
    return sql`${users.id} IN (SELECT value FROM json_each(${JSON.stringify(hits.map((h) => h.userId))}))`
  }
  return exists(
    usher.db
      .select({ one: sql`1` })
      .from(identities)
      .where(and(eq(identities.userId, users.id), sql`instr(${identities.emailKey}, ${needle}) > 0`)),
  )
}

export interface AuditItem {
  id: number
  at: string
  actor: string
  action: string
  userId: string | null
  /** The address of the user the entry is about, when known (audit.list). */
  email?: string | null
  detail: Record<string, unknown>
  outcome: 'ok' | 'refused' | 'failed'
}

export function toAuditItem(row: typeof auditLog.$inferSelect & { email?: string | null }): AuditItem {
  return { ...row, at: isoTime(row.at)! }
}

/** One user in full: the list item plus sessions, API keys (never secrets) and recent audit entries. */
export async function userDetails(usher: Usher, userId: string) {
  const [found, sessionCount, keys, recent, throttle] = await usher.db.batch([
    usher.db.select().from(users).where(eq(users.id, userId)),
    usher.db.select({ n: count() }).from(sessions).where(eq(sessions.userId, userId)),
    usher.db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt)),
    usher.db.select().from(auditLog).where(eq(auditLog.userId, userId)).orderBy(desc(auditLog.id)).limit(20),
    usher.db
      .select({ throttle: loginThrottle })
      .from(loginThrottle)
      .innerJoin(identities, eq(identities.emailKey, loginThrottle.subject))
      .where(eq(identities.userId, userId)),
  ])
  if (!found[0]) throw errors.userNotFound()
  const [item] = await toItems(usher, found)
  return {
    ...item!,
    /** What the user's providers say about them (name, picture, an external address…): App Services' `data`. */
    data: found[0].data,
    /** The user's custom data (users/custom-data.ts), as stored: plain JSON. */
    customData: found[0].customData,
    /** Per-recipient mail limits for the user's address (users/mail-quota.ts); null before any mail. */
    mail: item!.email ? await mailQuotaOf(usher, item!.email) : null,
    sessionCount: sessionCount[0]?.n ?? 0,
    apiKeys: keys.map((k) => ({
      id: k.id,
      name: k.name,
      kind: k.kind,
      disabled: k.disabled,
      createdAt: isoTime(k.createdAt)!,
      lastUsedAt: isoTime(k.lastUsedAt),
    })),
    recentAudit: recent.map(toAuditItem),
    /** Failed-login state (see auth/throttle.ts); null when there are none on record. */
    lock: describeLock(throttle[0]?.throttle, usher.now()),
  }
}

/** One user as a list item (after an admin action, to show its new state). */
export async function userItem(usher: Usher, userId: string): Promise<UserItem> {
  const row = await usher.db.select().from(users).where(eq(users.id, userId)).get()
  if (!row) throw errors.userNotFound()
  const [item] = await toItems(usher, [row])
  return item!
}
