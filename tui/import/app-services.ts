/**
 * @module tui/import/app-services
 * `usher import --from app-services`: what can be saved from Atlas App Services (reference
 * app-services-2.md §6.3). MongoDB never exported password hashes, so every email/password user comes without
 * one and must reset it. Accepted, in any number of files, in any mix:
 * - Admin API v3 pages, `GET …/apps/{app}/users`: JSON arrays of User objects (one file per page, pages
 *   appended to one file, or one array per line); `_id`, type, disabled, dates, `data` and identities are kept;
 * - pending-registration pages, `GET …/user_registrations/pending_users`: arrays of
 *   `{_id, user_id, domain_id, login_ids: [{id_type: 'email', id}]}`, imported as pending-confirmation;
 * - realm-cli's `users list -f json` output: one object per provider table. Lossy, and `lossy` says what is
 *   missing: identity ids, user data, creation dates (taken from the time inside each id), and any user
 *   after the first 50.
 *
 *     parseAppServices(input: ImportInput): ImportResult
 */
import { IMPORTED_PROVIDER_TYPES, type ImportedIdentity, type ImportedProviderType } from '../../worker/users/import-record'
import {
  ImportResultBuilder,
  readJsonSources,
  RowProblem,
  type ImportInput,
  type ImportResult,
  type LocatedRow,
} from './import-result'
import { compact, flag, isRow, list, objectIdTime, record, requiredText, secondsTime, text, type Row } from './row-fields'

const NO_PASSWORDS =
  'no password hashes: App Services never exported them, so email/password users must reset their password before logging in'

/** realm-cli's table titles (`Provider type: <label>`), from internal/commands/user/output.go. */
const CLI_PROVIDER_LABELS: Record<string, ImportedProviderType> = {
  Anonymous: 'anon-user',
  'User/Password': 'local-userpass',
  ApiKey: 'api-key',
  Apple: 'oauth2-apple',
  Google: 'oauth2-google',
  Facebook: 'oauth2-facebook',
  'Custom JWT': 'custom-token',
  'Custom Function': 'custom-function',
}

/** A user's rows in realm-cli's provider tables (a linked user appears in several), from where the first is. */
type CliUser = { at: LocatedRow; rows: { provider: ImportedProviderType; row: Row }[] }

export function parseAppServices(input: ImportInput): ImportResult {
  const builder = new ImportResultBuilder()
  const cliUsers = new Map<string, CliUser>()
  readJsonSources(builder, input, ({ value, line }, rows) => {
    if (Array.isArray(value)) {
      for (const { row, line } of rows(value)) builder.row(line, () => fromPageElement(builder, row))
    } else if (isRow(value) && Array.isArray(value.data) && typeof value.message === 'string') {
      readCliTable(builder, value.message, rows(value.data), line, cliUsers)
    } else if (isRow(value) && typeof value.error === 'string') {
      builder.problem(line, `an Admin API error, not a page of users: ${value.error}`)
    } else {
      builder.problem(line, 'neither a page of users (a JSON array) nor a realm-cli table ({"message": "Provider type: …", "data": […]})')
    }
  })
  for (const [id, { at, rows }] of cliUsers) builder.inSource(at.file).row(at.line, () => fromCliRows(builder, id, rows))
  return builder.result()
}

function fromPageElement(builder: ImportResultBuilder, element: unknown) {
  if (!isRow(element)) throw new RowProblem('not an object')
  if ('login_ids' in element) return fromPendingRegistration(builder, element)
  if ('identities' in element) return fromUser(builder, element)
  throw new RowProblem('neither an App Services user (with identities) nor a pending registration (with login_ids)')
}

function fromUser(builder: ImportResultBuilder, row: Row) {
  const identities: ImportedIdentity[] = []
  for (const item of list(row, 'identities')) {
    if (!isRow(item)) throw new RowProblem('identities must be objects')
    const providerType = requiredText(item, 'provider_type')
    if (!isProviderType(providerType)) {
      builder.lossy(`identities of providers Usher does not have (${providerType}) left out`)
      continue
    }
    identities.push(compact({ providerType, id: requiredText(item, 'id'), data: record(item, 'provider_data') }) as ImportedIdentity)
  }
  const data = record(row, 'data')
  const userpass = identities.find((identity) => identity.providerType === 'local-userpass')
  if (userpass) builder.lossyFormat(NO_PASSWORDS)
  return compact({
    id: requiredText(row, '_id'),
    type: text(row, 'type') ?? 'normal',
    status: 'confirmed',
    disabled: flag(row, 'disabled') ?? false,
    createdAt: secondsTime(row, 'creation_date'),
    lastLoginAt: secondsTime(row, 'last_authentication_date') ?? null,
    email: userpass ? (emailIn(data) ?? emailIn(userpass.data)) : undefined,
    identities,
    data,
  })
}

