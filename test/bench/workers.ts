/**
 * @module bench/workers
 * The workers a benchmark run starts: Usher itself, the Better Auth peer and the bound worker, each with
 * its own local D1 under `test/bench/.state/` (git-ignored; never the developer's `.wrangler/state`), and
 * the app worker of the `app request` scenario, which reaches Usher and Better Auth through service bindings
 * (wrangler's dev registry, a private one under `.state/`). When login or register is measured, a fifth:
 * `usher-events`, the same Usher (same config) with EVENTS_WEBHOOK_URL set, on a copy of Usher's seeded
 * database made before any worker starts, and in a dev registry of its own (it is also named `usher`, and
 * must never answer the app worker's bindings). For the import phase and `firebase login`, a sixth:
 * `usher-import`, the same Usher again on a database emptied before each import round (and its own dev
 * registry, for the same reason). All run under `wrangler dev` on the same workerd binary,
 * through tui/local-worker.ts, which puts each in its own process group so stopping it stops workerd too.
 *
 * D1 housekeeping (migrations, seeding, cleanup) goes through `wrangler d1 execute --local` while no worker
 * is running on that state, so two SQLite writers never share a database file.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import path from 'node:path'
import { migrateLocalDatabase, startLocalWorker, type LocalWorker } from '../../tui/local-worker'

const WRANGLER = path.join(
  path.dirname(createRequire(import.meta.url).resolve('wrangler')),
  '..',
  'bin',
  'wrangler.js',
)
const wranglerEnv = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' }

export const BENCH_DIR = path.join('test', 'bench')
export const STATE_DIR = path.join(BENCH_DIR, '.state')
export const LOG_DIR = path.join(STATE_DIR, 'logs')
/**
 * The bench workers' own dev registry, through which the app worker's service bindings reach Usher and
 * Better Auth: never the user's global one, where another `wrangler dev` of a worker named `usher` (a
 * developer's, or another checkout's tests) would answer in the bench Usher's place.
 */
export const REGISTRY_DIR = path.join(STATE_DIR, 'registry')

/** The systems compared (a row of the results belongs to one). */
export type SystemName = 'usher' | 'better-auth' | 'bound'
/**
 * The workers a run starts: the three systems, the app worker that calls them (`app request`), Usher
 * with events delivered to the bench's webhook sink (`usher-events`, a variant of the system `usher`), and
 * Usher on an empty database that the CLI imports Firebase users into (`usher-import`, also `usher`).
 */
export type WorkerName = SystemName | 'app' | 'usher-events' | 'usher-import'

export interface WorkerSpec {
  system: WorkerName
  /** wrangler config; undefined = Usher's ./wrangler.toml. */
  configPath?: string
  persistTo: string
  /** wrangler's dev registry for this worker; default the bench's own (REGISTRY_DIR). */
  registry?: string
}

const usher = usherSpec(process.env.BENCH_USHER_CONFIG)

export const SPECS: Record<WorkerName, WorkerSpec> = {
  usher,
  'usher-events': {
    system: 'usher-events',
    configPath: usher.configPath,
    persistTo: `${usher.persistTo}-events`,
    registry: path.join(STATE_DIR, 'registry-events'),
  },
  'usher-import': {
    system: 'usher-import',
    configPath: usher.configPath,
    persistTo: `${usher.persistTo}-import`,
    registry: path.join(STATE_DIR, 'registry-import'),
  },
  'better-auth': {
    system: 'better-auth',
    configPath: path.join(BENCH_DIR, 'better-auth', 'wrangler.toml'),
    persistTo: path.join(STATE_DIR, 'better-auth'),
  },
  bound: {
    system: 'bound',
    configPath: path.join(BENCH_DIR, 'bound', 'wrangler.toml'),
    persistTo: path.join(STATE_DIR, 'bound'),
  },
  app: {
    system: 'app',
    configPath: path.join(BENCH_DIR, 'app', 'wrangler.toml'),
    persistTo: path.join(STATE_DIR, 'app'),
  },
}

/**
 * Usher from this checkout, or (BENCH_USHER_CONFIG=path/to/wrangler.toml) from a copy with candidate changes,
 * measured against its own bench database so the two never share a schema.
 */
