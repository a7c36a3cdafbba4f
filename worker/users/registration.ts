/**
 * @module users/registration
 * Email/password registration and confirmation, App Services semantics:
 * `pending-confirmation` → (confirmed by link, function, admin or automatically) → `pending-login` →
 * (first login) → `confirmed`. The confirmation method is configured (CONFIRMATION_METHOD):
 * - `email`: a link with `token` and `tokenId`, valid 30 minutes; `confirm/send` mails a new one;
 * - `function`: the app's function gets `{username, token, tokenId}` and answers success | pending | fail
 *   (fail at registration creates nothing, so the email can be used again);
 * - `auto`: registrations are confirmed at once.
 * `rerunConfirmation` re-runs whichever method is current. Both doors (client API, admin API) call these.
 */
import { and, eq, sql } from 'drizzle-orm'
import { newId } from '../auth/crypto'
import { hashPassword } from '../auth/passwords'
import type { Actor, Usher } from '../context'
import { changes, runBatch, type Statement } from '../db/client'
import { actionTokens, identities, users } from '../db/schema'
import { errors } from '../errors'
import { eventStatement } from '../events/outbox'
import { accountExistsMail, confirmationMail } from '../mail/templates'
import { findByEmail, findUser, isUniqueViolation, requireByEmail, requirePasswordIdentity, type UserRow } from './accounts'
import {
  actionLink,
  issueActionToken,
  retireActionTokens,
  validActionToken,
  type IssuedToken,
} from './action-tokens'
import { auditIfChanged, auditStatement, recordAudit } from './audit'
import { initialCustomData } from './custom-data'
import { assertValidEmail, assertValidPassword, canonicalEmail } from './credentials'
import { quietly, type Target } from './enumeration'
import { reserveMail } from './mail-quota'
import { deliver, linkBase } from './mailing'

async function resolve(usher: Usher, target: Target) {
  return 'email' in target ? requireByEmail(usher, target.email) : requirePasswordIdentity(usher, target.userId)
}

export async function register(
  usher: Usher,
  input: { email: string; password: string },
  actor: Actor = 'client',
): Promise<void> {
  assertValidEmail(input.email)
  assertValidPassword(usher.config, input.password)
  const { email } = input
  const base = usher.config.confirmation.method === 'email' ? linkBase(usher, 'confirm') : undefined
  // Hash before looking anything up: a taken email costs the same time as a free one.
  usher.spendKdf()
  const passwordHash = await hashPassword(input.password, usher.config.kdf)
  const userId = newId(usher.now())
  const identityId = newId(usher.now())
  const registration = { email, userId, identityId, passwordHash, base }
  if (!usher.config.customData.creationFunction) return createRegistration(usher, { ...registration, customData: {} }, actor)
  // The app's user creation function decides before the user exists; it must not run (and create the app's
  // documents) for an address that is already taken, so that is settled first (a race still ends at the
  // unique index, with nothing created). Protected (ENUMERATION_PROTECTION) with confirmation by email:
  // whether it runs, how long it takes and whether it refuses would each tell a free address from a taken
  // one, so every address gets the same answer at once and the decision comes after it; a refusal or a
  // failure is then only audited. (Confirmed automatically or by a function, a registration is usable or
  // refused at once, which tells the two apart whatever the answer: those decide before answering.)
  const decide = async () => {
    const found = await findByEmail(usher, email)
    if (found && !(await isStaleRegistration(usher, found))) return refuseTakenEmail(usher, email, actor)
    let customData: Record<string, unknown>
    try {
      customData = await initialCustomData(usher, { userId, provider: 'local-userpass', identityId, data: { email } })
    } catch (error) {
      await recordAudit(usher, {
        actor: 'system',
        action: 'user.registration-rejected',
        outcome: 'refused',
        detail: { email, reason: error instanceof Error ? error.message : String(error) },
      })
      throw error
    }
    await createRegistration(usher, { ...registration, customData }, actor)
  }
  return usher.config.confirmation.method === 'email' ? quietly(usher, { email }, decide) : decide()
}

