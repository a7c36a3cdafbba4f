/**
 * The `usher` CLI as people and scripts run it: the real binary (tui/bin/usher.js, in a child process)
 * against the real worker (wrangler's test harness, fresh local D1), through every command, its human and
 * `--json` output, the confirmation prompt, and every kind of failure. Users are registered through the
 * real client API, as an app would.
 *
 * Every run is checked for the CLI's promises: no stack trace ever, and a failure is exactly one
 * `usher: …` line on stderr with nothing on stdout.
 */
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminClient } from '../../tui/admin-client'
import { ADMIN_KEY, freePort, startUsher } from './harness'

const ROOT = path.resolve(import.meta.dirname, '../..')
const BIN = path.join(ROOT, 'tui/bin/usher.js')
/** A working directory without .dev.vars, so only the flags and variables a test gives are used. */
const SCRATCH = mkdtempSync(path.join(tmpdir(), 'usher-cli-'))
const RUN = Date.now().toString(36)

let usher: Awaited<ReturnType<typeof startUsher>>

beforeAll(async () => {
  usher = await startUsher()
})
afterAll(async () => {
  await usher?.close()
  rmSync(SCRATCH, { recursive: true, force: true })
})

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

interface RunOptions {
  /** Written to stdin, which is then closed (stdin is always closed, so a prompt sees EOF, not a hang). */
  input?: string
  /** Replaces the default USHER_URL / USHER_ADMIN_KEY (pointing at the test worker); undefined unsets. */
  env?: Record<string, string | undefined>
  cwd?: string
}

function inheritedEnv(): NodeJS.ProcessEnv {
  const { USHER_URL: _url, USHER_ADMIN_KEY: _key, USHER_DEBUG: _debug, ...rest } = process.env
  return rest
}

/** Run the real binary; every run must be free of stack traces. */
async function cli(args: string[], options: RunOptions = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = {
    ...inheritedEnv(),
    USHER_URL: usher.origin,
    USHER_ADMIN_KEY: ADMIN_KEY,
    ...options.env,
  }
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? SCRATCH, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  child.stdin.end(options.input ?? '')
  const killer = setTimeout(() => child.kill('SIGKILL'), 50_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(killer)
  expect(stderr, `stack trace from usher ${args.join(' ')}`).not.toMatch(/^\s+at\s/m)
  expect(stdout, `stack trace from usher ${args.join(' ')}`).not.toMatch(/^\s+at\s/m)
  return { code, stdout, stderr }
}

/** A successful run: exit 0, nothing on stderr. */
async function ok(args: string[], options?: RunOptions): Promise<string> {
  const result = await cli(args, options)
  expect(result, `usher ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' })
  return result.stdout
}

/** A successful `--json` run: stdout is exactly one JSON document. */
async function json<T = any>(args: string[], options?: RunOptions): Promise<T> {
  return JSON.parse(await ok([...args, '--json'], options)) as T
}

/** A failed run: the exit code, nothing on stdout, and one `usher: ` line on stderr (returned without the prefix). */
async function fails(args: string[], exitCode: number, options?: RunOptions): Promise<string> {
  const result = await cli(args, options)
  expect(result.code, `exit code of usher ${args.join(' ')}: ${result.stderr}`).toBe(exitCode)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^usher: [^\n]+\n$/)
  return result.stderr.slice('usher: '.length, -1)
}

const clientApi = (route: string) => `${usher.origin}/api/client/v2.0/app/usher-local${route}`

async function post(url: string, body: unknown, status: number) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  expect(response.status, `${url}: ${text}`).toBe(status)
  return text ? JSON.parse(text) : undefined
}

/** Register through the client API, as an app does: the user is pending confirmation. */
async function register(email: string): Promise<string> {
  await post(clientApi('/auth/providers/local-userpass/register'), { email, password: 'password1' }, 201)
  const { items } = await json(['users', 'list', '--search', email])
  expect(items).toHaveLength(1)
  return items[0].id
}

const logIn = (email: string, password = 'password1') =>
  post(clientApi('/auth/providers/local-userpass/login'), { username: email, password }, 200)

const loginWithKey = (key: string) =>
  fetch(clientApi('/auth/providers/api-key/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  })

/** A user's own API key, made as their app makes it: with the refresh token of a password login. */
async function userKey(session: { refresh_token: string }, name: string): Promise<{ _id: string; key: string }> {
  const response = await fetch(`${usher.origin}/api/client/v2.0/auth/api_keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.refresh_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  expect(response.status).toBe(201)
  return (await response.json()) as { _id: string; key: string }
}

async function profileStatus(accessToken: string): Promise<number> {
  const response = await fetch(`${usher.origin}/api/client/v2.0/auth/profile`, {
    headers: { authorization: `Bearer ${accessToken}` },
  })
  return response.status
}

async function mailCount(to: string): Promise<number> {
  return (await json(['outbox', '--to', to])).items.length
}

describe('the binary', () => {
  it('is the package bin, executable on its own', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    expect(path.join(ROOT, pkg.bin.usher)).toBe(BIN)
    accessSync(BIN, constants.X_OK)
    const child = spawn(BIN, ['--help'], {
      cwd: SCRATCH,
      env: {
        ...inheritedEnv(),
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
      },
    })
    let stdout = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0)
    expect(stdout).toContain('Usage: usher <command> [options]')
  })
})

describe('help', () => {
  it('works at every level and needs no server', async () => {
    const offline = { env: { USHER_URL: `http://127.0.0.1:${await freePort()}` } }
    const root = await ok(['--help'], offline)
    for (const command of [
      'users list',
      'users delete <id>',
      'api-keys create --name <name>',
      'keys list',
      'keys rotate',
      'token verify <token>',
      'users data get <id>',
      'users data set <id> <json>',
      'events list',
      'events redeliver <id>',
      'audit',
      'outbox',
      'config',
      'dashboard',
    ]) {
      expect(root).toContain(`  ${command} `)
    }
    const group = await ok(['users', '--help'], offline)
    expect(group).toContain('Usage: usher users <command> [options]')
    expect(group).toContain('revoke-sessions <id>')
    for (const command of ['api-keys <id>', 'disable-api-key <id> <key-id>', 'enable-api-key <id> <key-id>'])
      expect(group).toContain(`  ${command} `)
    expect(group).toContain('  delete-api-key <id> <key-id> ')
    expect(group).not.toContain('api-keys create')
    expect(await ok(['users', 'revoke-sessions', '--help'], offline)).toContain(
      'Usage: usher users revoke-sessions <id> [--disable-api-keys]',
    )
    expect(await ok(['users', 'delete-api-key', '--help'], offline)).toContain(
      'Usage: usher users delete-api-key <id> <key-id> [--yes]',
    )
    expect(await ok(['users', 'clear-lock', '--help'], offline)).toContain(
      'even the right password is refused (429 "temporarily locked…", not "invalid username/password")',
    )
    const command = await ok(['users', 'list', '-h'], offline)
    expect(command).toContain(
      'Usage: usher users list [--status <status>] [--provider <provider>] [--search <text>] [--limit <n>] [--cursor <cursor>]',
    )
    expect(command).toContain('--json')
    expect(await ok(['audit', '--help'], offline)).toContain('--user <id>')
    expect(await ok(['users', 'delete', '--help'], offline)).toContain('--yes')
    expect(await ok(['keys', 'rotate', '--help'], offline)).toContain(
      'Usage: usher keys rotate [--revoke-previous] [--yes]',
    )
    expect(await ok(['token', 'verify', '--help'], offline)).toContain(
      'Exit status: 0 when the token is live; 1 when it is expired, revoked or invalid',
    )
    expect(await ok(['dashboard', '--help'], offline)).toContain('Usage: usher dashboard')
    expect(await ok(['users', 'data', '--help'], offline)).toContain('Usage: usher users data <command> [options]')
    expect(await ok(['users', 'data', 'set', '--help'], offline)).toContain('<json>  the JSON object; `-` reads it from stdin')
    expect(await ok(['events', 'list', '--help'], offline)).toContain(
      'Usage: usher events list [--status <status>] [--type <TYPE>] [--user <id>] [--limit <n>] [--cursor <cursor>]',
    )
  })
})

