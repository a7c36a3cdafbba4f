/**
 * How `usher import` cuts users into chunks that `users.import` accepts: ≤ 500 users, under its 2 MB body.
 */
import { describe, expect, it } from 'vitest'
import { BODY_LIMIT, CHUNK_USERS, chunksOf } from '../../tui/cli/commands/import'
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
