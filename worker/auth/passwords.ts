/**
 * @module auth/passwords
 * Password hashing with scrypt (default, OWASP N=2^14 r=8 p=5) or PBKDF2-SHA256, through `node:crypto`
 * (native in workerd). Hashes are PHC strings carrying their parameters, so a configuration change is
 * picked up by re-hashing at the next successful login (`needsRehash`).
 *
 * Parameters read back from the database are checked against the production caps *before* deriving: a
 * corrupted row must not be able to ask for 2^30 of work.
 *
 * Imported users keep the hash their old system made until their first successful login rehashes it:
 * Better Auth's scrypt (converted by the CLI into this module's own `$scrypt$` form, with its 64-byte key),
 * bcrypt and Firebase's scrypt (auth/foreign-hashes.ts). `verifyPassword` checks every stored form;
 * `foreignHashProblem` tells the importer which ones it must refuse.
 */
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { kdfProblems, type KdfParams } from '../config'
import {
  parseForeignHash,
  verifyBcrypt,
  verifyFirebaseScrypt,
  type ForeignHash,
  type HashParameterLookup,
} from './foreign-hashes'
import { scryptKey } from './crypto'

const pbkdf2Async = promisify(pbkdf2)

const KEY_LENGTH = 32
/** Better Auth derives 64 bytes; its hashes are verified as they are, then rehashed to 32. */
const IMPORTED_KEY_LENGTH = 64
const SALT_LENGTH = 16

/**
 * Password hashes one request may compute (a login needs 1–2, a registration 1, a reset 1–2). At the default
 * ~150 ms of CPU each, 4 stay well inside `limits.cpu_ms = 2000`; a tRPC batch of 10 `users.create` used to
 * spend 1.4 s. Enforced through `usher.spendKdf()` where hashes are computed.
 */
export const KDF_BUDGET_PER_REQUEST = 4

/** NIST 800-63B: compare the password as a sequence of code points after NFKC normalisation. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC')
}

/** Length in Unicode code points, as App Services' 6–128 rule and NIST count characters. */
export function passwordLength(password: string): number {
  return [...normalizePassword(password)].length
}

async function derive(password: string, salt: Buffer, kdf: KdfParams, keyLength = KEY_LENGTH): Promise<Buffer> {
  const normalized = normalizePassword(password)
  if (kdf.algorithm === 'scrypt') return scryptKey(normalized, salt, keyLength, kdf)
  return pbkdf2Async(normalized, salt, kdf.iterations, keyLength, 'sha256')
}

function encode(kdf: KdfParams, salt: Buffer, hash: Buffer): string {
  const params =
    kdf.algorithm === 'scrypt' ? `ln=${Math.log2(kdf.N)},r=${kdf.r},p=${kdf.p}` : `i=${kdf.iterations}`
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '')
  return `$${kdf.algorithm}$${params}$${b64(salt)}$${b64(hash)}`
}

