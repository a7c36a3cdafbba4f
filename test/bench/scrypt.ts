/**
 * @module bench/scrypt
 * The password KDF the benchmark gives the peer (Better Auth) and the bound worker: scrypt through
 * `node:crypto` with a 16-byte salt and a 32-byte key, NFKC-normalised input and the same PHC string layout
 * and `maxmem` rule as Usher's worker/auth/passwords.ts, so all three systems pay exactly the same hash per
 * password operation. It runs unchanged in workerd (with `nodejs_compat`) and in Node (seeding).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

export interface ScryptParams {
  N: number
  r: number
  p: number
}

export const KEY_LENGTH = 32
export const SALT_LENGTH = 16

/** One scrypt derivation: the unit of work every login and registration pays. */
export function deriveScrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    )
  })
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '')

export async function hashScrypt(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const key = await deriveScrypt(password, salt, params)
  return `$scrypt$ln=${Math.log2(params.N)},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`
}

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

/** Constant-time check of `password` against a PHC string made by `hashScrypt` (or Usher). */
export async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored)
  if (!match) return false
  const [, ln, r, p, salt, key] = match
  const expected = Buffer.from(key!, 'base64')
  if (expected.length !== KEY_LENGTH) return false
  const params = { N: 2 ** Number(ln), r: Number(r), p: Number(p) }
  return timingSafeEqual(await deriveScrypt(password, Buffer.from(salt!, 'base64'), params), expected)
}

/** The parameters from a worker's string vars (`SCRYPT_N`, `SCRYPT_R`, `SCRYPT_P`), validated. */
export function scryptParamsFrom(vars: {
  SCRYPT_N?: string
  SCRYPT_R?: string
  SCRYPT_P?: string
}): ScryptParams {
  const params = { N: Number(vars.SCRYPT_N), r: Number(vars.SCRYPT_R), p: Number(vars.SCRYPT_P) }
  if (
    ![params.N, params.r, params.p].every((n) => Number.isInteger(n) && n >= 1) ||
    !Number.isInteger(Math.log2(params.N))
  ) {
    throw new Error(
      `invalid scrypt parameters ${JSON.stringify(vars)}: pass SCRYPT_N (a power of two), SCRYPT_R and SCRYPT_P`,
    )
  }
  return params
}
