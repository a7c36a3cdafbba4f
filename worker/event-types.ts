/**
 * @module event-types
 * The lifecycle events Usher records and their delivery states (events/outbox.ts, events/delivery.ts). Pure
 * (no imports), so the schema, the config and the terminal tools share this one list.
 */
export const EVENT_TYPES = [
  'CREATE',
  'LOGIN',
  'DELETE',
  'CONFIRM',
  'DISABLE',
  'ENABLE',
  'PASSWORD_RESET',
  'SESSIONS_REVOKED',
  'EMAIL_CHANGED',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

/** `recorded`: no sink was configured; `pending`: to deliver; `delivered`; `dead`: every attempt failed. */
export const EVENT_STATUSES = ['recorded', 'pending', 'delivered', 'dead'] as const
export type EventStatus = (typeof EVENT_STATUSES)[number]
