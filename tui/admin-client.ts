/**
 * @module tui/admin-client
 * The one typed client for the admin API, shared by the dashboard, the CLI and the tests.
 * Type-only import: no worker code is bundled into the terminal tools.
 */
import { createTRPCClient, httpBatchLink } from '@trpc/client'
import type { AppRouter, RouterInputs, RouterOutputs } from '../worker/admin/router'

export type { AppRouter, RouterInputs, RouterOutputs }

export interface AdminClientOptions {
  /** The deployment's origin, e.g. http://127.0.0.1:8787 */
  url: string
  adminKey: string
  /** Injectable transport (tests route it straight into the worker). */
  fetch?: typeof fetch
}

export function createAdminClient(options: AdminClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${options.url.replace(/\/+$/, '')}/admin/trpc`,
        maxItems: 10,
        headers: () => ({ authorization: `Bearer ${options.adminKey}` }),
        fetch: options.fetch,
      }),
    ],
  })
}

export type AdminClient = ReturnType<typeof createAdminClient>
export type UserItem = RouterOutputs['users']['list']['items'][number]
export type UserDetails = RouterOutputs['users']['get']
export type ServerKey = RouterOutputs['apiKeys']['list']['items'][number]
export type AuditEntry = RouterOutputs['audit']['list']['items'][number]
export type OutboxMail = RouterOutputs['outbox']['list']['items'][number]
export type UserCounts = RouterOutputs['users']['list']['counts']
export type SigningKey = RouterOutputs['keys']['list']['items'][number]
export type KeyRotation = RouterOutputs['keys']['rotate']
export type TokenCheck = RouterOutputs['users']['verifyToken']
export type EventsPage = RouterOutputs['events']['list']
export type EventItem = EventsPage['items'][number]

/** The key a rotation replaced (the server names it). */
export const replacedKey = (rotation: KeyRotation): SigningKey => rotation.previous
