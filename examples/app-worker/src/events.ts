/**
 * Usher's lifecycle events in an app Worker: what App Services' authentication triggers were for. Copy this file.
 *
 * Usher delivers every event at least once to each sink it is configured with — a Cloudflare Queue
 * (EVENTS_QUEUE; this Worker is its consumer) and/or a signed webhook (EVENTS_WEBHOOK_URL; this Worker's
 * `POST /usher-events`). Either way the event is
 *
 *   { id, operationType: 'CREATE' | 'LOGIN' | 'DELETE' | 'CONFIRM' | …, providers: [...], time,
 *     user: { id, type, data, custom_data, identities: [{ id, provider_type, data }] } }
 *
 * and the same event may arrive more than once: act on it once by recording its id in the same D1 batch as the
 * action (the insert of the id decides whether the action happens).
 */
export interface UsherEvent {
  id: string
  operationType: string
  providers: string[]
  time: string
  user: { id: string; type: string; data: Record<string, unknown>; custom_data: Record<string, unknown> }
}

export interface EventBindings {
  DB: D1Database
  /** Usher's FUNCTION_SECRET, which signs its webhook calls (only for the webhook route). */
  USHER_WEBHOOK_SECRET?: string
}

/** Act on one event, exactly once however often it is delivered. */
export async function handleEvent(db: D1Database, event: UsherEvent): Promise<void> {
  const firstTime = db.prepare('INSERT INTO processed_events (id, processed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').bind(event.id, Date.now())
  if (event.operationType === 'CREATE') {
    // A new user: greet them with a first note (only if the id above was new: `changes()` of that insert).
    await db.batch([
      firstTime,
      db.prepare("INSERT INTO notes (owner_id, text, created_at) SELECT ?, 'Welcome! This is your first note.', ? WHERE changes() > 0").bind(event.user.id, Date.now()),
    ])
  } else if (event.operationType === 'DELETE') {
    // Deleting a user never deletes the app's data by itself (App Services did not either): this does.
    await db.batch([firstTime, db.prepare('DELETE FROM notes WHERE owner_id = ?').bind(event.user.id)])
  } else {
    await firstTime.run()
  }
}

/** The Queue consumer: ack what was handled, retry what failed (the Queue redelivers it later). */
export async function consumeEvents(batch: MessageBatch<UsherEvent>, env: EventBindings): Promise<void> {
  for (const message of batch.messages) {
    try {
      await handleEvent(env.DB, message.body)
      message.ack()
    } catch (error) {
      console.error('usher event failed', message.body.id, error)
      message.retry({ delaySeconds: 30 })
    }
  }
}

const encoder = new TextEncoder()
const TOLERANCE_SECONDS = 300

/**
 * Check `X-Usher-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (constant-time,
 * within 5 minutes of now, so a captured call cannot be replayed later).
 */
export async function verifyUsherSignature(secret: string, header: string | undefined, body: string): Promise<boolean> {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '') ?? []
  if (!t || !v1 || Math.abs(Date.now() / 1000 - Number(t)) > TOLERANCE_SECONDS) return false
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
  const signature = new Uint8Array(v1.match(/../g)!.map((byte) => parseInt(byte, 16)))
  return crypto.subtle.verify('HMAC', key, signature, encoder.encode(`${t}.${body}`))
}