/** The registration itself, once the address is known to be free (or left to the unique index to judge). */
async function createRegistration(
  usher: Usher,
  registration: {
    email: string
    userId: string
    identityId: string
    passwordHash: string
    /** Where the confirmation link points (CONFIRMATION_METHOD=email). */
    base: string | undefined
    customData: Record<string, unknown>
  },
  actor: Actor,
): Promise<void> {
  const { email, userId, base } = registration
  const now = usher.now()
  const method = usher.config.confirmation.method
  const token = method === 'auto' ? undefined : issueActionToken(usher, userId, 'confirm')
  const creation = [
    usher.db.insert(users).values({
      id: userId,
      type: 'normal',
      status: method === 'auto' ? 'pending-login' : 'pending-confirmation',
      createdAt: now,
      customData: registration.customData,
    }),
    usher.db.insert(identities).values({
      id: registration.identityId,
      userId,
      providerType: 'local-userpass',
      email,
      emailKey: canonicalEmail(email),
      passwordHash: registration.passwordHash,
      createdAt: now,
    }),
    ...(token?.statements ?? []),
    auditStatement(usher, { actor, action: 'user.registered', userId, detail: { method } }),
  ]
  try {
    await runBatch(usher.db, creation)
  } catch (error) {
    if (!isUniqueViolation(error, 'identities.email_key')) throw error
    if (!(await replaceStaleRegistration(usher, email, userId, creation))) {
      await refuseTakenEmail(usher, email, actor)
      return
    }
  }
  if (method === 'email') {
    const mailing = reserveMail(usher, email, actor).then(async (allowed) => {
      if (allowed) await mailConfirmation(usher, userId, email, token!, base!)
    })
    if (usher.config.enumerationProtection) usher.defer(mailing)
    else await mailing
  } else if (method === 'function') {
    await runConfirmationFunction(usher, { userId, email, token: token!, actor, atRegistration: true })
  }
}

const noValidConfirmation = (usher: Usher, userId: string) =>
  sql`NOT EXISTS (SELECT 1 FROM ${actionTokens} WHERE ${actionTokens.userId} = ${userId}
    AND ${actionTokens.purpose} = 'confirm' AND ${actionTokens.expiresAt} > ${usher.now()})`

/** Would a new registration replace this one (see replaceStaleRegistration)? */
async function isStaleRegistration(usher: Usher, found: { user: UserRow }): Promise<boolean> {
  if (found.user.status !== 'pending-confirmation') return false
  const row = await usher.db
    .select({ stale: sql<number>`${noValidConfirmation(usher, found.user.id)}` })
    .from(users)
    .where(eq(users.id, found.user.id))
    .get()
  return row?.stale === 1
}

/**
 * A registration nobody confirmed while its link was valid must not hold the address forever (a typo, or
 * someone squatting another person's address): once no unexpired confirmation token is left, a new
 * registration replaces it, in one batch with its audit entry. False when the address is really taken (or a
 * concurrent registration won).
 */
async function replaceStaleRegistration(usher: Usher, email: string, newUserId: string, creation: Statement[]): Promise<boolean> {
  const found = await findByEmail(usher, email)
  if (found?.user.status !== 'pending-confirmation') return false
  const stale = noValidConfirmation(usher, found.user.id)
  try {
    const [removed] = await runBatch(usher.db, [
      usher.db.delete(users).where(and(eq(users.id, found.user.id), eq(users.status, 'pending-confirmation'), stale)),
      auditIfChanged(usher, {
        actor: 'system',
        action: 'user.registration-replaced',
        userId: found.user.id,
        detail: { email: found.identity.email, replacedBy: newUserId, reason: 'confirmation link expired' },
      }),
      ...creation,
    ])
    return changes(removed) > 0
  } catch (error) {
    // Not stale (its delete changed nothing, so the address is still taken): the whole batch rolled back.
    if (isUniqueViolation(error, 'identities.email_key')) return false
    throw error
  }
}

