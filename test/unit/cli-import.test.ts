/**
 * How `usher import` cuts users into chunks that `users.import` accepts (≤ 500 users, under its 2 MB body), and
 * which rows it holds back because an earlier row of the files claims the same address or external account.
 */
import { describe, expect, it } from 'vitest'
import { BODY_LIMIT, CHUNK_USERS, chunksOf, twinsOf } from '../../tui/cli/commands/import'
import type { ImportedUser } from '../../worker/users/import-record'

const user = (i: number, bio = ''): ImportedUser => ({
  id: `u-${i}`,
  type: 'normal',
  status: 'confirmed',
  disabled: false,
  identities: [{ providerType: 'anon-user', id: `a-${i}` }],
  ...(bio && { data: { bio } }),
})

describe('chunks', () => {
  it('hold at most 500 users, in order, every user once', () => {
    const users = Array.from({ length: 1201 }, (_, i) => user(i))
    const chunks = chunksOf(users)
    expect(chunks.map((chunk) => [chunk.start, chunk.users.length])).toEqual([
      [0, CHUNK_USERS],
      [500, CHUNK_USERS],
      [1000, 201],
    ])
    expect(chunks.flatMap((chunk) => chunk.users)).toEqual(users)
  })

  it('are cut smaller when 500 users would not fit in the body', () => {
    // 16 KB of profile each (the most a record allows): about 120 users per 2 MB body.
    const users = Array.from({ length: 600 }, (_, i) => user(i, 'é'.repeat(8000)))
    const chunks = chunksOf(users)
    expect(chunks.length).toBeGreaterThan(4)
    for (const chunk of chunks) {
      const body = Buffer.byteLength(
        JSON.stringify({ 0: { users: chunk.users, dryRun: false, onConflict: 'skip', source: 'usher' } }),
      )
      expect(body).toBeLessThan(BODY_LIMIT)
    }
    expect(chunks.reduce((sum, chunk) => sum + chunk.users.length, 0)).toBe(600)
    expect(chunksOf([])).toEqual([])
  })
})

describe('twins', () => {
  const withEmail = (i: number, email: string): ImportedUser => ({
    ...user(i),
    email,
    identities: [{ providerType: 'local-userpass', id: `u-${i}` }],
  })
  const google = (i: number, sub: string): ImportedUser => ({
    ...user(i),
    identities: [{ providerType: 'oauth2-google', id: sub }],
  })

  it('a row claiming an address an earlier row claims (as registration matches them) is the twin of that row', () => {
    const users = [
      withEmail(0, 'Ann@example.com'),
      user(1),
      withEmail(2, 'bob@example.com'),
      withEmail(3, 'ann@EXAMPLE.com'),
      withEmail(4, 'ΟΔΥΣΣΕΥΣ@example.com'),
      withEmail(5, 'οδυσσευς@example.com'),
      withEmail(6, 'ann@example.com'),
    ]
    expect(twinsOf(users)).toEqual(
      new Map([
        [3, { twin: 0, what: 'email' }],
        [5, { twin: 4, what: 'email' }],
        [6, { twin: 0, what: 'email' }],
      ]),
    )
  })

  it('so does a row claiming the same external account; the same id at another provider is no twin', () => {
    const users = [
      google(0, '1234'),
      { ...user(1), identities: [{ providerType: 'oauth2-apple', id: '1234' }] } satisfies ImportedUser,
      google(2, '1234'),
      // Only external accounts are claims: anonymous ids and local ids are the user's own.
      { ...user(3), identities: [{ providerType: 'anon-user', id: 'a-0' }] } satisfies ImportedUser,
    ]
    expect(twinsOf(users)).toEqual(new Map([[2, { twin: 0, what: 'external identity' }]]))
  })

  it('two rows with nothing in common are no twins, however many', () => {
    expect(twinsOf(Array.from({ length: 1200 }, (_, i) => withEmail(i, `user${i}@example.com`))).size).toBe(0)
  })
})
