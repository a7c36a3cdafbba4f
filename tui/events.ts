/**
 * @module tui/events
 * Lifecycle events as the terminal tools show them (`usher events …`, the dashboard's Events tab): their types
 * and statuses (the worker's own lists, worker/event-types.ts, a module without dependencies; the build stops
 * if `events.list` ever accepts another), who an event is about, and where events go.
 */
import type { EventItem, EventsPage, RouterInputs } from './admin-client'
import { EVENT_STATUSES, EVENT_TYPES } from '../worker/event-types'

type ListInput = Exclude<RouterInputs['events']['list'], void | undefined>
export type EventType = Exclude<ListInput['type'], undefined>
export type EventStatus = EventItem['status']
/** `events.list`'s status filter: one status, or all of them. */
export type EventStatusFilter = Exclude<ListInput['status'], undefined>

export { EVENT_STATUSES, EVENT_TYPES }

type Unlisted = Exclude<EventType, (typeof EVENT_TYPES)[number]> | Exclude<EventStatus, (typeof EVENT_STATUSES)[number]>
// Compiles only while every type and status the admin API knows is listed.
true satisfies ([Unlisted] extends [never] ? true : { unlisted: Unlisted })

/** The address in the event's payload (`user.data.email`), if the user had one. */
function eventEmail(event: Pick<EventItem, 'payload'>): string | undefined {
  const user = event.payload.user
  const data = user !== null && typeof user === 'object' ? (user as { data?: unknown }).data : undefined
  const email = data !== null && typeof data === 'object' ? (data as { email?: unknown }).email : undefined
  return typeof email === 'string' && email !== '' ? email : undefined
}

/** Who the event is about: their address, else their id. */
export const eventUser = (event: Pick<EventItem, 'payload' | 'userId'>) => eventEmail(event) ?? event.userId

/** Where events go, in a few words: `queue and webhook https://…`, or undefined when nowhere. */
export function sinkNames(sinks: EventsPage['sinks']): string | undefined {
  const names = [...(sinks.queue ? ['queue'] : []), ...(sinks.webhook ? [`webhook ${sinks.webhook}`] : [])]
  return names.length ? names.join(' and ') : undefined
}
