/**
 * @module admin/keys
 * The access-token signing keys (auth/signing-keys.ts): list them (never private material) and rotate. A
 * rotation keeps the previous key published until its tokens expire; `revokePrevious` is the emergency
 * version (a leaked key): earlier keys stop being published and accepted at once.
 */
import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { listKeys, rotateKeys } from '../auth/signing-keys'
import { adminProcedure } from './trpc'

export const keysRouter = {
  list: adminProcedure.query(async ({ ctx }) => ({ items: await listKeys(ctx.usher) })),
  rotate: adminProcedure
    .input(z.strictObject({ revokePrevious: z.boolean().default(false) }).default({ revokePrevious: false }))
    .mutation(({ ctx, input }) => rotateKeys(ctx.usher, input, 'admin')),
} satisfies TRPCRouterRecord
