/**
 * @module index
 * Usher's composition root: per-request context, body limits, the client API, the admin API (tRPC), token
 * discovery (JWKS), the landing pages, the `UsherService` RPC entrypoint, and the single place where failures
 * become responses. Nothing else lives here.
 */
import { env as startupEnv } from 'cloudflare:workers'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { appRouter, MAX_BATCH_SIZE } from './admin/router'
import { trpcErrorResponse } from './admin/trpc'
import { clientApi } from './client'
import { IP_LIMIT_PERIOD_SECONDS } from './auth/ip-limits'
import { clientIp } from './client/rate-limits'
import { asUsherError, BODY_LIMIT, errorResponse } from './client/respond'
import { configFor, createUsher, type Bindings } from './context'
import { discovery } from './discovery'
import type { AppEnv } from './env'
import { errors } from './errors'
import { sweep, sweepSoon } from './events/delivery'
import { runMaintenance } from './maintenance'
import { pages } from './pages'

// Refuse to start with a bad configuration: the isolate fails at startup and wrangler dev / deploy show the
// reasons. Skipped only when no bindings are attached at all (a bundle evaluated outside any deployment);
// every request validates the configuration too, so a bad one never serves.
if ((startupEnv as Partial<Bindings>).DB) configFor(startupEnv as Bindings)

/** `users.import` takes chunks of up to 500 users (users/import.ts). */
const IMPORT_PATH = '/admin/trpc/users.import'
const IMPORT_BODY_LIMIT = 2 * 1024 * 1024

/** The event-delivery cron (wrangler.toml); any other cron is the daily maintenance. */
const EVERY_MINUTE = '* * * * *'

/** The Hono app (exported for the routing test); the Worker is the default export below. */
export const app = new Hono<AppEnv>()
  .use(async (c, next) => {
    let waitUntil: ((task: Promise<unknown>) => void) | undefined
    try {
      const ctx = c.executionCtx
      waitUntil = (task) => ctx.waitUntil(task)
    } catch {
      // No ExecutionContext (e.g. app.request in a unit test): deferred work simply runs unawaited.
    }
    const usher = createUsher(c.env, c.req.url, waitUntil)
    c.set('usher', usher)
    try {
      await next()
    } finally {
      // Lifecycle events this request recorded go out after the response (and, now and then, what an
      // earlier crash left behind): events/delivery.ts.
      sweepSoon(usher)
    }
  })
  .use((c, next) => {
    // Every body is small, except an import chunk (admin only: its key is checked before the body is read).
    const maxSize = c.req.path === IMPORT_PATH ? IMPORT_BODY_LIMIT : BODY_LIMIT
    return bodyLimit({
      maxSize,
      onError: () => {
        throw errors.payloadTooLarge(maxSize)
      },
    })(c, next)
  })
  .route('/api/client/v2.0', clientApi)
  .all('/admin/trpc/*', (c) =>
    fetchRequestHandler({
      endpoint: '/admin/trpc',
      req: c.req.raw,
      router: appRouter,
      maxBatchSize: MAX_BATCH_SIZE,
      createContext: () => ({ usher: c.var.usher, authorization: c.req.header('authorization'), clientIp: clientIp(c) }),
      // Admin answers carry users' personal data: never cached. A refused-key 429 says when to retry.
      responseMeta: ({ errors }) => {
        const headers = new Headers({ 'cache-control': 'no-store' })
        if (errors.some((error) => error.code === 'TOO_MANY_REQUESTS')) headers.set('retry-after', String(IP_LIMIT_PERIOD_SECONDS))
        return { headers }
      },
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`usher: admin ${path} failed`, error.cause ?? error)
      },
    }),
  )
  .route('/', discovery)
  .route('/', pages)
  .get('/health', async (c) => {
    const started = performance.now()
    await c.env.DB.prepare('SELECT 1').first()
    const { appId, environment, databaseId } = c.var.usher.config
    return c.json({ ok: true, appId, environment, databaseId: databaseId ?? null, d1Ms: Math.round(performance.now() - started) })
  })

app.notFound(() => {
  throw errors.notFound('no such route')
})
app.onError((error, c) => {
  if (c.req.path.startsWith('/admin/trpc/')) return trpcErrorResponse(asUsherError(error), c.req.url)
  return errorResponse(error, c.var.usher?.linkBase ?? '')
})

/** The RPC entrypoint app Workers bind to check their callers (worker/service.ts). */
export { UsherService } from './service'

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    const usher = createUsher(env, undefined, (task) => ctx.waitUntil(task))
    // Every minute: deliver the events that are due (retries, and whatever a crash left undelivered).
    const delivery = await sweep(usher)
    if (delivery.delivered + delivery.retried + delivery.dead > 0) console.log('usher: events', JSON.stringify(delivery))
    if (controller.cron === EVERY_MINUTE) return
    const report = await runMaintenance(usher)
    console.log('usher: maintenance', JSON.stringify(report))
  },
} satisfies ExportedHandler<Bindings>
