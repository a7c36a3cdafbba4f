/**
 * @module users/action-tokens
 * Confirmation, reset and password-setup tokens: App Services' `token` + `tokenId` pair, valid 30 minutes
 * (password setup: PASSWORD_SETUP_TTL_HOURS). `tokenId` is the row id; `token` is a 256-bit secret stored only
 * as SHA-256. Issuing a token retires the user's older tokens of the same purpose, so only the latest link
 * works.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Usher } from '../context'
import { hashSecret, newId, newSecret, secretMatches } from '../auth/crypto'
import type { Statement } from '../db/client'
import { actionTokens, type TokenPurpose } from '../db/schema'
import { errors } from '../errors'

export const ACTION_TOKEN_TTL_MS = 30 * 60 * 1000

export interface IssuedToken {
  tokenId: string
  token: string
  expiresAt: number
  /** Retire the older tokens and store this one; run them in the caller's batch. */
  statements: Statement[]
}

export function issueActionToken(usher: Usher, userId: string, purpose: TokenPurpose, ttlMs = ACTION_TOKEN_TTL_MS): IssuedToken {
  const now = usher.now()
  const tokenId = newId(now)
  const token = newSecret()
  const expiresAt = now + ttlMs
  return {
    tokenId,
    token,
    expiresAt,
    statements: [
      retireActionTokens(usher, userId, purpose),
      usher.db
        .insert(actionTokens)
        .values({ id: tokenId, userId, purpose, secretHash: hashSecret(token), createdAt: now, expiresAt }),
    ],
  }
}

export function retireActionTokens(usher: Usher, userId: string, purpose: TokenPurpose): Statement {
  return usher.db
    .delete(actionTokens)
    .where(and(eq(actionTokens.userId, userId), eq(actionTokens.purpose, purpose)))
}

/** The stored token behind a presented pair (of one of these purposes), if the secret matches and it has not expired. */
export async function validActionToken(
  usher: Usher,
  purpose: TokenPurpose | readonly TokenPurpose[],
  pair: { token: string; tokenId: string },
) {
  const purposes = typeof purpose === 'string' ? [purpose] : [...purpose]
  const row = await usher.db
    .select()
    .from(actionTokens)
    .where(and(eq(actionTokens.id, pair.tokenId), inArray(actionTokens.purpose, purposes)))
    .get()
  if (!row || !secretMatches(pair.token, row.secretHash) || row.expiresAt <= usher.now()) {
    throw errors.tokenInvalid()
  }
  return row
}

/** `base` with `token` and `tokenId` added to its query string (App Services link format). */
export function actionLink(base: string, pair: { token: string; tokenId: string }): string {
  const url = new URL(base)
  url.searchParams.set('token', pair.token)
  url.searchParams.set('tokenId', pair.tokenId)
  return url.toString()
}
