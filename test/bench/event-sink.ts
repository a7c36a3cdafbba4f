/**
 * @module bench/event-sink
 * The webhook the events-on Usher (`usher events`) delivers its lifecycle events to: a Node HTTP server on
 * 127.0.0.1 inside the benchmark process that answers 200 at once (so the measurement is Usher's delivery,
 * not a consumer's work) and counts what arrives: requests, events, distinct event ids (delivery is at least
 * once: a re-sent event keeps its id), events per type, and bodies whose `X-Usher-Signature` is missing or
 * does not verify with FUNCTION_SECRET (the way an app's receiver checks it, worker/users/functions.ts).
 * It always answers 200, even to a bad signature: a refusal would make Usher retry and count twice.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { signPayload } from '../../worker/webhook-signature'

export interface SinkStats {
  requests: number
  /** Events received, re-sent ones included. */
  events: number
  /** Distinct event ids. */
  distinct: number
  /** Events received again with an id already seen. */
  duplicates: number
  /** Distinct events per operationType. */
  by_type: Record<string, number>
  /** Requests whose signature header was missing or did not verify. */
  bad_signatures: number
  /** Requests whose body was not an event or an array of events. */
  malformed: number
}

export interface EventSink {
  url: string
  stats(): SinkStats
  /** Resolves once an event of `type` about `userId` has arrived; throws after `timeoutMs`. */
  waitFor(type: string, userId: string, timeoutMs: number): Promise<void>
  close(): Promise<void>
}

interface Event {
  id: string
  operationType: string
  user: { id: string }
}

const isEvent = (value: unknown): value is Event => {
  const e = value as Partial<Event> | null
  return typeof e?.id === 'string' && typeof e.operationType === 'string' && typeof e.user?.id === 'string'
}

function signed(secret: string, header: string | undefined, body: string): boolean {
  const timestamp = /^t=(\d+),v1=[0-9a-f]{64}$/.exec(header ?? '')?.[1]
  return timestamp !== undefined && signPayload(secret, Number(timestamp), body) === header
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Listen on a free port of 127.0.0.1; `secret` is the events-on Usher's FUNCTION_SECRET. */
export function startEventSink(secret: string): Promise<EventSink> {
  const stats: SinkStats = {
    requests: 0,
    events: 0,
    distinct: 0,
    duplicates: 0,
    by_type: {},
    bad_signatures: 0,
    malformed: 0,
  }
  const seen = new Set<string>()
  /** `TYPE user-id` of every event received, for the probes. */
  const about = new Set<string>()
  const server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
      stats.requests++
      const signature = request.headers['x-usher-signature'] as string | undefined
      if (!signed(secret, signature, body)) stats.bad_signatures++
      let parsed: unknown
      try {
        parsed = JSON.parse(body)
      } catch {
        parsed = undefined
      }
      const events = Array.isArray(parsed) ? parsed : [parsed]
      if (!events.every(isEvent)) {
        stats.malformed++
        return
      }
      for (const event of events) {
        stats.events++
        if (seen.has(event.id)) {
          stats.duplicates++
          continue
        }
        seen.add(event.id)
        stats.distinct++
        stats.by_type[event.operationType] = (stats.by_type[event.operationType] ?? 0) + 1
        about.add(`${event.operationType} ${event.user.id}`)
      }
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      resolve({
        url: `http://127.0.0.1:${port}/events`,
        stats: () => structuredClone(stats),
        async waitFor(type, userId, timeoutMs) {
          const deadline = performance.now() + timeoutMs
          while (!about.has(`${type} ${userId}`)) {
            if (performance.now() > deadline)
              throw new Error(`the sink received no ${type} event for user ${userId} in ${timeoutMs / 1000} s`)
            await new Promise((r) => setTimeout(r, 50))
          }
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}
