/**
 * @module auth/hash-parameters
 * The per-project parameters of imported password hashes, stored once instead of in every hash: today
 * Firebase's scrypt parameters, whose signer key works as a pepper (with it a stolen hash can be attacked
 * offline, without it not). A set is sealed under KEY_ENCRYPTION_KEY (auth/key-encryption.ts) with its id as
 * associated data, so D1 alone never reveals the signer key.
 *
 * For the importer: `storeFirebaseScryptParameters` once per set the CLI sent (idempotent: the id is derived
 * from the parameters, users/import-record.ts), then `missingHashParameters` over the users' hashes. For
 * logins: `hashParameterLookup(usher)` is what `verifyPassword` needs. Sets never change, so a decrypted set is
 * cached per isolate.
 */
import { and, eq, sql } from 'drizzle-orm'
import type { Usher } from '../context'
import { passwordHashParameters } from '../db/schema'
import { errors } from '../errors'
import {
  firebaseParametersIdOf,
  firebaseScryptParametersId,
  firebaseScryptParametersSchema,
  type FirebaseScryptParameters,
} from '../users/import-record'
import { firebaseScryptParametersProblems, type HashParameterLookup } from './foreign-hashes'
import { openSecret, sealSecret } from './key-encryption'

const cache = new Map<string, Promise<FirebaseScryptParameters | undefined>>()

/** What binds a sealed set to its row: a ciphertext copied onto another id does not open. */
const associatedData = (id: string) => `password-hash-parameters:${id}`

/**
 * A Firebase project's parameters as sent, checked: refused, with a clear message, when the set is malformed,
 * its id is not the one derived from it, or verifying its hashes would exceed the Workers KDF caps.
 */
export function checkFirebaseScryptParameters(input: unknown): FirebaseScryptParameters {
  const parsed = firebaseScryptParametersSchema.safeParse(input)
  if (!parsed.success) throw errors.invalidParameter(`invalid Firebase hash parameters: ${parsed.error.issues[0]!.message}`)
  const { id, ...parameters } = parsed.data
  if (firebaseScryptParametersId(parameters) !== id) {
    throw errors.invalidParameter(`Firebase hash parameters ${id}: the id is not the one derived from the parameters`)
  }
  const problems = firebaseScryptParametersProblems(parameters)
  if (problems.length > 0) throw errors.invalidParameter(problems.join('; '))
  return parsed.data
}

/** Store a Firebase project's parameters (checked first; a no-op when that set is already stored). */
export async function storeFirebaseScryptParameters(usher: Usher, input: FirebaseScryptParameters): Promise<void> {
  const { id, ...parameters } = checkFirebaseScryptParameters(input)
  const sealed = await sealSecret(usher.config.secrets.keyEncryptionKey, JSON.stringify(parameters), associatedData(id))
  await usher.db
    .insert(passwordHashParameters)
    .values({ id, scheme: 'firebase-scrypt', sealed, createdAt: usher.now() })
    .onConflictDoNothing()
}

/** The parameter set ids the given hashes name that are not stored (the importer refuses those hashes). */
export async function missingHashParameters(usher: Usher, storedHashes: Iterable<string>): Promise<string[]> {
  const named = [...new Set([...storedHashes].flatMap((stored) => firebaseParametersIdOf(stored) ?? []))]
  if (named.length === 0) return []
  // One statement whatever the count: the ids travel as one JSON parameter (D1 binds at most 100).
  const rows = await usher.db
    .select({ id: passwordHashParameters.id })
    .from(passwordHashParameters)
    .where(sql`${passwordHashParameters.id} IN (SELECT value FROM json_each(${JSON.stringify(named)}))`)
  const found = new Set(rows.map((row) => row.id))
  return named.filter((id) => !found.has(id))
}

/** What `verifyPassword` uses to find a `$firebase-scrypt$` hash's parameters. */
export function hashParameterLookup(usher: Usher): HashParameterLookup {
  return (id) => {
    let parameters = cache.get(id)
    if (!parameters) {
      parameters = loadParameters(usher, id)
      cache.set(id, parameters)
      // Only found sets are kept: an unknown id may be stored by a later import.
      void parameters.then((found) => found ?? cache.delete(id), () => cache.delete(id))
    }
    return parameters
  }
}

async function loadParameters(usher: Usher, id: string): Promise<FirebaseScryptParameters | undefined> {
  const row = await usher.db
    .select({ sealed: passwordHashParameters.sealed })
    .from(passwordHashParameters)
    .where(and(eq(passwordHashParameters.id, id), eq(passwordHashParameters.scheme, 'firebase-scrypt')))
    .get()
  if (!row) return undefined
  try {
    const opened = JSON.parse(await openSecret(usher.config.secrets.keyEncryptionKey, row.sealed, associatedData(id))) as object
    return firebaseScryptParametersSchema.parse({ ...opened, id })
  } catch {
    console.error(
      `usher: cannot open the Firebase hash parameters ${id}: KEY_ENCRYPTION_KEY is not the one they were sealed with. Their users cannot log in with a password until they reset it.`,
    )
    return undefined
  }
}
