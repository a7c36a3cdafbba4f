/**
 * @module users/password-setup
 * Users imported without a password Usher can check (App Services never exported hashes; Firebase users when
 * the project's hash parameters were not given) are in the **password setup required** state: an
 * email/password identity with no hash. Their login answers 401 `PasswordSetupRequired` (auth/login.ts), so an
 * app can say "check your mail to set a password". An admin mails them a set-password link — one user, or
 * every such user a page at a time (`sendPasswordSetupToAll`: resumable, since a user whose link is still
 * valid is not mailed again) — valid PASSWORD_SETUP_TTL_HOURS. Following it is a password reset
 * (users/reset.ts, realm-web's `resetPassword`) that also confirms a pending registration: the link reached
 * the mailbox.
 */
import { and, asc, count, eq, gt, isNull, not, exists, sql } from 'drizzle-orm'
import type { Actor, Usher } from '../context'
import { runBatch } from '../db/client'
import { actionTokens, identities, users } from '../db/schema'
import { errors } from '../errors'
import { passwordSetupMail } from '../mail/templates'
import { requirePasswordIdentity } from './accounts'
import { actionLink, issueActionToken } from './action-tokens'
import { auditStatement } from './audit'
import { reserveMail } from './mail-quota'
import { deliver, linkBase } from './mailing'

const HOUR_MS = 60 * 60 * 1000
export const PASSWORD_SETUP_PAGE_MAX = 50

export interface SetupMailed {
  userId: string
  email: string
}

/** Mail one user their set-password link (audited). A mail that fails withdraws the link, so a later run retries it. */
async function mailSetupLink(usher: Usher, target: SetupMailed, base: string, actor: Actor): Promise<void> {
  const hours = usher.config.passwordSetupTtlHours
  const token = issueActionToken(usher, target.userId, 'password-setup', hours * HOUR_MS)
  await reserveMail(usher, target.email, actor)
  await runBatch(usher.db, [
    ...token.statements,
    auditStatement(usher, { actor, action: 'user.password-setup-sent', userId: target.userId, detail: { email: target.email, validHours: hours } }),
  ])
  try {
    await deliver(usher, target.userId, passwordSetupMail(usher.config.appId, target.email, actionLink(base, token), hours))
  } catch (error) {
    await runBatch(usher.db, [usher.db.delete(actionTokens).where(eq(actionTokens.id, token.tokenId))])
    throw error
  }
}

/** `users.sendPasswordSetup({ userId })`: one user, who must be waiting for a password. */
export async function sendPasswordSetup(usher: Usher, userId: string, actor: Actor): Promise<SetupMailed> {
  const base = linkBase(usher, 'reset')
  const { user, identity } = await requirePasswordIdentity(usher, userId)
  if (identity.passwordHash !== null) throw errors.refused('this user already has a password: send a password reset instead')
  if (user.disabled) throw errors.refused('this user is disabled: enable them first')
  const target = { userId, email: identity.email }
  await mailSetupLink(usher, target, base, actor)
  return target
}

/** Imported users still waiting for a password, with no valid set-password link yet (and not disabled). */
function waitingForLink(usher: Usher) {
  const liveLink = usher.db
    .select({ one: sql`1` })
    .from(actionTokens)
    .where(
      and(
        sql`${actionTokens.userId} = "identities"."user_id"`,
        eq(actionTokens.purpose, 'password-setup'),
        gt(actionTokens.expiresAt, usher.now()),
      ),
    )
  return and(eq(identities.providerType, 'local-userpass'), isNull(identities.passwordHash), eq(users.disabled, false), not(exists(liveLink)))
}

/**
 * `users.sendPasswordSetup({ all: true, limit })`: the next `limit` users waiting for a link, in id order, one
 * mail after the other. `remaining` says how many still wait after this page; callers pace their pages under
 * the mail provider's rate (`usher users send-password-setup --all` does). The first mail that fails stops the
 * page (the provider is in trouble): it is reported and stays waiting.
 */
export async function sendPasswordSetupToAll(usher: Usher, limit: number, actor: Actor) {
  const base = linkBase(usher, 'reset')
  const [page, [total]] = await Promise.all([
    usher.db
      .select({ userId: identities.userId, email: identities.email })
      .from(identities)
      .innerJoin(users, eq(users.id, identities.userId))
      .where(waitingForLink(usher))
      .orderBy(asc(identities.userId))
      .limit(Math.min(limit, PASSWORD_SETUP_PAGE_MAX)),
    usher.db.select({ n: count() }).from(identities).innerJoin(users, eq(users.id, identities.userId)).where(waitingForLink(usher)),
  ])
  const sent: SetupMailed[] = []
  let failed: (SetupMailed & { reason: string }) | null = null
  for (const row of page) {
    const target = { userId: row.userId, email: row.email! }
    try {
      await mailSetupLink(usher, target, base, actor)
      sent.push(target)
    } catch (error) {
      failed = { ...target, reason: error instanceof Error ? error.message : String(error) }
      break
    }
  }
  return { sent, failed, remaining: (total?.n ?? 0) - sent.length }
}
