/**
 * `npm run deploy` carrying out its plan against a fake Cloudflare (a scripted wrangler, see deploy-fakes.ts)
 * and a fake /health: what it runs in what order, what it writes, the admin key shown once and saved to the
 * profile, what a re-run skips, and what a failure says.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Answers } from '../../scripts/deploy/plan'
import { BEGIN_MARKER } from '../../scripts/deploy/production-config'
import { runDeploy, type DeployIo } from '../../scripts/deploy/run'
import { readProfiles } from '../../tui/profiles'
import {
  ANSWERS,
  editProductionVar,
  fakeWrangler,
  projectFacts,
  newAccount,
  scratchProject,
  type Call,
  type FakeAccount,
} from './deploy-fakes'

/** The `[env.production]` block the deploy wrote into the project's wrangler.toml. */
function writtenBlock(project: string): string {
  const text = readFileSync(path.join(project, 'wrangler.toml'), 'utf8')
  return text.slice(text.indexOf(BEGIN_MARKER))
}

const healthy = (appId = 'myapp') =>
  (async () => Response.json({ ok: true, appId, d1Ms: 3 })) as unknown as typeof fetch

interface Run {
  code: number
  output: string
  calls: Call[]
  project: string
}

async function deploy(
  account: FakeAccount,
  options: { project?: string; answers?: Answers; fetch?: typeof fetch; io?: Partial<DeployIo> } = {},
): Promise<Run> {
  const project = options.project ?? scratchProject()
  const calls: Call[] = []
  const lines: string[] = []
  let secrets = 0
  const code = await runDeploy(
    options.answers ?? ANSWERS,
    projectFacts(project),
    {
      wrangler: fakeWrangler(account, calls),
      fetch: options.fetch ?? healthy(),
      print: (line) => lines.push(line),
      askSecret: async () => undefined,
      readStdin: async () => '',
      // Distinct, recognisable, 64 hex characters.
      generateSecret: () => String(++secrets).repeat(64),
      sleep: async () => {},
      cwd: project,
      ...options.io,
    },
    'npm run deploy',
  )
  return { code, output: lines.join('\n'), calls, project }
}

