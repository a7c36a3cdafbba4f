/**
 * Imported users log in with the password they had elsewhere: Firebase's modified scrypt (its published
 * test vector, firebase/scrypt README), bcrypt as Supabase and bcryptjs write it, and Better Auth's scrypt
 * converted by the CLI — each checked inside workerd, refused over the caps before any work, and replaced by
 * Usher's own hash at the first successful login. Firebase's signer key is stored only encrypted.
 */
import { env } from 'cloudflare:workers'
import bcrypt from 'bcryptjs'
import { hashPassword as betterAuthHash } from 'better-auth/crypto'
import { describe, expect, it } from 'vitest'
import { betterAuthPasswordHash } from '../../tui/import/better-auth'
import { firebaseParameters } from '../../tui/import/firebase'
import { hashParameterLookup, missingHashParameters, storeFirebaseScryptParameters } from '../../worker/auth/hash-parameters'
import { openSecret } from '../../worker/auth/key-encryption'
import { verifyFirebaseScrypt } from '../../worker/auth/foreign-hashes'
import { foreignHashProblem, hashPassword, needsRehash, parseHash, verifyPassword, type StoredHash } from '../../worker/auth/passwords'
import { createUsher, type Bindings } from '../../worker/context'
import { firebaseScryptHash } from '../../worker/users/import-record'
import { FIREBASE_SCRYPT_VECTOR as FIREBASE_README } from '../fixtures/firebase-scrypt-vector'
import { api, uniqueEmail } from './helpers'

const usher = () => createUsher(env as unknown as Bindings, 'https://usher.test/')
const lookup = () => hashParameterLookup(usher())
const b64 = (text: string) => Buffer.from(text, 'base64')
const kdf = { algorithm: 'scrypt', N: 1024, r: 8, p: 1 } as const

const readmeParameters = firebaseParameters(b64(FIREBASE_README.signerKey), b64(FIREBASE_README.saltSeparator), 8, 14)
const readmeHash = firebaseScryptHash(readmeParameters.id, b64(FIREBASE_README.salt), b64(FIREBASE_README.passwordHash))

/** A user as the importer will store one: a confirmed account with an email/password identity. */
async function importedUser(passwordHash: string) {
  const email = uniqueEmail('imported')
  const id = crypto.randomUUID().replaceAll('-', '').slice(0, 24)
  const now = Date.now()
  await env.DB.batch([
    env.DB.prepare("INSERT INTO users (id, type, status, disabled, created_at) VALUES (?, 'normal', 'confirmed', 0, ?)").bind(id, now),
    env.DB.prepare(
      "INSERT INTO identities (id, user_id, provider_type, email, email_key, password_hash, created_at) VALUES (?, ?, 'local-userpass', ?, ?, ?, ?)",
    ).bind(`${id}-i`, id, email, email, passwordHash, now),
  ])
  const stored = async () =>
    (await env.DB.prepare('SELECT password_hash FROM identities WHERE user_id = ?').bind(id).first<{ password_hash: string }>())!.password_hash
  return { email, stored }
}