function usherSpec(configPath: string | undefined): WorkerSpec {
  if (!configPath || path.resolve(configPath) === path.resolve('wrangler.toml')) {
    return { system: 'usher', persistTo: path.join(STATE_DIR, 'usher') }
  }
  return { system: 'usher', configPath, persistTo: path.join(STATE_DIR, 'usher-candidate') }
}

function wrangler(args: string[]): string {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    env: wranglerEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0)
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${result.stdout}${result.stderr}`)
  return result.stdout
}

const configArgs = (spec: WorkerSpec) => [
  ...(spec.configPath ? ['--config', spec.configPath] : []),
  '--persist-to',
  spec.persistTo,
]

/** Apply the worker's migrations to its bench database (Usher's through tui/local-worker.ts). */
export function migrate(spec: WorkerSpec): void {
  mkdirSync(spec.persistTo, { recursive: true })
  if (spec.system === 'usher' && !spec.configPath) {
    migrateLocalDatabase({ quiet: true, persistTo: spec.persistTo })
  } else {
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...configArgs(spec)])
  }
}

/**
 * Make `to`'s state a copy of `from`'s (the events-on Usher starts from Usher's seeded, cleaned database).
 * Only while neither runs: two workerd processes must never share one SQLite file, nor copy one mid-write.
 */
export function copyState(from: WorkerSpec, to: WorkerSpec): void {
  rmSync(to.persistTo, { recursive: true, force: true })
  cpSync(from.persistTo, to.persistTo, { recursive: true })
}

/** An empty, migrated database for `spec` (the import phase's; only while its worker is stopped). */
export function freshState(spec: WorkerSpec): void {
  rmSync(spec.persistTo, { recursive: true, force: true })
  migrate(spec)
}

/** Run SQL (one or more `;`-separated statements) on a bench database; the rows of each statement. */
export function d1<Row = Record<string, unknown>>(spec: WorkerSpec, sql: string): Row[][] {
  const out = wrangler(['d1', 'execute', 'DB', '--local', '--json', ...configArgs(spec), '--command', sql])
  const parsed = JSON.parse(out.slice(out.indexOf('['))) as { results: Row[]; success: boolean }[]
  return parsed.map((r) => r.results)
}

/** The single-row result of a one-statement query. */
export function d1Row<Row = Record<string, unknown>>(spec: WorkerSpec, sql: string): Row | undefined {
  return d1<Row>(spec, sql).at(-1)?.[0]
}

/** A TCP port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** `compatibility_date` and `compatibility_flags` of a wrangler.toml (for the same-runtime check). */
export function compatibilityOf(configPath: string): string {
  const toml = readFileSync(configPath, 'utf8')
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1]
  const flags = /^compatibility_flags\s*=\s*(\[[^\]]*\])/m.exec(toml)?.[1]?.replace(/\s+/g, '')
  return `${date} ${flags}`
}

/** Usher's `[vars]` from its wrangler.toml (the KDF the other two workers must copy). */
export function usherVars(): Record<string, string> {
  const toml = readFileSync(SPECS.usher.configPath ?? 'wrangler.toml', 'utf8')
  const section = /^\[vars\]\n([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(toml)?.[1] ?? ''
  const vars: Record<string, string> = {}
  for (const match of section.matchAll(/^([A-Z0-9_]+)\s*=\s*"([^"]*)"/gm)) vars[match[1]!] = match[2]!
  return vars
}

export interface RunningWorker extends LocalWorker {
  system: WorkerName
  pgid: number
}

/** Start one worker on a free port with `vars`; its wrangler/workerd output goes to the bench log dir. */
export async function start(
  spec: WorkerSpec,
  vars: (port: number) => Record<string, string>,
): Promise<RunningWorker> {
  mkdirSync(LOG_DIR, { recursive: true })
  const logFile = path.join(LOG_DIR, `${spec.system}.log`)
  writeFileSync(logFile, '') // one run per log: wrangler logs every request
  const port = await freePort()
  const worker = await startLocalWorker({
    port,
    logFile,
    persistTo: spec.persistTo,
    configPath: spec.configPath,
    vars: vars(port),
    env: { WRANGLER_REGISTRY_PATH: path.resolve(spec.registry ?? REGISTRY_DIR) },
  })
  // Extend the worker itself (not a copy): its getters (e.g. `stopping`) must stay live.
  return Object.assign(worker, { system: spec.system, pgid: worker.child.pid! })
}

/** A fresh 256-bit secret for the peer's signing key. */
export const randomSecret = () => randomBytes(32).toString('hex')
