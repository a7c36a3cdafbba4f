import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { encodeCursor } from '../../worker/users/listing'
import { admin } from './admin-helpers'
import { api, count, uniqueEmail } from './helpers'

const root = admin()
const raw = (path: string, init: RequestInit = {}) => exports.default.fetch(new Request(`https://usher.test/admin/trpc/${path}`, init))
const bearer = { authorization: `Bearer ${env.ADMIN_API_KEY}` }

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = (await promise.then(
    () => expect.unreachable('expected the call to fail'),
    (e: unknown) => e,
  )) as { data: { code: string } }
  return error.data.code
}

describe('admin authentication', () => {
  it('every procedure answers 401 without the admin key, before looking at the input', async () => {
    for (const key of ['', 'wrong', `${env.ADMIN_API_KEY}x`, env.ADMIN_API_KEY.slice(0, -1)]) {
      const client = admin(key)
      expect(await codeOf(client.users.list.query())).toBe('UNAUTHORIZED')
      expect(await codeOf(client.users.delete.mutate({ userId: 'not even an id' }))).toBe('UNAUTHORIZED')
      expect(await codeOf(client.apiKeys.create.mutate({ name: 'x' }))).toBe('UNAUTHORIZED')
      expect(await codeOf(client.config.get.query())).toBe('UNAUTHORIZED')
    }
    const noHeader = await raw('users.list')
    expect(noHeader.status).toBe(401)
    const basic = await raw('users.list', { headers: { authorization: `Basic ${env.ADMIN_API_KEY}` } })
    expect(basic.status).toBe(401)
    const body = await basic.text()
    expect(body).not.toContain('stack')
  })

  it('the client API tokens of a user do not open the admin API', async () => {
    const user = await root.users.create.mutate({ email: uniqueEmail(), password: 'password1' })
    const login = await api.login(user.email!)
    const { access_token } = (await login.json()) as { access_token: string }
    expect(await codeOf(admin(access_token).users.list.query())).toBe('UNAUTHORIZED')
  })
})

describe('hostile admin input', () => {
  it('search treats % and _ literally and matches substrings case-insensitively', async () => {
    const tag = crypto.randomUUID().slice(0, 8)
    const plain = await root.users.create.mutate({ email: `plain${tag}@example.com`, password: 'password1' })
    const percent = await root.users.create.mutate({ email: `100%${tag}@example.com`, password: 'password1' })
    const underscore = await root.users.create.mutate({ email: `a_b${tag}@example.com`, password: 'password1' })
    const ids = async (search: string) => (await root.users.list.query({ search, limit: 100 })).items.map((u) => u.id)
    expect(await ids(`%${tag}`)).toEqual([percent.id])
    expect(await ids(`_b${tag}`)).toEqual([underscore.id])
    expect(await ids(`PLAIN${tag.toUpperCase()}`)).toEqual([plain.id])
    expect(await ids('%')).toEqual(expect.arrayContaining([percent.id]))
    expect(await ids('%')).not.toContain(plain.id)
    expect(await ids("' OR 1=1 --")).toEqual([])
    expect(await ids('x'.repeat(254))).toEqual([])
  })

  it('limits, statuses and ids outside the contract are BAD_REQUEST with field errors', async () => {
    for (const input of [{ limit: 101 }, { limit: 0 }, { limit: 1e9 }, { limit: 1.5 }, { status: 'everyone' }, { search: 'x'.repeat(255) }, { extra: true }]) {
      expect(await codeOf(root.users.list.query(input as never))).toBe('BAD_REQUEST')
    }
    for (const userId of ['', 'x', '../../etc', '0'.repeat(23), 'G'.repeat(24), `${'a'.repeat(24)} `]) {
      expect(await codeOf(root.users.get.query({ userId }))).toBe('BAD_REQUEST')
    }
    expect(await codeOf(root.users.get.query({ userId: '0'.repeat(24) }))).toBe('NOT_FOUND')
    expect(await codeOf(root.audit.list.query({ cursor: '-1' }))).toBe('BAD_REQUEST')
    expect(await codeOf(root.outbox.list.query({ limit: 1000 }))).toBe('BAD_REQUEST')
  })

  it('forged cursors are refused, well-formed foreign ones are just positions', async () => {
    for (const cursor of ['garbage', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,"x"]').toString('base64url'), Buffer.from('[-5,"000000000000000000000000"]').toString('base64url'), 'x'.repeat(201)]) {
      expect(await codeOf(root.users.list.query({ cursor }))).toBe('BAD_REQUEST')
    }
    const far = await root.users.list.query({ cursor: encodeCursor({ createdAt: 0, id: '0'.repeat(24) }) })
    expect(far.items).toEqual([])
    expect(far.nextCursor).toBeNull()
  })

  it('batches above 10 calls are refused; malformed batch bodies are 4xx; nothing leaks a stack', async () => {
    const paths = Array.from({ length: 11 }, () => 'config.get').join(',')
    const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i, {}]))))
    const tooMany = await raw(`${paths}?batch=1&input=${input}`, { headers: bearer })
    expect(tooMany.status).toBe(400)
    const ten = await raw(`${Array.from({ length: 10 }, () => 'config.get').join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i, {}]))))}`, { headers: bearer })
    expect(ten.status).toBe(200)
    for (const response of [
      await raw('users.create', { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{"email": ' }),
      await raw('users.create', { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '[]' }),
      await raw('users.nope', { headers: bearer }),
      await raw('users.create', { headers: bearer }),
    ]) {
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
      expect(await response.text()).not.toMatch(/\n\s+at |"stack"/)
    }
  })

  it('oversized admin bodies are refused before parsing', async () => {
    const before = await count('users')
    const res = await raw('users.create', {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail(), password: 'x'.repeat(20_000) }),
    })
    expect(res.status).toBe(413)
    expect(await count('users')).toBe(before)
    // Through the real client: the sentence, not "unable to transform response".
    const error = await root.users.create.mutate({ email: uniqueEmail(), password: 'x'.repeat(20_000) }).catch((e: unknown) => e)
    expect(error).toMatchObject({ message: 'request body larger than 16384 bytes', data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } })
  })
})

describe('pagination', () => {
  it('pages neither skip nor repeat users while new ones are being added', async () => {
    const tag = `page${crypto.randomUUID().slice(0, 6)}`
    for (let i = 0; i < 25; i++) await root.users.create.mutate({ email: `${tag}-${i}@example.com`, password: 'password1' })
    const expected = (await root.users.list.query({ search: tag, limit: 100 })).items.map((u) => u.id)
    expect(expected).toHaveLength(25)

    const seen: string[] = []
    let cursor: string | undefined
    let added = 0
    do {
      const [page] = await Promise.all([
        root.users.list.query({ search: tag, limit: 4, cursor }),
        root.users.create.mutate({ email: `${tag}-late-${added++}@example.com`, password: 'password1' }),
      ])
      seen.push(...page.items.map((u) => u.id))
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    const original = seen.filter((id) => expected.includes(id))
    expect(original).toEqual(expected)
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('counts cover every tab and match the lists', async () => {
    const { counts } = await root.users.list.query({ limit: 1 })
    const total = async (status: 'pending' | 'confirmed' | 'disabled') => {
      let n = 0
      let cursor: string | undefined
      do {
        const page = await root.users.list.query({ status, limit: 100, cursor })
        n += page.items.length
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      return n
    }
    expect(counts.pending).toBe(await total('pending'))
    expect(counts.confirmed).toBe(await total('confirmed'))
    expect(counts.disabled).toBe(await total('disabled'))
    expect(counts.all).toBe(await count('users'))
  })
})
