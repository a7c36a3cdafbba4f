/**
 * @module users/reset
 * Password reset, App Services semantics. RESET_METHOD chooses:
 * - `email`: `reset/send` mails a link with `token` and `tokenId` (30 minutes); `reset` completes it;
 * - `function`: `reset/call` runs the app's function with `{username, password, token, tokenId,
 *   currentPasswordValid}` and the caller's extra arguments; `success` changes the password at once,
 *   `pending` leaves the token pair to be completed with `reset`, `fail` refuses.
 * A new password ends every session of the user and disables their user API keys (a reset is what people do
 * after a compromise), and clears any login lock.
 */
import { and, eq, sql } from 'drizzle-orm'
import { hashParameterLookup } from '../auth/hash-parameters'
import { hashPassword, verifyPassword } from '../auth/passwords'
import { disableUserApiKeys } from '../auth/api-keys'
import { clearThrottleOfUser } from '../auth/throttle'
import type { Actor, Usher } from '../context'
import { changes, runBatch } from '../db/client'
import { actionTokens, identities, sessions, users } from '../db/schema'
import { errors, UsherError } from '../errors'
import { eventStatement } from '../events/outbox'
import { resetMail } from '../mail/templates'
import { requireByEmail } from './accounts'
import { actionLink, issueActionToken, retireActionTokens, validActionToken } from './action-tokens'
import { auditIfChanged, auditStatement } from './audit'
import { assertValidPassword } from './credentials'
import { quietly } from './enumeration'
import { reserveMail } from './mail-quota'
import { deliver, linkBase } from './mailing'

/** `reset/send`. */
export async function sendPasswordResetEmail(usher: Usher, email: string, actor: Actor = 'client'): Promise<void> {
  if (usher.config.reset.method !== 'email') throw errors.wrongMethod('please use reset password via function')
  const base = linkBase(usher, 'reset')
  await quietly(usher, { email }, async () => {
    const { user, identity } = await requireByEmail(usher, email)
    if (user.status === 'pending-confirmation') throw errors.notConfirmedYet()
    // Over the recipient's mail limits: answered as sent, and an earlier link stays valid.
    if (!(await reserveMail(usher, identity.email!, actor))) return
    const token = issueActionToken(usher, user.id, 'reset')
    await runBatch(usher.db, [
      ...token.statements,
      auditStatement(usher, { actor, action: 'user.password-reset-requested', userId: user.id, detail: { via: 'email' } }),
    ])
    const link = actionLink(base, token)
    await deliver(usher, user.id, resetMail(usher.config.appId, identity.email!, usher.config.reset.subject, link))
  })
}

/** `reset`: complete a reset with the token pair from the mail (or from a `pending` function). */
export async function resetWithToken(
  usher: Usher,
  input: { token: string; tokenId: string; password: string },
): Promise<void> {
  assertValidPassword(usher.config, input.password)
  // A password-setup link (an imported user's first password, users/password-setup.ts) completes here too.
  const row = await validActionToken(usher, ['reset', 'password-setup'], input)
  usher.spendKdf()
  const passwordHash = await hashPassword(input.password, usher.config.kdf)
  const setup = row.purpose === 'password-setup'
  const changed = await applyNewPassword(usher, row.userId, passwordHash, 'client', { via: setup ? 'password-setup' : 'token' }, input.tokenId, setup)
  if (!changed) throw errors.tokenInvalid()
}

/** `reset/call`: ask the app's reset function. */
export async function callResetFunction(
  usher: Usher,
  input: { email: string; password: string; arguments: unknown[] },
): Promise<void> {
  if (usher.config.reset.method !== 'function') {
    throw errors.wrongMethod('password reset by function is not enabled: use the reset email (reset/send)')
  }
  assertValidPassword(usher.config, input.password)
  let row
  try {
    row = await requireByEmail(usher, input.email)
  } catch (error) {
    if (usher.config.enumerationProtection && error instanceof UsherError && error.code === 'UserNotFound') return
    throw error
  }
  const { user, identity } = row
  usher.spendKdf()
  const currentPasswordValid = await verifyPassword(input.password, identity.passwordHash, hashParameterLookup(usher))
  const token = issueActionToken(usher, user.id, 'reset')
  await runBatch(usher.db, [
    ...token.statements,
    auditStatement(usher, {
      actor: 'client',
      action: 'user.password-reset-requested',
      userId: user.id,
      detail: { via: 'function' },
    }),
  ])
  const outcome = await usher.functions.call('reset', {
    username: identity.email!,
    password: input.password,
    token: token.token,
    tokenId: token.tokenId,
    currentPasswordValid,
    arguments: input.arguments,
  })
  if (outcome === 'success') {
    usher.spendKdf()
    const passwordHash = await hashPassword(input.password, usher.config.kdf)
    await applyNewPassword(usher, user.id, passwordHash, 'system', { via: 'function' }, token.tokenId)
  } else if (outcome === 'fail') {
    await runBatch(usher.db, [retireActionTokens(usher, user.id, 'reset')])
    throw errors.functionFailed(`failed to reset password for user "${identity.email}"`)
  }
}

/**
 * Set the password, consuming the reset token atomically: the update only happens while the token row
 * exists, and the same batch deletes it, ends every session and writes the audit entry.
 */
async function applyNewPassword(
  usher: Usher,
  userId: string,
  passwordHash: string,
  actor: Actor,
  detail: Record<string, unknown>,
  tokenId: string,
  /** A password-setup link: it reached the user's mailbox, so it confirms a pending registration too. */
  confirmsEmail = false,
): Promise<boolean> {
  /** Holds once the update below really set this hash (the token was still there). */
  const passwordChanged = sql`EXISTS (SELECT 1 FROM ${identities} WHERE ${identities.userId} = ${userId} AND ${identities.passwordHash} = ${passwordHash})`
  const [update] = await runBatch(usher.db, [
    usher.db
      .update(identities)
      .set({ passwordHash })
      .where(
        and(
          eq(identities.userId, userId),
          eq(identities.providerType, 'local-userpass'),
          sql`EXISTS (SELECT 1 FROM ${actionTokens} WHERE ${actionTokens.id} = ${tokenId})`,
        ),
      ),
    auditIfChanged(usher, { actor, action: 'user.password-reset', userId, detail }),
    ...eventStatement(usher, { type: 'PASSWORD_RESET', userId, provider: 'local-userpass' }),
    retireActionTokens(usher, userId, 'reset'),
    retireActionTokens(usher, userId, 'password-setup'),
    usher.db.delete(sessions).where(eq(sessions.userId, userId)),
    // A new password is also the way out of a lockout.
    clearThrottleOfUser(userId),
    // And out of a compromise: keys a thief may have created stop working (the owner re-enables theirs).
    ...disableUserApiKeys(
      usher,
      userId,
      actor,
      'password reset',
      passwordChanged,
    ),
    ...(confirmsEmail
      ? [
          usher.db
            .update(users)
            .set({ status: 'pending-login' })
            .where(and(eq(users.id, userId), eq(users.status, 'pending-confirmation'), passwordChanged)),
          auditIfChanged(usher, { actor, action: 'user.confirmed', userId, detail: { via: 'password-setup' } }),
          ...eventStatement(usher, { type: 'CONFIRM', userId, provider: 'local-userpass' }),
        ]
      : []),
  ])
  return changes(update) > 0
}
