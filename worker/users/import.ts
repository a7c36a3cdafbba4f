/**
 * @module users/import
 * Bringing users in with their ids (`users.import`, one chunk per call; `usher import` parses the other
 * system's export into `ImportedUser`s, users/import-record.ts, and sends them in chunks).
 *
 * Each user is matched by id, then by email (and by external identity): a new id with a free email is
 * **created**; an id already here is **skipped** (so an import runs twice safely) or, with `onConflict:
 * 'update'`, **updated** from the file (the file wins: status, flags, times, profile, custom data, the
 * password hash when the file has one, identities added); a new id whose email or external identity belongs
 * to another user is a **conflict**, reported and left alone — or, with `update`, the other user is
 * **replaced** by the imported one (deleted, sessions and keys with it: the file is the truth). A row the
 * worker refuses (schema, email rules, a password hash it cannot verify, custom data over 4 KB) is
 * **invalid**, with its reason; the others still import. `dryRun` decides everything and writes nothing.
 *
 * A chunk is one read round trip and one write `batch()`, whatever its size: rows travel as one JSON parameter
 * read with `json_each` (D1 binds at most 100 parameters per statement). Imported users get no CREATE
 * event (they are not new to the app) and one `user.imported` audit entry each.
 */
import { sql } from 'drizzle-orm'
import { newId } from '../auth/crypto'
import { checkFirebaseScryptParameters, missingHashParameters, storeFirebaseScryptParameters } from '../auth/hash-parameters'
import { foreignHashProblem } from '../auth/passwords'
import type { Actor, Usher } from '../context'
import { rawStatement, runBatch, type Statement } from '../db/client'
import { auditLog, identities, users } from '../db/schema'
import { errors } from '../errors'
import { isExternalProvider as isExternal } from '../provider-types'
import { CUSTOM_DATA_MAX_BYTES, customDataBytes } from './custom-data'
import { canonicalEmail, emailProblem } from './credentials'
import { externalClaim, firebaseParametersIdOf, importClaims, importedUserSchema, USER_ID_PATTERN, type ImportedUser } from './import-record'

/** Users per `users.import` call (the CLI's chunk). */
export const IMPORT_CHUNK_MAX = 500
const IMPORT_OUTCOMES = ['created', 'updated', 'replaced', 'skipped', 'conflict', 'invalid'] as const
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number]

export interface ImportRequest {
  users: unknown[]
  hashParameters?: unknown[]
  dryRun?: boolean
  onConflict?: 'skip' | 'update'
  /** The format the file was in, for the audit trail. */
  source?: string
}

/** What happened to one row that was not simply created (`index`: its position in the request). */
export interface ImportRowReport {
  index: number
  id: string | null
  outcome: Exclude<ImportOutcome, 'created'>
  reason?: string
  /** The users an `update` replaced (their email or external identity is now the imported user's). */
  replaced?: string[]
}

export interface ImportReport {
  dryRun: boolean
  counts: Record<ImportOutcome, number>
  /** Every row not simply created, in request order. */
  rows: ImportRowReport[]
}

/** The worker's own checks on top of the schema (the CLI's parsers ran the schema already; never trusted). */
function rowProblem(user: ImportedUser): string | undefined {
  if (user.email !== undefined) {
    const problem = emailProblem(user.email)
    if (problem) return `email: ${problem}`
  }
  if (user.passwordHash !== undefined) {
    const problem = foreignHashProblem(user.passwordHash)
    if (problem) return `passwordHash: ${problem}`
  }
  const bytes = user.customData === undefined ? 0 : customDataBytes(user.customData)
  if (bytes > CUSTOM_DATA_MAX_BYTES) {
    return `customData: ${bytes} bytes, at most ${CUSTOM_DATA_MAX_BYTES} (it is carried in every access token)`
  }
  return undefined
}

interface Existing {
  ids: Set<string>
  /** canonical email → owner */
  emailOwners: Map<string, string>
  /** `provider external-id` → owner */
  externalOwners: Map<string, string>
  /** identity row ids already taken */
  identityIds: Set<string>
}

