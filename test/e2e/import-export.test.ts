/**
 * Migrating users with the real CLI (a child process) into the real worker (wrangler's test harness, a fresh
 * local D1), and logging them in with the real client (realm-web), as the README's "Migrating your users" walks
 * it: every import format from fixtures written from the published formats (test/fixtures/import/), ids kept,
 * passwords kept and rehashed at the first login, dry runs that write nothing, re-runs that skip, conflicts
 * and bad rows reported by file and line, chunks that retry, App Services users setting their password
 * through the mailed link, and a backup (`usher export`) restored into an empty D1 that exports the same bytes.
 *
 * The passwords: Firebase's published scrypt test vector (firebase/scrypt README: `user1password`), GoTrue's
 * `$fbscrypt$` vector (supabase/auth TestFirebaseScrypt: `mytestpassword`), bcrypt hashes made by bcryptjs
 * (`sky-blue-password`, `still waiting`; `too costly` at cost 13) and Better Auth's scrypt made by its
 * `hashPassword` (`correct horse battery`).
 */
import { createServer, type Server } from 'node:http'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as Realm from 'realm-web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIREBASE_SCRYPT_VECTOR_OPTIONS as FIREBASE_README } from '../fixtures/firebase-scrypt-vector'
import { ADMIN_KEY, freePort, startUsher } from './harness'
import { ROOT, runUsher, type CliResult } from './usher-cli'

type Usher = Awaited<ReturnType<typeof startUsher>>

const FIXTURES = path.join(ROOT, 'test/fixtures/import')
const SCRATCH = mkdtempSync(path.join(tmpdir(), 'usher-import-'))

/** The signer key in GoTrue's `$fbscrypt$` test vector (a project Supabase imported from Firebase). */
const GOTRUE_VECTOR = [
  '--hash-key',
  'ou9tdYTGyYm8kuR6Dt0Bp0kDuAYoXrK16mbZO4yGwAn3oLspjnN0/c41v8xZnO1n14J3MjKj1b2g6AUCAlFwMw==',
  '--salt-separator',
  'Bw==',
  '--rounds',
  '8',
  '--mem-cost',
  '14',
]

let usher: Usher
let app: Realm.App

beforeAll(async () => {
  usher = await startUsher()
  app = new Realm.App({ id: 'usher-local', baseUrl: usher.origin })
})
afterAll(async () => {
  await usher?.close()
  rmSync(SCRATCH, { recursive: true, force: true })
})

/** `usher …` against `target` (the first worker unless said), from the fixtures directory. */
function cli(
  args: string[],
  options: { target?: string; input?: string; cwd?: string } = {},
): Promise<CliResult> {
  return runUsher(args, {
    cwd: options.cwd ?? FIXTURES,
    input: options.input,
    env: { USHER_URL: options.target ?? usher.origin, USHER_ADMIN_KEY: ADMIN_KEY },
  })
}

/** A `--json` run: its exit code and the one JSON document on stdout (stderr stays empty: no progress). */
async function report(args: string[], code: number, options?: Parameters<typeof cli>[1]) {
  const result = await cli([...args, '--json'], options)
  expect(result.stderr, `usher ${args.join(' ')}`).toBe('')
  expect(result.code, `usher ${args.join(' ')}: ${result.stdout}`).toBe(code)
  return JSON.parse(result.stdout)
}

async function rowCount(table: string, where = '1 = 1', db = usher.db): Promise<number> {
  return (await db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).first<{ n: number }>())!.n
}

const storedHash = async (userId: string) =>
  (await usher.db
    .prepare("SELECT password_hash FROM identities WHERE user_id = ? AND provider_type = 'local-userpass'")
    .bind(userId)
    .first<{ password_hash: string | null }>())!.password_hash

async function realmError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => expect.unreachable('expected the call to fail'),
    (e: unknown) => e as Realm.MongoDBRealmError,
  )
  expect(error).toBeInstanceOf(Realm.MongoDBRealmError)
  return { statusCode: error.statusCode, errorCode: error.errorCode }
}

const logIn = (email: string, password: string) => app.logIn(Realm.Credentials.emailPassword(email, password))

