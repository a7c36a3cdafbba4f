/**
 * @module auth/providers/external-identities
 * The one path every external provider (custom JWT, custom function, Google, Apple, Facebook) shares once it
 * has verified who the caller is: find the user behind the external account (`identities.external_id`,
 * unique per provider), or create one at the first login — in the same batch as the session, so a failed
 * login leaves no user behind; refresh the identity's metadata and merge it into the user's `data`; or, for
 * `?link=true`, attach the identity to the caller unless it already belongs to someone else.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Usher } from '../../context'
import { runBatch, type Statement } from '../../db/client'
import { identities, users, type ExternalProviderType } from '../../db/schema'
import { errors } from '../../errors'
import { firstLoginUser, isUniqueViolation, type IdentityRow, type UserRow } from '../../users/accounts'
import { auditStatement } from '../../users/audit'
import { newId } from '../crypto'
import { linkedAnswer, startSession, type Authenticated, type LoginResponse } from '../sessions'
import type { LoginClient } from '../throttle'

/** What a provider module answers once the credentials verified. */
export interface ExternalIdentity {
  provider: ExternalProviderType
  /** The provider's id for the account (a JWT's `sub`, a function's answer, Google's `sub`, Facebook's id). */
  externalId: string
  /** Profile metadata in App Services' field names (name, first_name, last_name, picture, email…). */
  metadata: Record<string, unknown>
}

export const EXTERNAL_ID_MAX = 256

async function findExternal(usher: Usher, identity: ExternalIdentity) {
  const [row] = await usher.db
    .select({ user: users, identity: identities })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.providerType, identity.provider), eq(identities.externalId, identity.externalId)))
    .limit(1)
  return row as { user: UserRow; identity: IdentityRow } | undefined
}

/** The login refreshes what the provider says about the user: on the identity, and merged into `data`. */
function refreshMetadata(usher: Usher, userId: string, identityId: string, metadata: Record<string, unknown>): Statement[] {
  if (Object.keys(metadata).length === 0) return []
  return [
    usher.db.update(identities).set({ data: metadata }).where(eq(identities.id, identityId)),
    usher.db
      .update(users)
      .set({ data: sql`json_patch(${users.data}, ${JSON.stringify(metadata)})` })
      .where(eq(users.id, userId)),
  ]
}

/** Log in with a verified external identity; the first login creates the user. */
export async function loginWithIdentity(
  usher: Usher,
  identity: ExternalIdentity,
  deviceId: string,
  client: LoginClient,
  retried = false,
): Promise<LoginResponse> {
  const existing = await findExternal(usher, identity)
  if (existing) {
    if (existing.user.disabled) throw errors.userDisabled()
    return startSession(usher, {
      user: existing.user,
      provider: identity.provider,
      identityId: existing.identity.id,
      deviceId,
      client,
      after: refreshMetadata(usher, existing.user.id, existing.identity.id, identity.metadata),
    })
  }
  const { user, identityId, prelude } = await firstLoginUser(usher, {
    provider: identity.provider,
    externalId: identity.externalId,
    metadata: identity.metadata,
  })
  try {
    return await startSession(usher, { user, provider: identity.provider, identityId, deviceId, client, prelude })
  } catch (error) {
    // Two first logins of one external account at once: the UNIQUE index let one create the user; this
    // one's batch rolled back entirely, and logs in as that user.
    if (!retried && isUniqueViolation(error, 'identities.provider_type')) {
      return loginWithIdentity(usher, identity, deviceId, client, true)
    }
    throw error
  }
}

/** `?link=true`: attach the external identity to the caller (or accept it again if it is already theirs). */
export async function linkIdentityTo(usher: Usher, caller: Authenticated, identity: ExternalIdentity): Promise<LoginResponse> {
  const existing = await findExternal(usher, identity)
  if (existing && existing.user.id !== caller.user.id) throw errors.identityBelongsToAnotherUser()
  if (!existing) {
    const now = usher.now()
    const identityId = newId(now)
    try {
      await runBatch(usher.db, [
        usher.db.insert(identities).values({
          id: identityId,
          userId: caller.user.id,
          providerType: identity.provider,
          externalId: identity.externalId,
          data: identity.metadata,
          createdAt: now,
        }),
        ...refreshMetadata(usher, caller.user.id, identityId, identity.metadata),
        auditStatement(usher, {
          actor: `user:${caller.user.id}`,
          action: 'user.identity-linked',
          userId: caller.user.id,
          detail: { provider: identity.provider },
        }),
      ])
    } catch (error) {
      // Linked to someone else a moment ago (the UNIQUE index decided).
      if (isUniqueViolation(error, 'identities.provider_type')) throw errors.identityBelongsToAnotherUser()
      throw error
    }
  }
  return linkedAnswer(usher, caller)
}
