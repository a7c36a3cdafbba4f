/**
 * @module users/export
 * Every user, as Usher's export and backup format: one `ImportedUser` (users/import-record.ts) per user — id,
 * type, status, disabled flag, times, email, password hash (PHC form, exactly as stored, so a restore keeps
 * every password), identities with their provider ids and data, profile data and custom data. Never session
 * or refresh tokens, API keys, or their hashes: restored users log in again, and make new API keys.
 * `usher export` writes one user per line (JSON lines); `usher import --from usher` reads it back.
 *
 * Pages are keyset pages in id order (stable while users are added or deleted), two reads each.
 */
import { asc, gt, sql } from 'drizzle-orm'
import type { Usher } from '../context'
import { isoTime } from '../db/client'
import { identities, users } from '../db/schema'
import { isExternalProvider } from '../provider-types'
import type { IdentityRow, UserRow } from './accounts'
import type { ImportedUser } from './import-record'

export const EXPORT_PAGE_MAX = 1000

const nonEmpty = (value: Record<string, unknown> | null | undefined) => (value && Object.keys(value).length > 0 ? value : undefined)

/** One user as an export record. */
function exportRecord(user: UserRow, owned: IdentityRow[]): ImportedUser {
  const userpass = owned.find((identity) => identity.providerType === 'local-userpass')
  return {
    id: user.id,
    type: user.type,
    status: user.status,
    disabled: user.disabled,
    createdAt: isoTime(user.createdAt)!,
    lastLoginAt: isoTime(user.lastLoginAt),
    ...(userpass?.email && { email: userpass.email, emailVerified: user.status !== 'pending-confirmation' }),
    ...(userpass?.passwordHash && { passwordHash: userpass.passwordHash }),
    identities: owned.map((identity) => ({
      providerType: identity.providerType,
      id: isExternalProvider(identity.providerType) ? (identity.externalId ?? undefined) : identity.id,
      ...(nonEmpty(identity.data) && { data: identity.data! }),
    })),
    ...(nonEmpty(user.data) && { data: user.data }),
    ...(nonEmpty(user.customData) && { customData: user.customData }),
  }
}

/** A page of the export: up to `limit` users after `cursor` (a user id), and where the next page starts. */
export async function exportUsers(usher: Usher, page: { cursor?: string; limit: number }) {
  const limit = Math.min(page.limit, EXPORT_PAGE_MAX)
  const rows = await usher.db
    .select()
    .from(users)
    .where(page.cursor ? gt(users.id, page.cursor) : undefined)
    .orderBy(asc(users.id))
    .limit(limit + 1)
  const pageRows = rows.slice(0, limit)
  const owned = new Map<string, IdentityRow[]>()
  // The page's ids as one JSON parameter (D1 binds at most 100 parameters per statement).
  const ids = JSON.stringify(pageRows.map((user) => user.id))
  const found = await usher.db
    .select()
    .from(identities)
    .where(sql`${identities.userId} IN (SELECT value FROM json_each(${ids}))`)
    .orderBy(asc(identities.createdAt), asc(identities.id))
  for (const identity of found) owned.set(identity.userId, [...(owned.get(identity.userId) ?? []), identity])
  return {
    users: pageRows.map((user) => exportRecord(user, owned.get(user.id) ?? [])),
    nextCursor: rows.length > limit ? pageRows[pageRows.length - 1]!.id : null,
  }
}
