import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { encodeCursor } from '../../worker/users/listing'
import { admin } from './admin-helpers'
import { api, configured, count, uniqueEmail } from './helpers'

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

  it('refused keys are audited with the address, and past 10 a minute from one address answered 429 without writing', async () => {
    const limited = configured({ RATE_LIMITS: 'on' })
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`
    const guesser = admin('a-guessed-admin-key', (input, init) => {
      const request = new Request(input, init)
      request.headers.set('cf-connecting-ip', ip)
      return limited(request)
    })
    const before = await count('audit_log', "action = 'admin.unauthorized'")
    const codes: string[] = []
    for (let i = 0; i < 12; i++) codes.push(await codeOf(guesser.config.get.query()))
    expect(codes.slice(0, 10).every((code) => code === 'UNAUTHORIZED')).toBe(true)
    expect(codes.slice(10)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS'])
    expect(await count('audit_log', "action = 'admin.unauthorized'")).toBe(before + 10)
    const entry = (await root.audit.list.query({ limit: 20 })).items.find((e) => e.action === 'admin.unauthorized')
    expect(entry).toMatchObject({ actor: 'client', outcome: 'refused', detail: { procedure: 'config.get', ip, keyPresented: true } })
    const throttled = await limited(new Request('https://usher.test/admin/trpc/config.get', { headers: { authorization: 'Bearer nope', 'cf-connecting-ip': ip } }))
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBe('60')
    // The real key still works from that address.
    expect((await admin(undefined, (input, init) => limited(new Request(input, init))).config.get.query()).appId).toBe('usher-local')
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
    // Ids are Usher's 24 hex characters or an imported user's own (1–128 of A-Z a-z 0-9 _ -): nothing else.
    for (const userId of ['', '../../etc', 'a b', 'é', 'x'.repeat(129), `${'a'.repeat(24)} `, 'id;DROP', '%00']) {
      expect(await codeOf(root.users.get.query({ userId }))).toBe('BAD_REQUEST')
    }
    expect(await codeOf(root.users.get.query({ userId: '0'.repeat(24) }))).toBe('NOT_FOUND')
    expect(await codeOf(root.audit.list.query({ cursor: '-1' }))).toBe('BAD_REQUEST')
    expect(await codeOf(root.outbox.list.query({ limit: 1000 }))).toBe('BAD_REQUEST')
  })

  it('forged cursors are refused, well-formed foreign ones are just positions', async () => {
    for (const cursor of ['garbage', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,"x y"]').toString('base64url'), Buffer.from('[-5,"000000000000000000000000"]').toString('base64url'), 'x'.repeat(201)]) {
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

  it('an unauthenticated error answer does not grow with the URL (one envelope per call, at most a batch)', async () => {
    const names = Array.from({ length: 3000 }, () => 'users.list').join(',')
    const res = await raw(`${names}?batch=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(20_000) })
    expect(res.status).toBe(413)
    const body = await res.text()
    expect((JSON.parse(body) as unknown[]).length).toBe(10)
    expect(body.length).toBeLessThan(5_000)
  })

  it('admin answers are never cached', async () => {
    const res = await raw('config.get', { headers: bearer })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('one request may hash at most 4 passwords: the rest of a batch of users.create is refused, nothing half-done', async () => {
    const emails = Array.from({ length: 10 }, () => uniqueEmail('batch'))
    const results = await Promise.allSettled(emails.map((email) => root.users.create.mutate({ email, password: 'password1' })))
    const created = results.filter((r) => r.status === 'fulfilled').length
    expect(created).toBe(4)
    for (const refused of results.filter((r) => r.status === 'rejected')) {
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' }, message: /password-hashing budget/ })
    }
    const stored = await Promise.all(emails.map((email) => count('identities', 'email = ?', email)))
    expect(stored.filter((n) => n === 1)).toHaveLength(4)
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