describe('usage errors exit 2 with a hint, before anything is sent', () => {
  it.each([
    [
      [],
      'missing command: one of users, import, export, api-keys, keys, token, events, audit, outbox, config, dashboard, profiles (see `usher --help`)',
    ],
    [['groups'], 'unknown command "groups" (see `usher --help`)'],
    [['users', 'lst'], 'unknown command "lst" for `usher users` (see `usher users --help`)'],
    [['users', 'get'], 'missing <id>'],
    [['users', 'confirm', 'not an id'], 'malformed user id "not an id": user ids are 1 to 128 letters, digits, _ or -'],
    [
      ['users', 'list', '--colour'],
      'unknown option --colour for `usher users list` (see `usher users list --help`)',
    ],
    [
      ['users', 'list', '--status', 'gone'],
      '--status must be one of pending, confirmed, disabled, all (got "gone")',
    ],
    [['users', 'list', '--limit', 'lots'], '--limit must be a positive whole number (got "lots")'],
    [
      ['users', 'list', '--provider', 'google'],
      '--provider must be one of local-userpass, anon-user, api-key, custom-token, custom-function, oauth2-google, oauth2-apple, oauth2-facebook (got "google")',
    ],
    [['users', 'create', '--email', 'x@example.com'], 'missing --password <password>'],
    [['api-keys', 'create'], 'missing --name <name>'],
    [['token', 'verify'], 'missing <token>'],
    [['users', 'disable-api-key', 'ffffffffffffffffffffffff'], 'missing <key-id>'],
    [
      ['users', 'delete-api-key', 'ffffffffffffffffffffffff', 'key'],
      'malformed id "key": ids are 24 hexadecimal characters',
    ],
    [['keys', 'rotate', '--revoke'], 'unknown option --revoke for `usher keys rotate`'],
    [['outbox', '--to'], '--to needs a value'],
    [['config', '--url', 'localhost:8787'], '--url "localhost:8787" is not an http(s) URL'],
    [['users', 'data'], 'missing command after `usher users data`: one of get, set'],
    [['users', 'data', 'set', 'ffffffffffffffffffffffff'], 'missing <json>'],
    [['events', 'list', '--status', 'lost'], '--status must be one of recorded, pending, delivered, dead, all (got "lost")'],
    [['events', 'list', '--type', 'login'], '--type must be one of CREATE, LOGIN, DELETE, CONFIRM, DISABLE, ENABLE, PASSWORD_RESET, SESSIONS_REVOKED, EMAIL_CHANGED (got "login")'],
    [['events', 'list', '--user', 'ann@example.com'], 'malformed user id "ann@example.com"'],
    [['events', 'redeliver'], 'missing <id>'],
  ])('usher %j', async (argv, message) => {
    // The server is unreachable: a usage error must not even try to connect.
    const line = await fails(argv, 2, { env: { USHER_URL: `http://127.0.0.1:${await freePort()}` } })
    expect(line).toContain(message)
    expect(line).toMatch(/\(see `usher[\w -]* --help`\)$/)
  })
})

