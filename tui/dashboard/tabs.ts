/**
 * @module dashboard/tabs
 * The six tabs, in key order (`1`–`6`), and the row each tab lists. User tabs page through `users.list` by
 * the API's cursor; the others list API keys, the audit trail and the dev outbox.
 */
import type { AuditEntry, OutboxMail, ServerKey, UserItem } from '../admin-client'

export type UserStatusTab = 'pending' | 'confirmed' | 'disabled'

export type Tab =
  | { id: UserStatusTab; title: string; kind: 'users' }
  | { id: 'api-keys'; title: string; kind: 'api-keys' }
  | { id: 'audit'; title: string; kind: 'audit' }
  | { id: 'outbox'; title: string; kind: 'outbox' }

export type TabId = Tab['id']

export const TABS = [
  { id: 'pending', title: 'Pending', kind: 'users' },
  { id: 'confirmed', title: 'Confirmed', kind: 'users' },
  { id: 'disabled', title: 'Disabled', kind: 'users' },
  { id: 'api-keys', title: 'API keys', kind: 'api-keys' },
  { id: 'audit', title: 'Audit', kind: 'audit' },
  { id: 'outbox', title: 'Outbox', kind: 'outbox' },
] as const satisfies readonly Tab[]

/** One row of the list on screen; the tab decides which kind. */
export type Row =
  | { kind: 'user'; id: string; user: UserItem }
  | { kind: 'api-key'; id: string; key: ServerKey }
  | { kind: 'audit'; id: string; entry: AuditEntry }
  | { kind: 'mail'; id: string; mail: OutboxMail }

export function tabAt(index: number): Tab {
  const count = TABS.length
  return TABS[((index % count) + count) % count]!
}

export function tabIndex(id: TabId): number {
  return TABS.findIndex((tab) => tab.id === id)
}
