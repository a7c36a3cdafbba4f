/**
 * @module tui/cli/commands/users
 * `usher users …`: list, inspect, create, confirm, disable/enable, revoke sessions of and delete users, and
 * manage the API keys they made (user-api-keys.ts). The rules (who may be confirmed, disabled…) are the
 * server's; refusals arrive as its sentence.
 */
import type { RouterInputs, UserDetails, UserItem } from '../../admin-client'
import { prettyJson } from '../../custom-data'
import { PROVIDER_TYPES, type ProviderType } from '../../providers'
import { apiCommand, CURSOR_OPTION, limitOf, limitOption, type CommandGroup, type RunContext } from '../command'
import { count, fields, nextPageHint, outcome, printable, shortDate, table, userStatus } from '../format'
import { apiKeyTable } from './api-keys'
import { sendPasswordSetup } from './password-setup'
import { customData } from './custom-data'
import { userApiKeys } from './user-api-keys'
import { displayName, USER_ID, userId, who, whoById } from './user-argument'

type ListStatus = Exclude<RouterInputs['users']['list'], void | undefined>['status']

const providers = (user: UserItem) =>
  user.identities.map((identity) => identity.providerType).join(', ') || '—'

function userTable(users: readonly UserItem[]): string {
  return table(users, [
    { header: 'id', value: (user) => user.id },
    { header: 'email', value: displayName, max: 40 },
    { header: 'status', value: (user) => userStatus(user) },
    { header: 'providers', value: providers },
    { header: 'created', value: (user) => shortDate(user.createdAt) },
    { header: 'last login', value: (user) => shortDate(user.lastLoginAt, 'never') },
  ])
}

function renderDetails(user: UserDetails): string {
  const keys = user.apiKeys.length ? apiKeyTable(user.apiKeys) : 'no API keys'
  const activity = user.recentAudit.length
    ? table(user.recentAudit, [
        { header: 'at', value: (entry) => shortDate(entry.at) },
        { header: 'actor', value: (entry) => entry.actor },
        { header: 'action', value: (entry) => entry.action },
        { header: 'outcome', value: (entry) => outcome(entry.outcome) },
      ])
    : 'no recorded activity'
  const identities = user.identities.length
    ? table(user.identities, [
        { header: 'provider', value: (identity) => identity.providerType },
        { header: 'id', value: (identity) => identity.id },
      ])
    : 'no identities'
  const block = fields([
    ['id', user.id],
    ['email', displayName(user)],
    ['type', user.type],
    ['status', userStatus(user)],
    ['created', shortDate(user.createdAt)],
    ['last login', shortDate(user.lastLoginAt, 'never')],
    ...(user.confirmationExpiresAt ? [['link expires', shortDate(user.confirmationExpiresAt)] as const] : []),
    ['sessions', String(user.sessionCount)],
    ...(user.mail ? [['mail', mailQuota(user.mail)] as const] : []),
    ...(user.lock
      ? [
          [
            'failed logins',
            `${user.lock.consecutiveFailures} in a row, ${user.lock.failuresThisHour} this hour${
              user.lock.lockedUntil ? ` · locked until ${shortDate(user.lock.lockedUntil)} (usher users clear-lock)` : ''
            }`,
          ] as const,
        ]
      : []),
  ])
  return [
    block,
    `Identities\n${identities}`,
    `API keys\n${keys}`,
    `Profile\n${profile(user.data)}`,
    `Custom data\n${Object.keys(user.customData).length ? prettyJson(user.customData) : 'no custom data'}`,
    `Recent activity\n${activity}`,
  ].join('\n\n')
}

/** What the user's providers say about them (name, picture, email…), one field a line. */
function profile(data: UserDetails['data']): string {
  const entries = Object.entries(data)
  if (entries.length === 0) return 'no profile data'
  return fields(entries.map(([name, value]) => [printable(name), typeof value === 'string' ? value : JSON.stringify(value)]))
}

