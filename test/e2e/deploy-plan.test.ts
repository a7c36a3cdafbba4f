/**
 * `npm run deploy -- --plan` as an operator runs it, from a fresh clone (this checkout's files, copied, with
 * its node_modules linked), on a machine where nothing can be contacted: every proxy variable points at a
 * closed port and Node is told to use them. It prints every step and wrangler command, and changes no file.
 * Also: wrangler itself accepts the production configuration the deploy writes (an offline dry-run deploy).
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  readWranglerConfig,
  renderProductionBlock,
  withProductionBlock,
} from '../../scripts/deploy/production-config'
import { WRANGLER } from '../../tui/local-worker'
import { ANSWER_FLAGS, ANSWERS } from '../unit/deploy-fakes'

const ROOT = path.resolve(import.meta.dirname, '../..')
const scratch = mkdtempSync(path.join(tmpdir(), 'usher-deploy-e2e-'))
const clone = path.join(scratch, 'usher')
const home = path.join(scratch, 'home')

const FLAGS = ['--plan', '--yes', ...ANSWER_FLAGS]

/** The files a clone of this checkout would have (tracked, plus new ones not ignored), as they are now. */
function freshClone() {
  const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .stdout.split('\0')
    .filter((file) => file && existsSync(path.join(ROOT, file)))
  for (const file of files) {
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true })
    cpSync(path.join(ROOT, file), path.join(clone, file))
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'))
}

/** A fingerprint of every file under `dir` (node_modules aside), to prove nothing changed. */
function fingerprint(dir: string): Record<string, string> {
  const prints: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name)
    if (!entry.isFile() || file.includes(`${path.sep}node_modules${path.sep}`)) continue
    prints[path.relative(dir, file)] = createHash('sha256').update(readFileSync(file)).digest('hex')
  }
  return prints
}

const CLOSED = 'http://127.0.0.1:9'

/** `npm run deploy -- …` in the clone, offline. */
function deploy(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: '',
    NO_PROXY: '',
    no_proxy: '',
    HTTPS_PROXY: CLOSED,
    HTTP_PROXY: CLOSED,
    https_proxy: CLOSED,
    http_proxy: CLOSED,
    NODE_USE_ENV_PROXY: '1',
    npm_config_update_notifier: 'false',
    npm_config_cache: path.join(scratch, 'npm-cache'),
  }
  for (const name of Object.keys(env)) if (name.startsWith('CLOUDFLARE_')) delete env[name]
  const child = spawn('npm', ['run', '--silent', 'deploy', '--', ...args], { cwd: clone, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  child.stdin.end()
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

beforeAll(() => {
  freshClone()
  mkdirSync(home)
})
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('npm run deploy -- --plan, from a fresh clone, offline', () => {
  let run: Awaited<ReturnType<typeof deploy>>
  let before: Record<string, string>

  beforeAll(async () => {
    before = fingerprint(clone)
    run = await deploy(FLAGS)
  })

  it('succeeds without contacting anything', () => {
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toMatch(/ECONNREFUSED|fetch failed/)
  })

  it('prints the nine steps and the exact wrangler commands, in order', () => {
    const lines = run.stdout.split('\n')
    expect(lines.filter((line) => /^\d\. /.test(line))).toEqual([
      '1. Cloudflare login',
      '2. D1 database "usher"',
      '3. events queue',
      '4. production configuration ([env.production] in wrangler.toml)',
      '5. remote migrations',
      '6. secrets',
      '7. admin key and CLI profile "production"',
      '8. deploy',
      '9. health check',
    ])
    expect(run.stdout).toContain(
      '   · nothing to do: none (--events-queue <name> sends lifecycle events to a Cloudflare Queue)',
    )
    expect(lines.filter((line) => line.startsWith('   $ ')).map((line) => line.slice(5))).toEqual([
      'npx wrangler whoami --json',
      'npx wrangler d1 list --json',
      'npx wrangler d1 create usher   (if no D1 database "usher" exists)',
      'npx wrangler types --strict-vars=false --env-file .dev.vars.example   (worker-configuration.d.ts: `wrangler types` reads every environment)',
      'npx wrangler d1 migrations apply DB --remote --env production',
      'npx wrangler secret list --env production --format json',
      'npx wrangler secret put ADMIN_API_KEY --env production   (if not set; value generated: 64 random hex characters, on stdin)',
      'npx wrangler secret put KEY_ENCRYPTION_KEY --env production   (if not set; value generated: 64 random hex characters, on stdin)',
      'npx wrangler secret put FUNCTION_SECRET --env production   (if not set; value generated: 64 random hex characters, on stdin)',
      'npx wrangler deploy --env production',
    ])
    expect(run.stdout).toContain(
      `save it with https://auth.example.com as profile "production" in ${home}/.config/usher/profiles.json (mode 0600)`,
    )
    expect(run.stdout).toContain(
      '   GET https://auth.example.com/health (up to 6 tries, 5 s apart; expects app id "myapp")',
    )
  })

  it('shows the [env.production] block it would write', () => {
    expect(run.stdout).toContain('     | [env.production]\n     | name = "usher"\n')
    expect(run.stdout).toContain('     | USHER_ENV = "production"\n')
    expect(run.stdout).toContain('     | [[env.production.send_email]]\n     | name = "SEND_EMAIL"\n')
  })

  it('ends with the command that runs it', () => {
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      "To run it: npm run deploy -- --yes --app-id myapp --public-url https://auth.example.com --allowed-origins https://app.example.com --mail-provider cloudflare --mail-from 'MyApp <no-reply@example.com>'",
    )
  })

  it('changes no file, and creates no profile', () => {
    expect(fingerprint(clone)).toEqual(before)
    expect(existsSync(path.join(home, '.config', 'usher'))).toBe(false)
  })
})

describe('npm run deploy -- --plan with an events queue and webhook', () => {
  const HOOK = 'https://app.example.com/hooks/usher-events'
  let run: Awaited<ReturnType<typeof deploy>>
  let before: Record<string, string>

  beforeAll(async () => {
    before = fingerprint(clone)
    run = await deploy([...FLAGS, '--events-queue', 'usher-events', '--events-webhook-url', HOOK])
  })

  it('looks the queue up, creates it if missing, and binds it in the block it would write', () => {
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(
      '3. events queue "usher-events"\n   $ npx wrangler queues info usher-events\n   $ npx wrangler queues create usher-events   (if no queue "usher-events" exists)\n',
    )
    expect(run.stdout).toContain(
      '     | [[env.production.queues.producers]]\n     | binding = "EVENTS_QUEUE"\n     | queue = "usher-events"\n',
    )
    expect(run.stdout).toContain(`     | EVENTS_WEBHOOK_URL = "${HOOK}"\n`)
  })

  it('ends with the command that runs it, the events flags included, and changes no file', () => {
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^To run it: npm run deploy -- --yes .* --events-queue usher-events --events-webhook-url https:\/\/app\.example\.com\/hooks\/usher-events$/,
    )
    expect(fingerprint(clone)).toEqual(before)
  })
})