describe('users', () => {
  const prefix = `list-${RUN}`
  const emails = [0, 1, 2, 3, 4].map((n) => `${prefix}-${n}@example.com`)

  beforeAll(async () => {
    for (const email of emails.slice(0, 3)) await register(email)
    for (const email of emails.slice(3))
      await ok(['users', 'create', '--email', email, '--password', 'password1'])
    const confirmed = (await json(['users', 'list', '--search', emails[4]!])).items[0]
    await ok(['users', 'disable', confirmed.id])
  })

  it('list filters by status and search, and shows counts', async () => {
    const byStatus = async (status: string) =>
      (await json(['users', 'list', '--status', status, '--search', prefix])).items
        .map((u: any) => u.email)
        .sort()
    expect(await byStatus('pending')).toEqual(emails.slice(0, 3))
    expect(await byStatus('confirmed')).toEqual([emails[3]])
    expect(await byStatus('disabled')).toEqual([emails[4]])
    expect(await byStatus('all')).toEqual(emails)
    const all = await json(['users', 'list'])
    expect(all.counts).toEqual({
      pending: expect.any(Number),
      confirmed: expect.any(Number),
      disabled: expect.any(Number),
      all: expect.any(Number),
    })
    expect(all.counts.all).toBe(all.counts.pending + all.counts.confirmed + all.counts.disabled)

    const human = await ok(['users', 'list', '--search', prefix.toUpperCase()])
    expect(human).toMatch(/^ID\s+EMAIL\s+STATUS\s+PROVIDERS\s+CREATED\s+LAST LOGIN$/m)
    expect(human).toMatch(
      new RegExp(`^[0-9a-f]{24}  ${emails[0]}\\s+○ pending confirmation\\s+local-userpass\\s+\\S`, 'm'),
    )
    expect(human).toContain('● confirmed')
    expect(human).toContain('⊘ disabled')
    expect(human).toMatch(/never$/m)
    expect(human).toContain(
      `5 users shown · pending ${all.counts.pending} · confirmed ${all.counts.confirmed}`,
    )
    expect(human).not.toContain('next page')
  })

  it('list --provider keeps users with an identity from that login provider, with the other filters', async () => {
    const anonymous = await post(clientApi('/auth/providers/anon-user/login'), {}, 200)
    const ids = async (...args: string[]) =>
      (await json(['users', 'list', '--limit', '100', ...args])).items.map((u: any) => u.id) as string[]
    expect(await ids('--provider', 'anon-user')).toContain(anonymous.user_id)
    expect(await ids('--provider', 'local-userpass')).not.toContain(anonymous.user_id)
    const local = await json(['users', 'list', '--provider', 'local-userpass', '--status', 'pending', '--search', prefix])
    expect(local.items.map((u: any) => u.email).sort()).toEqual(emails.slice(0, 3))
    expect(await ids('--provider', 'oauth2-google', '--search', prefix)).toEqual([])
    const human = await ok(['users', 'list', '--provider', 'anon-user', '--status', 'confirmed'])
    expect(human).toMatch(new RegExp(`^${anonymous.user_id}  \\(no email\\)\\s+● confirmed\\s+anon-user\\s`, 'm'))

    const details = await ok(['users', 'get', anonymous.user_id])
    expect(details).toMatch(/^Identities\nPROVIDER\s+ID\nanon-user\s+[0-9a-f]{24}$/m)
  })

  it('list pages with --limit and the --cursor from the hint, never skipping or repeating', async () => {
    const seen: string[] = []
    let cursor: string | undefined
    for (let page = 0; page < 10; page++) {
      const out = await ok([
        'users',
        'list',
        '--search',
        prefix,
        '--limit',
        '2',
        ...(cursor ? ['--cursor', cursor] : []),
      ])
      seen.push(...(out.match(new RegExp(`${prefix}-\\d@example.com`, 'g')) ?? []))
      cursor = /^next page: --cursor (\S+)$/m.exec(out)?.[1]
      if (!cursor) break
    }
    expect(seen).toHaveLength(5)
    expect([...seen].sort()).toEqual(emails)
    expect(seen).toEqual([...emails].reverse()) // newest first
    const page = await json(['users', 'list', '--search', prefix, '--limit', '2'])
    expect(page.items).toHaveLength(2)
    expect(page.nextCursor).toEqual(expect.any(String))
  })

  it('list passes server refusals through: forged cursor, limit over 100', async () => {
    expect(await fails(['users', 'list', '--cursor', 'forged'], 1)).toBe(
      'invalid cursor: pass back a nextCursor exactly as received (BAD_REQUEST)',
    )
    expect(await fails(['users', 'list', '--limit', '101'], 1)).toMatch(
      /^invalid input: limit: .*\(BAD_REQUEST\)$/,
    )
  })

  it('search takes % and _ literally', async () => {
    await register(`under_score-${RUN}@example.com`)
    await register(`underXscore-${RUN}@example.com`)
    const found = await json(['users', 'list', '--search', `under_score-${RUN}`])
    expect(found.items.map((u: any) => u.email)).toEqual([`under_score-${RUN}@example.com`])
    expect((await json(['users', 'list', '--search', `%-${RUN}`])).items).toEqual([])
  })

  it('get shows the user, their sessions, keys and recent activity', async () => {
    const id = await register(`get-${RUN}@example.com`)
    const details = await json(['users', 'get', id])
    expect(details).toMatchObject({ id, email: `get-${RUN}@example.com`, sessionCount: 0, apiKeys: [] })
    expect(details.recentAudit.map((entry: any) => entry.action)).toContain('user.registered')
    const human = await ok(['users', 'get', id.toUpperCase()])
    expect(human).toMatch(new RegExp(`^id\\s+${id}$`, 'm'))
    expect(human).toMatch(/^status\s+○ pending confirmation$/m)
    expect(human).toMatch(/^sessions\s+0$/m)
    expect(human).toContain('no API keys')
    expect(human).toMatch(
      new RegExp(`^Identities\\nPROVIDER\\s+ID\\nlocal-userpass  ${details.identities[0].id}\\n\\nAPI keys$`, 'm'),
    )
    expect(human).toMatch(
      /^Recent activity\nAT\s+ACTOR\s+ACTION\s+OUTCOME\n.*client\s+user\.registered\s+✓ ok$/m,
    )
    expect(await fails(['users', 'get', 'ffffffffffffffffffffffff'], 1)).toBe('user not found (NOT_FOUND)')
  })

  it('get shows the mail sent to the user and what the per-recipient limits dropped, once there is mail', async () => {
    const email = `mail-quota-${RUN}@example.com`
    const id = await register(email)
    expect((await json(['users', 'get', id])).mail).toEqual({ sentToday: 1, dropped: 0, lastDroppedAt: null })
    expect(await ok(['users', 'get', id])).toMatch(/^mail\s+1 sent today · none dropped$/m)
    // This suite runs without the limits (test/bindings.ts): record drops as the limiter does.
    await usher.db
      .prepare('UPDATE mail_quota SET dropped = 2, last_dropped_at = ? WHERE recipient = ?')
      .bind(Date.now(), email)
      .run()
    expect(await ok(['users', 'get', id])).toMatch(
      /^mail\s+1 sent today · 2 dropped over the per-recipient limits, the last [A-Z][a-z]{2} \d\d \d\d:\d\d$/m,
    )
    const created = await json(['users', 'create', '--email', `never-mailed-${RUN}@example.com`, '--password', 'password1'])
    expect((await json(['users', 'get', created.id])).mail).toBeNull()
    expect(await ok(['users', 'get', created.id])).not.toMatch(/^mail/m)
  })

  it('confirm makes a pending user pending-login, and only once', async () => {
    const email = `confirm-${RUN}@example.com`
    const id = await register(email)
    expect(await ok(['users', 'confirm', id])).toBe(`✓ confirmed ${email} (${id}), now ◐ pending login\n`)
    expect((await json(['users', 'get', id])).status).toBe('pending-login')
    expect(await ok(['users', 'list', '--search', email])).toContain('◐ pending login')
    expect(await fails(['users', 'confirm', id], 1)).toMatch(/\((BAD_REQUEST|CONFLICT)\)$/)
    await logIn(email) // a confirmed user can log in now
  })

  it('rerun-confirmation and send-confirmation each mail a new link', async () => {
    const email = `mail-${RUN}@example.com`
    const id = await register(email)
    expect(await mailCount(email)).toBe(1)
    expect(await ok(['users', 'rerun-confirmation', id])).toBe(
      `✓ re-ran confirmation for ${email} (${id}), now ○ pending confirmation\n`,
    )
    expect(await mailCount(email)).toBe(2)
    expect(await ok(['users', 'send-confirmation', id])).toBe(
      `✓ sent a confirmation email to ${email} (${id}), now ○ pending confirmation\n`,
    )
    expect(await mailCount(email)).toBe(3)
    const latest = await usher.lastMail(email)
    const outbox = await ok(['outbox', '--to', email, '--limit', '1'])
    expect(outbox).toMatch(/^SENT\s+TO\s+SUBJECT\s+LINK$/m)
    expect(outbox).toContain(`${email}  ${latest.subject}  ${latest.link}`)
    expect(outbox.trim().split('\n')).toHaveLength(2)
  })

  it('disable ends sessions and enable restores the user; unconfirmed users cannot be disabled', async () => {
    const email = `disable-${RUN}@example.com`
    await ok(['users', 'create', '--email', email, '--password', 'password1'])
    const session = await logIn(email)
    const id = session.user_id
    expect(await ok(['users', 'disable', id])).toBe(`✓ disabled ${email} (${id}), now ⊘ disabled\n`)
    expect(await profileStatus(session.access_token)).toBe(401)
    expect((await json(['users', 'list', '--status', 'disabled', '--search', email])).items).toHaveLength(1)
    expect(await ok(['users', 'enable', id])).toBe(`✓ enabled ${email} (${id}), now ● confirmed\n`)
    expect((await json(['users', 'list', '--status', 'confirmed', '--search', email])).items).toHaveLength(1)
    await logIn(email)

    const pending = await register(`disable-pending-${RUN}@example.com`)
    expect(await fails(['users', 'disable', pending], 1)).toBe(
      'unconfirmed users cannot be disabled, only deleted (CONFLICT)',
    )
  })

  it('actions that would change nothing are refused in the server\'s words, which the dashboard also uses', async () => {
    const email = `no-op-${RUN}@example.com`
    const { id } = await json(['users', 'create', '--email', email, '--password', 'password1'])
    expect(await fails(['users', 'enable', id], 1)).toBe('this user is not disabled (CONFLICT)')
    expect(await fails(['users', 'clear-lock', id], 1)).toBe('this user has no failed logins to clear (CONFLICT)')
    await ok(['users', 'disable', id])
    expect(await fails(['users', 'disable', id], 1)).toBe('this user is already disabled (CONFLICT)')
    const pending = await register(`no-op-pending-${RUN}@example.com`)
    expect(await fails(['users', 'revoke-sessions', pending], 1)).toBe(
      'this user has not logged in yet: there are no sessions to revoke (CONFLICT)',
    )
    await ok(['users', 'confirm', pending])
    expect(await fails(['users', 'revoke-sessions', pending, '--disable-api-keys'], 1)).toBe(
      'this user has not logged in yet: there are no sessions to revoke (CONFLICT)',
    )
    const refused = (await json(['audit', '--user', id])).items.filter((entry: any) => entry.outcome === 'refused')
    expect(refused.map((entry: any) => entry.action)).toEqual([
      'admin.users.disable',
      'admin.users.clearLock',
      'admin.users.enable',
    ])
    // Nothing was revoked, so nothing says it was.
    expect((await json(['audit', '--user', pending])).items.map((entry: any) => entry.action)).not.toContain(
      'user.sessions-revoked',
    )
  })

  it('revoke-sessions refuses the user’s tokens from the next request', async () => {
    const email = `revoke-${RUN}@example.com`
    await ok(['users', 'create', '--email', email, '--password', 'password1'])
    const first = await logIn(email)
    await logIn(email)
    expect((await json(['users', 'get', first.user_id])).sessionCount).toBe(2)
    expect(await profileStatus(first.access_token)).toBe(200)
    expect(await ok(['users', 'revoke-sessions', first.user_id])).toBe(
      `✓ revoked 2 sessions of ${email} (${first.user_id})\n`,
    )
    expect(await profileStatus(first.access_token)).toBe(401)
    expect(await json(['users', 'revoke-sessions', first.user_id])).toEqual({
      revoked: 0,
      apiKeysDisabled: 0,
      userId: first.user_id,
      email,
    })
  })

  it('change-email gives the login a new address, says which, and refuses one another account has', async () => {
    const email = `change-email-${RUN}@example.com`
    const next = `changed-${RUN}@example.com`
    const { id } = await json(['users', 'create', '--email', email, '--password', 'password1'])
    expect(await ok(['users', 'change-email', id, next])).toBe(`✓ changed the email of ${id} from ${email} to ${next}\n`)
    await logIn(next)
    expect(await json(['users', 'get', id])).toMatchObject({ email: next })
    const other = `change-email-other-${RUN}@example.com`
    await ok(['users', 'create', '--email', other, '--password', 'password1'])
    expect(await fails(['users', 'change-email', id, other], 1)).toBe(`an account with the email ${other} already exists (CONFLICT)`)
    expect(await fails(['users', 'change-email', id, next], 1)).toBe(`${next} is already this user's email (CONFLICT)`)
    expect((await json(['users', 'change-email', id, email])).previousEmail).toBe(next)
  })

  it('revoke-sessions leaves API keys alone unless --disable-api-keys, which stops them logging in', async () => {
    const email = `revoke-keys-${RUN}@example.com`
    await ok(['users', 'create', '--email', email, '--password', 'password1'])
    const session = await logIn(email)
    const id = session.user_id
    const { _id: keyId, key } = await userKey(session, 'laptop')
    expect(await ok(['users', 'revoke-sessions', id])).toBe(`✓ revoked 1 session of ${email} (${id})\n`)
    expect((await loginWithKey(key)).status).toBe(200)

    expect(await ok(['users', 'revoke-sessions', id, '--disable-api-keys'])).toBe(
      `✓ revoked 1 session of ${email} (${id}) and disabled 1 API key\n`,
    )
    expect((await loginWithKey(key)).status).toBe(401)
    expect(await ok(['users', 'api-keys', id])).toMatch(new RegExp(`^${keyId}  laptop\\s+⊘ disabled`, 'm'))
    const disabled = (await json(['audit', '--user', id])).items.find(
      (entry: any) => entry.action === 'api-key.disabled',
    )
    expect(disabled).toMatchObject({ actor: 'admin', detail: { reason: 'sessions revoked', keys: 1 } })
  })

  it('get shows a login lock after failed logins, and clear-lock unlocks the user', async () => {
    const email = `locked-${RUN}@example.com`
    await ok(['users', 'create', '--email', email, '--password', 'password1'])
    for (let i = 0; i < 5; i++) await post(clientApi('/auth/providers/local-userpass/login'), { username: email, password: 'wrong' }, 401)
    const id = (await json(['users', 'list', '--search', email])).items[0].id
    expect(await ok(['users', 'get', id])).toMatch(/failed logins\s+5 in a row, 5 this hour · locked until .+ \(usher users clear-lock\)/)
    expect(await ok(['users', 'clear-lock', id])).toBe(`✓ cleared the login lock of ${email} (${id}), now ● confirmed\n`)
    expect((await json(['users', 'get', id])).lock).toBeNull()
    await logIn(email)
  })

  it('create makes a confirmed user who can log in; a duplicate is a conflict', async () => {
    const email = `create-${RUN}@example.com`
    const out = await ok(['users', 'create', '--email', email, '--password', 'password1'])
    expect(out).toMatch(new RegExp(`^✓ created ${email} \\([0-9a-f]{24}\\), now ● confirmed\\n$`))
    await logIn(email)
    expect(await fails(['users', 'create', '--email', email, '--password', 'password2'], 1)).toBe(
      `an account with the email ${email} already exists (CONFLICT)`,
    )
  })

  it('create reads the password from stdin with --password -', async () => {
    const email = `stdin-${RUN}@example.com`
    const created = await json(['users', 'create', '--email', email, '--password', '-'], {
      input: 'from stdin 1\n',
    })
    expect(created).toMatchObject({ email, status: 'confirmed' })
    await logIn(email, 'from stdin 1')
  })

  describe('delete', () => {
    it('asks on stderr and changes nothing unless the answer is y or yes', async () => {
      const email = `delete-no-${RUN}@example.com`
      const id = await register(email)
      for (const input of ['n\n', 'nope\n', '', 'maybe']) {
        const result = await cli(['users', 'delete', id], { input })
        expect(result).toMatchObject({ code: 1, stdout: '' })
        expect(result.stderr).toBe(
          `Delete ${email} (${id}) and all their sessions, identities and API keys? [y/N] \nusher: aborted: nothing was changed\n`,
        )
      }
      expect((await json(['users', 'get', id])).email).toBe(email)
    })

    it('deletes after "y", keeping stdout clean for --json', async () => {
      const email = `delete-yes-${RUN}@example.com`
      const id = await register(email)
      const result = await cli(['users', 'delete', id, '--json'], { input: 'y\n' })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({ deleted: true, userId: id, email })
      expect(result.stderr).toContain('[y/N]')
      expect(await fails(['users', 'get', id], 1)).toBe('user not found (NOT_FOUND)')
    })

    it('deletes without asking with --yes, naming who was deleted, and accepts "yes" without a final newline', async () => {
      const first = await register(`delete-flag-${RUN}@example.com`)
      expect(await ok(['users', 'delete', first, '--yes'])).toBe(`✓ deleted delete-flag-${RUN}@example.com (${first})\n`)
      expect(await fails(['users', 'get', first], 1)).toBe('user not found (NOT_FOUND)')
      const second = await register(`delete-piped-${RUN}@example.com`)
      expect((await cli(['users', 'delete', second], { input: 'yes' })).code).toBe(0)
      expect(await fails(['users', 'delete', second, '--yes'], 1)).toBe('user not found (NOT_FOUND)')
    })
  })
})

