/**
 * @module tui/import/supabase
 * `usher import --from supabase`: rows of Supabase's `auth.users` with their `auth.identities` (columns from
 * supabase/auth internal/models/{user,identity}.go and its migrations), as JSON. Supabase has no export
 * command; `psql … -At -c "select json_agg(…)"` (the README's query) writes either an array of users each with
 * an `identities` array, or `{"users": [...]}`; `{"users": [...], "identities": [...]}` (two tables, joined
 * here on `user_id`) is accepted too.
 *
 *     parseSupabase(input: ImportInput, options?: { now?: Date }): ImportResult
 *
 * `encrypted_password`: bcrypt (`$2a$10$…`) is kept as it is; GoTrue's `$fbscrypt$…` (users Supabase imported
 * from Firebase) becomes `$firebase-scrypt$…` plus a parameter set; argon2 and database-encrypted values cannot
 * be verified, so those users come without a password (`lossy` counts them). Soft-deleted users (`deleted_at`)
 * are problems, not users; `banned_until` in the future (`now`, default the current time) disables.
 */
import { firebaseScryptHash, type ImportedIdentity, type ImportedProviderType } from '../../worker/users/import-record'
import { firebaseParameters } from './firebase'
import { ImportResultBuilder, readJsonSources, RowProblem, type ImportInput, type ImportResult, type LocatedRow } from './import-result'
import {
  base64Bytes,
  compact,
  databaseTime,
  flag,
  isRow,
  list,
  nonEmpty,
  record,
  registrationStatus,
  requiredText,
  text,
  type Row,
} from './row-fields'

export interface SupabaseOptions {
  /** What "in the future" means for `banned_until` (default: now). */
  now?: Date
}

const PROVIDERS: Record<string, ImportedProviderType> = {
  email: 'local-userpass',
  google: 'oauth2-google',
  apple: 'oauth2-apple',
  facebook: 'oauth2-facebook',
}

/** Keys GoTrue maintains itself in raw_user_meta_data (copies of identity claims), not profile data. */
const GOTRUE_METADATA = new Set(['sub', 'email', 'email_verified', 'phone_verified'])
/** raw_app_meta_data keys derived from the identities; the rest is the app's own (roles, plans…). */
const GOTRUE_APP_METADATA = new Set(['provider', 'providers'])

const FBSCRYPT = /^\$fbscrypt\$v=1,n=(\d+),r=(\d+),p=(\d+)(?:,ss=([^,$]*))?,sk=([^$]+)\$([^$]+)\$([^$]+)$/

export function parseSupabase(input: ImportInput, options: SupabaseOptions = {}): ImportResult {
  const now = (options.now ?? new Date()).getTime()
  const builder = new ImportResultBuilder()
  const users: LocatedRow[] = []
  const identities: LocatedRow[] = []
  readJsonSources(builder, input, ({ value, line }, rows) => {
    if (Array.isArray(value)) users.push(...rows(value))
    else if (isRow(value) && Array.isArray(value.users)) {
      users.push(...rows(value.users))
      if (Array.isArray(value.identities)) identities.push(...rows(value.identities))
    } else builder.problem(line, 'not a Supabase export: expected an array of auth.users rows, or {"users": [...]}')
  })
  const identitiesByUser = joinIdentities(builder, identities)
  for (const { row, line, file } of users) {
    builder.inSource(file)
    builder.row(line, () => {
      if (!isRow(row)) throw new RowProblem('not an object')
      const id = requiredText(row, 'id')
      return fromSupabaseUser(builder, row, [...list(row, 'identities'), ...(identitiesByUser.get(id) ?? [])], now)
    })
  }
  return builder.result()
}

function joinIdentities(builder: ImportResultBuilder, identities: LocatedRow[]): Map<string, unknown[]> {
  const byUser = new Map<string, unknown[]>()
  for (const { row, line, file } of identities) {
    const userId = isRow(row) ? row.user_id : undefined
    if (typeof userId !== 'string') {
      builder.inSource(file).problem(line, 'an identity without a user_id')
      continue
    }
    byUser.set(userId, [...(byUser.get(userId) ?? []), row])
  }
  return byUser
}

