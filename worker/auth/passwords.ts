/**
 * @module auth/passwords
 * Password hashing with scrypt (default, OWASP N=2^14 r=8 p=5) or PBKDF2-SHA256, through `node:crypto`
 * (native in workerd). Hashes are PHC strings carrying their parameters, so a configuration change is
 * picked up by re-hashing at the next successful login (`needsRehash`).
 *
 * Parameters read back from the database are checked against the production caps *before* deriving: a
 * corrupted row must not be able to ask for 2^30 of work.
 */
import { pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { kdfProblems, type KdfParams } from '../config'

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>
const pbkdf2Async = promisify(pbkdf2)

const KEY_LENGTH = 32
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

async function derive(password: string, salt: Buffer, kdf: KdfParams): Promise<Buffer> {
  const normalized = normalizePassword(password)
  if (kdf.algorithm === 'scrypt') {
    return scryptAsync(normalized, salt, KEY_LENGTH, {
      N: kdf.N,
      r: kdf.r,
      p: kdf.p,
      maxmem: 256 * kdf.N * kdf.r + 1024 * 1024,
    })
  }
  return pbkdf2Async(normalized, salt, kdf.iterations, KEY_LENGTH, 'sha256')
}

function encode(kdf: KdfParams, salt: Buffer, hash: Buffer): string {
  const params =
    kdf.algorithm === 'scrypt' ? `ln=${Math.log2(kdf.N)},r=${kdf.r},p=${kdf.p}` : `i=${kdf.iterations}`
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '')
  return `$${kdf.algorithm}$${params}$${b64(salt)}$${b64(hash)}`
}

const PHC = /^\$(scrypt|pbkdf2-sha256)\$([a-z]+=\d{1,10}(?:,[a-z]+=\d{1,10})*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

/** Parse a stored hash; undefined if it is malformed or asks for more work than the caps allow. */
export function parseHash(stored: string): { kdf: KdfParams; salt: Buffer; hash: Buffer } | undefined {
  const match = PHC.exec(stored)
  if (!match) return undefined
  const [, algorithm, paramText, salt, hash] = match
  const params = Object.fromEntries(paramText!.split(',').map((kv) => kv.split('=') as [string, string]))
  const num = (key: string) => (params[key] === undefined ? Number.NaN : Number(params[key]))
  let kdf: KdfParams
  if (algorithm === 'scrypt') {
    const ln = num('ln')
    if (!(ln >= 1 && ln <= 20)) return undefined
    kdf = { algorithm: 'scrypt', N: 2 ** ln, r: num('r'), p: num('p') }
    if (!(kdf.r >= 1 && kdf.p >= 1)) return undefined
  } else {
    kdf = { algorithm: 'pbkdf2-sha256', iterations: num('i') }
    if (!(kdf.iterations >= 1)) return undefined
  }
  if (kdfProblems(kdf).length > 0) return undefined
  return { kdf, salt: Buffer.from(salt!, 'base64'), hash: Buffer.from(hash!, 'base64') }
}

export async function hashPassword(password: string, kdf: KdfParams): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  return encode(kdf, salt, await derive(password, salt, kdf))
}

/** Constant-time verification; a malformed or over-cap stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (!parsed || parsed.hash.length !== KEY_LENGTH) return false
  const candidate = await derive(password, parsed.salt, parsed.kdf)
  return timingSafeEqual(candidate, parsed.hash)
}

/** True when the stored hash was made with other parameters than the configured ones. */
export function needsRehash(stored: string, kdf: KdfParams): boolean {
  const parsed = parseHash(stored)
  if (!parsed) return true
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
