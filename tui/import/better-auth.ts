/**
 * @module tui/import/better-auth
 * `usher import --from better-auth`: Better Auth's `user` and `account` tables (better-auth 1.7
 * `@better-auth/core` db/get-tables, plus the admin plugin's `role`, `banned`, `banReason`, `banExpires`) as
 * JSON: `{"user": [...], "account": [...]}` (or the plural names of `usePlural`; camelCase or snake_case
 * columns), in one file or one table per file.
 *
 *     parseBetterAuth(input: ImportInput, options?: { now?: Date }): ImportResult
 *     betterAuthPasswordHash(stored: string): string | undefined
 *
 * The `credential` account is the email/password login; its `password` is Better Auth's scrypt,
 * `<salt: 32 hex>:<key: 128 hex>` = scrypt(NFKC(password), salt *as the hex text's bytes*, N=2^14, r=16, p=1,
 * 64 bytes), which is exactly Usher's own scrypt: it becomes `$scrypt$ln=14,r=16,p=1$<salt>$<key>`. Google,
 * Apple and Facebook accounts become identities; OAuth tokens are not imported. A user without any account
 * (magic link, email OTP) becomes an email/password user without a password; the anonymous plugin's users
 * (`isAnonymous`) become anonymous users. `banned` disables, unless
 * `banExpires` has passed (`now`, default the current time).
 */
import type { ImportedIdentity, ImportedProviderType } from '../../worker/users/import-record'
import { ImportResultBuilder, readJsonSources, RowProblem, type ImportInput, type ImportResult, type LocatedRow } from './import-result'
import { compact, databaseTime, flag, isRow, nonEmpty, registrationStatus, requiredText, text, type Row } from './row-fields'

export interface BetterAuthOptions {
  /** What "has passed" means for `banExpires` (default: now). */
  now?: Date
}

const PROVIDERS: Record<string, ImportedProviderType> = {
  credential: 'local-userpass',
  google: 'oauth2-google',
  apple: 'oauth2-apple',
  facebook: 'oauth2-facebook',
}

/** Columns with a place of their own in an ImportedUser; any other column is kept in `data`. */
const MAPPED_COLUMNS = new Set(
  ['id', 'email', 'emailVerified', 'name', 'image', 'createdAt', 'updatedAt', 'role', 'banned', 'banReason', 'banExpires', 'isAnonymous'].flatMap(
    (column) => [column, snakeCase(column)],
  ),
)

const BETTER_AUTH_HASH = /^([0-9a-f]{32}):([0-9a-f]{128})$/

/** Better Auth's `salt:key` as Usher's `$scrypt$` PHC string; undefined when it is not that form. */
export function betterAuthPasswordHash(stored: string): string | undefined {
  const match = BETTER_AUTH_HASH.exec(stored)
  if (!match) return undefined
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '')
  // The salt is fed to scrypt as the 32 characters of hex text, not as the 16 bytes they spell.
  return `$scrypt$ln=14,r=16,p=1$${b64(Buffer.from(match[1]!, 'utf8'))}$${b64(Buffer.from(match[2]!, 'hex'))}`
}

export function parseBetterAuth(input: ImportInput, options: BetterAuthOptions = {}): ImportResult {
  const now = (options.now ?? new Date()).getTime()
  const builder = new ImportResultBuilder()
  const users: LocatedRow[] = []
  const accounts: LocatedRow[] = []
  readJsonSources(builder, input, ({ value, line }, rows) => {
    const userRows = isRow(value) ? (value.user ?? value.users) : undefined
    const accountRows = isRow(value) ? (value.account ?? value.accounts) : undefined
    if (!Array.isArray(userRows) && !Array.isArray(accountRows)) {
      return builder.problem(line, 'not a Better Auth export: expected {"user": [...], "account": [...]}')
    }
    if (Array.isArray(userRows)) users.push(...rows(userRows))
    if (Array.isArray(accountRows)) accounts.push(...rows(accountRows))
  })
  const userIds = new Set(users.flatMap(({ row }) => (isRow(row) && typeof row.id === 'string' ? [row.id] : [])))
  const accountsByUser = new Map<string, Row[]>()
  for (const { row, line, file } of accounts) {
    const userId = isRow(row) ? column(row, 'userId') : undefined
    if (!isRow(row) || typeof userId !== 'string' || !userIds.has(userId)) {
      builder.inSource(file).problem(line, `an account of no user in this export (userId ${JSON.stringify(userId)})`)
      continue
    }
    accountsByUser.set(userId, [...(accountsByUser.get(userId) ?? []), row])
  }
  for (const { row, line, file } of users) {
    builder.inSource(file).row(line, () => {
      if (!isRow(row)) throw new RowProblem('not an object')
      return fromBetterAuthUser(builder, row, accountsByUser.get(requiredText(row, 'id')) ?? [], now)
    })
  }
  return builder.result()
}

