/**
 * @module tui/events
 * Lifecycle events as the terminal tools show them (`usher events …`, the dashboard's Events tab): their types
 * and statuses, written out because the worker reaches the terminal tools as types only (the build stops if
 * the lists ever differ from what `events.list` accepts), who an event is about, and where events go.
 */
import type { EventItem, EventsPage, RouterInputs } from './admin-client'

type ListInput = Exclude<RouterInputs['events']['list'], void | undefined>
export type EventType = Exclude<ListInput['type'], undefined>
export type EventStatus = EventItem['status']
/** `events.list`'s status filter: one status, or all of them. */
export type EventStatusFilter = Exclude<ListInput['status'], undefined>

export const EVENT_TYPES = [
  'CREATE',
  'LOGIN',
  'DELETE',
  'CONFIRM',
  'DISABLE',
  'ENABLE',
  'PASSWORD_RESET',
  'SESSIONS_REVOKED',
] as const satisfies readonly EventType[]

export const EVENT_STATUSES = ['recorded', 'pending', 'delivered', 'dead'] as const satisfies readonly EventStatus[]

type Unlisted = Exclude<EventType, (typeof EVENT_TYPES)[number]> | Exclude<EventStatus, (typeof EVENT_STATUSES)[number]>
// Compiles only while every type and status the admin API knows is listed above.
true satisfies ([Unlisted] extends [never] ? true : { unlisted: Unlisted })

/** The address in the event's payload (`user.data.email`), if the user had one. */
export function eventEmail(event: Pick<EventItem, 'payload'>): string | undefined {
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