/** Mail to the user's address against the per-recipient limits (over them, mail is dropped silently). */
function mailQuota(mail: NonNullable<UserDetails['mail']>): string {
  const dropped =
    mail.dropped === 0
      ? 'none dropped'
      : `${mail.dropped} dropped over the per-recipient limits, the last ${shortDate(mail.lastDroppedAt)}`
  return `${mail.sentToday} sent today · ${dropped}`
}

/** A lifecycle action on one user: the server answers with the user's new state, which is what we show. */
const action = (spec: {
  summary: string
  details?: string
  done: string
  mutate: (context: RunContext) => Promise<UserItem>
}) =>
  apiCommand({
    summary: spec.summary,
    details: spec.details,
    args: [USER_ID],
    run: spec.mutate,
    render: (user) => `✓ ${spec.done} ${who(user)}, now ${userStatus(user)}`,
  })

export const users: CommandGroup = {
  summary: 'list, inspect and manage users',
  commands: {
    list: apiCommand({
      summary: 'list users, newest first, with counts',
      details:
        'Filters combine: a status, a login provider (any of the user\'s identities) and a substring of the email. The counts are of every user.',
      options: {
        status: {
          type: 'string',
          placeholder: 'status',
          choices: ['pending', 'confirmed', 'disabled', 'all'],
          description: 'pending (either pending state), confirmed, disabled or all (default)',
        },
        provider: {
          type: 'string',
          placeholder: 'provider',
          choices: PROVIDER_TYPES,
          description: `only users with an identity from this login provider: ${PROVIDER_TYPES.join(', ')}`,
        },
        search: { type: 'string', placeholder: 'text', description: 'only emails containing this text' },
        limit: limitOption('users per page', 50),
        cursor: CURSOR_OPTION,
      },
      examples: [
        'usher users list --status pending',
        'usher users list --search @example.com --limit 20',
        'usher users list --provider oauth2-google --status confirmed',
      ],
      run: ({ client, options }) =>
        client.users.list.query({
          // Both are one of their `choices`, checked by the parser.
          status: options.status as ListStatus,
          provider: options.provider as ProviderType | undefined,
          search: options.search,
          cursor: options.cursor,
          limit: limitOf(options),
        }),
      render: ({ items, nextCursor, counts }) => {
        const tally = `${count(items.length, 'user')} shown · pending ${counts.pending} · confirmed ${counts.confirmed} · disabled ${counts.disabled} · all ${counts.all}`
        return `${items.length ? userTable(items) : 'no users match'}\n\n${tally}${nextPageHint(nextCursor)}`
      },
    }),
    get: apiCommand({
      summary: 'one user: identities, sessions, API keys, profile, custom data, activity',
      details:
        "Each identity with its provider and id (the provider's own id for Google, Apple, Facebook, custom JWT and custom function logins); the profile data their providers gave (name, picture, email…) and their custom data.",
      args: [USER_ID],
      run: ({ client, ...invocation }) => client.users.get.query({ userId: userId(invocation) }),
      render: renderDetails,
    }),
    create: apiCommand({
      summary: 'create a confirmed email/password user',
      details: 'The user skips confirmation and can log in at once.',
      options: {
        email: { type: 'string', placeholder: 'email', required: true, description: 'the email address' },
        password: {
          type: 'string',
          placeholder: 'password',
          required: true,
          description: 'the password; `-` reads it from stdin (keeps it out of shell history)',
        },
      },
      examples: ['usher users create --email ada@example.com --password "correct horse"'],
      run: async ({ client, options, readStdin }) =>
        client.users.create.mutate({
          email: options.email!,
          password: options.password === '-' ? await readStdin() : options.password!,
        }),
      render: (user) => `✓ created ${who(user)}, now ${userStatus(user)}`,
    }),
    confirm: action({
      summary: 'confirm a user pending confirmation',
      details: 'The user becomes "pending login": their first login completes the account.',
      done: 'confirmed',
      mutate: ({ client, ...invocation }) => client.users.confirm.mutate({ userId: userId(invocation) }),
    }),
    'rerun-confirmation': action({
      summary: 'run the configured confirmation method again',
      details:
        'email: a new link is mailed; function: the confirmation function is called again; auto: confirmed.',
      done: 're-ran confirmation for',
      mutate: ({ client, ...invocation }) =>
        client.users.rerunConfirmation.mutate({ userId: userId(invocation) }),
    }),
    'send-confirmation': action({
      summary: 'mail a new confirmation link (email method)',
      details: 'Refused unless CONFIRMATION_METHOD is email.',
      done: 'sent a confirmation email to',
      mutate: ({ client, ...invocation }) =>
        client.users.sendConfirmationEmail.mutate({ userId: userId(invocation) }),
    }),
    disable: action({
      summary: 'disable a user and end their sessions',
      details: 'Unconfirmed users cannot be disabled, only deleted.',
      done: 'disabled',
      mutate: ({ client, ...invocation }) => client.users.disable.mutate({ userId: userId(invocation) }),
    }),
    enable: action({
      summary: 'enable a disabled user',
      done: 'enabled',
      mutate: ({ client, ...invocation }) => client.users.enable.mutate({ userId: userId(invocation) }),
    }),
    'change-email': apiCommand({
      summary: "give a user's email/password login a new address",
      details:
        'Their sessions and password stay; links already mailed to the old address (confirmation, reset, password setup) stop working, and the old address is told of the change. Refused for an address another account has, or a user without an email/password identity. Audited, with an EMAIL_CHANGED event.',
      args: [USER_ID, { name: 'email', kind: 'text', description: 'the new email address' }],
      examples: ['usher users change-email 65f0c0ffee0123456789abcd ada@new.example.com'],
      run: ({ client, ...invocation }) =>
        client.users.changeEmail.mutate({ userId: userId(invocation), email: invocation.args.email! }),
      render: (user) => `✓ changed the email of ${user.id} from ${printable(user.previousEmail)} to ${printable(user.email ?? '')}`,
    }),
    'send-password-setup': sendPasswordSetup,
    'clear-lock': action({
      summary: "forget a user's failed logins (unlocks them)",
      details:
        'While locked, even the right password is refused (429 "temporarily locked…", not "invalid username/password"). Clears the backoff and the hourly count of failed logins; audited.',
      done: 'cleared the login lock of',
      mutate: ({ client, ...invocation }) => client.users.clearLock.mutate({ userId: userId(invocation) }),
    }),
    'revoke-sessions': apiCommand({
      summary: "end all of a user's sessions now",
      details:
        'Their access and refresh tokens are refused from the next request. Their API keys can still log in unless --disable-api-keys (a password reset disables them too). Refused for a user who has not logged in yet (pending confirmation or first login): there is nothing to revoke.',
      args: [USER_ID],
      options: {
        'disable-api-keys': {
          type: 'boolean',
          description: 'also disable their API keys, which could otherwise log straight back in',
        },
      },
      examples: ['usher users revoke-sessions 65f0c0ffee0123456789abcd --disable-api-keys'],
      // The answer names the user (userId, email), and how many of their API keys were disabled.
      run: ({ client, ...invocation }) =>
        client.users.revokeSessions.mutate({
          userId: userId(invocation),
          disableApiKeys: invocation.flags['disable-api-keys'] === true,
        }),
      render: (answer, invocation) =>
        `✓ revoked ${count(answer.revoked, 'session')} of ${whoById(answer)}${
          invocation.flags['disable-api-keys'] ? ` and disabled ${count(answer.apiKeysDisabled, 'API key')}` : ''
        }`,
    }),
    ...userApiKeys,
    data: customData,
    delete: apiCommand({
      summary: 'delete a user and all they own',
      details: 'Removes the user with their sessions, identities and API keys. Asks first unless --yes.',
      args: [USER_ID],
      examples: ['usher users delete 65f0c0ffee0123456789abcd --yes'],
      confirm: async ({ client, ...invocation }) => {
        const user = await client.users.get.query({ userId: userId(invocation) })
        return `Delete ${who(user)} and all their sessions, identities and API keys? [y/N] `
      },
      // The answer names who was deleted (userId, email): there is nobody left to look up afterwards.
      run: ({ client, ...invocation }) => client.users.delete.mutate({ userId: userId(invocation) }),
      render: (answer) => `✓ deleted ${whoById(answer)}`,
    }),
  },
}
