/**
 * @module events/outbox
 * The transactional outbox: the statement that records a lifecycle event, for the lifecycle to put in the very
 * D1 batch that makes the change — so an acknowledged change always has its event and a failed one never does.
 * The payload is built by SQL from the rows as the batch leaves them (no extra read, no extra round trip), in
 * App Services' trigger shape plus an id for idempotency:
 *
 * ```json
 * { "id": "…", "operationType": "CREATE", "providers": ["local-userpass"], "time": "2026-…Z",
 *   "user": { "id": "…", "type": "normal", "data": { "email": "…" }, "custom_data": {},
 *             "identities": [{ "id": "…", "provider_type": "local-userpass", "data": {} }] } }
 * ```
 *
 * This room is called by the lifecycle and never calls back into it; delivery is events/delivery.ts.
 */
import { sql, type SQL } from 'drizzle-orm'
import type { Usher } from '../context'
import { rawStatement, type Statement } from '../db/client'
import { events, identities, users, type EventType, type ProviderType } from '../db/schema'

export interface EventSpec {
  type: EventType
  /** The user the event is about, or a subquery of user ids (one event each). */
  userId: string | SQL
  /** The provider the event is about (a login's, a creation's); default: every provider of the user. */
  provider?: ProviderType
  /**
   * When the event is written: `changed` (default) — only if the statement just before it in the batch
   * changed a row; `exists` — whenever the user exists (put it before a deletion: it reads the user as they
   * were); or a SQL condition of the caller's (it may name the user's row as `u`).
   */
  when?: 'changed' | 'exists' | SQL
}

export type Sink = 'queue' | 'webhook'

/** Where events are delivered: the queue and/or the webhook, as configured. */
export function sinksOf(usher: Usher): Sink[] {
  return [...(usher.config.events.queue ? (['queue'] as const) : []), ...(usher.config.events.webhookUrl ? (['webhook'] as const) : [])]
}

/** Are events delivered anywhere? Without a sink they are only recorded (and expire). */
export const hasSinks = (usher: Usher) => sinksOf(usher).length > 0

/** The user object App Services passed to triggers, from the current rows of user `x`. */
const userObject = sql`json_object(
    'id', x.id,
    'type', x.type,
    'data', json_patch(x.data, json_object('email',
      (SELECT e.email FROM ${identities} e WHERE e.user_id = x.id AND e.provider_type = 'local-userpass'))),
    'custom_data', json(x.custom_data),
    'identities', (SELECT json_group_array(json(i.identity)) FROM (
      SELECT json_object('id', coalesce(o.external_id, o.id), 'provider_type', o.provider_type,
                         'data', json(coalesce(o.data, '{}'))) AS identity
      FROM ${identities} o WHERE o.user_id = x.id ORDER BY o.created_at, o.id) i))`

/** The statement recording the event (none when EVENTS_TYPES leaves this type out). */
export function eventStatement(usher: Usher, spec: EventSpec): Statement[] {
  if (!usher.config.events.types.has(spec.type)) return []
  const now = usher.now()
  const who = typeof spec.userId === 'string' ? sql`u.id = ${spec.userId}` : sql`u.id IN (${spec.userId})`
  const when = spec.when === undefined || spec.when === 'changed' ? sql`changes() > 0` : spec.when === 'exists' ? sql`1` : spec.when
  const providers = spec.provider
    ? sql`json_array(${spec.provider})`
    : sql`(SELECT json_group_array(DISTINCT p.provider_type) FROM ${identities} p WHERE p.user_id = x.id)`
  const pending = hasSinks(usher)
  if (pending) usher.eventsRecorded = true
  // One random id per event, made once (MATERIALIZED: the id column and the payload's id are the same value).
  return [
    rawStatement(sql`
      WITH x AS MATERIALIZED (SELECT lower(hex(randomblob(12))) AS event_id, u.* FROM ${users} u WHERE ${who} AND ${when})
      INSERT INTO ${events} (id, type, user_id, payload, status, created_at, attempts, next_attempt_at, delivered_to)
      SELECT x.event_id, ${spec.type}, x.id,
             json_object('id', x.event_id, 'operationType', ${spec.type}, 'providers', json(${providers}),
                         'user', json(${userObject}), 'time', ${new Date(now).toISOString()}),
             ${pending ? 'pending' : 'recorded'}, ${now}, 0, ${pending ? now : null}, '[]'
      FROM x`),
  ]
}
