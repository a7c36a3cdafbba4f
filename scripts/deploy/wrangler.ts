/**
 * @module scripts/deploy/wrangler
 * Running the project's own wrangler (on this Node, as tui/local-worker.ts does) for `npm run deploy`, and
 * reading what its commands answer. Output is captured, not shown: the deploy prints one line per step, and
 * a failed command's whole output.
 *
 * stdin is a pipe, so wrangler runs non-interactively: it takes its documented defaults instead of asking
 * (apply the migrations, create the Worker on the first `secret put`), and `secret put` reads the value from
 * stdin, which keeps secrets out of argv.
 */
import { spawn } from 'node:child_process'
import { WRANGLER } from '../../tui/local-worker'
import type { CloudflareLogin } from './plan'

export interface WranglerResult {
  code: number
  stdout: string
  /** stdout and stderr as they came, for failure reports. */
  output: string
}

/** Runs one wrangler command; tests replace it with a script of answers. */
export type Wrangler = (args: readonly string[], options?: { input?: string }) => Promise<WranglerResult>

export function projectWrangler(cwd: string, env: NodeJS.ProcessEnv = process.env): Wrangler {
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [WRANGLER, ...args], {
        cwd,
        env: { ...env, WRANGLER_SEND_METRICS: 'false' },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let stdout = ''
      let output = ''
      child.stdout.on('data', (chunk) => {
        stdout += chunk
        output += chunk
      })
      child.stderr.on('data', (chunk) => (output += chunk))
      child.stdin.end(options.input ?? '')
      child.once('error', reject)
      child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, output }))
    })
}

/** The JSON a `--json` / `--format json` command printed (after any banner or warning lines). */
function json(stdout: string): unknown {
  const start = stdout.search(/^[[{]/m)
  if (start === -1) throw new Error('wrangler printed no JSON')
  return JSON.parse(stdout.slice(start))
}

/** `wrangler whoami --json`: who is logged in, or null when nobody is. */
export function parseLogin(result: WranglerResult, accountId?: string): CloudflareLogin | null | undefined {
  if (result.code !== 0) return /"loggedIn":\s*false/.test(result.output) ? null : undefined
  const answer = json(result.stdout) as {
    loggedIn?: boolean
    email?: string
    accounts?: CloudflareLogin['accounts']
  }
  if (answer.loggedIn === false) return null
  return {
    email: answer.email ?? '(an API token)',
    accounts: (answer.accounts ?? []).map(({ id, name }) => ({ id, name })),
    ...(accountId && { accountId }),
  }
}

/** `wrangler d1 list --json`: the database called `name`, or null. */
export function parseDatabase(result: WranglerResult, name: string): { id: string } | null {
  const databases = json(result.stdout) as { uuid: string; name: string }[]
  const database = databases.find((candidate) => candidate.name === name)
  return database ? { id: database.uuid } : null
}

/**
 * `wrangler queues info <name>`: the queue, or null when wrangler says it does not exist. (`queues list`
 * prints a table one page at a time; `info` asks Cloudflare for the name.)
 */
export function parseQueue(result: WranglerResult, name: string): { name: string } | null | undefined {
  if (result.code !== 0) return /Queue ".*?" does not exist/.test(result.output) ? null : undefined
  const found = /^Queue Name: (.+)$/m.exec(result.stdout)?.[1]?.trim()
  if (found === undefined) throw new Error('wrangler printed no "Queue Name:" line')
  return found === name ? { name } : null
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

/**
 * `wrangler d1 create <name>`: the new database's id, from the configuration snippet it prints
 * (`database_id = "…"` for wrangler.toml, `"database_id": "…"` for JSON configurations).
 */
export function parseCreatedDatabase(result: WranglerResult): { id: string } | undefined {
  const match = new RegExp(`"?database_id"?\\s*[=:]\\s*"(${UUID})"`, 'i').exec(result.stdout)
  return match ? { id: match[1]!.toLowerCase() } : undefined
}

/**
 * `wrangler secret list --format json`: the names of the secrets set. A Worker that does not exist yet
 * (a first deployment) has none; wrangler reports that as an error.
 */
export function parseSecrets(result: WranglerResult): string[] | undefined {
  if (result.code !== 0)
    return /Worker ".*?"(?: \(env: .*?\))? not found/.test(result.output) ? [] : undefined
  return (json(result.stdout) as { name: string }[]).map((secret) => secret.name)
}
