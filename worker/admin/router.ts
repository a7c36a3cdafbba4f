/**
 * @module admin/router
 * The admin API: one typed tRPC router, mounted at `/admin/trpc`, that the dashboard, the `usher` CLI and
 * any other tool call. Clients import `AppRouter` with `import type` only (see tui/admin-client.ts).
 *
 * @example
 * ```ts
 * const admin = createAdminClient({ url: 'http://127.0.0.1:8787', adminKey })
 * const { items, counts } = await admin.users.list.query({ status: 'pending' })
 * await admin.users.confirm.mutate({ userId: items[0].id })
 * ```
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server'
import { apiKeysRouter } from './api-keys'
import { eventsRouter } from './events'
import { keysRouter } from './keys'
import { auditRouter, configRouter, outboxRouter } from './records'
import { router } from './trpc'
import { usersRouter } from './users'
import { userTransferProcedures } from './user-transfer'

export const appRouter = router({
  users: { ...usersRouter, ...userTransferProcedures },
  apiKeys: apiKeysRouter,
  keys: keysRouter,
  outbox: outboxRouter,
  audit: auditRouter,
  events: eventsRouter,
  config: configRouter,
})

export type AppRouter = typeof appRouter
export type RouterInputs = inferRouterInputs<AppRouter>
export type RouterOutputs = inferRouterOutputs<AppRouter>

export { MAX_BATCH_SIZE } from './limits'
