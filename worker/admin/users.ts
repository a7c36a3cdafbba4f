/**
 * @module admin/users
 * Users, as the App Services console managed them. Every rule lives in users/ (shared with the client API);
 * these procedures only validate input, call the lifecycle, and return the user's new state.
 */
import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { deleteApiKey, getApiKey, listApiKeys, setApiKeyDisabled, type KeyScope } from '../auth/api-keys'
import { inspectAccessToken } from '../auth/sessions'
import { requireUser } from '../users/accounts'
import { setCustomData } from '../users/custom-data'
import { USER_ID_PATTERN } from '../users/import-record'
import { apiKeyView, keyId } from './api-keys'
import type { Usher } from '../context'
import { PROVIDER_TYPES } from '../db/schema'
import { userDetails, userItem, listUsers, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_STATUSES } from '../users/listing'
import { confirmUser, rerunConfirmation, resendConfirmationEmail } from '../users/registration'
import { changeEmail, clearLoginLock, createUser, deleteUser, disableUser, enableUser, revokeSessions } from '../users/state'
import { adminProcedure } from './trpc'

/** Usher's own ids are 24 hexadecimal characters; imported users keep theirs (Firebase uids, UUIDs…). */
export const userId = z.string().regex(USER_ID_PATTERN, 'must be a user id (1–128 letters, digits, _ or -)')
export const userIdInput = z.strictObject({ userId })

const listInput = z
  .strictObject({
    status: z.enum(LIST_STATUSES).default('all'),
    provider: z.enum(PROVIDER_TYPES).optional(),
    search: z.string().trim().max(254).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT),
  })
  .default({ status: 'all', limit: LIST_LIMIT_DEFAULT })

const userKeyInput = userIdInput.extend({ keyId })

/** Run an action on one of a user's API keys and answer with the key afterwards. */
const userKeyAction = (action: (usher: Usher, scope: KeyScope, keyId: string) => Promise<unknown>) =>
  adminProcedure.input(userKeyInput).mutation(async ({ ctx, input }) => {
    const scope = { kind: 'user', userId: input.userId } as const
    await action(ctx.usher, scope, input.keyId)
    return apiKeyView(await getApiKey(ctx.usher, scope, input.keyId))
  })

/** Run an action on a user and answer with the user's state afterwards. */
const acting = (action: (usher: Usher, userId: string) => Promise<unknown>) =>
  adminProcedure.input(userIdInput).mutation(async ({ ctx, input }) => {
    await action(ctx.usher, input.userId)
    return userItem(ctx.usher, input.userId)
  })

export const usersRouter = {
  list: adminProcedure.input(listInput).query(({ ctx, input }) => listUsers(ctx.usher, input)),
  get: adminProcedure.input(userIdInput).query(({ ctx, input }) => userDetails(ctx.usher, input.userId)),
  create: adminProcedure
    .input(z.strictObject({ email: z.string().max(1024), password: z.string().max(1024) }))
    .mutation(async ({ ctx, input }) => userItem(ctx.usher, await createUser(ctx.usher, input, 'admin'))),
  confirm: acting((usher, userId) => confirmUser(usher, userId, 'admin')),
  rerunConfirmation: acting((usher, userId) => rerunConfirmation(usher, { userId }, 'admin')),
  sendConfirmationEmail: acting((usher, userId) => resendConfirmationEmail(usher, { userId }, 'admin')),
  disable: acting((usher, userId) => disableUser(usher, userId, 'admin')),
  enable: acting((usher, userId) => enableUser(usher, userId, 'admin')),
  clearLock: acting((usher, userId) => clearLoginLock(usher, userId, 'admin')),
  revokeSessions: adminProcedure
    .input(userIdInput.extend({ disableApiKeys: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      const outcome = await revokeSessions(ctx.usher, input.userId, 'admin', { disableApiKeys: input.disableApiKeys })
      return { ...outcome, userId: input.userId, email: (await userItem(ctx.usher, input.userId)).email }
    }),
  /**
   * Give the user's email/password identity a new address: sessions and password stay, links mailed to the
   * old address stop working, the old address is told. Answers the user afterwards, with `previousEmail`.
   */
  changeEmail: adminProcedure
    .input(userIdInput.extend({ email: z.string().max(1024) }))
    .mutation(async ({ ctx, input }) => {
      const { previous } = await changeEmail(ctx.usher, input.userId, input.email, 'admin')
      return { ...(await userItem(ctx.usher, input.userId)), previousEmail: previous }
    }),
  /** A user's own API keys (never their secrets), and the admin's hand on them. */
  listApiKeys: adminProcedure.input(userIdInput).query(async ({ ctx, input }) => {
    await requireUser(ctx.usher, input.userId)
    return { items: (await listApiKeys(ctx.usher, { kind: 'user', userId: input.userId })).map(apiKeyView) }
  }),
  enableApiKey: userKeyAction((usher, scope, keyId) => setApiKeyDisabled(usher, scope, keyId, false, 'admin', { refuseNoOp: true })),
  disableApiKey: userKeyAction((usher, scope, keyId) => setApiKeyDisabled(usher, scope, keyId, true, 'admin', { refuseNoOp: true })),
  deleteApiKey: adminProcedure.input(userKeyInput).mutation(async ({ ctx, input }) => {
    const { name } = await deleteApiKey(ctx.usher, { kind: 'user', userId: input.userId }, input.keyId, 'admin')
    return { deleted: true as const, keyId: input.keyId, name }
  }),
  /**
   * App Services' `verify_token`: the decoded claims of a live access token, or why it is not accepted
   * (`expired`, `revoked`: its session, user or key ended, `invalid`). A mutation so the token travels in the
   * request body, never in a URL that proxies log.
   */
  verifyToken: adminProcedure.input(z.strictObject({ token: z.string().max(16_384) })).mutation(async ({ ctx, input }) => {
    const inspected = await inspectAccessToken(ctx.usher, input.token.trim())
    if (!inspected.ok) return { status: inspected.reason, message: inspected.message }
    return {
      status: 'live' as const,
      message: 'the token is valid and its session is live',
      claims: inspected.claims,
      userId: inspected.user.id,
      sessionId: inspected.session.id,
      expiresAt: new Date(inspected.claims.exp * 1000).toISOString(),
    }
  }),
  /**
   * Replace the user's custom data (a JSON object, at most 4 KB): in their next access token (realm-web's
   * `refreshCustomData()`). Audited. Answers the data as stored.
   */
  setCustomData: adminProcedure
    .input(userIdInput.extend({ data: z.record(z.string(), z.unknown()) }))
    .mutation(async ({ ctx, input }) => ({ userId: input.userId, customData: await setCustomData(ctx.usher, input.userId, input.data, 'admin') })),
  delete: adminProcedure.input(userIdInput).mutation(async ({ ctx, input }) => {
    const { email } = await deleteUser(ctx.usher, input.userId, 'admin')
    return { deleted: true as const, userId: input.userId, email }
  }),
} satisfies TRPCRouterRecord