function fromBetterAuthUser(builder: ImportResultBuilder, row: Row, accounts: Row[], now: number) {
  const id = requiredText(row, 'id')
  const identities: ImportedIdentity[] = []
  let passwordHash: string | undefined
  let tokensLeftOut = false
  for (const account of accounts) {
    const providerId = requiredText(account, columnName(account, 'providerId'))
    const providerType = PROVIDERS[providerId]
    if (!providerType) {
      builder.lossy(`${providerId} accounts left out: Usher has no such provider`)
      continue
    }
    identities.push({ providerType, id: requiredText(account, columnName(account, 'accountId')) })
    tokensLeftOut ||= ['accessToken', 'refreshToken', 'idToken'].some((token) => column(account, token))
    if (providerType === 'local-userpass') passwordHash = hashOf(builder, text(account, 'password'))
  }
  if (tokensLeftOut) builder.lossy('OAuth access, refresh and ID tokens left out: the next social login gets new ones')
  // The anonymous plugin's users have a generated address and no account.
  const anonymous = flag(row, columnName(row, 'isAnonymous')) === true
  if (anonymous) identities.push({ providerType: 'anon-user', id })
  else if (accounts.length === 0) {
    identities.push({ providerType: 'local-userpass', id })
    builder.lossy('users without any account (magic link, email OTP) imported as email/password users without a password')
  }
  const userpass = identities.some((identity) => identity.providerType === 'local-userpass')
  const email = requiredText(row, 'email')
  const emailVerified = flag(row, columnName(row, 'emailVerified'))
  const banExpires = databaseTime(row, columnName(row, 'banExpires'))
  const banned = flag(row, 'banned') === true && (banExpires === undefined || Date.parse(banExpires) > now)
  if (banned && (text(row, columnName(row, 'banReason')) || banExpires)) {
    builder.lossy('ban reasons and expiry dates left out: Usher’s disabled users stay disabled until enabled')
  }
  const role = text(row, 'role')
  return compact({
    id,
    type: 'normal',
    status: registrationStatus(userpass, emailVerified),
    disabled: banned,
    createdAt: databaseTime(row, columnName(row, 'createdAt')),
    email: userpass ? email : undefined,
    emailVerified: userpass ? (emailVerified ?? false) : undefined,
    passwordHash,
    identities,
    data: nonEmpty({
      ...Object.fromEntries(Object.entries(row).filter(([key, value]) => !MAPPED_COLUMNS.has(key) && value !== null)),
      name: text(row, 'name') || undefined,
      picture: text(row, 'image') || undefined,
      email: userpass || anonymous ? undefined : email,
    }),
    customData: role ? { role } : undefined,
  })
}

/** Better Auth's own scrypt converted, or bcrypt kept (apps may plug in their own hash); else undefined. */
function hashOf(builder: ImportResultBuilder, stored: string | undefined): string | undefined {
  if (!stored) return undefined
  const converted = betterAuthPasswordHash(stored) ?? (/^\$2[aby]\$\d\d\$/.test(stored) ? stored : undefined)
  if (!converted) builder.lossy('passwords hashed by a custom function (not Better Auth’s scrypt or bcrypt) left out: those users must reset their password')
  return converted
}

/** A column by its camelCase name, or its snake_case name (adapters configured so). */
function column(row: Row, name: string): unknown {
  return row[name] ?? row[snakeCase(name)]
}

function columnName(row: Row, name: string): string {
  return name in row ? name : snakeCase(name)
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}
