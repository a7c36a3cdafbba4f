/**
 * @module tui/import/firebase
 * `usher import --from firebase`: the file `firebase auth:export users.json` writes, `{"users": [...]}`
 * (firebase-tools src/accountExporter.ts: absent fields are omitted, `createdAt`/`lastSignedInAt` are strings
 * of epoch milliseconds, `customAttributes` is a JSON string, `providerUserInfo` lists only google.com,
 * facebook.com, twitter.com and github.com).
 *
 *     parseFirebase(input: ImportInput, options?: FirebaseOptions): ImportResult
 *
 * Password hashes need the project's hash parameters (Console → Authentication → Users → ⋮ → Password hash
 * parameters), given as options; the hashes become `$firebase-scrypt$p=<id>$<salt>$<hash>` and the
 * parameters one entry of `hashParameters` (the worker stores them encrypted). Without the options, users come
 * without passwords and `lossy` says so. Firebase exports only hashes made by its own scrypt: other users have
 * none and must reset their password.
 */
import {
  firebaseScryptHash,
  firebaseScryptParametersId,
  type FirebaseScryptParameters,
  type ImportedIdentity,
  type ImportedProviderType,
} from '../../worker/users/import-record'
import { ImportOptionsError, ImportResultBuilder, readJsonSources, RowProblem, type ImportInput, type ImportResult } from './import-result'
import {
  base64Bytes,
  compact,
  flag,
  isRow,
  list,
  millisecondsTime,
  nonEmpty,
  registrationStatus,
  requiredText,
  text,
  type Row,
} from './row-fields'

export interface FirebaseOptions {
  /** `base64_signer_key` of the project's hash parameters. */
  hashKey?: string
  /** `base64_salt_separator`. */
  saltSeparator?: string
  rounds?: number
  memCost?: number
}

const PROVIDERS: Record<string, ImportedProviderType> = {
  'google.com': 'oauth2-google',
  'apple.com': 'oauth2-apple',
  'facebook.com': 'oauth2-facebook',
  password: 'local-userpass',
}

/** A parameter set with its derived id, from decoded bytes (shared with Supabase's `$fbscrypt$` hashes). */
export function firebaseParameters(signerKey: Uint8Array, saltSeparator: Uint8Array, rounds: number, memCost: number): FirebaseScryptParameters {
  const parameters = {
    signerKey: Buffer.from(signerKey).toString('base64'),
    saltSeparator: Buffer.from(saltSeparator).toString('base64'),
    rounds,
    memCost,
  }
  return { id: firebaseScryptParametersId(parameters), ...parameters }
}

/** The parameter set the options give (all four, or none: undefined); ImportOptionsError when they are wrong. */
export function parametersFrom(options: FirebaseOptions): FirebaseScryptParameters | undefined {
  const { hashKey, saltSeparator, rounds, memCost } = options
  const given = [hashKey, saltSeparator, rounds, memCost].filter((value) => value !== undefined).length
  if (given === 0) return undefined
  if (given < 4) throw new ImportOptionsError('the Firebase hash parameters go together: hash key, salt separator, rounds and mem cost')
  const signerKey = base64Bytes(hashKey!)
  const separator = base64Bytes(saltSeparator!)
  if (!signerKey || signerKey.length === 0) throw new ImportOptionsError('the Firebase hash key (base64_signer_key) is not base64')
  if (!separator) throw new ImportOptionsError('the Firebase salt separator (base64_salt_separator) is not base64')
  for (const [name, value] of [['rounds', rounds], ['mem cost', memCost]] as const) {
    if (!Number.isInteger(value) || value! < 1 || value! > 20) throw new ImportOptionsError(`the Firebase ${name} must be a whole number from 1 to 20`)
  }
  return firebaseParameters(signerKey, separator, rounds!, memCost!)
}