describe('Firebase scrypt hashes', () => {
  it("Firebase's published test vector verifies, and a wrong password does not", async () => {
    await storeFirebaseScryptParameters(usher(), readmeParameters)
    expect(readmeHash).toMatch(/^\$firebase-scrypt\$p=[0-9a-f]{24}\$42xEC\+ixf3L2lw\$lSrfV15c/)
    expect(foreignHashProblem(readmeHash)).toBeUndefined()
    expect(await verifyPassword('user1password', readmeHash, lookup())).toBe(true)
    expect(await verifyPassword('user1password!', readmeHash, lookup())).toBe(false)
    expect(await verifyPassword('User1password', readmeHash, lookup())).toBe(false)
  })

  it('GoTrue’s $fbscrypt$ test vector (another signer key) verifies once converted by the CLI', async () => {
    // supabase/auth internal/crypto/password_test.go TestFirebaseScrypt, password `mytestpassword`.
    const parameters = firebaseParameters(
      b64('ou9tdYTGyYm8kuR6Dt0Bp0kDuAYoXrK16mbZO4yGwAn3oLspjnN0/c41v8xZnO1n14J3MjKj1b2g6AUCAlFwMw=='),
      b64('Bw=='),
      8,
      14,
    )
    await storeFirebaseScryptParameters(usher(), parameters)
    const hash = firebaseScryptHash(
      parameters.id,
      b64('C0sHCg9ek77hsg=='),
      b64('zKVTMvnWVw5BBOZNUdnsalx4c4c7y/w7IS5p6Ut2+CfEFFlz37J9huyQfov4iizN8dbjvEJlM5tQaJP84+hfTw=='),
    )
    expect(await verifyPassword('mytestpassword', hash, lookup())).toBe(true)
    expect(await verifyPassword('user1password', hash, lookup())).toBe(false)
  })

  it('a hash whose parameter set is not stored never verifies, and the importer is told which sets are missing', async () => {
    const unknown = firebaseParameters(crypto.getRandomValues(new Uint8Array(64)), b64('Bw=='), 8, 14)
    const hash = firebaseScryptHash(unknown.id, b64(FIREBASE_README.salt), b64(FIREBASE_README.passwordHash))
    expect(await verifyPassword('user1password', hash, lookup())).toBe(false)
    expect(await verifyPassword('user1password', readmeHash)).toBe(false)
    await storeFirebaseScryptParameters(usher(), readmeParameters)
    expect(await missingHashParameters(usher(), [hash, readmeHash, '$2b$10$abc'])).toEqual([unknown.id])
  })

  it('the signer key is stored only encrypted under KEY_ENCRYPTION_KEY, bound to its row', async () => {
    await storeFirebaseScryptParameters(usher(), readmeParameters)
    await storeFirebaseScryptParameters(usher(), readmeParameters) // idempotent
    const rows = await env.DB.prepare('SELECT * FROM password_hash_parameters WHERE id = ?').bind(readmeParameters.id).all()
    expect(rows.results).toHaveLength(1)
    const row = rows.results[0] as { id: string; scheme: string; sealed: string }
    const dump = JSON.stringify(row)
    const signerKey = b64(FIREBASE_README.signerKey)
    for (const form of [FIREBASE_README.signerKey, signerKey.toString('base64url'), signerKey.toString('hex'), signerKey.toString('latin1')]) {
      expect(dump).not.toContain(form.slice(0, 16))
    }
    expect(row.sealed).toMatch(/^v1\./)
    const opened = JSON.parse(await openSecret(env.KEY_ENCRYPTION_KEY, row.sealed, `password-hash-parameters:${row.id}`))
    expect(opened).toMatchObject({ signerKey: FIREBASE_README.signerKey, saltSeparator: 'Bw==', rounds: 8, memCost: 14 })
    await expect(openSecret('another-key-encryption-key-0123456789abcdef', row.sealed, `password-hash-parameters:${row.id}`)).rejects.toThrow()
    await expect(openSecret(env.KEY_ENCRYPTION_KEY, row.sealed, 'password-hash-parameters:000000000000000000000000')).rejects.toThrow()
  })

  it('parameters above the Workers caps, or under an id that is not theirs, are refused before anything is stored', async () => {
    const greedy = firebaseParameters(b64(FIREBASE_README.signerKey), b64('Bw=='), 16, 17) // N·r = 2^21
    await expect(storeFirebaseScryptParameters(usher(), greedy)).rejects.toThrow(/mem_cost 17 and rounds 16 .*above the Cloudflare Workers caps/)
    const genuine = firebaseParameters(crypto.getRandomValues(new Uint8Array(64)), b64('Bw=='), 8, 14)
    const forged = { ...genuine, rounds: 9 }
    await expect(storeFirebaseScryptParameters(usher(), forged)).rejects.toThrow(/not the one derived/)
    const stored = await env.DB.prepare('SELECT id FROM password_hash_parameters WHERE id IN (?, ?)').bind(greedy.id, genuine.id).all()
    expect(stored.results).toEqual([])
    // A set that got past the store anyway is checked again before any scrypt (N·r = 2^30 would need 128 GiB).
    const huge = { ...readmeParameters, rounds: 1024, memCost: 20 }
    const hash = parseHash(readmeHash) as Extract<StoredHash, { scheme: 'firebase-scrypt' }>
    expect(await verifyFirebaseScrypt('user1password', hash, huge)).toBe(false)
  })

  it('a Firebase user logs in with their old password, which is then rehashed with Usher’s KDF', async () => {
    await storeFirebaseScryptParameters(usher(), readmeParameters)
    const user = await importedUser(readmeHash)
    expect((await api.login(user.email, 'user1password!')).status).toBe(401)
    expect((await api.login(user.email, 'user1password')).status).toBe(200)
    await expect.poll(user.stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/)
    expect((await api.login(user.email, 'user1password')).status).toBe(200)
  })
})