describe('a first deployment', () => {
  it('runs every step in order, each with its exact wrangler command', async () => {
    const { code, calls, output } = await deploy(newAccount())
    expect(code, output).toBe(0)
    expect(calls.map((call) => call.command)).toEqual([
      'whoami --json',
      'd1 list --json',
      'd1 create usher',
      'types --strict-vars=false --env-file .dev.vars.example',
      'd1 migrations apply DB --remote --env production',
      'secret list --env production --format json',
      'secret put ADMIN_API_KEY --env production',
      'secret put KEY_ENCRYPTION_KEY --env production',
      'secret put FUNCTION_SECRET --env production',
      'deploy --env production',
    ])
    expect(output.split('\n').filter((line) => /^[✓·✗] /.test(line))).toEqual([
      '✓ Cloudflare login: logged in as ann@example.com, account Ann',
      '✓ D1 database "usher": created (0f3c5a52-1c1b-4d8e-9a49-3f0a2d1e7b01)',
      '· events queue: none (--events-queue <name> sends lifecycle events to a Cloudflare Queue)',
      '✓ production configuration ([env.production] in wrangler.toml): written; the top level, for local development, is unchanged',
      '✓ remote migrations: applied (wrangler applies only those not applied yet)',
      '✓ secrets: set ADMIN_API_KEY (generated), KEY_ENCRYPTION_KEY (generated), FUNCTION_SECRET (generated)',
      expect.stringMatching(
        /^✓ admin key and CLI profile "production": saved in .*profiles\.json \(mode 0600\)/,
      ),
      '✓ deploy: deployed the Worker "usher" (wrangler env production)',
      '✓ health check: https://auth.example.com/health answered 200 {"ok":true,"appId":"myapp","d1Ms":3}',
    ])
    expect(output).toContain('Usher "myapp" is live at https://auth.example.com.')
  })

  it('pipes each secret on stdin, generated and different, never on the command line', async () => {
    const account = newAccount()
    const { calls } = await deploy(account)
    const puts = calls.filter((call) => call.command.startsWith('secret put'))
    expect(puts.map((call) => call.input)).toEqual(['1'.repeat(64), '2'.repeat(64), '3'.repeat(64)])
    expect(calls.some((call) => call.command.includes('1111'))).toBe(false)
    expect([...account.secrets!.keys()]).toEqual(['ADMIN_API_KEY', 'KEY_ENCRYPTION_KEY', 'FUNCTION_SECRET'])
  })

  it('records the new database id in [env.production] and leaves the top level as it was', async () => {
    const project = scratchProject()
    const before = readFileSync(path.join(project, 'wrangler.toml'), 'utf8')
    await deploy(newAccount(), { project })
    expect(readFileSync(path.join(project, 'wrangler.toml'), 'utf8').startsWith(before.trimEnd())).toBe(true)
    const block = writtenBlock(project)
    expect(block).toContain('database_id = "0f3c5a52-1c1b-4d8e-9a49-3f0a2d1e7b01"')
    expect(block).toContain('USHER_DATABASE_ID = "0f3c5a52-1c1b-4d8e-9a49-3f0a2d1e7b01"')
    expect(block).toContain('USHER_ENV = "production"')
  })

  it('shows the admin key once, with a warning, and saves it in the profile file (0600)', async () => {
    const { output, project } = await deploy(newAccount())
    const key = '1'.repeat(64)
    expect(output.split(key)).toHaveLength(2)
    expect(output).toContain('shown only this once')
    expect(output).toContain('⚠ Anyone with this key can read, change and delete every user.')
    const file = path.join(project, 'profiles.json')
    expect(readProfiles(file)).toEqual({ production: { url: 'https://auth.example.com', adminKey: key } })
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('asks for MAIL_API_KEY with resend, and sets it as given', async () => {
    const account = newAccount()
    const asked: string[] = []
    const { code, calls } = await deploy(account, {
      answers: { ...ANSWERS, mailProvider: 'resend', mailApiKey: 'ask' },
      io: { askSecret: async (question) => (asked.push(question), ' re_123 ') },
    })
    expect(code).toBe(0)
    expect(asked).toEqual(['MAIL_API_KEY (your Resend API key; not shown): '])
    expect(calls.find((call) => call.command === 'secret put MAIL_API_KEY --env production')?.input).toBe(
      're_123',
    )
  })
})

describe('a re-run', () => {
  it('skips what exists: the database, an unchanged configuration and every secret', async () => {
    const account = newAccount()
    const first = await deploy(account)
    const second = await deploy(account, { project: first.project })
    expect(second.code, second.output).toBe(0)
    expect(second.calls.map((call) => call.command)).toEqual([
      'whoami --json',
      'd1 list --json',
      'd1 migrations apply DB --remote --env production',
      'secret list --env production --format json',
      'deploy --env production',
    ])
    expect(second.output).toContain(
      '· D1 database "usher": exists (0f3c5a52-1c1b-4d8e-9a49-3f0a2d1e7b01), reused',
    )
    expect(second.output).toContain(
      '· production configuration ([env.production] in wrangler.toml): up to date',
    )
    expect(second.output).toContain(
      '· secrets: ADMIN_API_KEY, KEY_ENCRYPTION_KEY, FUNCTION_SECRET already set, none overwritten',
    )
    expect(second.output).toContain(
      '· admin key and CLI profile "production": ADMIN_API_KEY was already set; profile "production" has https://auth.example.com and a key',
    )
    expect(second.output).not.toContain('1'.repeat(64))
    expect(account.secrets!.get('ADMIN_API_KEY')).toBe('1'.repeat(64))
  })

  it('never makes a new admin key when the Worker has one, and says how to add it to the profile', async () => {
    const account = {
      ...newAccount(),
      secrets: new Map([
        ['ADMIN_API_KEY', 'x'],
        ['KEY_ENCRYPTION_KEY', 'y'],
      ]),
    }
    const { output, calls } = await deploy(account)
    expect(calls.filter((call) => call.command.startsWith('secret put')).map((call) => call.command)).toEqual(
      ['secret put FUNCTION_SECRET --env production'],
    )
    expect(output).toContain(
      '✓ secrets: set FUNCTION_SECRET (generated); ADMIN_API_KEY, KEY_ENCRYPTION_KEY already set, kept',
    )
    expect(output).toContain(
      '· admin key and CLI profile "production": ADMIN_API_KEY was already set, so no new key was made',
    )
    expect(output).toContain(
      '  To use `usher --profile production`, save that key: npx usher profiles add production --url https://auth.example.com --admin-key -',
    )
    expect(output).not.toContain('shown only this once')
  })

  it('rewrites the configuration when an answer changed', async () => {
    const account = newAccount()
    const first = await deploy(account)
    const second = await deploy(account, {
      project: first.project,
      answers: { ...ANSWERS, allowedOrigins: '*' },
    })
    expect(second.output).toContain('✓ production configuration ([env.production] in wrangler.toml): written')
    const text = readFileSync(path.join(first.project, 'wrangler.toml'), 'utf8')
    expect(text.split(BEGIN_MARKER)).toHaveLength(2)
    expect(text).toContain('ALLOWED_ORIGINS = "*"\nCONFIRMATION_METHOD')
  })

  it('keeps the vars the operator added to [env.production.vars] by hand', async () => {
    const account = newAccount()
    const first = await deploy(account)
    const file = path.join(first.project, 'wrangler.toml')
    const hooks = 'USER_CREATION_FUNCTION_URL = "https://app.example.com/hooks/create"'
    writeFileSync(
      file,
      editProductionVar(readFileSync(file, 'utf8'), 'USER_CREATION_FUNCTION_URL = ""', hooks),
    )
    const second = await deploy(account, {
      project: first.project,
      answers: { ...ANSWERS, allowedOrigins: '*' },
    })
    expect(second.code, second.output).toBe(0)
    expect(second.output).toContain(
      "✓ production configuration ([env.production] in wrangler.toml): written; the top level, for local development, is unchanged; production's own USER_CREATION_FUNCTION_URL kept",
    )
    expect(writtenBlock(first.project)).toContain(hooks)
  })
})

describe('an events queue', () => {
  const QUEUED = { ...ANSWERS, eventsQueue: 'usher-events' }

  it('is created after the database and bound as EVENTS_QUEUE before the deploy', async () => {
    const account = newAccount()
    const { code, calls, output, project } = await deploy(account, { answers: QUEUED })
    expect(code, output).toBe(0)
    expect(calls.map((call) => call.command).slice(0, 6)).toEqual([
      'whoami --json',
      'd1 list --json',
      'd1 create usher',
      'queues info usher-events',
      'queues create usher-events',
      'types --strict-vars=false --env-file .dev.vars.example',
    ])
    expect(account.queues).toEqual(['usher-events'])
    expect(output).toContain(
      '✓ events queue "usher-events": created; bound as EVENTS_QUEUE\n  Consume it in your app\'s Worker: [[queues.consumers]] queue = "usher-events" (examples/app-worker).',
    )
    expect(writtenBlock(project)).toContain(
      '[[env.production.queues.producers]]\nbinding = "EVENTS_QUEUE"\nqueue = "usher-events"',
    )
  })

  it('that exists is reused, on a re-run or from another deployment', async () => {
    const account = { ...newAccount(), queues: ['usher-events'] }
    const first = await deploy(account, { answers: QUEUED })
    expect(first.code, first.output).toBe(0)
    expect(first.output).toContain('· events queue "usher-events": exists, reused; bound as EVENTS_QUEUE')
    const second = await deploy(account, { project: first.project, answers: QUEUED })
    expect(second.calls.map((call) => call.command)).toEqual([
      'whoami --json',
      'd1 list --json',
      'queues info usher-events',
      'd1 migrations apply DB --remote --env production',
      'secret list --env production --format json',
      'deploy --env production',
    ])
    expect(account.queues).toEqual(['usher-events'])
  })

  it('emptied later, leaves the configuration and is kept on Cloudflare', async () => {
    const account = newAccount()
    const first = await deploy(account, { answers: QUEUED })
    const second = await deploy(account, { project: first.project })
    expect(second.code, second.output).toBe(0)
    expect(second.calls.some((call) => call.command.startsWith('queues'))).toBe(false)
    expect(second.output).toContain(
      '· events queue: none: the EVENTS_QUEUE binding to "usher-events" leaves [env.production]; the queue itself is kept',
    )
    expect(writtenBlock(first.project)).not.toContain('queues.producers')
    expect(account.queues).toEqual(['usher-events'])
  })

  it('that cannot be created stops the run before the configuration, saying how to resume', async () => {
    const account = { ...newAccount(), failOn: 'queues create' }
    const { code, output, calls, project } = await deploy(account, { answers: QUEUED })
    expect(code).toBe(1)
    expect(output).toContain(
      '✗ step 3 of 9, events queue "usher-events", failed: `npx wrangler queues create usher-events` exited with code 1',
    )
    expect(calls.at(-1)?.command).toBe('queues create usher-events')
    expect(readFileSync(path.join(project, 'wrangler.toml'), 'utf8')).not.toContain(BEGIN_MARKER)
  })

  it('when wrangler cannot tell whether it exists, stops and shows why', async () => {
    const account = { ...newAccount(), failOn: 'queues info' }
    const { code, output } = await deploy(account, { answers: QUEUED })
    expect(code).toBe(1)
    expect(output).toContain(
      '✗ step 3 of 9, events queue "usher-events", failed: `npx wrangler queues info usher-events` exited with code 1',
    )
  })
})

describe('an events webhook', () => {
  it('is written into production as EVENTS_WEBHOOK_URL, with FUNCTION_SECRET set to sign it', async () => {
    const hook = 'https://app.example.com/hooks/usher-events'
    const account = newAccount()
    const { code, output, project } = await deploy(account, {
      answers: { ...ANSWERS, eventsWebhookUrl: hook },
    })
    expect(code, output).toBe(0)
    expect(writtenBlock(project)).toContain(`EVENTS_WEBHOOK_URL = "${hook}"`)
    expect(account.secrets!.has('FUNCTION_SECRET')).toBe(true)
  })
})

describe('a failure', () => {
  it('names the step, shows the command and its output, and says how to resume', async () => {
    const account = { ...newAccount(), failOn: 'd1 migrations apply' }
    const { code, output, calls } = await deploy(account)
    expect(code).toBe(1)
    expect(output).toContain(
      '✗ step 5 of 9, remote migrations, failed: `npx wrangler d1 migrations apply DB --remote --env production` exited with code 1',
    )
    expect(output).toContain(
      '    ✘ [ERROR] A request to the Cloudflare API failed: d1 migrations apply DB --remote --env production',
    )
    expect(output).toContain('Fix the cause, then run `npm run deploy` again: it skips what is already done.')
    expect(calls.at(-1)?.command).toBe('d1 migrations apply DB --remote --env production')
  })

  it('after the admin key was set, still shows it once, since a re-run never would', async () => {
    const account = { ...newAccount(), failOn: 'secret put FUNCTION_SECRET' }
    const { code, output } = await deploy(account)
    expect(code).toBe(1)
    expect(output).toContain('✗ step 6 of 9, secrets, failed')
    expect(output.split('1'.repeat(64))).toHaveLength(2)
    // The re-run finds the key set: it sets the rest and does not make another.
    const rerun = await deploy(account)
    expect(rerun.code).toBe(0)
    expect(account.secrets!.get('ADMIN_API_KEY')).toBe('1'.repeat(64))
  })

  it('when not logged in, says how to log in and changes nothing', async () => {
    const { code, output, calls } = await deploy({ ...newAccount(), loggedIn: false })
    expect(code).toBe(1)
    expect(output).toContain(
      '✗ step 1 of 9, Cloudflare login, failed: not logged in to Cloudflare: run `npx wrangler login`',
    )
    expect(calls.map((call) => call.command)).toEqual(['whoami --json'])
  })

  it('when /health answers for another app, says PUBLIC_URL may not reach this Worker', async () => {
    const { code, output } = await deploy(newAccount(), { fetch: healthy('other') })
    expect(code).toBe(1)
    expect(output).toContain(
      '✗ step 9 of 9, health check, failed: https://auth.example.com/health did not answer as Usher after 6 tries: it answers for app "other", not "myapp"',
    )
  })

  it('retries /health until the new Worker answers', async () => {
    let tries = 0
    const fetch = (async () => {
      if (++tries < 3)
        throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND auth.example.com') })
      return Response.json({ ok: true, appId: 'myapp', d1Ms: 1 })
    }) as unknown as typeof globalThis.fetch
    const { code } = await deploy(newAccount(), { fetch })
    expect(code).toBe(0)
    expect(tries).toBe(3)
  })
})
