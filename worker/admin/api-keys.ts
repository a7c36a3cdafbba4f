/**
 * @module admin/api-keys
 * Server API keys. Each has its own `server` user (listed by `users.list({status: "all"})`); the secret
 * `key` is returned by `create` only.
 */
import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { createApiKey, deleteApiKey, getApiKey, listApiKeys, setApiKeyDisabled, type ApiKeyRow } from '../auth/api-keys'
import { adminProcedure } from './trpc'

const SERVER = { kind: 'server' } as const
export const keyId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-character key id')
const keyIdInput = z.strictObject({ keyId })

/** An API key as admins see it (never its secret). */
export function apiKeyView(key: ApiKeyRow) {
  return {
    id: key.id,
    name: key.name,
    disabled: key.disabled,
    userId: key.userId,
    createdAt: new Date(key.createdAt).toISOString(),
    lastUsedAt: key.lastUsedAt === null ? null : new Date(key.lastUsedAt).toISOString(),
  }
}

const toggling = (disabled: boolean) =>
  adminProcedure.input(keyIdInput).mutation(async ({ ctx, input }) => {
    await setApiKeyDisabled(ctx.usher, SERVER, input.keyId, disabled, 'admin', { refuseNoOp: true })
    return apiKeyView(await getApiKey(ctx.usher, SERVER, input.keyId))
  })

export const apiKeysRouter = {
  list: adminProcedure.query(async ({ ctx }) => ({ items: (await listApiKeys(ctx.usher, SERVER)).map(apiKeyView) })),
  create: adminProcedure.input(z.strictObject({ name: z.string().max(256) })).mutation(async ({ ctx, input }) => {
    const { row, key } = await createApiKey(ctx.usher, SERVER, input.name, 'admin')
    return { ...apiKeyView(row), key }
  }),
  get: adminProcedure
    .input(keyIdInput)
    .query(async ({ ctx, input }) => apiKeyView(await getApiKey(ctx.usher, SERVER, input.keyId))),
  enable: toggling(false),
  disable: toggling(true),
  delete: adminProcedure.input(keyIdInput).mutation(async ({ ctx, input }) => {
    await deleteApiKey(ctx.usher, SERVER, input.keyId, 'admin')
    return { deleted: true as const, keyId: input.keyId }
  }),
} satisfies TRPCRouterRecord