describe("a user's API keys", () => {
  /** A confirmed user, logged in with their password, who made API keys with these names. */
  async function keyOwner(name: string, keyNames: string[]) {
    const email = `${name}-${RUN}@example.com`
    await ok(['users', 'create', '--email', email, '--password', 'password1'])
    const session = await logIn(email)
    const keys = []
    for (const keyName of keyNames) keys.push(await userKey(session, keyName))
    return { email, id: session.user_id as string, session, keys }
  }

  it('api-keys lists them; disable-api-key stops one logging in and enable-api-key lets it back', async () => {
    const { email, id, session } = await keyOwner('own-keys', [])
    expect(await ok(['users', 'api-keys', id])).toBe(`user ${id} has no API keys\n`)
    const laptop = await userKey(session, 'laptop')
    expect((await loginWithKey(laptop.key)).status).toBe(200)

    const listed = await ok(['users', 'api-keys', id])
    expect(listed).toMatch(/^ID\s+NAME\s+STATE\s+CREATED\s+LAST USED$/m)
    expect(listed).toMatch(new RegExp(`^${laptop._id}  laptop\\s+● enabled\\s+\\S`, 'm'))
    expect(listed).not.toMatch(/never$/m) // it just logged in
    const items = (await json(['users', 'api-keys', id])).items
    expect(items).toEqual([expect.objectContaining({ id: laptop._id, name: 'laptop', disabled: false, userId: id })])
    expect(JSON.stringify(items) + listed).not.toContain(laptop.key.split('.')[1])

    expect(await ok(['users', 'disable-api-key', id, laptop._id])).toBe(
      `✓ disabled API key "laptop" (${laptop._id}) of ${email} (${id}), now ⊘ disabled\n`,
    )
    expect((await loginWithKey(laptop.key)).status).toBe(401)
    expect(await ok(['users', 'get', id])).toMatch(new RegExp(`^${laptop._id}  laptop\\s+⊘ disabled`, 'm'))
    expect(await ok(['users', 'enable-api-key', id, laptop._id.toUpperCase()])).toBe(
      `✓ enabled API key "laptop" (${laptop._id}) of ${email} (${id}), now ● enabled\n`,
    )
    expect((await loginWithKey(laptop.key)).status).toBe(200)
    const actions = (await json(['audit', '--user', id])).items
      .filter((entry: any) => entry.actor === 'admin' && entry.action.startsWith('api-key.'))
      .map((entry: any) => entry.action)
    expect(actions).toEqual(['api-key.enabled', 'api-key.disabled'])
  })

  it("refuses a key that is not one of the user's own with the server's sentence, without asking", async () => {
    const owner = await keyOwner('key-owner', ['laptop'])
    const other = await keyOwner('key-other', [])
    const laptop = owner.keys[0]!
    const unknown = 'f'.repeat(24)
    const server = await json(['api-keys', 'create', '--name', `server-${RUN}`])
    for (const [userId, keyId] of [
      [owner.id, unknown],
      [other.id, laptop._id],
      [server.userId, server.id],
    ]) {
      for (const command of ['disable-api-key', 'enable-api-key']) {
        expect(await fails(['users', command, userId, keyId], 1)).toBe('API key not found (NOT_FOUND)')
      }
      // Nothing to ask about: no question on stderr, only the server's refusal.
      expect(await fails(['users', 'delete-api-key', userId, keyId], 1)).toBe('API key not found (NOT_FOUND)')
    }
    expect(await fails(['users', 'api-keys', unknown], 1)).toBe('user not found (NOT_FOUND)')
    expect(await fails(['users', 'delete-api-key', unknown, laptop._id, '--yes'], 1)).toBe(
      'API key not found (NOT_FOUND)',
    )
    expect((await loginWithKey(laptop.key)).status).toBe(200)
    expect((await loginWithKey(server.key)).status).toBe(200)
    await ok(['api-keys', 'delete', server.id, '--yes'])
  })

  it('delete-api-key asks first unless --yes, and a deleted key no longer logs in', async () => {
    const { email, id, keys } = await keyOwner('delete-keys', ['phone', 'tablet'])
    const [phone, tablet] = keys as [{ _id: string; key: string }, { _id: string; key: string }]
    for (const input of ['n\n', '']) {
      const declined = await cli(['users', 'delete-api-key', id, phone._id], { input })
      expect(declined).toMatchObject({ code: 1, stdout: '' })
      expect(declined.stderr).toBe(
        `Delete API key "phone" (${phone._id}) of ${email} (${id})? Apps using it can no longer log in with it. [y/N] \nusher: aborted: nothing was changed\n`,
      )
    }
    expect((await loginWithKey(phone.key)).status).toBe(200)

    const agreed = await cli(['users', 'delete-api-key', id, phone._id, '--json'], { input: 'y\n' })
    expect(agreed.code).toBe(0)
    expect(JSON.parse(agreed.stdout)).toEqual({ deleted: true, keyId: phone._id, name: 'phone', userId: id, email })
    expect(await ok(['users', 'delete-api-key', id, tablet._id, '--yes'])).toBe(
      `✓ deleted API key "tablet" (${tablet._id}) of ${email} (${id})\n`,
    )
    expect((await loginWithKey(phone.key)).status).toBe(401)
    expect((await loginWithKey(tablet.key)).status).toBe(401)
    expect(await ok(['users', 'api-keys', id])).toBe(`user ${id} has no API keys\n`)
    expect(await fails(['users', 'delete-api-key', id, tablet._id, '--yes'], 1)).toBe('API key not found (NOT_FOUND)')
    const deleted = (await json(['audit', '--user', id])).items.filter((entry: any) => entry.action === 'api-key.deleted')
    expect(deleted.map((entry: any) => [entry.actor, entry.detail.name])).toEqual([
      ['admin', 'tablet'],
      ['admin', 'phone'],
    ])
  })
})