/** Lines of output, each ended by a line break. */
const lines = (...text: string[]) => text.map((line) => `${line}\n`).join('')

const ZERO = { created: 0, updated: 0, replaced: 0, skipped: 0, conflict: 0, invalid: 0 }

describe('usher import --from firebase (auth:export with the project hash parameters)', () => {
  const file = 'firebase-users.json'
  const problems = [
    { file, line: 42, reason: 'no email or provider Usher can log in with (phone sign-in is not supported)' },
    { file, line: 48, reason: 'customAttributes is not valid JSON' },
  ]

  it('a dry run reports every row and writes nothing', async () => {
    const dry = await report(['import', file, '--from', 'firebase', ...FIREBASE_README, '--dry-run'], 1)
    expect(dry).toEqual({
      dryRun: true,
      counts: { ...ZERO, created: 4, invalid: 2 },
      problems,
      rows: [],
      lossy: [
        'twitter.com identities left out: Usher has no such provider (1 user)',
        'email/password users without a password hash in the export: they must reset their password (1 user)',
      ],
    })
    expect(await rowCount('users')).toBe(0)
    expect(await rowCount('identities')).toBe(0)
    expect(await rowCount('password_hash_parameters')).toBe(0)
    expect(await rowCount('audit_log', "action = 'user.imported'")).toBe(0)
  })

  it('imports with the ids kept, lists the bad rows by line and exits 1', async () => {
    const result = await cli(['import', file, '--from', 'firebase', ...FIREBASE_README])
    expect(result.code).toBe(1)
    // Before the import: the rows that cannot be read, and what the users lack.
    expect(result.stderr).toBe(
      lines(
        '✗ firebase-users.json:42: no email or provider Usher can log in with (phone sign-in is not supported)',
        '✗ firebase-users.json:48: customAttributes is not valid JSON',
        '⚠ twitter.com identities left out: Usher has no such provider (1 user)',
        '⚠ email/password users without a password hash in the export: they must reset their password (1 user)',
      ),
    )
    expect(result.stdout).toBe(
      lines(
        '✗ 4 created · 2 invalid',
        '',
        'Not imported:',
        '  firebase-users.json:42  invalid: no email or provider Usher can log in with (phone sign-in is not supported)',
        '  firebase-users.json:48  invalid: customAttributes is not valid JSON',
        '',
        '2 rows not imported: fix them and run the same command again (users already imported are skipped).',
      ),
    )
    expect(await rowCount('users')).toBe(4)
    // Firebase uids are mixed-case: `users get` takes them exactly as given.
    const grace = (await cli(['users', 'get', 'Zq3kJ8mW2sTnV5bX7cD9fG1hK4lP', '--json'])).stdout
    expect(JSON.parse(grace)).toMatchObject({
      id: 'Zq3kJ8mW2sTnV5bX7cD9fG1hK4lP',
      disabled: true,
      customData: { role: 'admin', customInt: 99 },
      identities: [{ providerType: 'oauth2-google', id: '112233445566778899000' }],
    })
    expect((await cli(['users', 'get', 'zq3kj8mw2stnv5bx7cd9fg1hk4lp'])).stderr).toMatch(
      /^usher: user not found/,
    )
  })

  it('keeps the password: Firebase’s test vector logs in, and is rehashed to Usher’s scrypt', async () => {
    const uid = 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2'
    expect(await storedHash(uid)).toMatch(/^\$firebase-scrypt\$p=[0-9a-f]{24}\$42xEC\+ixf3L2lw\$/)
    // Firebase said emailVerified: false, but the user had logged in there: confirmed, not locked out.
    expect((await cli(['users', 'get', uid])).stdout).toMatch(/confirmed/)
    expect(await realmError(logIn('user1@test.com', 'user1password!'))).toMatchObject({ statusCode: 401 })
    const user = await logIn('user1@test.com', 'user1password')
    expect(user.id).toBe(uid)
    expect(user.profile.email).toBe('user1@test.com')
    await expect.poll(() => storedHash(uid)).toMatch(/^\$scrypt\$/)
    await user.logOut()
    expect((await logIn('user1@test.com', 'user1password')).id).toBe(uid)
  })

  it('a second run skips everyone (the bad rows are still reported)', async () => {
    const again = await report(['import', file, '--from', 'firebase', ...FIREBASE_README], 1)
    expect(again.counts).toEqual({ ...ZERO, skipped: 4, invalid: 2 })
    expect(again.rows).toEqual([
      {
        file,
        line: 2,
        id: 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2',
        outcome: 'skipped',
        reason: 'already here (same id)',
      },
      {
        file,
        line: 13,
        id: 'Zq3kJ8mW2sTnV5bX7cD9fG1hK4lP',
        outcome: 'skipped',
        reason: 'already here (same id)',
      },
      {
        file,
        line: 33,
        id: 'Fb8YtR5eW3qA1sD4fG6hJ9kL2zX',
        outcome: 'skipped',
        reason: 'already here (same id)',
      },
      {
        file,
        line: 58,
        id: 'N0Hash0Us3rAbCdEfGhIjKlMnOp',
        outcome: 'skipped',
        reason: 'already here (same id)',
      },
    ])
    // The rehashed password was not overwritten by the file's Firebase hash.
    await expect.poll(() => storedHash('kYi4EvWQlQTKSfnJ3dRSP6IH3ed2')).toMatch(/^\$scrypt\$/)
  })
})

