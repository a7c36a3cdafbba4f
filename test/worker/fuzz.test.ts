/**
 * Property-based fuzzing (fast-check): generated malformed requests at every client route and every admin
 * procedure, Unicode look-alikes of registered addresses, and malformed form posts to the mailed-link pages.
 * None may get a 5xx or carry a stack trace, and together they must write nothing at all (some are harmless
 * reads, such as the location request, which rightly succeed) beyond the audit of refused admin keys.
 * Bodies are malformed by construction (broken JSON, wrong types, non-objects, or an unknown field, which
 * every strict schema refuses), so no generated request is accidentally a valid registration or login.
 */
import { env, exports } from 'cloudflare:workers'
import fc from 'fast-check'
import { beforeAll, expect, it } from 'vitest'
import { count } from './helpers'

const TABLES = ['users', 'identities', 'sessions', 'api_keys', 'action_tokens', 'outbox', 'login_throttle', 'known_clients', 'mail_quota', 'events']
const snapshot = async () => ({
  ...Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await count(t)]))),
  // Refused admin keys are audited by design (and rate-limited per IP); nothing else may be.
  audit_log: await count('audit_log', "action <> 'admin.unauthorized'"),
})
let before: Record<string, number>
beforeAll(async () => {
  before = await snapshot()
})

const CLIENT_ROUTES: [string, string][] = [
  ['GET', '/api/client/v2.0/app/usher-local/location'],
  ...['local-userpass', 'anon-user', 'api-key', 'oauth2-google', 'custom-token'].flatMap((p): [string, string][] => [
    ['POST', `/api/client/v2.0/app/usher-local/auth/providers/${p}/login`],
    ['POST', `/api/client/v2.0/app/usher-local/auth/providers/${p}/login?link=true`],
  ]),
  ...['register', 'confirm', 'confirm/send', 'confirm/call', 'reset', 'reset/send', 'reset/call'].map(
    (a): [string, string] => ['POST', `/api/client/v2.0/app/usher-local/auth/providers/local-userpass/${a}`],
  ),
  ['GET', '/api/client/v2.0/auth/profile'],
  ['POST', '/api/client/v2.0/auth/session'],
  ['DELETE', '/api/client/v2.0/auth/session'],
  ['DELETE', '/api/client/v2.0/auth/delete'],
  ['POST', '/api/client/v2.0/auth/api_keys'],
  ['GET', '/api/client/v2.0/auth/api_keys'],
  ['GET', '/api/client/v2.0/auth/api_keys/{id}'],
  ['DELETE', '/api/client/v2.0/auth/api_keys/{id}'],
  ['PUT', '/api/client/v2.0/auth/api_keys/{id}/enable'],
  ['PUT', '/api/client/v2.0/auth/api_keys/{id}/disable'],
  ['POST', '/confirm'],
  ['POST', '/reset'],
]

const ADMIN_PROCEDURES = [
  'users.list', 'users.get', 'users.create', 'users.confirm', 'users.rerunConfirmation', 'users.sendConfirmationEmail',
  'users.disable', 'users.enable', 'users.clearLock', 'users.revokeSessions', 'users.delete',
  'users.verifyToken', 'users.listApiKeys', 'users.enableApiKey', 'users.disableApiKey', 'users.deleteApiKey',
  'apiKeys.list', 'apiKeys.create', 'apiKeys.get', 'apiKeys.enable', 'apiKeys.disable', 'apiKeys.delete',
  'outbox.list', 'audit.list', 'config.get',
]

const field = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }))
const invalidObject = fc
  .tuple(
    fc.record(
      {
        email: field,
        username: field,
        password: field,
        token: field,
        tokenId: field,
        key: field,
        name: field,
        userId: field,
        keyId: field,
        limit: field,
        cursor: field,
        options: field,
      },
      { requiredKeys: [] },
    ),
    fc.string({ minLength: 1, maxLength: 12 }),
    field,
  )
  .map(([known, unknownKey, value]) => ({ ...known, [`zz_${unknownKey}`]: value }))
const body = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((v) => JSON.stringify(v)),
  invalidObject.map((v) => JSON.stringify(v)),
  invalidObject.map((v) => JSON.stringify(v).slice(0, -1)),
  fc.constant('{"__proto__": {"admin": true}, "constructor": {"prototype": {}}}'),
  fc.constant(undefined),
)
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', undefined)
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 80 }).map((s) => `Bearer ${s}`),
  fc.tuple(fc.string(), fc.string(), fc.string()).map((parts) => `Bearer ${parts.map((p) => Buffer.from(p).toString('base64url')).join('.')}`),
  fc.constant('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'),
  fc.string({ maxLength: 40 }),
)

function headersOf(type: string | undefined, auth: string | undefined) {
  const headers: Record<string, string> = {}
  if (type) headers['content-type'] = type
  if (auth !== undefined) headers.authorization = auth
  return headers
}