describe('custom data', () => {
  const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value))

  it('data set takes the JSON as an argument or from stdin (-); data get prints it; users get and tokens carry it', async () => {
    const email = `data-${RUN}@example.com`
    const { id } = await json(['users', 'create', '--email', email, '--password', 'password1'])
    expect(await ok(['users', 'data', 'get', id])).toBe('{}\n')
    expect(await ok(['users', 'get', id])).toMatch(/^Profile\nno profile data\n\nCustom data\nno custom data\n\nRecent activity$/m)

    const plan = { plan: 'pro', seats: 5 }
    expect(await ok(['users', 'data', 'set', id, '{"plan": "pro", "seats": 5}'])).toBe(
      `✓ custom data of ${email} (${id}) set: ${bytes(plan)} bytes\n`,
    )
    expect(await ok(['users', 'data', 'get', id])).toBe(`${JSON.stringify(plan, null, 2)}\n`)
    expect(await json(['users', 'data', 'get', id])).toEqual(plan)

    const team = { plan: 'team', tags: ['a', 'ü'] }
    expect(await json(['users', 'data', 'set', id, '-'], { input: `${JSON.stringify(team, null, 2)}\n` })).toEqual({
      userId: id,
      customData: team,
      email,
    })
    expect(await ok(['users', 'get', id])).toContain(`\n\nCustom data\n${JSON.stringify(team, null, 2)}\n\nRecent activity\n`)
    expect((await json(['users', 'get', id])).customData).toEqual(team)
    // In the user's next access token, as realm-web reads it (strings are the same in canonical EJSON).
    const session = await logIn(email)
    expect((await json(['token', 'verify', session.access_token])).claims.user_data).toEqual(team)
    const audited = (await json(['audit', '--user', id])).items.filter((entry: any) => entry.action === 'user.custom-data-set')
    expect(audited.map((entry: any) => entry.detail.bytes)).toEqual([bytes(team), bytes(plan)])
  })

  it('refuses invalid JSON, anything but an object and more than 4096 bytes before sending anything', async () => {
    const email = `data-refused-${RUN}@example.com`
    const { id } = await json(['users', 'create', '--email', email, '--password', 'password1'])
    await ok(['users', 'data', 'set', id, '{"kept": true}'])
    // UTF-8 bytes, as the server counts them: 2,100 characters of two bytes each.
    const large = JSON.stringify({ blob: 'é'.repeat(2100) })
    const serverSays = await createAdminClient({ url: usher.origin, adminKey: ADMIN_KEY })
      .users.setCustomData.mutate({ userId: id, data: JSON.parse(large) })
      .then(
        () => 'accepted',
        (error: Error) => error.message,
      )
    expect(serverSays).toBe(`custom data is ${Buffer.byteLength(large)} bytes: at most 4096 (it is carried in every access token)`)
    // Nothing listens there: a request would fail differently.
    const offline = { env: { USHER_URL: `http://127.0.0.1:${await freePort()}` } }
    expect(await fails(['users', 'data', 'set', id, '{"plan": '], 1, offline)).toMatch(/^not valid JSON: .+; nothing was sent$/)
    expect(await fails(['users', 'data', 'set', id, '["pro"]'], 1, offline)).toBe('custom data must be a JSON object; nothing was sent')
    expect(await fails(['users', 'data', 'set', id, 'null'], 1, offline)).toBe('custom data must be a JSON object; nothing was sent')
    expect(await fails(['users', 'data', 'set', id, large], 1, offline)).toBe(`${serverSays}; nothing was sent`)
    expect(await fails(['users', 'data', 'set', id, '-'], 1, { ...offline, input: 'plan=pro\n' })).toMatch(/^not valid JSON: /)
    expect(await fails(['users', 'data', 'set', id, '-'], 1, { ...offline, input: large })).toBe(`${serverSays}; nothing was sent`)
    expect(await json(['users', 'data', 'get', id])).toEqual({ kept: true })
    // One refusal on record: the request this test made itself, none from the CLI.
    const refused = (await json(['audit', '--user', id])).items.filter((entry: any) => entry.outcome === 'refused')
    expect(refused).toHaveLength(1)
  })

  it('an unknown user is the server\'s refusal', async () => {
    expect(await fails(['users', 'data', 'set', 'ffffffffffffffffffffffff', '{}'], 1)).toBe('user not found (NOT_FOUND)')
    expect(await fails(['users', 'data', 'get', 'ffffffffffffffffffffffff'], 1)).toBe('user not found (NOT_FOUND)')
  })
})

