/**
 * @module auth/foreign-hashes
 * Password hashes made by other systems, imported as they are and kept until the user's first successful
 * login replaces them with Usher's own (auth/passwords.ts `needsRehash` says yes to all of them):
 * - **bcrypt** (`$2a$`, `$2b$`, `$2y$`: Supabase/GoTrue and most frameworks), checked with bcryptjs. Cost 12
 *   at most: each step doubles the CPU of a login (about 60 ms at cost 10, 250 ms at 12), and a Worker has 2 s.
 * - **Firebase's modified scrypt** (firebase/scrypt README): `key = scrypt(password, salt ‖ separator,
 *   N = 2^memCost, r = rounds, p = 1, 32 bytes)`, then the hash is the project's signer key encrypted with
 *   AES-256-CTR under `key` (IV zero). Stored as `$firebase-scrypt$p=<parameter set id>$<salt>$<hash>`; the
 *   parameters live once, encrypted (auth/hash-parameters.ts), since the signer key is a pepper.
 *
 * Both hash the raw UTF-8 bytes of the password, without NFKC, as their originals did: normalising would
 * lock out a user whose password contains compatibility characters. Costs are checked before any work.
 */
import { timingSafeEqual } from 'node:crypto'
import bcrypt from 'bcryptjs'
import { kdfProblems } from '../config'
import type { FirebaseScryptParameters } from '../users/import-record'
import { scryptKey } from './crypto'

const BCRYPT_MAX_COST = 12
/** bcrypt reads 72 bytes; longer passwords are refused rather than silently cut (Kratos does the same). */
const BCRYPT_MAX_PASSWORD_BYTES = 72

export type ForeignHash =
  | { scheme: 'bcrypt'; cost: number; stored: string }
  | { scheme: 'firebase-scrypt'; parametersId: string; salt: Buffer; hash: Buffer }

/** Finds a set of Firebase scrypt parameters by id (auth/hash-parameters.ts `hashParameterLookup`). */
export type HashParameterLookup = (id: string) => Promise<FirebaseScryptParameters | undefined>

const BCRYPT = /^\$2([a-z]?)\$(\d\d)\$[./A-Za-z0-9]{53}$/
const FIREBASE_SCRYPT = /^\$firebase-scrypt\$p=([0-9a-f]{24})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

/**
 * A foreign hash, a sentence saying why it cannot be verified, or undefined when `stored` is not one of the
 * foreign forms at all.
 */
export function parseForeignHash(stored: string): ForeignHash | { problem: string } | undefined {
  if (stored.startsWith('$2')) {
    const match = BCRYPT.exec(stored)
    if (!match) return { problem: 'is not a bcrypt hash ($2b$, two digits of cost, $, then 53 characters)' }
    const [, minor, costText] = match
    if (minor === 'x') {
      return { problem: 'is a $2x$ bcrypt hash (made by crypt_blowfish before its 2011 fix), which Usher cannot check safely' }
    }
    if (!['a', 'b', 'y'].includes(minor!)) return { problem: `is a bcrypt hash of an unknown revision ($2${minor}$)` }
    const cost = Number(costText)
    if (cost < 4) return { problem: `has bcrypt cost ${cost}, below bcrypt's minimum of 4` }
    if (cost > BCRYPT_MAX_COST) {
      return {
        problem: `has bcrypt cost ${cost}, above ${BCRYPT_MAX_COST}: each step doubles the work of a login (cost 12 already takes about 250 ms of CPU), so this user must reset the password`,
      }
    }
    return { scheme: 'bcrypt', cost, stored }
  }
  if (stored.startsWith('$firebase-scrypt$')) {
    const match = FIREBASE_SCRYPT.exec(stored)
    if (!match) return { problem: 'is not a Firebase scrypt hash ($firebase-scrypt$p=<24 hex digits>$<salt>$<hash>)' }
    const [, parametersId, salt, hash] = match
    const [saltBytes, hashBytes] = [Buffer.from(salt!, 'base64'), Buffer.from(hash!, 'base64')]
    return { scheme: 'firebase-scrypt', parametersId: parametersId!, salt: saltBytes, hash: hashBytes }
  }
  return undefined
}

/** Why Usher cannot verify hashes made with these Firebase parameters (empty: it can). */
export function firebaseScryptParametersProblems(parameters: Omit<FirebaseScryptParameters, 'id'>): string[] {
  const { memCost, rounds } = parameters
  const problems: string[] = []
  const N = 2 ** memCost
  if (!Number.isInteger(memCost) || !Number.isInteger(rounds) || memCost < 1 || rounds < 1) {
    problems.push(`Firebase scrypt mem_cost (${memCost}) and rounds (${rounds}) must be positive whole numbers`)
  } else if (kdfProblems({ algorithm: 'scrypt', N, r: rounds, p: 1 }).length > 0) {
    problems.push(
      `Firebase scrypt mem_cost ${memCost} and rounds ${rounds} ask for N·r = 2^${memCost}·${rounds} and ${(128 * N * rounds) / 2 ** 20} MiB, above the Cloudflare Workers caps (N·r·p ≤ 2^20, 64 MiB): these hashes cannot be verified`,
    )
  }
  if (Buffer.from(parameters.signerKey, 'base64').length < 16) problems.push('the Firebase signer key must be at least 16 bytes')
  return problems
}

/** bcrypt, on the raw password (bcryptjs compares in constant time). */
export async function verifyBcrypt(password: string, hash: Extract<ForeignHash, { scheme: 'bcrypt' }>): Promise<boolean> {
  if (hash.cost > BCRYPT_MAX_COST || Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) return false
  try {
    return await bcrypt.compare(password, hash.stored)
  } catch {
    return false
  }
}

/** Firebase's modified scrypt, on the raw password; false without work when the parameters are over the caps. */
export async function verifyFirebaseScrypt(
  password: string,
  hash: Extract<ForeignHash, { scheme: 'firebase-scrypt' }>,
  parameters: FirebaseScryptParameters,
): Promise<boolean> {
  const signerKey = Buffer.from(parameters.signerKey, 'base64')
  if (firebaseScryptParametersProblems(parameters).length > 0 || hash.hash.length !== signerKey.length) return false
  const salt = Buffer.concat([hash.salt, Buffer.from(parameters.saltSeparator, 'base64')])
  const cost = { N: 2 ** parameters.memCost, r: parameters.rounds, p: 1 }
  const key = await scryptKey(Buffer.from(password, 'utf8'), salt, 32, cost)
  const aesKey = await crypto.subtle.importKey('raw', key, 'AES-CTR', false, ['encrypt'])
  const candidate = await crypto.subtle.encrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 128 }, aesKey, signerKey)
  return timingSafeEqual(new Uint8Array(candidate), hash.hash)
}
