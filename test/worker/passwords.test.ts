import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { hashPassword, needsRehash, parseHash, verifyPassword } from '../../worker/auth/passwords'
import { api, client, configured, lastMail, uniqueEmail } from './helpers'

describe('password hashing inside workerd', () => {
  it('hashes and verifies with the production default (scrypt N=2^14, r=8, p=5), stored as a PHC string', async () => {
    const kdf = { algorithm: 'scrypt', N: 16384, r: 8, p: 5 } as const
    const hash = await hashPassword('correct horse', kdf)
    expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    expect(await verifyPassword('correct horse', hash)).toBe(true)
    expect(await verifyPassword('correct horsE', hash)).toBe(false)
    expect(needsRehash(hash, kdf)).toBe(false)
    expect(needsRehash(hash, { algorithm: 'scrypt', N: 1024, r: 8, p: 1 })).toBe(true)
  })

  it('PBKDF2-SHA256 at the 100,000-iteration cap works too', async () => {
    const hash = await hashPassword('correct horse', { algorithm: 'pbkdf2-sha256', iterations: 100_000 })
    expect(hash).toMatch(/^\$pbkdf2-sha256\$i=100000\$/)
    expect(await verifyPassword('correct horse', hash)).toBe(true)
  })

  it('a stored hash asking for more than the caps is refused before any work', async () => {
    const hash = await hashPassword('pw', { algorithm: 'scrypt', N: 1024, r: 8, p: 1 })
    const greedy = hash.replace('ln=10', 'ln=30')
    expect(parseHash(greedy)).toBeUndefined()
    const started = performance.now()
    expect(await verifyPassword('pw', greedy)).toBe(false)
    expect(performance.now() - started).toBeLessThan(50)
    expect(await verifyPassword('pw', '$pbkdf2-sha256$i=5000000$c2FsdA$aGFzaA')).toBe(false)
    expect(await verifyPassword('pw', 'plain-text')).toBe(false)
  })

  it('normalises passwords (NFKC) so the same text typed differently matches', async () => {
    const hash = await hashPassword('cafe\u0301', { algorithm: 'scrypt', N: 1024, r: 8, p: 1 })
    expect(await verifyPassword('caf\u00e9', hash)).toBe(true)
  })

  it('upgrades a hash to the configured parameters at the next successful login', async () => {
    const email = uniqueEmail()
    const older = client(configured({ SCRYPT_N: '2048', SCRYPT_P: '1' }))
    await older.register(email)
    const { token, tokenId } = await lastMail(email)
    await api.userpass('confirm', { token, tokenId })
    const stored = () =>
      env.DB.prepare('SELECT password_hash FROM identities WHERE email = ?').bind(email).first<{ password_hash: string }>()
    expect((await stored())!.password_hash).toMatch(/^\$scrypt\$ln=11,r=8,p=1\$/)
    expect((await api.login(email)).status).toBe(200)
    await expect.poll(async () => (await stored())!.password_hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/)
    expect((await api.login(email)).status).toBe(200)
  })
})