describe('bcrypt hashes', () => {
  it('a bcrypt hash made by bcryptjs at cost 10 verifies, on the raw password', async () => {
    const hash = await bcrypt.hash('correct horse ﬁ', 10)
    expect(foreignHashProblem(hash)).toBeUndefined()
    expect(await verifyPassword('correct horse ﬁ', hash)).toBe(true)
    expect(await verifyPassword('correct horse fi', hash)).toBe(false) // no NFKC: bcrypt hashed the ligature
    expect(await verifyPassword('correct horse', hash)).toBe(false)
  })

  it('$2a$, $2b$ and $2y$ (GoTrue’s test vector) all verify; $2x$ is refused', async () => {
    // supabase/auth internal/crypto/password_test.go, password `test`.
    const y = '$2y$04$mIJxfrCaEI3GukZe11CiXublhEFanu5.ododkll1WphfSp6pn4zIu'
    for (const hash of [y, y.replace('$2y$', '$2a$'), y.replace('$2y$', '$2b$')]) {
      expect(await verifyPassword('test', hash)).toBe(true)
      expect(await verifyPassword('test1', hash)).toBe(false)
    }
    const x = y.replace('$2y$', '$2x$')
    expect(foreignHashProblem(x)).toMatch(/\$2x\$/)
    expect(await verifyPassword('test', x)).toBe(false)
  })

  it('bcrypt cost 13 is refused at import with a reason, and never computed at login', async () => {
    const salted = (cost: number) => async () => `$2b$${cost}$${(await bcrypt.hash('pw', 4)).slice(7)}`
    expect(foreignHashProblem(await salted(13)())).toBe(
      'the password hash has bcrypt cost 13, above 12: each step doubles the work of a login (cost 12 already takes about 250 ms of CPU), so this user must reset the password',
    )
    // Cost 31 would take days: answering at all proves nothing was computed (workerd's clock cannot show it).
    expect(await verifyPassword('pw', await salted(31)())).toBe(false)
  })

  it('passwords longer than bcrypt’s 72 bytes are refused rather than cut', async () => {
    const hash = await bcrypt.hash('a'.repeat(72), 4)
    expect(await verifyPassword('a'.repeat(72), hash)).toBe(true)
    expect(await verifyPassword('a'.repeat(73), hash)).toBe(false)
  })

  it('a Supabase user logs in with their bcrypt password, which is then rehashed', async () => {
    const user = await importedUser(await bcrypt.hash('supabase-password', 10))
    expect((await api.login(user.email, 'supabase-password')).status).toBe(200)
    await expect.poll(user.stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/)
  })
})

describe('Better Auth scrypt hashes', () => {
  it('a hash made by better-auth itself verifies once converted, with NFKC as Better Auth applies it', async () => {
    const password = 'Pa\u0301ssword \uFB01' // a combining accent and the "ﬁ" ligature
    const original = await betterAuthHash(password)
    expect(original).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/)
    const converted = betterAuthPasswordHash(original)!
    expect(converted).toMatch(/^\$scrypt\$ln=14,r=16,p=1\$[A-Za-z0-9+/]{43}\$[A-Za-z0-9+/]{86}$/)
    expect(foreignHashProblem(converted)).toBeUndefined()
    expect(await verifyPassword(password, converted)).toBe(true)
    expect(await verifyPassword(password.normalize('NFKC'), converted)).toBe(true)
    expect(await verifyPassword('Password fi', converted)).toBe(false)
  })

  it('over-cap scrypt parameters in an imported hash are refused at import and never computed', async () => {
    const converted = betterAuthPasswordHash(`${'ab'.repeat(16)}:${'cd'.repeat(64)}`)!
    const greedy = converted.replace('ln=14', 'ln=17') // N·r = 2^21
    expect(foreignHashProblem(greedy)).toMatch(/^the password hash asks for more work than a Worker may do: scrypt cost/)
    expect(parseHash(greedy)).toBeUndefined()
    expect(await verifyPassword('pw', greedy)).toBe(false)
  })
})

describe('rehashing', () => {
  it('every foreign form needs a rehash; Usher’s own hash with the configured parameters does not', async () => {
    const own = await hashPassword('pw', kdf)
    expect(needsRehash(own, kdf)).toBe(false)
    expect(needsRehash(await bcrypt.hash('pw', 4), kdf)).toBe(true)
    expect(needsRehash(readmeHash, kdf)).toBe(true)
    expect(needsRehash(betterAuthPasswordHash(`${'ab'.repeat(16)}:${'cd'.repeat(64)}`)!, kdf)).toBe(true)
    // Better Auth's parameters configured as Usher's own: the 64-byte key still marks it as imported.
    const asConfigured = { algorithm: 'scrypt', N: 16384, r: 16, p: 1 } as const
    expect(needsRehash(betterAuthPasswordHash(`${'ab'.repeat(16)}:${'cd'.repeat(64)}`)!, asConfigured)).toBe(true)
  })

  it('unknown forms are refused at import with the forms Usher accepts', () => {
    expect(foreignHashProblem('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')).toMatch(/is not a form Usher can verify/)
    expect(foreignHashProblem('plain text')).toMatch(/is not a form Usher can verify/)
  })
})
