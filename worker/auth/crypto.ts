/**
 * @module auth/crypto
 * The few primitives every secret goes through: CSPRNG ids and secrets, SHA-256 at rest, and one
 * constant-time comparison. Secrets with ≥ 256 bits of entropy (refresh tokens, API keys, confirmation and
 * reset tokens) need no slow KDF: a plain SHA-256 is what NIST and ASVS 6.5.2 ask for.
 */
import { createHash, scrypt, timingSafeEqual } from 'node:crypto'

const encoder = new TextEncoder()

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url')
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/**
 * A 24-hex-digit id shaped like a MongoDB ObjectId (4 bytes of Unix seconds, 8 random bytes), as App
 * Services ids were: user, identity, session, device and key ids all look familiar to migrating apps.
 */
export function newId(now = Date.now()): string {
  const bytes = new Uint8Array(12)
  new DataView(bytes.buffer).setUint32(0, Math.floor(now / 1000))
  crypto.getRandomValues(bytes.subarray(4))
  return toHex(bytes)
}

/** 256 random bits, base64url (43 characters). */
export function newSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)))
}

/** SHA-256 of a secret, hex: the only form in which secrets are stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** Constant-time equality of two strings (false when lengths differ, without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a)
  const right = encoder.encode(b)
  if (left.length !== right.length) {
    timingSafeEqual(left, left)
    return false
  }
  return timingSafeEqual(left, right)
}

/** Does `secret` hash to `expectedHash`? Constant time in the comparison. */
export function secretMatches(secret: string, expectedHash: string): boolean {
  return safeEqual(hashSecret(secret), expectedHash)
}

/** A secret presented as `<24-hex id>.<secret>`: split without trusting anything but the shape. */
export function splitCompositeSecret(value: string): { id: string; secret: string } | undefined {
  const match = /^([0-9a-f]{24})\.([A-Za-z0-9_-]{43})$/.exec(value)
  return match ? { id: match[1]!, secret: match[2]! } : undefined
}

/**
 * scrypt through node:crypto (native in workerd), with room for the 128·N·r bytes it needs. It computes
 * whatever it is asked: callers check the parameters against the KDF caps first.
 */
export function scryptKey(
  password: string | Uint8Array,
  salt: Uint8Array,
  keyLength: number,
  { N, r, p }: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}