describe('events', () => {
  it('list shows what happened to a user, newest first, and says plainly that no sink is configured', async () => {
    const email = `events-${RUN}@example.com`
    const { id } = await json(['users', 'create', '--email', email, '--password', 'password1'])
    await logIn(email)
    const page = await json(['events', 'list', '--user', id])
    expect(page.items.map((event: any) => [event.type, event.status, event.userId])).toEqual([
      ['LOGIN', 'recorded', id],
      ['CREATE', 'recorded', id],
    ])
    expect(page.sinks).toEqual({ queue: false, webhook: null })
    expect(page.items[0].payload.user.data.email).toBe(email)

    const human = await ok(['events', 'list', '--user', id])
    const [header, ...rows] = human.split('\n')
    expect(header).toMatch(/^SEQ\s+ID\s+TYPE\s+USER\s+STATUS\s+ATTEMPTS\s+CREATED\s+LAST ERROR$/)
    expect(rows[0]).toMatch(new RegExp(`^\\d+\\s+${page.items[0].id}  LOGIN\\s+${email.replace(/\./g, '\\.')}\\s+○ recorded\\s+0\\s+\\S+ \\d\\d \\d\\d:\\d\\d$`))
    expect(rows[1]).toContain(`${page.items[1].id}  CREATE`)
    expect(human).toMatch(/\n\n2 events shown · recorded \d+ · pending 0 · delivered 0 · dead 0\nno sink configured: events are only recorded\n$/)

    expect((await json(['events', 'list', '--user', id, '--type', 'LOGIN'])).items).toHaveLength(1)
    expect(await ok(['events', 'list', '--user', id, '--status', 'dead'])).toMatch(/^no events match\n\n0 events shown · /)
    const first = await ok(['events', 'list', '--user', id, '--limit', '1'])
    const cursor = /next page: --cursor (\d+)\n$/.exec(first)?.[1]
    expect(cursor).toBeDefined()
    expect((await json(['events', 'list', '--user', id, '--cursor', cursor!])).items.map((event: any) => event.type)).toEqual([
      'CREATE',
    ])
  })

  it("redeliver is refused without a sink, in the server's sentence", async () => {
    const email = `events-unsunk-${RUN}@example.com`
    const { id } = await json(['users', 'create', '--email', email, '--password', 'password1'])
    const [created] = (await json(['events', 'list', '--user', id])).items
    expect(await fails(['events', 'redeliver', created.id], 1)).toBe(
      'no event sink is configured (EVENTS_QUEUE or EVENTS_WEBHOOK_URL): there is nowhere to deliver it (CONFLICT)',
    )
    expect(await fails(['events', 'redeliver', 'ffffffffffffffffffffffff'], 1)).toBe(
      'no event with id ffffffffffffffffffffffff (NOT_FOUND)',
    )
  })

  describe('with a webhook', () => {
    /** A webhook on this machine: it answers `status`, and keeps every event it is sent. */
    const receiver = { status: 500, events: [] as { id: string; operationType: string }[], signed: true }
    let server: Server
    let sunk: Awaited<ReturnType<typeof startUsher>>
    let env: RunOptions

    beforeAll(async () => {
      server = createServer((request, response) => {
        let body = ''
        request.on('data', (chunk) => (body += chunk))
        request.on('end', () => {
          receiver.signed &&= /^t=\d+,v1=[0-9a-f]{64}$/.test(String(request.headers['x-usher-signature']))
          if (receiver.status === 200) receiver.events.push(...(JSON.parse(body) as typeof receiver.events))
          response.writeHead(receiver.status).end()
        })
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as { port: number }
      sunk = await startUsher({ EVENTS_WEBHOOK_URL: `http://127.0.0.1:${port}/usher-events` })
      env = { env: { USHER_URL: sunk.origin } }
    })
    afterAll(async () => {
      await sunk?.close()
      await new Promise((resolve) => server?.close(resolve))
    })

    /** Ask until `check` holds (bounded: 30 s). */
    async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
      const deadline = Date.now() + 30_000
      for (;;) {
        const value = await read()
        if (check(value)) return value
        if (Date.now() > deadline) throw new Error(`never true: ${JSON.stringify(value)}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }

    it('a dead event is listed with its last error; redeliver sends it again, to the fixed webhook', async () => {
      const email = `events-dead-${RUN}@example.com`
      const { id } = await json(['users', 'create', '--email', email, '--password', 'password1'], env)
      // The webhook fails the first attempt; the event waits for its next one (10 s later, backing off).
      const [failing] = (
        await eventually(
          () => json(['events', 'list', '--user', id], env),
          (page: any) => page.items[0]?.attempts >= 1,
        )
      ).items
      expect(failing).toMatchObject({ type: 'CREATE', status: 'pending', lastError: 'webhook: webhook answered HTTP 500' })
      // Every later attempt failing too would take hours of backoff: the last one is written as it would end.
      await sunk.db
        .prepare("UPDATE events SET status = 'dead', next_attempt_at = NULL, last_error = 'webhook: HTTP 500' WHERE user_id = ?")
        .bind(id)
        .run()

      const dead = await ok(['events', 'list', '--status', 'dead'], env)
      expect(dead).toMatch(new RegExp(`^\\d+\\s+${failing.id}  CREATE\\s+${email.replace(/\./g, '\\.')}\\s+✘ dead\\s+1\\s+.+  webhook: HTTP 500$`, 'm'))
      expect(dead).toMatch(/ · dead 1\nsinks: webhook http:\/\/127\.0\.0\.1:\d+\/usher-events\n$/)

      receiver.status = 200
      expect(await ok(['events', 'redeliver', failing.id], env)).toBe(
        `✓ event ${failing.id} (CREATE of ${email}) queued for redelivery\n`,
      )
      await eventually(
        async () => receiver.events,
        (events) => events.some((event) => event.id === failing.id),
      )
      expect(receiver.events.find((event) => event.id === failing.id)?.operationType).toBe('CREATE')
      expect(receiver.signed).toBe(true)
      const delivered = await eventually(
        () => json(['events', 'list', '--user', id], env),
        (page: any) => page.items[0].status === 'delivered',
      )
      expect(delivered.items[0]).toMatchObject({ id: failing.id, attempts: 1, lastError: null, deliveredTo: ['webhook'] })

      // While an event waits for delivery, a second redelivery is refused in the server's words.
      await sunk.db.prepare("UPDATE events SET status = 'pending', next_attempt_at = ? WHERE id = ?").bind(Date.now() + 600_000, failing.id).run()
      expect(await fails(['events', 'redeliver', failing.id], 1, env)).toBe('this event is already waiting for delivery (CONFLICT)')
    })
  })
})

describe('api-keys', () => {
  it('create shows the secret once; list, disable, enable and delete manage the key', async () => {
    const name = `backend-${RUN}`
    const created = await ok(['api-keys', 'create', '--name', name])
    const id = /^✓ created API key "backend-\w+" \(([0-9a-f]{24})\)$/m.exec(created)?.[1]
    const secret = /^key: (\S+)$/m.exec(created)?.[1]
    expect(id && secret).toBeTruthy()
    expect(created).toContain('shown only this once')
    expect((await loginWithKey(secret!)).status).toBe(200)

    const listed = await ok(['api-keys', 'list'])
    expect(listed).toMatch(/^ID\s+NAME\s+STATE\s+CREATED\s+LAST USED$/m)
    expect(listed).toMatch(new RegExp(`^${id}  ${name}\\s+● enabled\\s+`, 'm'))
    expect(listed).not.toContain(secret)
    const items = (await json(['api-keys', 'list'])).items
    expect(items.find((key: any) => key.id === id)).toMatchObject({ name, disabled: false })
    expect(JSON.stringify(items)).not.toContain(secret)
    const server = await json(['users', 'list', '--status', 'all'])
    expect(server.items.some((user: any) => user.type === 'server')).toBe(true)

    expect(await ok(['api-keys', 'disable', id!])).toBe(
      `✓ disabled API key "${name}" (${id}), now ⊘ disabled\n`,
    )
    expect((await loginWithKey(secret!)).status).toBe(401)
    expect(await ok(['api-keys', 'list'])).toMatch(new RegExp(`^${id}  ${name}\\s+⊘ disabled`, 'm'))
    expect(await ok(['api-keys', 'enable', id!])).toBe(`✓ enabled API key "${name}" (${id}), now ● enabled\n`)
    expect((await loginWithKey(secret!)).status).toBe(200)

    const declined = await cli(['api-keys', 'delete', id!], { input: 'n\n' })
    expect(declined.code).toBe(1)
    expect(declined.stderr).toContain(`Delete API key "${name}" (${id})?`)
    expect(declined.stderr).toMatch(/\nusher: aborted: nothing was changed\n$/)
    expect(await ok(['api-keys', 'list'])).toContain(id)

    expect(await cli(['api-keys', 'delete', id!], { input: 'y\n' })).toMatchObject({
      code: 0,
      stdout: `✓ deleted API key "${name}" (${id})\n`,
    })
    expect(await ok(['api-keys', 'list'])).not.toContain(id)
    expect((await loginWithKey(secret!)).status).toBe(401)
    expect(await fails(['api-keys', 'delete', id!, '--yes'], 1)).toBe('API key not found (NOT_FOUND)')
    expect(await fails(['api-keys', 'enable', id!], 1)).toBe('API key not found (NOT_FOUND)')
  })

  it('create --json returns the secret for scripts; a duplicate name is refused', async () => {
    const name = `script-${RUN}`
    const created = await json(['api-keys', 'create', '--name', name])
    expect(created).toMatchObject({ name, disabled: false, key: expect.any(String) })
    expect((await loginWithKey(created.key)).status).toBe(200)
    expect(await fails(['api-keys', 'create', '--name', name], 1)).toMatch(/\((CONFLICT|BAD_REQUEST)\)$/)
    await ok(['api-keys', 'delete', created.id, '--yes'])
  })
})

describe('token verify', () => {
  it('prints the claims of a live token, and exits 1 with the reason for one that is not', async () => {
    const email = `verify-${RUN}@example.com`
    await ok(['users', 'create', '--email', email, '--password', 'password1'])
    const session = await logIn(email)
    const live = await ok(['token', 'verify', session.access_token])
    expect(live).toMatch(/^✓ live: the token is valid and its session is live\n\n/)
    expect(live).toMatch(new RegExp(`^sub\\s+${session.user_id}$`, 'm'))
    expect(live).toMatch(/^aud\s+usher-local$/m)
    expect(live).toMatch(/^exp\s+\d+ \(\S.*\)$/m)
    expect(await json(['token', 'verify', session.access_token])).toMatchObject({
      status: 'live',
      userId: session.user_id,
      claims: { sub: session.user_id, typ: 'access' },
    })

    await ok(['users', 'revoke-sessions', session.user_id])
    expect(await cli(['token', 'verify', session.access_token])).toEqual({
      code: 1,
      stdout: '✗ revoked: invalid session: the session has ended\n',
      stderr: '',
    })
    const forged = await cli(['token', 'verify', `${session.access_token.slice(0, -4)}AAAA`, '--json'])
    expect(forged).toMatchObject({ code: 1, stderr: '' })
    expect(JSON.parse(forged.stdout)).toEqual({ status: 'invalid', message: expect.any(String) })
  })

  it('reads the token from stdin with -, so it stays out of shell history', async () => {
    const email = `verify-stdin-${RUN}@example.com`
    await ok(['users', 'create', '--email', email, '--password', 'password1'])
    const session = await logIn(email)
    const checked = await json(['token', 'verify', '-'], { input: `${session.access_token}\n` })
    expect(checked).toMatchObject({ status: 'live', userId: session.user_id })
    expect(await cli(['token', 'verify', '-'], { input: '' })).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^✗ invalid: /),
    })
  })
})

describe('keys', () => {
  const kidIn = async (state: string) =>
    (await json(['keys', 'list'])).items.find((key: any) => key.state === state).kid as string
  const currentKid = () => kidIn('current')
  /** A user with a fresh access token, signed by the key current now. */
  async function tokenHolder(name: string): Promise<string> {
    const email = `${name}-${RUN}@example.com`
    await ok(['users', 'create', '--email', email, '--password', 'password1'])
    return (await logIn(email)).access_token
  }

  it('list shows the current key, then the next one published ahead, each with its algorithm and state', async () => {
    const [current, next] = [await currentKid(), await kidIn('next')]
    const human = await ok(['keys', 'list'])
    expect(human).toMatch(/^KID\s+ALGORITHM\s+STATE\s+CREATED\s+ROTATED\s+RETIRES$/m)
    const rows = human.split('\n').slice(1)
    expect(rows[0]).toMatch(new RegExp(`^${current}  ES256\\s+● current\\s+\\S.*—\\s+—$`))
    expect(rows[1]).toMatch(new RegExp(`^${next}  ES256\\s+◌ next\\s+\\S.*—\\s+—$`))
    expect(await ok(['keys', 'list', '--help'])).toContain('◌ next is published ahead and signs from the next rotation')
  })

  it('rotate asks first, naming the keys, and changes nothing unless the answer is yes', async () => {
    const [kid, next] = [await currentKid(), await kidIn('next')]
    for (const input of ['n\n', '']) {
      const result = await cli(['keys', 'rotate'], { input })
      expect(result).toMatchObject({ code: 1, stdout: '' })
      expect(result.stderr).toBe(
        `Rotate signing key ${kid}? The next key ${next} signs new access tokens; this one stays accepted until the tokens it signed expire. [y/N] \nusher: aborted: nothing was changed\n`,
      )
    }
    const emergency = await cli(['keys', 'rotate', '--revoke-previous'], { input: 'no\n' })
    expect(emergency).toMatchObject({ code: 1, stdout: '' })
    expect(emergency.stderr).toContain(
      `Revoke signing key ${kid} and every other published key (previous and next), and start over with new ones?`,
    )
    expect(emergency.stderr).toContain('Access tokens signed so far are refused at once')
    expect(emergency.stderr).toContain("every app's users will have to refresh their access tokens")
    expect(emergency.stderr).toMatch(/\nusher: aborted: nothing was changed\n$/)
    expect([await currentKid(), await kidIn('next')]).toEqual([kid, next])
  })

  it('rotate hands signing to the next key, keeps the previous one accepted and publishes a new next key', async () => {
    const [before, next] = [await currentKid(), await kidIn('next')]
    const token = await tokenHolder('rotate')
    const out = await ok(['keys', 'rotate', '--yes'])
    expect(await currentKid()).toBe(next)
    const published = await kidIn('next')
    expect([before, next]).not.toContain(published)
    expect(out).toMatch(
      new RegExp(
        `^✓ rotated: ${next} signs new access tokens; ${before} stays accepted until \\S.*, when the tokens it signed have expired; ${published} is published as the next key\\n$`,
      ),
    )
    expect(await ok(['keys', 'list'])).toMatch(new RegExp(`^${before}  ES256\\s+◐ previous\\s+\\S`, 'm'))
    expect((await json(['token', 'verify', token])).status).toBe('live')
    expect(await profileStatus(token)).toBe(200)
  })

  it('rotate --revoke-previous refuses tokens of every published key at once, next included; new logins work', async () => {
    const token = await tokenHolder('emergency')
    const [before, next] = [await currentKid(), await kidIn('next')]
    const result = await cli(['keys', 'rotate', '--revoke-previous', '--json'], { input: 'y\n' })
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('refused at once')
    const rotated = JSON.parse(result.stdout)
    expect(rotated.current).toMatchObject({ state: 'current', algorithm: 'ES256' })
    expect([before, next]).not.toContain(rotated.current.kid)
    expect(rotated.previous).toMatchObject({ kid: before, state: 'retired', revokedAt: expect.any(String) })
    expect(rotated.revoked.map((key: any) => key.kid)).toEqual(expect.arrayContaining([before, next]))
    expect(rotated.keys.filter((key: any) => key.state === 'previous')).toEqual([])

    expect(await cli(['token', 'verify', token])).toEqual({
      code: 1,
      stdout: '✗ revoked: invalid session: the token was signed with a revoked key\n',
      stderr: '',
    })
    expect(await profileStatus(token)).toBe(401)
    const listed = await ok(['keys', 'list'])
    expect(listed).toMatch(new RegExp(`^${before}  ES256\\s+⊘ revoked\\s+.*revoked \\S`, 'm'))
    expect(listed).toMatch(new RegExp(`^${next}  ES256\\s+⊘ revoked\\s+`, 'm'))
    expect((await json(['token', 'verify', await tokenHolder('after-emergency')])).status).toBe('live')

    const [current, replaced] = [await currentKid(), await kidIn('next')]
    const again = await ok(['keys', 'rotate', '--revoke-previous', '--yes'])
    const [now, published] = [await currentKid(), await kidIn('next')]
    const [first, heading, ...revoked] = again.trimEnd().split('\n')
    expect(first).toBe(`✓ rotated: ${now} signs new access tokens; ${published} is published as the next key`)
    expect(heading).toBe('revoked 2 keys, whose tokens are refused from now on:')
    expect(revoked.sort()).toEqual([`  ${current} (signed until now)`, `  ${replaced}`].sort())
  })
})

describe('audit, outbox and config', () => {
  it('audit shows admin actions and lifecycle events, per user and page by page', async () => {
    const email = `audit-${RUN}@example.com`
    const id = await register(email)
    await ok(['users', 'confirm', id])
    await logIn(email)
    await ok(['users', 'revoke-sessions', id])
    await fails(['users', 'confirm', id], 1)

    const entries = (await json(['audit', '--user', id])).items
    expect(entries.map((entry: any) => entry.action)).toEqual([
      'admin.users.confirm',
      'user.sessions-revoked',
      'user.login',
      'user.first-login',
      'user.confirmed',
      'user.registered',
    ])
    expect(entries.every((entry: any) => entry.userId === id && entry.email === email)).toBe(true)
    expect(entries[0]).toMatchObject({ actor: 'admin', outcome: 'refused' })

    const human = await ok(['audit', '--user', id])
    expect(human).toMatch(/^AT\s+ACTOR\s+ACTION\s+USER\s+EMAIL\s+OUTCOME\s+DETAIL$/m)
    expect(human).toMatch(
      new RegExp(`admin\\s+admin\\.users\\.confirm\\s+${id}  ${email}\\s+✗ refused\\s+\\{"reason":`),
    )
    expect(human).toMatch(new RegExp(`admin\\s+user\\.confirmed\\s+${id}  ${email}\\s+✓ ok`))
    expect(human).toMatch(new RegExp(`user:${id}\\s+user\\.login\\s+${id}  ${email}\\s+✓ ok\\s+\\{"provider":"local-userpass"`))

    const first = await ok(['audit', '--user', id, '--limit', '2'])
    const cursor = /^next page: --cursor (\d+)$/m.exec(first)?.[1]
    expect(cursor).toBeTruthy()
    const second = await json(['audit', '--user', id, '--limit', '2', '--cursor', cursor!])
    expect(second.items.map((entry: any) => entry.action)).toEqual(['user.login', 'user.first-login'])

    const everything: string[] = []
    for (let cursor: string | null = null, pages = 0; pages === 0 || (cursor && pages < 20); pages++) {
      const page: any = await json(['audit', '--limit', '100', ...(cursor ? ['--cursor', cursor] : [])])
      everything.push(...page.items.map((entry: any) => entry.action))
      cursor = page.nextCursor
    }
    expect(everything).toEqual(
      expect.arrayContaining([
        'user.created',
        'user.disabled',
        'user.enabled',
        'user.deleted',
        'api-key.created',
        'api-key.deleted',
        'signing-key.rotated',
      ]),
    )
  })

  it('outbox lists caught mail, filtered by recipient and limited', async () => {
    const email = `outbox-${RUN}@example.com`
    await register(email)
    const mail = await json(['outbox', '--to', email.toUpperCase()])
    expect(mail.items).toHaveLength(1)
    expect(mail.items[0]).toMatchObject({ to: email, subject: 'Confirm your email address' })
    expect(mail.items[0].link).toContain('/confirm?token=')
    expect((await json(['outbox', '--limit', '2'])).items).toHaveLength(2)
    expect(await ok(['outbox', '--to', `nobody-${RUN}@example.com`])).toBe('no mail in the outbox\n')
  })

  it('config prints the effective configuration without secrets', async () => {
    const effective = await json(['config'])
    expect(effective).toMatchObject({
      appId: 'usher-local',
      confirmation: { method: 'email' },
      kdf: { algorithm: 'scrypt' },
    })
    expect(effective).not.toHaveProperty('secrets')
    const human = await ok(['config'])
    expect(human).toMatch(/^confirmation\.method\s+email$/m)
    expect(human).toMatch(/^accessTokenTtlSeconds\s+\d+$/m)
    expect(human).not.toContain(ADMIN_KEY)
    // Unset settings are named, not dropped; development has no warnings to put first.
    for (const setting of ['publicUrl', 'confirmation\\.url', 'reset\\.url'])
      expect(human).toMatch(new RegExp(`^${setting}\\s+\\(not set\\)$`, 'm'))
    expect(human).toMatch(/^environment\s+development\n/)
  })

  describe('of a production deployment', () => {
    let production: Awaited<ReturnType<typeof startUsher>>
    beforeAll(async () => {
      production = await startUsher({
        USHER_ENV: 'production',
        USHER_DATABASE_ID: '4f8a1c52-9d3e-4b7a-a6c1-2e5f8b9d0c34',
        PUBLIC_URL: 'https://auth.example.com',
        MAIL_PROVIDER: 'resend',
        MAIL_API_KEY: 're_5c1f0a9b8e7d6c5b4a3f2e1d',
      })
    })
    afterAll(async () => {
      await production?.close()
    })

    it('config puts its warnings first: ALLOWED_ORIGINS=* and APP_ID=usher-local', async () => {
      const env = { env: { USHER_URL: production.origin } }
      const effective = await json(['config'], env)
      expect(effective.warnings).toEqual([
        expect.stringMatching(/^ALLOWED_ORIGINS=\* /),
        expect.stringMatching(/^APP_ID=usher-local /),
      ])
      const lines = (await ok(['config'], env)).split('\n')
      expect(lines.slice(0, 3)).toEqual([`⚠ ${effective.warnings[0]}`, `⚠ ${effective.warnings[1]}`, ''])
      expect(lines.some((line) => /^environment\s+production$/.test(line))).toBe(true)
      expect(lines.some((line) => /^publicUrl\s+https:\/\/auth\.example\.com$/.test(line))).toBe(true)
      expect(lines.some((line) => /^confirmation\.url\s+\(not set\)$/.test(line))).toBe(true)
      expect(lines.some((line) => line.startsWith('warnings'))).toBe(false)
    })
  })
})

describe('connection', () => {
  const noEnv = { USHER_URL: undefined, USHER_ADMIN_KEY: undefined }

  it('takes --url and --admin-key, which win over the environment', async () => {
    expect(
      (await json(['config', '--url', usher.origin, '--admin-key', ADMIN_KEY], { env: noEnv })).appId,
    ).toBe('usher-local')
    const env = { USHER_URL: `http://127.0.0.1:${await freePort()}`, USHER_ADMIN_KEY: 'wrong' }
    expect(
      (await json(['--url', `${usher.origin}/`, '--admin-key', ADMIN_KEY, 'config'], { env })).appId,
    ).toBe('usher-local')
  })

  it('falls back to ADMIN_API_KEY in ./.dev.vars', async () => {
    const project = mkdtempSync(path.join(SCRATCH, 'project-'))
    writeFileSync(path.join(project, '.dev.vars'), `ADMIN_API_KEY=${ADMIN_KEY}\n`)
    expect((await json(['config', '--url', usher.origin], { env: noEnv, cwd: project })).appId).toBe(
      'usher-local',
    )
    writeFileSync(path.join(project, '.dev.vars'), 'ADMIN_API_KEY=not-the-key\n')
    expect(await fails(['config', '--url', usher.origin], 1, { env: noEnv, cwd: project })).toBe(
      `the admin key (ADMIN_API_KEY from ./.dev.vars) was refused by ${usher.origin}; it must equal the deployment's ADMIN_API_KEY`,
    )
  })

  it('a refused admin key is one line naming where the key came from', async () => {
    expect(await fails(['users', 'list', '--admin-key', 'wrong'], 1)).toBe(
      `the admin key (from --admin-key) was refused by ${usher.origin}; it must equal the deployment's ADMIN_API_KEY`,
    )
    expect(await fails(['audit'], 1, { env: { USHER_ADMIN_KEY: 'wrong' } })).toContain(
      'the admin key (from USHER_ADMIN_KEY) was refused',
    )
    expect(await fails(['config'], 1, { env: { USHER_ADMIN_KEY: undefined } })).toMatch(
      /^no admin key, and .* requires one: pass --admin-key, set USHER_ADMIN_KEY/,
    )
  })

  it('a wrong admin key changes nothing, even with --yes', async () => {
    const id = await register(`wrong-key-${RUN}@example.com`)
    await fails(['users', 'delete', id, '--yes', '--admin-key', 'wrong'], 1)
    expect((await json(['users', 'get', id])).id).toBe(id)
  })

  it('an unreachable server is one line suggesting npm run dev', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    expect(await fails(['users', 'list'], 1, { env: { USHER_URL: url } })).toBe(
      `cannot reach Usher at ${url} (connection refused); start it locally with \`npm run dev\`, or point --url / USHER_URL at a running deployment`,
    )
    expect(await fails(['users', 'delete', 'ffffffffffffffffffffffff', '--url', url], 1)).toContain(
      `cannot reach Usher at ${url}`,
    )
  })

  it('something that is not Usher is named as such', async () => {
    expect(await fails(['config', '--url', `${usher.origin}/not-usher`], 1)).toBe(
      `${usher.origin}/not-usher did not answer as an Usher admin API (is --url / USHER_URL right?)`,
    )
  })
})