describe('usher import --from supabase (auth.users with identities, from psql)', () => {
  const file = 'supabase-psql.json'
  const sky = 'd1c5e0a2-6b7f-4c3e-9a1d-2f8b7e6c5a41'

  it('imports every row, exit 0; the bcrypt password logs in and is rehashed', async () => {
    const result = await cli(['import', file, '--from', 'supabase'])
    expect(result).toMatchObject({ code: 0, stdout: '✓ 4 created\n', stderr: '' })
    const user = await logIn('sky@example.com', 'sky-blue-password')
    expect(user.id).toBe(sky)
    expect(user.customData).toEqual({ plan: 'team' })
    await expect.poll(() => storedHash(sky)).toMatch(/^\$scrypt\$/)
    expect(await storedHash('e2b6f1a3-7c8d-4d4f-8b2e-3a9c8f7d6b52')).toMatch(/^\$firebase-scrypt\$/)
    const details = JSON.parse((await cli(['users', 'get', sky, '--json'])).stdout)
    expect(details.identities).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ providerType: 'local-userpass' }),
        expect.objectContaining({ providerType: 'oauth2-google', id: '117364829103847561023' }),
      ]),
    )
  })

  it('a second run reports everything skipped, with its line, and exits 0', async () => {
    const again = await report(['import', file, '--from', 'supabase'], 0)
    expect(again.counts).toEqual({ ...ZERO, skipped: 4 })
    expect(again.rows.map((row: { line: number; outcome: string }) => [row.line, row.outcome])).toEqual([
      [1, 'skipped'],
      [2, 'skipped'],
      [3, 'skipped'],
      [4, 'skipped'],
    ])
    expect((await cli(['import', file, '--from', 'supabase'])).stdout).toBe('✓ 4 skipped (already here)\n')
  })
})

describe('usher import --from better-auth (user and account tables)', () => {
  it('keeps the scrypt password made by better-auth, and lists the rows it cannot use', async () => {
    const result = await report(['import', 'better-auth.json', '--from', 'better-auth'], 1)
    expect(result.counts).toEqual({ ...ZERO, created: 3, invalid: 2 })
    expect(result.problems).toEqual([
      { file: 'better-auth.json', line: 6, reason: 'email is missing' },
      {
        file: 'better-auth.json',
        line: 12,
        reason: 'an account of no user in this export (userId "DoesNotExist000000000000000000000")',
      },
    ])
    const kim = await logIn('kim@example.com', 'correct horse battery')
    expect(kim.id).toBe('Xk3pQ9rT2vW8yZ1aB4cD6eF7gH0jK5mN')
    expect(await storedHash(kim.id)).toMatch(/^\$scrypt\$ln=/)
  })
})