async function expectSafe(response: Response) {
  const text = await response.text()
  expect(response.status, text).toBeLessThan(500)
  expect(text).not.toMatch(/\n\s+at |"stack"|Error: /)
}

it('6,000 malformed client API requests: no 5xx, no stack, nothing written', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...CLIENT_ROUTES),
      fc.string({ maxLength: 30 }),
      body,
      contentType,
      authorization,
      async ([method, path], id, payload, type, auth) => {
        const url = `https://usher.test${path.replace('{id}', encodeURIComponent(id))}`
        const init: RequestInit = { method, headers: headersOf(type, auth) }
        if (payload !== undefined && method !== 'GET') init.body = payload
        await expectSafe(await exports.default.fetch(new Request(url, init)))
      },
    ),
    { numRuns: 6000 },
  )
  expect(await snapshot()).toEqual(before)
}, 300_000)

it('4,000 malformed admin API calls, with and without the admin key: no 5xx, no stack, nothing written', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.constantFrom(...ADMIN_PROCEDURES), fc.string({ maxLength: 20 })),
      fc.boolean(),
      body,
      fc.boolean(),
      fc.oneof(fc.constant(undefined), authorization),
      async (procedure, asQuery, payload, withKey, auth) => {
        const key = withKey ? `Bearer ${env.ADMIN_API_KEY}` : auth
        const path = `https://usher.test/admin/trpc/${encodeURIComponent(procedure)}`
        const request = asQuery
          ? new Request(`${path}?input=${encodeURIComponent(payload ?? '')}`, { headers: headersOf(undefined, key) })
          : new Request(path, { method: 'POST', headers: headersOf('application/json', key), body: payload ?? '' })
        await expectSafe(await exports.default.fetch(request))
      },
    ),
    { numRuns: 4000 },
  )
  expect(await snapshot()).toEqual(before)
}, 300_000)

/** Ways to write an address so it looks like (or folds to) another one. */
const lookAlike = (address: string) =>
  fc
    .array(
      fc.constantFrom(
        (s: string) => s.toUpperCase(),
        (s: string) => s.replace(/[a-z]/, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)), // fullwidth
        (s: string) => s.replace('@', '\u200b@'), // zero-width space
        (s: string) => s.replace('@', '\u200d@'), // zero-width joiner
        (s: string) => `\u202e${s}`, // right-to-left override
        (s: string) => s.replace('@', '\ufeff@'), // byte-order mark
        (s: string) => s.replace('e', 'e\u0301'), // combining accent (not NFKC)
        (s: string) => s.replace('.com', '.\ud800com'), // lone surrogate
        (s: string) => s.replace('@', ' @'),
        (s: string) => s.replace('x', '\u0445'), // Cyrillic ha: a different address, allowed
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((changes) => changes.reduce((s, change) => change(s), address))

it('Unicode look-alikes of a registered address never make a second account that displays alike', async () => {
  const base = `lookalike-${crypto.randomUUID().slice(0, 8)}@example.com`
  const register = (email: string) =>
    exports.default.fetch(
      new Request('https://usher.test/api/client/v2.0/app/usher-local/auth/providers/local-userpass/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'password1' }),
      }),
    )
  expect((await register(base)).status).toBe(201)
  const created: string[] = []
  await fc.assert(
    fc.asyncProperty(lookAlike(base), async (variant) => {
      const res = await register(variant)
      await expectSafe(res.clone())
      expect([201, 400, 409], variant).toContain(res.status)
      if (res.status === 201) created.push(variant)
    }),
    { numRuns: 300 },
  )
  // Only addresses that really differ (another script's letter) may register; none is invisible-only,
  // a compatibility form, or a case variant.
  for (const email of created) {
    expect(email.normalize('NFKC')).toBe(email)
    expect(email).not.toMatch(/\p{Cf}|\p{Cc}|\s/u)
    expect(email.toLowerCase()).not.toBe(base)
  }
}, 120_000)

it('malformed form posts to the mailed-link pages are 4xx pages, never a 500', async () => {
  const boundary = fc.string({ minLength: 1, maxLength: 30 })
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/confirm', '/reset'),
      boundary,
      fc.string({ maxLength: 300 }),
      fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded', 'text/plain'),
      async (path, b, payload, type) => {
        const contentType = type.endsWith('=') ? `${type}${b}` : type
        const body = type.startsWith('multipart') ? `--${b}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${payload}` : payload
        const res = await exports.default.fetch(new Request(`https://usher.test${path}`, { method: 'POST', headers: { 'content-type': contentType }, body }))
        await expectSafe(res)
        expect(res.status).toBeGreaterThanOrEqual(400)
      },
    ),
    { numRuns: 500 },
  )
})