function fromPendingRegistration(builder: ImportResultBuilder, row: Row) {
  const id = requiredText(row, '_id')
  const login = list(row, 'login_ids').find((item) => isRow(item) && item.id_type === 'email')
  if (!isRow(login)) throw new RowProblem('login_ids has no email')
  builder.lossyFormat(NO_PASSWORDS)
  return compact({
    id,
    type: 'normal',
    status: 'pending-confirmation',
    disabled: false,
    createdAt: objectIdTime(id),
    lastLoginAt: null,
    email: requiredText(login, 'id'),
    emailVerified: false,
    identities: [{ providerType: 'local-userpass', id }],
  })
}

function readCliTable(builder: ImportResultBuilder, title: string, rows: LocatedRow[], line: number, users: Map<string, CliUser>): void {
  const label = /^Provider type: (.+)$/.exec(title)?.[1]
  const provider = label === undefined ? undefined : CLI_PROVIDER_LABELS[label]
  if (!provider) return builder.problem(line, `not a realm-cli provider table: ${JSON.stringify(title)}`)
  for (const at of rows) {
    const { row } = at
    const id = isRow(row) ? row.ID : undefined
    if (!isRow(row) || typeof id !== 'string' || id === '') {
      builder.problem(at.line, 'a realm-cli row without an ID')
      continue
    }
    const user = users.get(id) ?? { at, rows: [] }
    user.rows.push({ provider, row })
    users.set(id, user)
  }
}

/** One user from their rows in realm-cli's provider tables. */
function fromCliRows(builder: ImportResultBuilder, id: string, rows: CliUser['rows']) {
  const first = rows[0]!.row
  const enabled = text(first, 'Enabled')
  if (enabled !== 'true' && enabled !== 'false') throw new RowProblem('Enabled must be "true" or "false"')
  const userpass = rows.find(({ provider }) => provider === 'local-userpass')
  builder.lossyFormat(
    'realm-cli output has no identity ids: Google, Apple, Facebook, custom JWT and custom function logins will not find these users until their identities are linked again (Admin API pages have the ids)',
  )
  builder.lossyFormat('realm-cli output has no user data (name, picture…) and no creation dates: creation dates are taken from the time inside each user id')
  builder.lossy('taken from realm-cli output, which lists 50 users at most: if the app had more, save the Admin API pages (GET …/users?after=<last _id>) instead')
  if (userpass) builder.lossyFormat(NO_PASSWORDS)
  return compact({
    id,
    type: text(first, 'Type') ?? 'normal',
    status: 'confirmed',
    disabled: enabled === 'false',
    createdAt: objectIdTime(id),
    lastLoginAt: goTime(text(first, 'Last Authenticated')),
    email: userpass ? requiredText(userpass.row, 'Email') : undefined,
    identities: rows.map(({ provider, row }) =>
      compact({ providerType: provider, data: provider === 'api-key' && text(row, 'Name') ? { name: text(row, 'Name') } : undefined }),
    ),
  })
}

/** Go's `Time.String()` (`2024-01-02 03:04:05.123 +0000 UTC`), or `n/a` for never. */
function goTime(value: string | undefined): string | null {
  if (value === undefined || value === 'n/a') return null
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)? ([+-]\d\d)(\d\d) \S+$/.exec(value)
  const date = match ? new Date(`${match[1]}T${match[2]}${(match[3] ?? '').slice(0, 4)}${match[4]}:${match[5]}`) : undefined
  if (!date || Number.isNaN(date.getTime())) throw new RowProblem(`Last Authenticated is not a date: ${JSON.stringify(value)}`)
  return date.toISOString()
}

function emailIn(data: Row | undefined): string | undefined {
  return data && typeof data.email === 'string' ? data.email : undefined
}

function isProviderType(value: string): value is ImportedProviderType {
  return (IMPORTED_PROVIDER_TYPES as readonly string[]).includes(value)
}
