/**
 * Importing from Better Auth. The fixture holds `user` and `account` rows with the columns of better-auth
 * 1.7 (`@better-auth/core` dist/db/get-tables.mjs, plus the admin plugin's role/banned/banReason/banExpires and
 * the username plugin's username); the `credential` account's password was made by better-auth's own
 * `hashPassword` (better-auth/crypto) for `correct horse battery`.
 */
import { hashPassword as betterAuthHash, verifyPassword as betterAuthVerify } from 'better-auth/crypto'
import { describe, expect, it } from 'vitest'
import { betterAuthPasswordHash, parseBetterAuth } from '../../../tui/import/better-auth'
import { verifyPassword } from '../../../worker/auth/passwords'
import { fixture } from './fixtures'

const now = new Date('2025-06-01T00:00:00Z')
const FIXTURE_HASH =
  '6c52a18e733f7ba4e5c8e9a34a7d9794:42f2242f4bbeccf937b0e1ab3b12acda2a011e427383246cb36dbd51411a0d52ac545d7a0e5e6824942c92c0a1a841d2e55cc01b8546ac3f0c440f084e2e9037'

describe('Better Auth password hashes', () => {
  it('salt:key becomes Usher’s own scrypt form, which verifies the same passwords as Better Auth', async () => {
    expect(await betterAuthVerify({ hash: FIXTURE_HASH, password: 'correct horse battery' })).toBe(true)
    const converted = betterAuthPasswordHash(FIXTURE_HASH)!
    // The salt is the hex text itself: base64 of the 32 ASCII characters, not of the 16 bytes they spell.
    expect(converted).toBe(
      `$scrypt$ln=14,r=16,p=1$${Buffer.from('6c52a18e733f7ba4e5c8e9a34a7d9794').toString('base64').replace(/=+$/, '')}$${Buffer.from(FIXTURE_HASH.split(':')[1]!, 'hex').toString('base64').replace(/=+$/, '')}`,
    )
    expect(await verifyPassword('correct horse battery', converted)).toBe(true)
    expect(await verifyPassword('correct horse battery!', converted)).toBe(false)
  })

  it('a fresh better-auth hash of a password with compatibility characters converts and verifies', async () => {
    const password = 'ﬁne Ｐassword'
    const converted = betterAuthPasswordHash(await betterAuthHash(password))!
    expect(await verifyPassword(password, converted)).toBe(true)
    expect(await verifyPassword('fine Password', converted)).toBe(true) // Better Auth applies NFKC, as Usher does
  })

  it('anything but salt:key is not converted', () => {
    expect(betterAuthPasswordHash('$2b$10$qEGXV1qlmd8PftWEQQHRiutdhmg5DtC8VSJ2IUlAAVY.xe3XYPkNi')).toBeUndefined()
    expect(betterAuthPasswordHash(FIXTURE_HASH.toUpperCase())).toBeUndefined()
    expect(betterAuthPasswordHash(FIXTURE_HASH.slice(0, -2))).toBeUndefined()
  })
})

describe('Better Auth user and account tables', () => {
  it('the credential account becomes the email/password identity with the converted hash', () => {
    const { users } = parseBetterAuth(fixture('better-auth.json'), { now })
    expect(users[0]).toEqual({
      id: 'Xk3pQ9rT2vW8yZ1aB4cD6eF7gH0jK5mN',
      type: 'normal',
      status: 'confirmed',
      disabled: false,
      createdAt: '2025-01-10T09:00:00.000Z',
      email: 'kim@example.com',
      emailVerified: true,
      passwordHash: betterAuthPasswordHash(FIXTURE_HASH),
      identities: [{ providerType: 'local-userpass', id: 'Xk3pQ9rT2vW8yZ1aB4cD6eF7gH0jK5mN' }],
      data: { username: 'kim', name: 'Kim Credential' },
      customData: { role: 'admin' },
    })
  })

  it('social accounts become identities, a ban disables until it expires, and what is dropped is counted', () => {
    const { users, lossy } = parseBetterAuth(fixture('better-auth.json'), { now })
    expect(users[1]).toEqual({
      id: 'Lm4nO7pQ1rS3tU6vW9xY2zA5bC8dE0fG',
      type: 'normal',
      status: 'confirmed',
      disabled: true,
      createdAt: '2025-01-11T09:00:00.000Z',
      identities: [{ providerType: 'oauth2-google', id: '118273645500192837465' }],
      data: { name: 'Lee Social', picture: 'https://lh3.googleusercontent.com/a/lee', email: 'lee@gmail.com' },
      customData: { role: 'user' },
    })
    // Ban expired (banExpires in epoch milliseconds, as SQLite adapters store it); no account at all.
    expect(users[2]).toMatchObject({
      disabled: false,
      status: 'pending-confirmation',
      createdAt: '2025-01-10T09:06:40.000Z',
      identities: [{ providerType: 'local-userpass', id: 'Hj2kL5mN8pQ1rS4tU7vW0xY3zA6bC9dE' }],
    })
    expect(lossy).toEqual([
      'github accounts left out: Usher has no such provider (1 user)',
      'OAuth access, refresh and ID tokens left out: the next social login gets new ones (1 user)',
      'ban reasons and expiry dates left out: Usher’s disabled users stay disabled until enabled (1 user)',
      'users without any account (magic link, email OTP) imported as email/password users without a password (1 user)',
    ])
  })

  it('bad users and accounts of unknown users are reported with their line', () => {
    expect(parseBetterAuth(fixture('better-auth.json'), { now }).problems).toEqual([
      { line: 6, reason: 'email is missing' },
      { line: 12, reason: 'an account of no user in this export (userId "DoesNotExist000000000000000000000")' },
    ])
  })

  it('reads snake_case columns and one table per file', () => {
    const user = { id: 'u1', name: 'Snake', email: 'snake@example.com', email_verified: 1, created_at: 1736500000 }
    const account = { id: 'a1', account_id: 'u1', provider_id: 'credential', user_id: 'u1', password: FIXTURE_HASH }
    const { users, problems } = parseBetterAuth([
      { name: 'user.json', text: JSON.stringify({ user: [user] }) },
      { name: 'account.json', text: JSON.stringify({ account: [account] }) },
    ])
    expect(problems).toEqual([])
    expect(users).toEqual([
      expect.objectContaining({
        id: 'u1',
        status: 'confirmed',
        createdAt: '2025-01-10T09:06:40.000Z',
        passwordHash: betterAuthPasswordHash(FIXTURE_HASH),
        identities: [{ providerType: 'local-userpass', id: 'u1' }],
      }),
    ])
  })
})