/** The address belongs to an account: App Services' `AccountNameInUse`, or (protected) a notice to its owner. */
async function refuseTakenEmail(usher: Usher, email: string, actor: Actor): Promise<void> {
  if (!usher.config.enumerationProtection) throw errors.accountNameInUse()
  // Answer exactly as for a new registration; tell the real owner instead.
  usher.defer(
    requireByEmail(usher, email).then(async ({ user, identity }) => {
      if (await reserveMail(usher, identity.email!, actor)) {
        await deliver(usher, user.id, accountExistsMail(usher.config.appId, identity.email!))
      }
    }),
  )
}

/** `confirm`: the user followed the link. */
export async function confirmWithToken(usher: Usher, pair: { token: string; tokenId: string }): Promise<void> {
  const row = await validActionToken(usher, 'confirm', pair)
  const confirmed = await markConfirmed(usher, row.userId, 'client', { via: 'token' }, pair.tokenId)
  if (!confirmed) {
    const user = await findUser(usher, row.userId)
    throw user ? errors.alreadyConfirmed() : errors.tokenInvalid()
  }
}

/** Admin "Confirm user": pending-confirmation → pending-login, without any token. */
export async function confirmUser(usher: Usher, userId: string, actor: Actor): Promise<void> {
  const { user } = await requirePasswordIdentity(usher, userId)
  assertPendingConfirmation(user)
  if (!(await markConfirmed(usher, userId, actor, { via: 'admin' }))) {
    assertPendingConfirmation(await requireCurrent(usher, userId))
  }
}

/** `confirm/send` and the admin's "Send confirmation email": only with the email method. */
export async function resendConfirmationEmail(usher: Usher, target: Target, actor: Actor): Promise<void> {
  const method = usher.config.confirmation.method
  // App Services' own answer to realm-web under automatic confirmation (apps match on it).
  if (method === 'auto' && 'email' in target) throw errors.alreadyConfirmed()
  if (method !== 'email') {
    throw errors.wrongMethod(
      `confirmation emails are not used: this app confirms users ${method === 'auto' ? 'automatically' : 'with a confirmation function'}`,
    )
  }
  const base = linkBase(usher, 'confirm')
  await quietly(usher, target, async () => {
    const { user, identity } = await resolve(usher, target)
    assertPendingConfirmation(user)
    // Over the recipient's mail limits: answered as sent, and the link the user already has stays valid.
    if (!(await reserveMail(usher, identity.email!, actor))) return
    const token = issueActionToken(usher, user.id, 'confirm')
    await runBatch(usher.db, [
      ...token.statements,
      auditStatement(usher, { actor, action: 'user.confirmation-sent', userId: user.id }),
    ])
    await mailConfirmation(usher, user.id, identity.email!, token, base)
  })
}

/** `confirm/call` and the admin's "Re-run confirmation": whatever the current method is, again. */
export async function rerunConfirmation(usher: Usher, target: Target, actor: Actor): Promise<void> {
  // App Services' answer to `confirm/call` under automatic confirmation (realm-web's own tests assert it);
  // an admin's re-run still confirms a user left pending from before the switch to `auto`.
  if (usher.config.confirmation.method === 'auto' && 'email' in target) {
    throw errors.wrongMethod(`cannot run confirmation for ${target.email}: automatic confirmation is enabled`)
  }
  const base = usher.config.confirmation.method === 'email' ? linkBase(usher, 'confirm') : undefined
  await quietly(usher, target, async () => {
    const { user, identity } = await resolve(usher, target)
    assertPendingConfirmation(user)
    const method = usher.config.confirmation.method
    if (method === 'auto') {
      if (!(await markConfirmed(usher, user.id, actor, { via: 'auto', rerun: true }))) {
        assertPendingConfirmation(await requireCurrent(usher, user.id))
      }
      return
    }
    if (method === 'email' && !(await reserveMail(usher, identity.email!, actor))) return
    const token = issueActionToken(usher, user.id, 'confirm')
    await runBatch(usher.db, [
      ...token.statements,
      auditStatement(usher, { actor, action: 'user.confirmation-rerun', userId: user.id, detail: { method } }),
    ])
    if (method === 'email') {
      await mailConfirmation(usher, user.id, identity.email!, token, base!)
    } else {
      await runConfirmationFunction(usher, { userId: user.id, email: identity.email!, token, actor, atRegistration: false })
    }
  })
}