/** Everything the chunk's decisions depend on, in one read round trip. */
async function readExisting(usher: Usher, chunk: ImportedUser[]): Promise<Existing> {
  const ids = JSON.stringify(chunk.map((u) => u.id))
  const emails = JSON.stringify(chunk.flatMap((u) => importClaims(u).emailKey ?? []))
  const externals = JSON.stringify(
    chunk.flatMap((u) => u.identities.filter((i) => isExternal(i.providerType) && i.id).map((i) => [i.providerType, i.id])),
  )
  const identityIds = JSON.stringify(chunk.flatMap((u) => u.identities.flatMap((i) => (!isExternal(i.providerType) && i.id ? [i.id] : []))))
  const [byId, byEmail, byExternal, byIdentityId] = await runBatch(usher.db, [
    rawStatement(sql`SELECT id FROM ${users} WHERE id IN (SELECT value FROM json_each(${ids}))`),
    rawStatement(sql`SELECT email_key, user_id FROM ${identities} WHERE email_key IN (SELECT value FROM json_each(${emails}))`),
    rawStatement(sql`SELECT i.provider_type, i.external_id, i.user_id FROM json_each(${externals}) j
      JOIN ${identities} i ON i.provider_type = json_extract(j.value, '$[0]') AND i.external_id = json_extract(j.value, '$[1]')`),
    rawStatement(sql`SELECT id FROM ${identities} WHERE id IN (SELECT value FROM json_each(${identityIds}))`),
  ])
  const rows = <T>(result: D1Result | undefined) => (result?.results ?? []) as T[]
  return {
    ids: new Set(rows<{ id: string }>(byId).map((r) => r.id)),
    emailOwners: new Map(rows<{ email_key: string; user_id: string }>(byEmail).map((r) => [r.email_key, r.user_id])),
    externalOwners: new Map(
      rows<{ provider_type: string; external_id: string; user_id: string }>(byExternal).map((r) => [externalClaim(r.provider_type, r.external_id), r.user_id]),
    ),
    identityIds: new Set(rows<{ id: string }>(byIdentityId).map((r) => r.id)),
  }
}

/** The Firebase parameter sets sent with the chunk: checked, stored (unless a dry run), their ids known. */
async function acceptHashParameters(usher: Usher, input: unknown[], dryRun: boolean): Promise<Set<string>> {
  const accepted = new Set<string>()
  for (const candidate of input) {
    const parameters = checkFirebaseScryptParameters(candidate)
    if (!dryRun) await storeFirebaseScryptParameters(usher, parameters)
    accepted.add(parameters.id)
  }
  return accepted
}

/** A row of `identities` as JSON for the json_each inserts. */
interface IdentityRowJson {
  id: string
  userId: string
  providerType: string
  email: string | null
  emailKey: string | null
  passwordHash: string | null
  externalId: string | null
  data: string | null
  createdAt: number
}