export function parseFirebase(input: ImportInput, options: FirebaseOptions = {}): ImportResult {
  const parameters = parametersFrom(options)
  const builder = new ImportResultBuilder()
  if (parameters) builder.hashParameters(parameters)
  readJsonSources(builder, input, ({ value, line }, rows) => {
    if (!isRow(value) || !Array.isArray(value.users)) {
      return builder.problem(line, 'not a Firebase export: expected {"users": [...]} as `firebase auth:export` writes')
    }
    for (const { row, line } of rows(value.users)) builder.row(line, () => fromFirebaseUser(builder, row, parameters))
  })
  return builder.result()
}

function fromFirebaseUser(builder: ImportResultBuilder, row: unknown, parameters: FirebaseScryptParameters | undefined) {
  if (!isRow(row)) throw new RowProblem('not an object')
  const id = requiredText(row, 'localId')
  const email = text(row, 'email')
  const social: ImportedIdentity[] = []
  let passwordProvider = false
  for (const info of list(row, 'providerUserInfo')) {
    if (!isRow(info)) throw new RowProblem('providerUserInfo must hold objects')
    const providerId = requiredText(info, 'providerId')
    const providerType = PROVIDERS[providerId]
    if (providerType === 'local-userpass') passwordProvider = true
    else if (providerType) social.push(compact({ providerType, id: requiredText(info, 'rawId'), data: providerData(info) }) as ImportedIdentity)
    else builder.lossy(`${providerId} identities left out: Usher has no such provider`)
  }
  const passwordHash = hashOf(builder, row, parameters)
  // Email/password when Firebase says so, when there is a hash, or when the address is the only way in.
  const userpass = email !== undefined && (passwordProvider || passwordHash !== undefined || social.length === 0)
  if (userpass && !text(row, 'passwordHash')) {
    builder.lossy('email/password users without a password hash in the export: they must reset their password')
  }
  if (!userpass && social.length === 0) throw new RowProblem('no email or provider Usher can log in with (phone sign-in is not supported)')
  const emailVerified = flag(row, 'emailVerified')
  const lastLoginAt = millisecondsTime(row, 'lastSignedInAt')
  return compact({
    id,
    type: 'normal',
    status: registrationStatus(userpass, emailVerified, lastLoginAt !== undefined),
    disabled: flag(row, 'disabled') ?? false,
    createdAt: millisecondsTime(row, 'createdAt'),
    lastLoginAt: lastLoginAt ?? null,
    email: userpass ? email : undefined,
    emailVerified: userpass ? (emailVerified ?? false) : undefined,
    passwordHash,
    identities: [...(userpass ? [{ providerType: 'local-userpass', id }] : []), ...social],
    data: nonEmpty({
      name: text(row, 'displayName'),
      picture: text(row, 'photoUrl'),
      phone_number: text(row, 'phoneNumber'),
      email: userpass ? undefined : email,
    }),
    customData: customAttributes(row),
  })
}

function hashOf(builder: ImportResultBuilder, row: Row, parameters: FirebaseScryptParameters | undefined): string | undefined {
  const passwordHash = text(row, 'passwordHash')
  if (!passwordHash) return undefined
  const salt = base64Bytes(text(row, 'salt') ?? '')
  const hash = base64Bytes(passwordHash)
  if (!salt || salt.length === 0 || !hash) throw new RowProblem('passwordHash and salt must both be base64')
  if (!parameters) {
    builder.lossy('password hashes left out: give the project’s hash parameters (hash key, salt separator, rounds, mem cost) to keep them')
    return undefined
  }
  if (hash.length !== Buffer.from(parameters.signerKey, 'base64').length) {
    builder.lossy('password hashes left out because their length differs from the hash key’s (is it this project’s key?)')
    return undefined
  }
  return firebaseScryptHash(parameters.id, salt, hash)
}

function providerData(info: Row) {
  return nonEmpty({ email: text(info, 'email'), name: text(info, 'displayName'), picture: text(info, 'photoUrl') })
}

function customAttributes(row: Row): Row | undefined {
  const attributes = text(row, 'customAttributes')
  if (attributes === undefined || attributes.trim() === '') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(attributes)
  } catch {
    throw new RowProblem('customAttributes is not valid JSON')
  }
  if (!isRow(parsed)) throw new RowProblem('customAttributes must be a JSON object')
  return parsed
}
