/**
 * @module users/accounts
 * Reading accounts: by id, by email (through the canonical key), and their identities.
 */
import { and, asc, eq } from 'drizzle-orm'
import { newId } from '../auth/crypto'
import type { Usher } from '../context'
import type { Statement } from '../db/client'
import { identities, users, type ProviderType } from '../db/schema'
import { errors } from '../errors'
import { eventStatement } from '../events/outbox'
import { auditStatement } from './audit'
import { canonicalEmail } from './credentials'
import { initialCustomData } from './custom-data'

export type UserRow = typeof users.$inferSelect
export type IdentityRow = typeof identities.$inferSelect

/**
 * A user created by their first login (anonymous, an external provider), confirmed and logged in at once. The
 * app's user creation function decides first, before any row exists; then the user and identity rows, the
 * `user.registered` entry and CREATE, to go first in the session's batch (`prelude`).
 */
export async function firstLoginUser(
  usher: Usher,
  newcomer: { provider: ProviderType; /** the provider's id for the account (external providers) */ externalId?: string; metadata?: Record<string, unknown> },
): Promise<{ user: UserRow; identityId: string; prelude: Statement[] }> {
  const { provider, externalId, metadata } = newcomer
  const now = usher.now()
  const id = newId(now)
  const identityId = newId(now)
  const customData = await initialCustomData(usher, {
    userId: id,
    provider,
    identityId: externalId ?? identityId,
    ...(metadata && { data: metadata, identityData: metadata }),
  })
  const user: UserRow = {
    id,
    type: 'normal',
    status: 'confirmed',
    disabled: false,
    createdAt: now,
    lastLoginAt: now,
    data: metadata ?? {},
    customData,
    tab: 'confirmed',
  }
  // The list tab is SQLite's to derive.
  const { tab: _derived, ...stored } = user
  const prelude: Statement[] = [
    usher.db.insert(users).values(stored),
    usher.db.insert(identities).values({ id: identityId, userId: id, providerType: provider, externalId, data: metadata, createdAt: now }),
    auditStatement(usher, { actor: `user:${id}`, action: 'user.registered', userId: id, detail: { provider } }),
    ...eventStatement(usher, { type: 'CREATE', userId: id, provider, when: 'exists' }),
  ]
  return { user, identityId, prelude }
}

/** The query behind `findByEmail`, for batching with other reads. */
export function byEmailKey(usher: Usher, emailKey: string) {
  return usher.db
    .select({ user: users, identity: identities })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(eq(identities.emailKey, emailKey))
    .limit(1)
}

/** The email/password identity registered under `email` (any case), with its account. */
export async function findByEmail(usher: Usher, email: string) {
  const [row] = await byEmailKey(usher, canonicalEmail(email))
  return row
}

/** Like `findByEmail` but an unknown email is App Services' `UserNotFound`. */
export async function requireByEmail(usher: Usher, email: string) {
  const row = await findByEmail(usher, email)
  if (!row) throw errors.userNotFound()
  return row
}

export async function findUser(usher: Usher, userId: string): Promise<UserRow | undefined> {
  return usher.db.select().from(users).where(eq(users.id, userId)).get()
}

export async function requireUser(usher: Usher, userId: string): Promise<UserRow> {
  const user = await findUser(usher, userId)
  if (!user) throw errors.userNotFound()
  return user
}

export function identitiesOf(usher: Usher, userId: string): Promise<IdentityRow[]> {
  return usher.db
    .select()
    .from(identities)
    .where(eq(identities.userId, userId))
    .orderBy(asc(identities.createdAt), asc(identities.id))
}

/** A user's email/password identity (there is at most one), with its account. */
export async function requirePasswordIdentity(usher: Usher, userId: string) {
  const [row] = await usher.db
    .select({ user: users, identity: identities })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.userId, userId), eq(identities.providerType, 'local-userpass')))
    .limit(1)
  if (!row) {
    if (await findUser(usher, userId)) {
      throw errors.refused('this user has no email/password identity')
    }
    throw errors.userNotFound()
  }
  return row as { user: UserRow; identity: IdentityRow & { email: string } }
}

/** Is this D1 failure the UNIQUE index on canonical emails? */
export function isUniqueViolation(error: unknown, index: string): boolean {
  const text = `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')}`
  return text.includes('UNIQUE constraint failed') && text.includes(index)
}