describe('usher import --from app-services, then the password setup (realm-web)', () => {
  const ann = '65a1b2c3d4e5f60718293a4b'

  it('reads Admin API pages and pending users from several files, ids kept', async () => {
    const result = await cli([
      'import',
      'app-services-users.json',
      'app-services-pending.json',
      '--from',
      'app-services',
    ])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(
      lines(
        '✗ 5 created · 3 invalid',
        '',
        'Not imported:',
        '  app-services-users.json:39   invalid: _id is missing',
        '  app-services-users.json:57   invalid: user 65a1b2c3d4e5f60718293a4b already appears at app-services-users.json line 2',
        '  app-services-pending.json:4  invalid: login_ids has no email',
        '',
        '3 rows not imported: fix them and run the same command again (users already imported are skipped).',
      ),
    )
    expect(result.stderr).toContain('⚠ no password hashes: App Services never exported them')
    const details = JSON.parse((await cli(['users', 'get', ann, '--json'])).stdout)
    expect(details).toMatchObject({
      id: ann,
      email: 'ann@example.com',
      status: 'confirmed',
      createdAt: '2024-01-11T19:06:40.000Z',
    })
  })

  it('an imported user without a password is refused with PasswordSetupRequired', async () => {
    expect(await realmError(logIn('ann@example.com', 'anything at all'))).toEqual({
      statusCode: 401,
      errorCode: 'PasswordSetupRequired',
    })
  })

  it('send-password-setup mails one user by id, or everyone waiting with --all', async () => {
    const one = await cli(['users', 'send-password-setup', 'N0Hash0Us3rAbCdEfGhIjKlMnOp'])
    expect(one).toMatchObject({
      code: 0,
      stdout: '✓ sent a password setup link to nohash@test.com (N0Hash0Us3rAbCdEfGhIjKlMnOp)\n',
      stderr: '',
    })
    const all = await cli(['users', 'send-password-setup', '--all', '--rate', '4'])
    expect(all.code).toBe(0)
    // In id order; nohash@test.com has a valid link already, and is not mailed twice.
    expect(all.stdout).toBe(
      lines(
        '✓ sent a password setup link to ann@example.com (65a1b2c3d4e5f60718293a4b)',
        '✓ sent a password setup link to dave@example.com (65b000000000000000000001)',
        '✓ sent a password setup link to max@example.com (Hj2kL5mN8pQ1rS4tU7vW0xY3zA6bC9dE)',
        '✓ 3 links sent; nobody else is waiting',
      ),
    )
    expect(await report(['users', 'send-password-setup', '--all'], 0)).toEqual({
      sent: [],
      failed: null,
      remaining: 0,
    })
    expect((await cli(['users', 'send-password-setup', '--all'])).stdout).toBe(
      'no imported user is waiting for a password setup link\n',
    )
  })

  it('the link sets the password through realm-web’s resetPassword, and the user logs in as themselves', async () => {
    const mail = await usher.lastMail('ann@example.com')
    expect(mail.subject).toBe('Set a password for your usher-local account')
    expect(mail.link.startsWith(`${usher.origin}/reset?`)).toBe(true)
    await app.emailPasswordAuth.resetPassword({
      token: mail.token,
      tokenId: mail.tokenId,
      password: 'ann’s new password',
    })
    const user = await logIn('ann@example.com', 'ann’s new password')
    expect(user.id).toBe(ann)
  })

  it('a pending App Services registration is confirmed by setting its password', async () => {
    const mail = await usher.lastMail('dave@example.com')
    await app.emailPasswordAuth.resetPassword({
      token: mail.token,
      tokenId: mail.tokenId,
      password: 'dave sets one',
    })
    expect((await logIn('dave@example.com', 'dave sets one')).id).toBe('65b000000000000000000001')
  })

  it('refuses a command line that is not one user or --all', async () => {
    for (const args of [
      ['users', 'send-password-setup'],
      ['users', 'send-password-setup', ann, '--all'],
      ['users', 'send-password-setup', ann, '--rate', '3'],
    ]) {
      const result = await cli(args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(
        /^usher: (give either one user <id> or --all|--rate goes with --all) \(see `usher users send-password-setup --help`\)\n$/,
      )
    }
    expect((await cli(['users', 'send-password-setup', '--all', '--rate', 'fast'])).stderr).toContain(
      '--rate must be a positive number',
    )
  })
})

describe('conflicts and bad rows', () => {
  it('are listed by line with the other user’s id, the rest imports, exit 1', async () => {
    const result = await cli(['import', 'usher-conflicts.jsonl', '--from', 'usher'])
    expect(result.code).toBe(1)
    expect(result.stdout).toBe(
      lines(
        '✗ 1 created · 2 in conflict · 2 invalid',
        '',
        'Not imported:',
        '  usher-conflicts.jsonl:2  conflict kim-Elsewhere: the email kim@example.com belongs to user Xk3pQ9rT2vW8yZ1aB4cD6eF7gH0jK5mN',
        '  usher-conflicts.jsonl:3  invalid: not valid JSON: Expected double-quoted property name in JSON at position 34 (line 1 column 35)',
        '  usher-conflicts.jsonl:4  invalid too-costly: passwordHash: the password hash has bcrypt cost 13, above 12: each step doubles the work of a login (cost 12 already takes about 250 ms of CPU), so this user must reset the password',
        '  usher-conflicts.jsonl:5  conflict fresh-Twin: the same email as the row at usher-conflicts.jsonl:1',
        '',
        '4 rows not imported: fix them and run the same command again (users already imported are skipped).',
      ),
    )
    expect(await rowCount('users', "id IN ('kim-Elsewhere', 'too-costly', 'fresh-Twin')")).toBe(0)
  })

  it('--on-conflict=update lets the file win: the other user is replaced', async () => {
    const register = { email: `taken-${Date.now()}@example.com`, password: 'registered here' }
    await app.emailPasswordAuth.registerUser(register)
    const before = (await usher.db
      .prepare('SELECT user_id FROM identities WHERE email = ?')
      .bind(register.email)
      .first<{ user_id: string }>())!.user_id
    const line = JSON.stringify({
      id: 'wins-from-file',
      type: 'normal',
      status: 'confirmed',
      disabled: false,
      email: register.email,
      identities: [{ providerType: 'local-userpass', id: 'wins-from-file' }],
    })
    expect((await report(['import', '-', '--from', 'usher'], 1, { input: line })).rows).toEqual([
      {
        file: 'stdin',
        line: 1,
        id: 'wins-from-file',
        outcome: 'conflict',
        reason: `the email ${register.email} belongs to user ${before}`,
      },
    ])
    const updated = await report(['import', '-', '--from', 'usher', '--on-conflict=update'], 0, {
      input: line,
    })
    expect(updated.counts).toEqual({ ...ZERO, replaced: 1 })
    expect(updated.rows).toEqual([
      { file: 'stdin', line: 1, id: 'wins-from-file', outcome: 'replaced', replaced: [before] },
    ])
    expect(await rowCount('users', `id = '${before}'`)).toBe(0)
  })

  it('two rows claiming one address: the second is a conflict in a dry run as in the real run, whatever the chunks', async () => {
    const file = path.join(SCRATCH, 'twins.jsonl')
    const row = (i: number, email: string) =>
      JSON.stringify({
        id: `twin-${i}`,
        type: 'normal',
        status: 'confirmed',
        disabled: false,
        email,
        // A password (bcrypt of "twin password"): these users are not waiting for a password setup.
        passwordHash: '$2b$04$JRK42IR89aDmgtV71dEIb.BQ.Ns1puxfKE4DaenyG0DBdr0Ew0lNu',
        identities: [{ providerType: 'local-userpass', id: `twin-${i}` }],
      })
    // 502 rows: the last (in the second chunk of 500) claims the first row's address, in other case.
    const rows = Array.from({ length: 501 }, (_, i) => row(i, `twin-${i}@example.com`))
    writeFileSync(file, `${[...rows, row(501, 'TWIN-0@example.com')].join('\n')}\n`)
    const twin = { file, line: 502, id: 'twin-501', outcome: 'conflict', reason: `the same email as the row at ${file}:1` }

    const dry = await report(['import', file, '--from', 'usher', '--dry-run'], 1)
    expect(dry.counts).toEqual({ ...ZERO, created: 501, conflict: 1 })
    expect(dry.rows).toEqual([twin])
    expect(await rowCount('users', "id LIKE 'twin-%'")).toBe(0)

    const real = await report(['import', file, '--from', 'usher'], 1)
    expect(real.counts).toEqual(dry.counts)
    expect(real.rows).toEqual([twin])
    // The file winning (--on-conflict=update) does not let its second row replace its first.
    const again = await report(['import', file, '--from', 'usher', '--on-conflict=update'], 1)
    expect(again.counts).toEqual({ ...ZERO, updated: 501, conflict: 1 })
    expect(again.rows.filter((r: { outcome: string }) => r.outcome !== 'updated')).toEqual([twin])
    expect(await rowCount('users', "id LIKE 'twin-%'")).toBe(501)
    expect(await rowCount('identities', "email = 'twin-0@example.com' AND user_id = 'twin-0'")).toBe(1)
  })

  it('usage mistakes exit 2 before anything is read or sent; unreadable files exit 1', async () => {
    const offline = { target: `http://127.0.0.1:${await freePort()}` }
    const usage = [
      [['import', 'supabase-psql.json'], 'missing --from <format>'],
      [['import', '--from', 'firebase'], 'missing <file>'],
      [
        ['import', 'x.json', '--from', 'auth0'],
        '--from must be one of app-services, firebase, supabase, better-auth, usher (got "auth0")',
      ],
      [
        ['import', 'supabase-psql.json', '--from', 'supabase', '--hash-key', 'abc='],
        '--hash-key is for --from firebase',
      ],
      [
        ['import', 'firebase-users.json', '--from', 'firebase', '--hash-key', 'abc='],
        'the Firebase hash parameters go together',
      ],
      [
        ['import', 'x.json', '--from', 'usher', '--on-conflict', 'overwrite'],
        '--on-conflict must be one of skip, update',
      ],
      [['import', '-', '-', '--from', 'usher'], 'stdin (-) can be read only once'],
    ] as const
    for (const [args, message] of usage) {
      const result = await cli([...args], offline)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain(message)
    }
    const missing = await cli(['import', 'nowhere.json', '--from', 'firebase'], offline)
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'usher: cannot read nowhere.json: no such file\n',
    })
  })
})

