/**
 * @module users/import-record
 * The normalized user record of an import: what the `usher import` parsers (tui/import/) make of another
 * system's export, what Usher's own export writes (one `ImportedUser` per JSON line), and what the admin API
 * validates with `importedUserSchema` before storing anything. The CLI imports this module for the schema and
 * the types, so it depends on zod and node:crypto only and loads in Node as well as in workerd.
 *
 * `passwordHash` is one of the forms `verifyPassword` (auth/passwords.ts) checks; the importer refuses the
 * others with `foreignHashProblem`:
 * - `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>` and `$pbkdf2-sha256$i=<iterations>$<salt>$<key>`: Usher's
 *   own (base64 without padding); the key is 32 bytes, or 64 for Better Auth hashes converted by the CLI;
 * - `$2a$`/`$2b$`/`$2y$<cost>$…`: bcrypt exactly as the source stored it (Supabase and most frameworks);
 * - `$firebase-scrypt$p=<parameter set id>$<salt>$<hash>` (`firebaseScryptHash`): Firebase's modified scrypt.
 *   The project's parameters are not in the string: they travel once beside the users
 *   (`FirebaseScryptParameters`) and the worker keeps them encrypted, because Firebase's signer key is a
 *   pepper that must not sit in every row.
 * No `passwordHash`: the user has no password Usher can check and must set one (password reset) first.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { isExternalProvider, PROVIDER_TYPES } from '../provider-types'
import { canonicalEmail } from './email-key'

export { PROVIDER_TYPES as IMPORTED_PROVIDER_TYPES, type ProviderType as ImportedProviderType } from '../provider-types'

/**
 * A user id: Usher's own are 24 hexadecimal characters; imported users keep theirs (Firebase uids, UUIDs…).
 * Every admin input, the export cursor and the CLI take this shape.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/

/** Serialized size allowed for `data`, `customData` and each identity's `data`. */
const IMPORTED_JSON_MAX_LENGTH = 16 * 1024

const jsonObject = z
  .record(z.string(), z.unknown())
  .refine((value) => JSON.stringify(value).length <= IMPORTED_JSON_MAX_LENGTH, {
    message: `must stay under ${IMPORTED_JSON_MAX_LENGTH / 1024} KB as JSON`,
  })
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time' })

const importedIdentitySchema = z.strictObject({
  providerType: z.enum(PROVIDER_TYPES),
  /**
   * The provider-side id (Google's `sub`, an API key's id, the source's own id for email/password). Absent
   * only when the export did not say (realm-cli's table output): no login through that provider can find the
   * user until the identity is linked again.
   */
  id: z.string().min(1).max(512).optional(),
  /** What the provider said about the user (name, picture, email at the provider…). */
  data: jsonObject.optional(),
})
export type ImportedIdentity = z.infer<typeof importedIdentitySchema>

const PASSWORD_HASH_SHAPE =
  /^(?:\$(?:scrypt|pbkdf2-sha256)\$[a-z]+=\d+(?:,[a-z]+=\d+)*\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+|\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|\$firebase-scrypt\$p=[0-9a-f]{24}\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+)$/

