/**
 * @module tui/cli/commands/records
 * The read-only views: `usher audit` (who did what, newest first), `usher outbox` (mail the dev mailbox
 * caught, with the links to click) and `usher config` (the effective configuration, never secrets, its
 * warnings first).
 */
import { apiCommand, CURSOR_OPTION, limitOf, limitOption, type ApiCommand } from '../command'
import { fields, nextPageHint, outcome, printable, shortDate, table } from '../format'

/** One entry of a listed setting: a word, or a small record (a custom JWT metadata field) as JSON. */
const listed = (item: unknown) => (item !== null && typeof item === 'object' ? JSON.stringify(item) : String(item))

/** Nested configuration as `section.key  value` lines; unset settings say so rather than vanish. */
function flatten(value: unknown, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key))
  }
  if (value === null || value === '') return [[prefix, '(not set)']]
  if (Array.isArray(value)) return [[prefix, value.length ? value.map(listed).join(', ') : '(none)']]
  return [[prefix, String(value)]]
}

export const audit: ApiCommand = apiCommand({
  summary: 'the audit trail, newest first',
  details:
    'Every admin action and lifecycle event (registered, confirmed, first login, disabled, deleted, …).',
  options: {
    user: { type: 'string', placeholder: 'id', userId: true, description: "only this user's entries" },
    limit: limitOption('entries', 50),
    cursor: CURSOR_OPTION,
  },
  examples: ['usher audit --limit 20', 'usher audit --user 65f0c0ffee0123456789abcd'],
  run: ({ client, options }) =>
    client.audit.list.query({
      userId: options.user,
      cursor: options.cursor,
      limit: limitOf(options),
    }),
  render: ({ items, nextCursor }) =>
    (items.length === 0
      ? 'no audit entries'
      : table(items, [
          { header: 'at', value: (entry) => shortDate(entry.at) },
          { header: 'actor', value: (entry) => entry.actor },
          { header: 'action', value: (entry) => entry.action },
          { header: 'user', value: (entry) => entry.userId ?? '—' },
          { header: 'email', value: (entry) => entry.email ?? '—', max: 40 },
          { header: 'outcome', value: (entry) => outcome(entry.outcome) },
          {
            header: 'detail',
            value: (entry) => (Object.keys(entry.detail).length ? JSON.stringify(entry.detail) : ''),
            max: 60,
          },
        ])) + nextPageHint(nextCursor),
})

export const outbox: ApiCommand = apiCommand({
  summary: 'mail caught by the dev outbox, newest first',
  details: 'What Usher sent with MAIL_PROVIDER=outbox, with the confirmation and reset links to open.',
  options: {
    to: { type: 'string', placeholder: 'email', description: 'only mail to this address' },
    limit: limitOption('mails', 20),
  },
  examples: ['usher outbox --to ada@example.com --limit 1'],
  run: ({ client, options }) =>
    client.outbox.list.query({
      to: options.to,
      limit: limitOf(options),
    }),
  render: ({ items }) =>
    items.length === 0
      ? 'no mail in the outbox'
      : table(items, [
          { header: 'sent', value: (mail) => shortDate(mail.createdAt) },
          { header: 'to', value: (mail) => mail.to, max: 40 },
          { header: 'subject', value: (mail) => mail.subject, max: 40 },
          { header: 'link', value: (mail) => mail.link ?? '' },
        ]),
})

export const config: ApiCommand = apiCommand({
  summary: 'the effective configuration (no secrets)',
  details:
    'Environment, public URL and link pages, confirmation and reset methods, login providers, token lifetimes, password policy and KDF parameters; unset settings show as (not set). Warnings about the deployment (production: ALLOWED_ORIGINS=*, APP_ID=usher-local) come first.',
  run: ({ client }) => client.config.get.query(),
  render: ({ warnings, ...effective }) => {
    const shown = fields(flatten(effective))
    return warnings.length ? `${warnings.map((warning) => `⚠ ${printable(warning)}`).join('\n')}\n\n${shown}` : shown
  },
})
