/**
 * @module admin/user-transfer
 * Users in and out: `users.import` (one chunk of a migration: users/import.ts), `users.export` (pages of the
 * export and backup format: users/export.ts), and `users.sendPasswordSetup` (the set-password mail of users
 * imported without a password: users/password-setup.ts). Merged into the `users` router.
 */
import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { EXPORT_PAGE_MAX, exportUsers } from '../users/export'
import { IMPORT_CHUNK_MAX, importUsers } from '../users/import'
import { PASSWORD_SETUP_PAGE_MAX, sendPasswordSetup, sendPasswordSetupToAll } from '../users/password-setup'
import { adminProcedure } from './trpc'
import { userIdInput } from './users'

export const userTransferProcedures = {
  /**
   * Import up to 500 users (rows are validated one by one: a bad row is reported, the others import).
   * `dryRun` writes nothing; `onConflict: 'update'` lets the file win over existing users.
   */
  import: adminProcedure
    .input(
      z.strictObject({
        users: z.array(z.unknown()).max(IMPORT_CHUNK_MAX, `at most ${IMPORT_CHUNK_MAX} users per call: send the file in chunks`),
        hashParameters: z.array(z.unknown()).max(10).optional(),
        dryRun: z.boolean().default(false),
        onConflict: z.enum(['skip', 'update']).default('skip'),
        source: z.string().max(40).optional(),
      }),
    )
    .mutation(({ ctx, input }) => importUsers(ctx.usher, input, 'admin')),
  /** A page of every user as export records, in id order; pass `nextCursor` back for the next page. */
  export: adminProcedure
    .input(
      z
        .strictObject({
          cursor: userIdInput.shape.userId.optional(),
          limit: z.number().int().min(1).max(EXPORT_PAGE_MAX).default(500),
        })
        .default({ limit: 500 }),
    )
    .query(({ ctx, input }) => exportUsers(ctx.usher, input)),
  /**
   * Mail the set-password link to one imported user waiting for a password (`{ userId }`), or to the next
   * `limit` of them (`{ all: true }`: call again while `remaining` > 0; users whose link is still valid are not
   * mailed twice, so a run that stopped resumes where it was).
   */
  sendPasswordSetup: adminProcedure
    .input(
      z.union([
        userIdInput,
        z.strictObject({ all: z.literal(true), limit: z.number().int().min(1).max(PASSWORD_SETUP_PAGE_MAX).default(10) }),
      ]),
    )
    .mutation(async ({ ctx, input }) => {
      if ('userId' in input) {
        const sent = await sendPasswordSetup(ctx.usher, input.userId, 'admin')
        return { sent: [sent], failed: null, remaining: null }
      }
      return sendPasswordSetupToAll(ctx.usher, input.limit, 'admin')
    }),
} satisfies TRPCRouterRecord
