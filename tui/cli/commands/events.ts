/**
 * @module tui/cli/commands/events
 * `usher events list|redeliver`: the lifecycle events Usher records in the same write as each change (a user
 * created, logging in, confirmed, disabled, deleted…) and delivers at least once to the configured sinks (a
 * Cloudflare Queue, a signed webhook). Without a sink they are only recorded. An event whose every attempt
 * failed is dead until an admin redelivers it, with its own id (consumers deduplicate on it).
 */
import type { EventItem, EventsPage } from '../../admin-client'
import { EVENT_STATUSES, EVENT_TYPES, eventUser, sinkNames, type EventStatusFilter, type EventType } from '../../events'
import { apiCommand, CURSOR_OPTION, ID_ARGUMENT, limitOf, limitOption, type CommandGroup } from '../command'
import { count, eventStatus, nextPageHint, printable, shortDate, table } from '../format'

const eventTable = (items: readonly EventItem[]) =>
  table(items, [
    { header: 'seq', value: (event) => String(event.seq) },
    { header: 'id', value: (event) => event.id },
    { header: 'type', value: (event) => event.type },
    { header: 'user', value: eventUser, max: 40 },
    { header: 'status', value: eventStatus },
    { header: 'attempts', value: (event) => String(event.attempts) },
    { header: 'created', value: (event) => shortDate(event.createdAt) },
    { header: 'last error', value: (event) => event.lastError ?? '', max: 50 },
  ])

/** Events per status (of every type and user), then where they go. */
function summary({ counts, sinks }: Pick<EventsPage, 'counts' | 'sinks'>): string {
  const tally = EVENT_STATUSES.map((status) => `${status} ${counts[status]}`).join(' · ')
  const where = sinkNames(sinks)
  return `${tally}\n${where ? `sinks: ${where}` : 'no sink configured: events are only recorded'}`
}

export const events: CommandGroup = {
  summary: 'lifecycle events and their delivery: list, redeliver',
  commands: {
    list: apiCommand({
      summary: 'list lifecycle events, newest first, with counts per status and the sinks',
      details:
        '○ recorded: no sink was configured when it happened; ◐ pending: on its way (retried with backoff); ● delivered; ✘ dead: every attempt failed (LAST ERROR says why): `usher events redeliver <id>` sends it again once the sink is fixed. The counts are of every event.',
      options: {
        status: {
          type: 'string',
          placeholder: 'status',
          choices: [...EVENT_STATUSES, 'all'],
          description: `${EVENT_STATUSES.join(', ')} or all (default)`,
        },
        type: {
          type: 'string',
          placeholder: 'TYPE',
          choices: EVENT_TYPES,
          description: `only events of this type: ${EVENT_TYPES.join(', ')}`,
        },
        user: { type: 'string', placeholder: 'id', userId: true, description: "only this user's events" },
        limit: limitOption('events', 50),
        cursor: CURSOR_OPTION,
      },
      examples: ['usher events list --status dead', 'usher events list --type LOGIN --user 65f0c0ffee0123456789abcd'],
      run: ({ client, options }) =>
        client.events.list.query({
          // Both are one of their `choices`, checked by the parser.
          status: options.status as EventStatusFilter | undefined,
          type: options.type as EventType | undefined,
          userId: options.user,
          cursor: options.cursor,
          limit: limitOf(options),
        }),
      render: (page) => {
        const shown = `${count(page.items.length, 'event')} shown`
        return `${page.items.length ? eventTable(page.items) : 'no events match'}\n\n${shown} · ${summary(page)}${nextPageHint(page.nextCursor)}`
      },
    }),
    redeliver: apiCommand({
      summary: 'send an event again (a dead one once its sink is fixed)',
      details:
        'The event goes out again with its own id, from its first attempt, to every configured sink. Refused when no sink is configured, or while the event is already waiting for delivery.',
      args: [ID_ARGUMENT("the event's id (24 hexadecimal characters, as `usher events list` shows)")],
      examples: ['usher events redeliver 65f0c0ffee0123456789abcd'],
      run: ({ client, args }) => client.events.redeliver.mutate({ id: args.id! }),
      render: (event) =>
        `✓ event ${event.id} (${event.type} of ${printable(eventUser(event))}) queued for redelivery`,
    }),
  },
}