export async function importUsers(usher: Usher, request: ImportRequest, actor: Actor): Promise<ImportReport> {
  if (request.users.length > IMPORT_CHUNK_MAX) {
    throw errors.invalidParameter(`at most ${IMPORT_CHUNK_MAX} users per call: send the file in chunks (usher import does)`)
  }
  const dryRun = request.dryRun === true
  const update = request.onConflict === 'update'
  const now = usher.now()
  const report: ImportReport = { dryRun, counts: { created: 0, updated: 0, replaced: 0, skipped: 0, conflict: 0, invalid: 0 }, rows: [] }
  const note = (row: ImportRowReport) => {
    report.counts[row.outcome]++
    report.rows.push(row)
  }

  // 1. Validate every row on its own.
  const valid: { index: number; user: ImportedUser }[] = []
  const seenIds = new Set<string>()
  for (const [index, candidate] of request.users.entries()) {
    const parsed = importedUserSchema.safeParse(candidate)
    const id = typeof (candidate as { id?: unknown })?.id === 'string' ? (candidate as { id: string }).id : null
    if (!parsed.success) {
      const reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'user'}: ${issue.message}`).join('; ')
      note({ index, id, outcome: 'invalid', reason })
      continue
    }
    const problem = rowProblem(parsed.data) ?? (seenIds.has(parsed.data.id) ? `user ${parsed.data.id} appears twice in this chunk` : undefined)
    if (problem) {
      note({ index, id, outcome: 'invalid', reason: problem })
      continue
    }
    seenIds.add(parsed.data.id)
    valid.push({ index, user: parsed.data })
  }

  // 2. Firebase hashes need their project's parameters: sent now, or stored by an earlier import.
  const sent = await acceptHashParameters(usher, request.hashParameters ?? [], dryRun)
  const missing = new Set(
    (await missingHashParameters(usher, valid.flatMap(({ user }) => (user.passwordHash ? [user.passwordHash] : [])))).filter((id) => !sent.has(id)),
  )
  const withParameters = valid.filter(({ index, user }) => {
    const parametersId = firebaseParametersIdOf(user.passwordHash)
    if (parametersId && missing.has(parametersId)) {
      note({ index, id: user.id, outcome: 'invalid', reason: `passwordHash: the Firebase hash parameters ${parametersId} are not stored here (import with the project's --hash-key, --salt-separator, --rounds and --mem-cost)` })
      return false
    }
    return true
  })

  // 3. Decide, against what exists and what this chunk already claimed.
  const existing = await readExisting(usher, withParameters.map((v) => v.user))
  const claimedEmails = new Map<string, number>()
  const claimedExternals = new Map<string, number>()
  const toCreate: ImportedUser[] = []
  const toUpdate: ImportedUser[] = []
  const toReplace = new Set<string>()
  for (const { index, user } of withParameters) {
    const { emailKey, externals } = importClaims(user)
    // Within the chunk first: two rows claiming one address or one external account.
    const twin = (emailKey !== undefined ? claimedEmails.get(emailKey) : undefined) ?? externals.map((k) => claimedExternals.get(k)).find((i) => i !== undefined)
    if (twin !== undefined) {
      note({ index, id: user.id, outcome: 'conflict', reason: `the same ${emailKey !== undefined && claimedEmails.has(emailKey) ? 'email' : 'external identity'} as row ${twin + 1} of this import` })
      continue
    }
    const owners = new Set<string>()
    if (emailKey !== undefined && existing.emailOwners.has(emailKey)) owners.add(existing.emailOwners.get(emailKey)!)
    for (const key of externals) if (existing.externalOwners.has(key)) owners.add(existing.externalOwners.get(key)!)
    owners.delete(user.id)
    const exists = existing.ids.has(user.id)
    if (exists && !update) {
      note({ index, id: user.id, outcome: 'skipped', reason: 'already here (same id)' })
      continue
    }
    if (owners.size > 0 && (!update || exists)) {
      const what = emailKey !== undefined && owners.has(existing.emailOwners.get(emailKey) ?? '') ? `the email ${user.email}` : 'its external identity'
      note({ index, id: user.id, outcome: 'conflict', reason: `${what} belongs to user ${[...owners].join(', ')}` })
      continue
    }
    if (emailKey !== undefined) claimedEmails.set(emailKey, index)
    for (const key of externals) claimedExternals.set(key, index)
    if (exists) {
      toUpdate.push(user)
      note({ index, id: user.id, outcome: 'updated' })
    } else if (owners.size > 0) {
      for (const owner of owners) toReplace.add(owner)
      toCreate.push(user)
      note({ index, id: user.id, outcome: 'replaced', replaced: [...owners] })
    } else {
      toCreate.push(user)
      report.counts.created++
    }
  }
  if (dryRun || toCreate.length + toUpdate.length === 0) return report

  // 4. Write the chunk: one batch.
  const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null)
  const userRow = (user: ImportedUser) => ({
    id: user.id,
    type: user.type,
    status: user.status,
    disabled: user.disabled ? 1 : 0,
    createdAt: time(user.createdAt) ?? now,
    lastLoginAt: time(user.lastLoginAt),
    data: JSON.stringify(user.data ?? {}),
    customData: JSON.stringify(user.customData ?? {}),
  })
  const identityRows = (user: ImportedUser): IdentityRowJson[] =>
    user.identities.map((identity, position) => {
      const external = isExternal(identity.providerType)
      const ownId = !external && identity.id && USER_ID_PATTERN.test(identity.id) && !existing.identityIds.has(identity.id) ? identity.id : undefined
      const userpass = identity.providerType === 'local-userpass'
      return {
        id: ownId ?? newId(now),
        userId: user.id,
        providerType: identity.providerType,
        email: userpass ? user.email! : null,
        emailKey: userpass ? canonicalEmail(user.email!) : null,
        passwordHash: userpass ? (user.passwordHash ?? null) : null,
        externalId: external ? (identity.id ?? null) : null,
        data: identity.data ? JSON.stringify(identity.data) : null,
        // One millisecond apart, in the file's order: an export lists a user's identities in this order again.
        createdAt: (time(user.createdAt) ?? now) + position,
      }
    })
  const field = (name: string) => sql.raw(`json_extract(j.value, '$.${name}')`)
  const insertUsers = (rows: ReturnType<typeof userRow>[]) =>
    rawStatement(sql`INSERT INTO ${users} (id, type, status, disabled, created_at, last_login_at, data, custom_data)
      SELECT ${field('id')}, ${field('type')}, ${field('status')}, ${field('disabled')}, ${field('createdAt')}, ${field('lastLoginAt')},
             ${field('data')}, ${field('customData')}
      FROM json_each(${JSON.stringify(rows)}) j`)
  const insertIdentities = (rows: IdentityRowJson[], onlyMissing: boolean) =>
    rawStatement(sql`INSERT INTO ${identities} (id, user_id, provider_type, email, email_key, password_hash, external_id, data, created_at)
      SELECT ${field('id')}, ${field('userId')}, ${field('providerType')}, ${field('email')}, ${field('emailKey')}, ${field('passwordHash')},
             ${field('externalId')}, ${field('data')}, ${field('createdAt')}
      FROM json_each(${JSON.stringify(rows)}) j
      ${onlyMissing
        ? sql`WHERE NOT EXISTS (SELECT 1 FROM ${identities} i WHERE i.user_id = ${field('userId')} AND i.provider_type = ${field('providerType')}
              AND (i.provider_type = 'local-userpass' OR i.external_id IS ${field('externalId')} OR i.id = ${field('id')}))`
        : sql``}`)
  const audit = (rows: { userId: string; outcome: string }[]) =>
    rawStatement(sql`INSERT INTO ${auditLog} (at, actor, action, user_id, detail, outcome)
      SELECT ${now}, ${actor}, 'user.imported', ${field('userId')},
             json_object('outcome', ${field('outcome')}, 'source', ${request.source ?? null}), 'ok'
      FROM json_each(${JSON.stringify(rows)}) j`)

  const statements: Statement[] = []
  if (toReplace.size > 0) {
    const replaced = JSON.stringify([...toReplace])
    statements.push(
      rawStatement(sql`INSERT INTO ${auditLog} (at, actor, action, user_id, detail, outcome)
        SELECT ${now}, ${actor}, 'user.deleted', value, json_object('reason', 'replaced by an imported user (onConflict: update)'), 'ok'
        FROM json_each(${replaced})`),
      rawStatement(sql`DELETE FROM ${users} WHERE id IN (SELECT value FROM json_each(${replaced}))`),
    )
  }
  if (toCreate.length > 0) {
    statements.push(insertUsers(toCreate.map(userRow)), insertIdentities(toCreate.flatMap(identityRows), false))
  }
  if (toUpdate.length > 0) {
    const updated = JSON.stringify(toUpdate.map(userRow))
    statements.push(
      rawStatement(sql`UPDATE ${users} SET type = ${field('type')}, status = ${field('status')}, disabled = ${field('disabled')},
          created_at = ${field('createdAt')}, last_login_at = ${field('lastLoginAt')}, data = ${field('data')}, custom_data = ${field('customData')}
        FROM json_each(${updated}) j WHERE ${users.id} = ${field('id')}`),
    )
    // The email/password identity takes the file's address, and its hash when the file has one.
    const updatedIdentities = toUpdate.flatMap(identityRows)
    const userpass = updatedIdentities.filter((row) => row.providerType === 'local-userpass')
    statements.push(
      rawStatement(sql`UPDATE ${identities} SET email = ${field('email')}, email_key = ${field('emailKey')},
          password_hash = coalesce(${field('passwordHash')}, ${identities.passwordHash})
        FROM json_each(${JSON.stringify(userpass)}) j
        WHERE ${identities.userId} = ${field('userId')} AND ${identities.providerType} = 'local-userpass'`),
      insertIdentities(updatedIdentities, true),
    )
  }
  statements.push(
    audit([
      ...toCreate.map((u) => ({ userId: u.id, outcome: report.rows.some((r) => r.id === u.id && r.outcome === 'replaced') ? 'replaced' : 'created' })),
      ...toUpdate.map((u) => ({ userId: u.id, outcome: 'updated' })),
    ]),
  )
  await runBatch(usher.db, statements)
  return report
}