export const importedUserSchema = z
  .strictObject({
    /** Kept as the user's id, so the app's own data keyed by user id still points at the right people. */
    id: z.string().regex(USER_ID_PATTERN, 'must be 1–128 letters, digits, _ or -'),
    type: z.enum(['normal', 'server']),
    status: z.enum(['pending-confirmation', 'pending-login', 'confirmed']),
    disabled: z.boolean(),
    createdAt: isoTime.optional(),
    /** null: never logged in. */
    lastLoginAt: isoTime.nullable().optional(),
    /** The address of the `local-userpass` identity (present exactly when there is one). */
    email: z.string().max(254).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address').optional(),
    emailVerified: z.boolean().optional(),
    passwordHash: z
      .string()
      .max(512)
      .regex(PASSWORD_HASH_SHAPE, 'must be a $scrypt$, $pbkdf2-sha256$, bcrypt or $firebase-scrypt$ hash')
      .optional(),
    identities: z.array(importedIdentitySchema).min(1, 'a user needs at least one identity to log in with').max(16),
    /** Profile metadata, as App Services' `data`: name, first_name, last_name, picture, email… */
    data: jsonObject.optional(),
    customData: jsonObject.optional(),
  })
  .superRefine((user, context) => {
    const userpass = user.identities.filter((identity) => identity.providerType === 'local-userpass')
    const issue = (path: string, message: string) => context.addIssue({ code: 'custom', path: [path], message })
    if (userpass.length > 1) issue('identities', 'at most one local-userpass identity')
    if (userpass.length === 1 && user.email === undefined) issue('email', 'a local-userpass identity needs the email')
    if (userpass.length === 0 && user.email !== undefined) issue('email', 'only a local-userpass identity has an email')
    if (userpass.length === 0 && user.passwordHash !== undefined) issue('passwordHash', 'only a local-userpass identity has a password')
    if (userpass.length === 0 && user.status !== 'confirmed') issue('status', 'only an email/password registration can be pending')
    const seen = new Set<string>()
    for (const { providerType, id } of user.identities) {
      if (id === undefined) continue
      const key = `${providerType}:${id}`
      if (seen.has(key)) issue('identities', `${providerType} identity ${id} is listed twice`)
      seen.add(key)
    }
  })
export type ImportedUser = z.infer<typeof importedUserSchema>

/** An external account as a claim: `<provider> <external id>`. */
export const externalClaim = (providerType: string, id: string) => `${providerType} ${id}`

/**
 * What a user record claims that no other user may hold: its email address (by its matching key) and its
 * external accounts. Two records of one import claiming the same are refused (the CLI's parsers across all the
 * files, `users.import` within a call); a claim a stored user holds is a conflict (users/import.ts).
 */
export function importClaims(user: ImportedUser): { emailKey?: string; externals: string[] } {
  return {
    ...(user.email !== undefined && { emailKey: canonicalEmail(user.email) }),
    externals: user.identities.flatMap((i) => (isExternalProvider(i.providerType) && i.id ? [externalClaim(i.providerType, i.id)] : [])),
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const base64 = (max: number) => z.string().max(max).regex(BASE64, 'must be standard base64 (with padding)')

/**
 * A Firebase project's password hash parameters (Console → Authentication → Users → ⋮ → Password hash
 * parameters), sent once with the users whose `$firebase-scrypt$p=<id>$…` hashes need them. `id` is
 * `firebaseScryptParametersId` of the rest: the worker recomputes it and refuses a mismatch.
 */
export const firebaseScryptParametersSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{24}$/),
  /** `base64_signer_key` (64 bytes in every Firebase project). */
  signerKey: base64(1400).min(4),
  /** `base64_salt_separator` (`Bw==` in every Firebase project). */
  saltSeparator: base64(100),
  rounds: z.int().min(1).max(2 ** 20),
  memCost: z.int().min(1).max(20),
})
export type FirebaseScryptParameters = z.infer<typeof firebaseScryptParametersSchema>

/**
 * The id of a parameter set, derived from the parameters so the CLI can name a set in the hashes it writes
 * before the worker has seen it, storing one set twice is a no-op, and two projects never share an id. It is
 * 96 bits of SHA-256 over the parameters: nothing about a 512-bit random signer key can be learned from it.
 */
export function firebaseScryptParametersId(parameters: Omit<FirebaseScryptParameters, 'id'>): string {
  const canonical = ['firebase-scrypt v1', parameters.signerKey, parameters.saltSeparator, parameters.rounds, parameters.memCost]
  return createHash('sha256').update(canonical.join('\n')).digest('hex').slice(0, 24)
}

/** The parameter set a `$firebase-scrypt$` hash names; undefined for any other hash (or none). */
export const firebaseParametersIdOf = (hash: string | undefined): string | undefined =>
  /^\$firebase-scrypt\$p=([0-9a-f]{24})\$/.exec(hash ?? '')?.[1]

/** The stored form of one Firebase scrypt hash: salt and hash as exported, in base64 without padding. */
export function firebaseScryptHash(parametersId: string, salt: Uint8Array, hash: Uint8Array): string {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')
  return `$firebase-scrypt$p=${parametersId}$${b64(salt)}$${b64(hash)}`
}
