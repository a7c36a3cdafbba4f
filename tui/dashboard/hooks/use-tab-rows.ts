/**
 * @module dashboard/hooks/use-tab-rows
 * The rows of the open tab. Users, the audit trail and the events page through the server by cursor, one
 * screen per request; user search (a substring of the email), the login-provider filter and the events' status
 * filter run on the server. API keys, signing keys and the dev outbox are short lists the server returns whole
 * (the outbox: its newest 100 mails), so their search filters what came back, as it does the page on screen
 * for the audit trail and the events. The events come with their counts per status and where they go.
 */
import { useState } from 'react'
import type { AuditEntry, EventItem, EventsPage } from '../../admin-client'
import { eventUser, type EventStatus } from '../../events'
import type { ProviderType } from '../../providers'
import type { DashboardClient } from '../client'
import type { Row, Tab } from '../tabs'
import { usePagedList, type Page, type PagedList } from './use-paged-list'

/** What the Events tab says above its rows: events per status (of every type and user) and the sinks. */
export type EventSummary = Pick<EventsPage, 'counts' | 'sinks'>

export interface TabRows extends PagedList<Row> {
  /** Known once the Events tab has loaded. */
  eventSummary: EventSummary | undefined
}

interface Filters {
  search: string
  provider: ProviderType | undefined
  eventStatus: EventStatus | undefined
}

export interface TabRowsOptions {
  client: DashboardClient
  tab: Tab
  search: string
  /** Only users with an identity from this login provider (user tabs). */
  provider: ProviderType | undefined
  /** Only events in this status (Events tab). */
  eventStatus: EventStatus | undefined
  visibleRows: number
  generation: number
  enabled: boolean
  onError(error: unknown): void
}

export function useTabRows(options: TabRowsOptions): TabRows {
  const { client, tab, search } = options
  const provider = tab.kind === 'users' ? options.provider : undefined
  const eventStatus = tab.kind === 'events' ? options.eventStatus : undefined
  const [eventSummary, setEventSummary] = useState<EventSummary | undefined>(undefined)
  const list = usePagedList<Row>({
    listKey: `${tab.id}\u0000${search}\u0000${provider ?? ''}\u0000${eventStatus ?? ''}`,
    source: tab.id,
    load: (cursor, limit) =>
      loadRows(client, tab, { search, provider, eventStatus }, cursor, limit, setEventSummary),
    pageSize: options.visibleRows,
    visibleRows: options.visibleRows,
    generation: options.generation,
    enabled: options.enabled,
    onError: options.onError,
  })
  return { ...list, eventSummary }
}

const OUTBOX_LIMIT = 100

async function loadRows(
  client: DashboardClient,
  tab: Tab,
  { search, provider, eventStatus }: Filters,
  cursor: string | undefined,
  limit: number,
  summarize: (summary: EventSummary) => void,
): Promise<Page<Row>> {
  const needle = search.trim().toLowerCase()
  const matches = (...fields: (string | null)[]) =>
    needle === '' || fields.some((field) => field?.toLowerCase().includes(needle))
  switch (tab.kind) {
    case 'users': {
      const page = await client.users.list.query({
        status: tab.id,
        provider,
        search: needle || undefined,
        cursor,
        limit,
      })
      return {
        items: page.items.map((user) => ({ kind: 'user', id: user.id, user })),
        nextCursor: page.nextCursor,
      }
    }
    case 'api-keys': {
      const { items } = await client.apiKeys.list.query()
      return {
        items: items
          .filter((key) => matches(key.name, key.id))
          .map((key) => ({ kind: 'api-key', id: key.id, key })),
        nextCursor: null,
      }
    }
    case 'signing-keys': {
      const { items } = await client.keys.list.query()
      return {
        items: items
          .filter((key) => matches(key.kid, key.state, key.algorithm))
          .map((key) => ({ kind: 'signing-key', id: key.kid, key })),
        nextCursor: null,
      }
    }
    case 'audit': {
      const page = await client.audit.list.query({ cursor, limit })
      return {
        items: page.items
          .filter((entry) => matches(...auditText(entry)))
          .map((entry) => ({ kind: 'audit', id: String(entry.id), entry })),
        nextCursor: page.nextCursor,
      }
    }
    case 'outbox': {
      const { items } = await client.outbox.list.query({ limit: OUTBOX_LIMIT })
      return {
        items: items
          .filter((mail) => matches(mail.to, mail.subject))
          .map((mail) => ({ kind: 'mail', id: String(mail.id), mail })),
        nextCursor: null,
      }
    }
    case 'events': {
      const page = await client.events.list.query({ status: eventStatus ?? 'all', cursor, limit })
      summarize({ counts: page.counts, sinks: page.sinks })
      return {
        items: page.items
          .filter((event) => matches(...eventText(event)))
          .map((event) => ({ kind: 'event', id: event.id, event })),
        nextCursor: page.nextCursor,
      }
    }
  }
}

function eventText(event: EventItem): string[] {
  return [event.type, event.status, event.id, event.userId, eventUser(event), event.lastError ?? '']
}

function auditText(entry: AuditEntry): string[] {
  return [entry.action, entry.actor, entry.outcome, entry.userId ?? '', entry.email ?? '', JSON.stringify(entry.detail)]
}