/**
 * A proxy in front of the worker that records each `users.import` body, and answers the `failOnce`-th with a
 * 502 page after the worker has handled it (the answer was lost on the way back).
 */
async function flakyProxy(target: string, failOnce: number) {
  const imports: { bytes: number; users: number }[] = []
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const answer = await fetch(`${target}${request.url}`, {
      method: request.method,
      headers: {
        authorization: request.headers.authorization ?? '',
        'content-type': request.headers['content-type'] ?? 'application/json',
      },
      body: request.method === 'GET' ? undefined : body,
    })
    const text = await answer.text()
    if (request.url!.startsWith('/admin/trpc/users.import')) {
      imports.push({ bytes: body.length, users: JSON.parse(body.toString())['0'].users.length })
      if (imports.length === failOnce) {
        response
          .writeHead(502, { 'content-type': 'text/html' })
          .end('<html><body>502 Bad Gateway</body></html>')
        return
      }
    }
    response
      .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' })
      .end(text)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    imports,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

describe('large files: chunks under the body limit, retried when the answer is lost', () => {
  const bulk = path.join(SCRATCH, 'bulk.jsonl')
  const USERS = 1100

  beforeAll(() => {
    // Anonymous users with about 5 KB of profile each: 500 of them would be a 2.6 MB body.
    const rows = Array.from({ length: USERS }, (_, i) =>
      JSON.stringify({
        id: `bulk-${String(i).padStart(4, '0')}`,
        type: 'normal',
        status: 'confirmed',
        disabled: false,
        createdAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
        lastLoginAt: null,
        identities: [{ providerType: 'anon-user', id: `bulk-anon-${i}` }],
        data: { bio: `${'x'.repeat(5000)}${i}` },
      }),
    )
    writeFileSync(bulk, `${rows.join('\n')}\n`)
  })

  it('sends chunks of ≤ 500 users under 2 MB, sends a chunk again after a 502, and counts its rows as skipped', async () => {
    const proxy = await flakyProxy(usher.origin, 2)
    try {
      const result = await cli(['import', bulk, '--from', 'usher'], { target: proxy.url })
      expect(result.code, result.stderr).toBe(0)
      expect(proxy.imports.length).toBeGreaterThanOrEqual(4)
      for (const { bytes, users } of proxy.imports) {
        expect(bytes).toBeLessThanOrEqual(2 * 1024 * 1024)
        expect(users).toBeLessThanOrEqual(500)
      }
      const sizes = proxy.imports.map(({ users }) => users)
      // The second chunk twice (its answer was lost), every user once otherwise.
      expect(sizes.reduce((sum, n) => sum + n, 0) - sizes[1]!).toBe(USERS)
      expect(result.stderr).toContain(`⚠ chunk 2 of ${sizes.length - 1} failed (`)
      expect(result.stderr).toContain('sending it again in 1 s (rows it wrote count as skipped)')
      expect(result.stdout).toBe(`✓ ${USERS - sizes[1]!} created · ${sizes[1]} skipped (already here)\n`)
      expect(await rowCount('users', "id LIKE 'bulk-%'")).toBe(USERS)
    } finally {
      await proxy.close()
    }
  })

  it('gives up after three attempts, saying how to resume', async () => {
    const result = await cli(['import', bulk, '--from', 'usher'], {
      target: `http://127.0.0.1:${await freePort()}`,
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines.filter((line) => line.startsWith('⚠ chunk 1 of 3 failed (ECONNREFUSED)'))).toHaveLength(2)
    expect(lines.at(-2)).toBe(
      `✗ import stopped at chunk 1 of 3: 0 of ${USERS} users were sent. Run the same command again to resume: users already imported are skipped.`,
    )
    expect(lines.at(-1)).toMatch(
      /^usher: cannot reach Usher at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
    )
  })
})

/** A mail provider speaking Resend's API on 127.0.0.1 that refuses the mails `refuse` picks (422). */
async function fakeMailProvider(refuse: (to: string) => boolean) {
  const delivered: { to: string; at: number }[] = []
  const server: Server = createServer(async (request, response) => {
    let body = ''
    for await (const chunk of request) body += chunk
    const to = (JSON.parse(body) as { to: string[] }).to[0]!
    if (refuse(to)) {
      response
        .writeHead(422, { 'content-type': 'application/json' })
        .end('{"name":"validation_error","message":"daily quota reached"}')
      return
    }
    delivered.push({ to, at: Date.now() })
    response.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":"mail-${delivered.length}"}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/emails`,
    delivered,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

describe('usher export, and a restore into an empty D1', () => {
  const backup = path.join(SCRATCH, 'backup.jsonl')
  let second: Usher | undefined
  let provider: Awaited<ReturnType<typeof fakeMailProvider>> | undefined
  /** The provider refuses the mail to this address once. */
  let refused: string | undefined

  afterAll(async () => {
    await second?.close()
    await provider?.close()
  })

  it('writes one JSON line per user to --out, atomically, and refuses to overwrite without --force', async () => {
    // Users Usher made itself come along: a registered user and a server API key's user.
    await app.emailPasswordAuth.registerUser({ email: 'native@example.com', password: 'native password' })
    expect((await cli(['api-keys', 'create', '--name', 'billing'])).code).toBe(0)
    const total = await rowCount('users')
    const result = await cli(['export', '--out', backup])
    expect(result).toEqual({ code: 0, stdout: '', stderr: `✓ exported ${total} users to ${backup}\n` })
    expect(existsSync(`${backup}.tmp`)).toBe(false)
    const lines = readFileSync(backup, 'utf8').split('\n')
    expect(lines.pop()).toBe('')
    expect(lines).toHaveLength(total)
    const users = lines.map((line) => JSON.parse(line))
    expect(users.map((user) => user.id)).toEqual(users.map((user) => user.id).toSorted())
    expect(users.find((user) => user.id === 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2')).toMatchObject({
      email: 'user1@test.com',
      passwordHash: expect.stringMatching(/^\$scrypt\$/),
    })
    expect(readFileSync(backup, 'utf8')).not.toMatch(/refresh|secret|"key"/i)

    const again = await cli(['export', '--out', backup])
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: `usher: ${backup} already exists: pass --force to replace it\n`,
    })
    expect((await cli(['export', '--out', backup, '--force'])).code).toBe(0)
    const piped = await cli(['export'])
    expect(piped.stdout).toBe(readFileSync(backup, 'utf8'))
    expect(piped.stderr).toBe(`✓ exported ${total} users\n`)
    expect(await report(['export', '--out', backup, '--force'], 0)).toEqual({ exported: total, out: backup })
  })

  it('imports into a fresh worker: Firebase hashes need the project’s parameters again, then the export is the same bytes', async () => {
    provider = await fakeMailProvider((to) => {
      if (to !== refused) return false
      refused = undefined
      return true
    })
    second = await startUsher({
      MAIL_PROVIDER: 'resend',
      MAIL_API_URL: provider.url,
      MAIL_API_KEY: 're_test_0c4f9a2e71b8',
      MAIL_FROM: 'Notes <no-reply@notes.example>',
    })
    const target = second.origin
    const first = await report(['import', backup, '--from', 'usher'], 1, { target })
    expect(first.counts.invalid).toBe(1)
    expect(first.rows.filter((row: { outcome: string }) => row.outcome === 'invalid')).toEqual([
      {
        file: backup,
        line: expect.any(Number),
        id: 'e2b6f1a3-7c8d-4d4f-8b2e-3a9c8f7d6b52',
        outcome: 'invalid',
        reason: expect.stringContaining(
          "are not stored here (import with the project's --hash-key, --salt-separator, --rounds and --mem-cost)",
        ),
      },
    ])
    const resumed = await report(['import', backup, '--from', 'usher', ...GOTRUE_VECTOR], 0, { target })
    expect(resumed.counts).toEqual({ ...ZERO, created: 1, skipped: first.counts.created })

    const restored = path.join(SCRATCH, 'restored.jsonl')
    expect((await cli(['export', '--out', restored], { target })).code).toBe(0)
    expect(readFileSync(restored, 'utf8')).toBe(readFileSync(backup, 'utf8'))

    // Passwords work there: one already rehashed to Usher's scrypt, one still Firebase's.
    const restoredApp = new Realm.App({ id: 'usher-local', baseUrl: target })
    expect(
      (await restoredApp.logIn(Realm.Credentials.emailPassword('sky@example.com', 'sky-blue-password'))).id,
    ).toBe('d1c5e0a2-6b7f-4c3e-9a1d-2f8b7e6c5a41')
    expect(
      (await restoredApp.logIn(Realm.Credentials.emailPassword('fb-migrated@example.com', 'mytestpassword')))
        .id,
    ).toBe('e2b6f1a3-7c8d-4d4f-8b2e-3a9c8f7d6b52')
  })

  it('send-password-setup --all stops at a mail that fails, says how to resume, and the re-run paces the rest', async () => {
    const target = second!.origin
    // Restored users have no set-password link (links are not exported): four wait for one, in id order.
    refused = 'nohash@test.com'
    const stopped = await cli(['users', 'send-password-setup', '--all'], { target })
    expect(stopped.code).toBe(1)
    expect(stopped.stdout).toBe(
      lines(
        '✓ sent a password setup link to max@example.com (Hj2kL5mN8pQ1rS4tU7vW0xY3zA6bC9dE)',
        '✗ the mail to nohash@test.com (N0Hash0Us3rAbCdEfGhIjKlMnOp) failed: the email could not be sent (mail provider answered 422: {"name":"validation_error","message":"daily quota reached"}); try again later',
        '1 link sent, 3 users still waiting: run `usher users send-password-setup --all` again to resume (users already mailed are not mailed twice while their link is valid).',
      ),
    )
    const started = Date.now()
    const resumed = await report(['users', 'send-password-setup', '--all', '--rate', '2'], 0, { target })
    expect(resumed.sent.map((user: { email: string }) => user.email)).toEqual([
      'nohash@test.com',
      'fresh@example.com',
      expect.stringMatching(/^taken-/),
    ])
    expect(resumed).toMatchObject({ failed: null, remaining: 0 })
    // Two a second: a page of two, then a wait, then the third.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(provider!.delivered.map((mail) => mail.to)).toEqual([
      'max@example.com',
      'nohash@test.com',
      'fresh@example.com',
      expect.stringMatching(/^taken-/),
    ])
  })
})