function fromSupabaseUser(builder: ImportResultBuilder, row: Row, identityRows: unknown[], now: number) {
  const id = requiredText(row, 'id')
  const deletedAt = databaseTime(row, 'deleted_at')
  if (deletedAt) throw new RowProblem(`deleted in Supabase on ${deletedAt}: not imported`)
  const email = text(row, 'email') || undefined
  const identities: ImportedIdentity[] = []
  for (const identity of identityRows) {
    if (!isRow(identity)) throw new RowProblem('identities must be objects')
    const provider = requiredText(identity, 'provider')
    const providerType = PROVIDERS[provider]
    if (!providerType) {
      builder.lossy(`${provider} identities left out: Usher has no such provider`)
      continue
    }
    const providerId = text(identity, 'provider_id') ?? text(identity, 'id')
    if (!providerId) throw new RowProblem(`the ${provider} identity has no provider_id`)
    // The email identity's data only repeats the user's address; a social one's holds name and picture.
    const data = providerType === 'local-userpass' ? undefined : record(identity, 'identity_data')
    identities.push(compact({ providerType, id: providerId, data }) as ImportedIdentity)
  }
  if (flag(row, 'is_anonymous')) identities.push({ providerType: 'anon-user', id })
  const passwordHash = hashOf(builder, text(row, 'encrypted_password'))
  // Users from before the identities table (or a partial export) still have their password.
  if (email && passwordHash && !identities.some((identity) => identity.providerType === 'local-userpass')) {
    identities.unshift({ providerType: 'local-userpass', id })
  }
  const userpass = identities.some((identity) => identity.providerType === 'local-userpass')
  if (identities.length === 0) throw new RowProblem('no identity Usher can log in with (phone and SSO sign-in are not supported)')
  if (userpass && !passwordHash) builder.lossy('email/password users without a usable password hash: they must reset their password')
  const emailVerified = databaseTime(row, 'email_confirmed_at') !== undefined
  const lastLoginAt = databaseTime(row, 'last_sign_in_at')
  const userMetadata = record(row, 'raw_user_meta_data') ?? {}
  const appMetadata = record(row, 'raw_app_meta_data') ?? {}
  return compact({
    id,
    type: 'normal',
    status: registrationStatus(userpass, emailVerified, lastLoginAt !== undefined),
    disabled: isBanned(row, now),
    createdAt: databaseTime(row, 'created_at'),
    lastLoginAt: lastLoginAt ?? null,
    email: userpass ? email : undefined,
    emailVerified: userpass ? emailVerified : undefined,
    passwordHash: userpass ? passwordHash : undefined,
    identities,
    data: nonEmpty({
      ...withoutKeys(userMetadata, GOTRUE_METADATA),
      phone_number: text(row, 'phone') || undefined,
      email: userpass ? undefined : email,
    }),
    customData: nonEmpty(withoutKeys(appMetadata, GOTRUE_APP_METADATA)),
  })
}

/** The stored password as Usher can verify it, or undefined (counted in `lossy`). */
function hashOf(builder: ImportResultBuilder, stored: string | undefined): string | undefined {
  if (!stored) return undefined
  if (/^\$2[aby]\$/.test(stored)) return stored
  const fbscrypt = FBSCRYPT.exec(stored)
  if (fbscrypt) return firebaseHash(builder, fbscrypt)
  builder.lossy(
    stored.startsWith('$argon2')
      ? 'argon2 password hashes left out: Usher cannot verify them'
      : stored.startsWith('{')
        ? 'password hashes encrypted by GoTrue (GOTRUE_SECURITY_DB_ENCRYPTION) left out: decrypt them before exporting'
        : 'password hashes in a form Usher does not know left out',
  )
  return undefined
}

/** GoTrue's `$fbscrypt$v=1,n=<mem_cost>,r=<rounds>,p=1,ss=<sep>,sk=<signer key>$<salt>$<hash>`. */
function firebaseHash(builder: ImportResultBuilder, match: RegExpExecArray): string | undefined {
  const [, memCost, rounds, p, saltSeparator, signerKey, salt, hash] = match
  const bytes = [base64Bytes(signerKey!), base64Bytes(saltSeparator ?? ''), base64Bytes(salt!), base64Bytes(hash!)]
  if (bytes.some((value) => value === undefined) || p !== '1' || Number(memCost) > 20 || Number(rounds) > 2 ** 20) {
    builder.lossy('$fbscrypt$ password hashes Usher cannot verify (p other than 1, or malformed) left out')
    return undefined
  }
  const [signerKeyBytes, separatorBytes, saltBytes, hashBytes] = bytes as Buffer[]
  const parameters = firebaseParameters(signerKeyBytes!, separatorBytes!, Number(rounds), Number(memCost))
  builder.hashParameters(parameters)
  return firebaseScryptHash(parameters.id, saltBytes!, hashBytes!)
}

/** `banned_until` later than now (Postgres may write `infinity`). */
function isBanned(row: Row, now: number): boolean {
  if (row.banned_until === 'infinity') return true
  const until = databaseTime(row, 'banned_until')
  return until !== undefined && Date.parse(until) > now
}

function withoutKeys(value: Row, keys: Set<string>): Row {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.has(key)))
}
