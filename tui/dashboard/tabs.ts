/**
 * @module dashboard/tabs
 * The tabs, in key order (`1`–`8`), and the row each tab lists. User tabs page through `users.list` by the
 * API's cursor; the others list API keys, the keys access tokens are signed with, the audit trail, the dev
 * outbox and the lifecycle events (by cursor too).
 */
import type { AuditEntry, EventItem, OutboxMail, ServerKey, SigningKey, UserItem } from '../admin-client'

export type UserStatusTab = 'pending' | 'confirmed' | 'disabled'

export type Tab =
  | { id: UserStatusTab; title: string; kind: 'users' }
  | { id: 'api-keys'; title: string; kind: 'api-keys' }
  | { id: 'signing-keys'; title: string; kind: 'signing-keys' }
  | { id: 'audit'; title: string; kind: 'audit' }
  | { id: 'outbox'; title: string; kind: 'outbox' }
  | { id: 'events'; title: string; kind: 'events' }

export type TabId = Tab['id']

export const TABS = [
  { id: 'pending', title: 'Pending', kind: 'users' },
  { id: 'confirmed', title: 'Confirmed', kind: 'users' },
  { id: 'disabled', title: 'Disabled', kind: 'users' },
  { id: 'api-keys', title: 'API keys', kind: 'api-keys' },
  { id: 'signing-keys', title: 'Keys', kind: 'signing-keys' },
  { id: 'audit', title: 'Audit', kind: 'audit' },
  { id: 'outbox', title: 'Outbox', kind: 'outbox' },
  { id: 'events', title: 'Events', kind: 'events' },
] as const satisfies readonly Tab[]

/** One row of the list on screen; the tab decides which kind. */
export type Row =
  | { kind: 'user'; id: string; user: UserItem }
  | { kind: 'api-key'; id: string; key: ServerKey }
  | { kind: 'signing-key'; id: string; key: SigningKey }
  | { kind: 'audit'; id: string; entry: AuditEntry }
  | { kind: 'mail'; id: string; mail: OutboxMail }
  | { kind: 'event'; id: string; event: EventItem }

/** What the list is filtered by (`oauth2-google`, `dead`) and the keys that change it (`p P`, `f F`). */
export interface ListFilter {
  value: string
  keys: string
}

export function tabAt(index: number): Tab {
  const count = TABS.length
  return TABS[((index % count) + count) % count]!
}

export function tabIndex(id: TabId): number {
  return TABS.findIndex((tab) => tab.id === id)
}