const PHC = /^\$(scrypt|pbkdf2-sha256)\$([a-z]+=\d{1,10}(?:,[a-z]+=\d{1,10})*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

/** A stored hash, as `verifyPassword` reads it: Usher's own PHC string, or a foreign form. */
export type StoredHash = { scheme: 'usher'; kdf: KdfParams; salt: Buffer; hash: Buffer } | ForeignHash

/** The stored hash, or a sentence (completing "the password hash …") saying why it is unusable. */
function readHash(stored: string): StoredHash | { problem: string } {
  const foreign = parseForeignHash(stored)
  if (foreign) return foreign
  const match = PHC.exec(stored)
  if (!match) {
    return { problem: 'is not a form Usher can verify ($scrypt$, $pbkdf2-sha256$, bcrypt $2a$/$2b$/$2y$ or $firebase-scrypt$)' }
  }
  const [, algorithm, paramText, salt, hash] = match
  const params = Object.fromEntries(paramText!.split(',').map((kv) => kv.split('=') as [string, string]))
  const num = (key: string) => (params[key] === undefined ? Number.NaN : Number(params[key]))
  let kdf: KdfParams
  if (algorithm === 'scrypt') {
    const ln = num('ln')
    kdf = { algorithm: 'scrypt', N: 2 ** ln, r: num('r'), p: num('p') }
    if (!(ln >= 1 && ln <= 20 && kdf.r >= 1 && kdf.p >= 1)) return { problem: 'has scrypt parameters out of range' }
  } else {
    kdf = { algorithm: 'pbkdf2-sha256', iterations: num('i') }
    if (!(kdf.iterations >= 1)) return { problem: 'has a PBKDF2 iteration count out of range' }
  }
  const problems = kdfProblems(kdf)
  if (problems.length > 0) return { problem: `asks for more work than a Worker may do: ${problems.join('; ')}` }
  const key = Buffer.from(hash!, 'base64')
  if (key.length !== KEY_LENGTH && key.length !== IMPORTED_KEY_LENGTH) {
    return { problem: `has a ${key.length}-byte key (Usher verifies ${KEY_LENGTH}- or ${IMPORTED_KEY_LENGTH}-byte keys)` }
  }
  return { scheme: 'usher', kdf, salt: Buffer.from(salt!, 'base64'), hash: key }
}

/** Parse a stored hash; undefined if it is malformed or asks for more work than the caps allow. */
export function parseHash(stored: string): StoredHash | undefined {
  const parsed = readHash(stored)
  return 'problem' in parsed ? undefined : parsed
}

/**
 * Why an imported password hash cannot be stored, as a sentence for the import report ("the password hash
 * has bcrypt cost 13, …"); undefined when `verifyPassword` can check it. Over-cap parameters and unknown
 * forms are refused here, at import, rather than failing every login later. A `$firebase-scrypt$` hash also
 * needs its parameter set stored: auth/hash-parameters.ts `missingHashParameters` checks that (it needs D1).
 */
export function foreignHashProblem(stored: string): string | undefined {
  const parsed = readHash(stored)
  return 'problem' in parsed ? `the password hash ${parsed.problem}` : undefined
}

export async function hashPassword(password: string, kdf: KdfParams): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  return encode(kdf, salt, await derive(password, salt, kdf))
}

/**
 * Constant-time verification of every stored form; a malformed or over-cap stored hash never matches, nor
 * does none at all (an imported user who has not set a password yet). `hashParameters` finds the parameter
 * sets of `$firebase-scrypt$` hashes (auth/hash-parameters.ts `hashParameterLookup`); without it those never
 * match.
 */
export async function verifyPassword(
  password: string,
  stored: string | null,
  hashParameters?: HashParameterLookup,
): Promise<boolean> {
  const parsed = stored === null ? undefined : parseHash(stored)
  if (!parsed) return false
  switch (parsed.scheme) {
    case 'usher':
      return timingSafeEqual(await derive(password, parsed.salt, parsed.kdf, parsed.hash.length), parsed.hash)
    case 'bcrypt':
      return verifyBcrypt(password, parsed)
    case 'firebase-scrypt': {
      const parameters = await hashParameters?.(parsed.parametersId)
      return parameters ? verifyFirebaseScrypt(password, parsed, parameters) : false
    }
  }
}

/**
 * True when the stored hash is not Usher's own with the configured parameters: made with older settings, or
 * imported (every foreign form, and Better Auth's 64-byte keys), so the next successful login replaces it.
 */
export function needsRehash(stored: string, kdf: KdfParams): boolean {
  const parsed = parseHash(stored)
  if (parsed?.scheme !== 'usher' || parsed.hash.length !== KEY_LENGTH) return true
  return JSON.stringify(parsed.kdf) !== JSON.stringify(kdf)
}

const dummyHashes = new Map<string, Promise<string>>()

/**
 * Spend one full verification when the account does not exist, so the answer takes as long as a wrong
 * password for a real account (no timing oracle for which emails are registered).
 */
export async function spendDummyVerification(password: string, kdf: KdfParams): Promise<void> {
  const key = JSON.stringify(kdf)
  let dummy = dummyHashes.get(key)
  if (!dummy) {
    dummy = hashPassword(crypto.randomUUID(), kdf)
    dummyHashes.set(key, dummy)
  }
  await verifyPassword(password, await dummy)
}