describe('answers a production Usher would refuse', () => {
  it('are refused before anything changes, each naming its flag', async () => {
    const before = fingerprint(clone)
    const outbox = FLAGS.map((flag) =>
      flag === 'cloudflare' ? 'outbox' : flag === 'https://auth.example.com' ? 'http://127.0.0.1:8787' : flag,
    )
    const run = await deploy(outbox)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(
      'npm run deploy: refused, nothing was changed:\n  - --public-url: must be https',
    )
    expect(run.stderr).toContain('  - --mail-provider: outbox keeps mail')
    expect(fingerprint(clone)).toEqual(before)
  })

  it('refuse an events queue Cloudflare would not name, and an events webhook on this machine', async () => {
    const run = await deploy([
      ...FLAGS,
      '--events-queue',
      'Usher_Events',
      '--events-webhook-url',
      'http://localhost:8788/hook',
    ])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(
      '  - --events-queue: "Usher_Events" is not a Cloudflare Queues name: 1–63 lowercase letters, digits or dashes',
    )
    expect(run.stderr).toContain(
      '  - --events-webhook-url: is this machine: the deployed Worker cannot reach it',
    )
  })

  it('with --yes, a missing answer names its flag', async () => {
    const run = await deploy(['--plan', '--yes', '--app-id', 'myapp'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^npm run deploy: with --yes, give --public-url \(PUBLIC_URL\), /m)
  })
})

describe('the production configuration it writes', () => {
  it('is accepted by wrangler: a dry-run deploy of [env.production] lists every binding', () => {
    const project = path.join(scratch, 'dry-run')
    cpSync(clone, project, { recursive: true, verbatimSymlinks: true })
    const file = path.join(project, 'wrangler.toml')
    const config = readWranglerConfig(file)
    const block = renderProductionBlock(config.topLevel, {
      ...ANSWERS,
      eventsQueue: 'usher-events',
      databaseId: '0f3c5a52-1c1b-4d8e-9a49-3f0a2d1e7b01',
    })
    writeFileSync(file, withProductionBlock(config.text, block))
    const result = spawnSync(
      process.execPath,
      [WRANGLER, 'deploy', '--env', 'production', '--dry-run', '--outdir', path.join(scratch, 'bundle')],
      {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, HOME: home, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      },
    )
    const output = result.stdout + result.stderr
    expect(result.status, output).toBe(0)
    for (const binding of [
      'env.SEND_EMAIL',
      'env.EVENTS_QUEUE (usher-events)',
      'env.DB (usher)',
      'env.AUTH_RATE_LIMITER',
      'env.ADMIN_AUTH_RATE_LIMITER',
      'env.USHER_ENV ("production")',
    ]) {
      expect(output).toContain(binding)
    }
    expect(output).toContain('--dry-run: exiting now.')
  })
})
