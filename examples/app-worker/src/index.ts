/**
 * An app's own backend: a notes API where every note belongs to the Usher user who wrote it. The same routes
 * are mounted twice, once behind each way of checking the caller (see usher.ts):
 *
 *   GET/POST /jwks/notes   offline verification against Usher's JWKS
 *   GET/POST /rpc/notes    the UsherService RPC (revocation applies on the next request)
 *
 * A realm-web app calls it with `Authorization: Bearer ${user.accessToken}`. It also follows Usher's lifecycle
 * events (see events.ts): a new user gets a welcome note, a deleted user's notes are deleted — from the
 * events Queue (the `queue` handler) or the signed webhook (`POST /usher-events`), whichever Usher sends to.
 */
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { consumeEvents, handleEvent, verifyUsherSignature, type EventBindings, type UsherEvent } from './events'
import { viaJwks, viaRpc, type UsherBindings, type UsherEnv } from './usher'

type Env = UsherEnv & { Bindings: UsherBindings & EventBindings }

const notes = new Hono<Env>()
  .get('/notes', async (c) => {
    const { results } = await c.env.DB.prepare('SELECT id, text, created_at FROM notes WHERE owner_id = ? ORDER BY id')
      .bind(c.var.userId)
      .all<{ id: number; text: string; created_at: number }>()
    return c.json({ userId: c.var.userId, notes: results })
  })
  .post('/notes', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { text?: unknown } | null
    if (typeof body?.text !== 'string' || body.text.length === 0 || body.text.length > 1000) {
      return c.json({ error: 'text must be 1–1000 characters' }, 400)
    }
    const row = await c.env.DB.prepare('INSERT INTO notes (owner_id, text, created_at) VALUES (?, ?, ?) RETURNING id')
      .bind(c.var.userId, body.text, Date.now())
      .first<{ id: number }>()
    return c.json({ id: row!.id, text: body.text }, 201)
  })

const app = new Hono<Env>()
  // Bearer tokens, no cookies: any origin may call (tighten to your app's origins if you like).
  .use(cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type'] }))
  .use('/jwks/*', viaJwks)
  .use('/rpc/*', viaRpc)
  .route('/jwks', notes)
  .route('/rpc', notes)
  .get('/', (c) => c.text('usher-example-app: GET/POST /jwks/notes and /rpc/notes with an Usher access token\n'))
  .get('/health', (c) => c.json({ ok: true }))
  // Usher's events webhook (EVENTS_WEBHOOK_URL = https://<this worker>/usher-events): a signed JSON array.
  .post('/usher-events', async (c) => {
    const body = await c.req.text()
    if (!c.env.USHER_WEBHOOK_SECRET || !(await verifyUsherSignature(c.env.USHER_WEBHOOK_SECRET, c.req.header('x-usher-signature'), body))) {
      return c.json({ error: 'bad signature' }, 401)
    }
    // Any non-2xx answer makes Usher retry the whole array later (each event keeps its id).
    for (const event of JSON.parse(body) as UsherEvent[]) await handleEvent(c.env.DB, event)
    return c.json({ ok: true })
  })

export default {
  fetch: app.fetch,
  // Usher's events Queue (EVENTS_QUEUE in Usher, [[queues.consumers]] here).
  queue: consumeEvents,
} satisfies ExportedHandler<Env['Bindings'], UsherEvent>