function assertPendingConfirmation(user: UserRow): void {
  if (user.status !== 'pending-confirmation') throw errors.alreadyConfirmed()
}

async function requireCurrent(usher: Usher, userId: string): Promise<UserRow> {
  const user = await findUser(usher, userId)
  if (!user) throw errors.userNotFound()
  return user
}

/**
 * pending-confirmation → pending-login in one batch with its audit entry and the retirement of confirmation
 * tokens. With `tokenId`, only if that token still exists (a token confirms once). Returns whether this call
 * made the change (false if the user was not pending or a concurrent request won).
 */
async function markConfirmed(
  usher: Usher,
  userId: string,
  actor: Actor,
  detail: Record<string, unknown>,
  tokenId?: string,
): Promise<boolean> {
  const tokenStillValid = tokenId
    ? sql`EXISTS (SELECT 1 FROM ${actionTokens} WHERE ${actionTokens.id} = ${tokenId})`
    : sql`1`
  const [update] = await runBatch(usher.db, [
    usher.db
      .update(users)
      .set({ status: 'pending-login' })
      .where(and(eq(users.id, userId), eq(users.status, 'pending-confirmation'), tokenStillValid)),
    auditIfChanged(usher, { actor, action: 'user.confirmed', userId, detail }),
    ...eventStatement(usher, { type: 'CONFIRM', userId, provider: 'local-userpass' }),
    retireActionTokens(usher, userId, 'confirm'),
  ])
  return changes(update) > 0
}

async function mailConfirmation(
  usher: Usher,
  userId: string,
  email: string,
  token: IssuedToken,
  base: string,
): Promise<void> {
  const link = actionLink(base, token)
  await deliver(usher, userId, confirmationMail(usher.config.appId, email, usher.config.confirmation.subject, link))
}

async function runConfirmationFunction(
  usher: Usher,
  run: { userId: string; email: string; token: IssuedToken; actor: Actor; atRegistration: boolean },
): Promise<void> {
  let outcome
  try {
    outcome = await usher.functions.call('confirmation', {
      username: run.email,
      token: run.token.token,
      tokenId: run.token.tokenId,
    })
  } catch (error) {
    if (run.atRegistration) await rejectRegistration(usher, run.userId, run.email, 'function unavailable')
    throw error
  }
  if (outcome === 'success') {
    await markConfirmed(usher, run.userId, 'system', { via: 'function' })
  } else if (outcome === 'fail') {
    if (run.atRegistration) await rejectRegistration(usher, run.userId, run.email, 'function answered fail')
    throw errors.functionFailed(`failed to confirm user "${run.email}"`)
  }
}

/** A registration the confirmation function refused leaves nothing behind: the email is free again. */
async function rejectRegistration(usher: Usher, userId: string, email: string, reason: string): Promise<void> {
  await runBatch(usher.db, [
    usher.db.delete(users).where(and(eq(users.id, userId), eq(users.status, 'pending-confirmation'))),
    auditIfChanged(usher, {
      actor: 'system',
      action: 'user.registration-rejected',
      userId,
      outcome: 'refused',
      detail: { email, reason },
    }),
  ])
}
