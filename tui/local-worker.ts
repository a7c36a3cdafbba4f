/**
 * @module tui/local-worker
 * Runs Usher locally the way `npm run dev` and `npm start` need it: `.dev.vars` with fresh random secrets
 * (created once, never overwritten), migrations applied to the local D1, then `wrangler dev` headless on
 * 127.0.0.1 in its own process group, so stopping it stops wrangler *and* the workerd it spawned.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { appendFileSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

// wrangler's package exports only its API; its CLI sits next to it. Run it on this Node (24, from npm).
export const WRANGLER = path.join(path.dirname(createRequire(import.meta.url).resolve('wrangler')), '..', 'bin', 'wrangler.js')
export const DEV_VARS = '.dev.vars'
const REQUIRED_SECRETS = ['ADMIN_API_KEY', 'KEY_ENCRYPTION_KEY', 'FUNCTION_SECRET'] as const

/** Environment for every wrangler we start: offline-friendly, no telemetry. */
const wranglerEnv = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' }

export function readDevVars(path = DEV_VARS): Record<string, string> {
  if (!existsSync(path)) return {}
  const vars: Record<string, string> = {}
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line)
    if (match) vars[match[1]!] = match[2]!
  }
  return vars
}

/** Create `.dev.vars` (or add missing secrets to it) with 256-bit random values. Returns what it added. */
export function ensureDevVars(path = DEV_VARS): string[] {
  const existing = readDevVars(path)
  const missing = REQUIRED_SECRETS.filter((name) => !existing[name])
  if (missing.length === 0) return []
  const lines = missing.map((name) => `${name}=${randomBytes(32).toString('hex')}`)
  if (existsSync(path)) {
    appendFileSync(path, `\n${lines.join('\n')}\n`)
  } else {
    writeFileSync(
      path,
      `# Local secrets for \`npm run dev\` / \`npm start\` (git-ignored). Production: \`wrangler secret put <NAME>\`.\n${lines.join('\n')}\n`,
      { mode: 0o600 },
    )
  }
  return missing
}

function wrangler(args: string[], options: { quiet?: boolean; cwd?: string } = {}) {
  const result = spawnSync(process.execPath, [WRANGLER, ...args], {
    env: wranglerEnv,
    cwd: options.cwd,
    stdio: ['ignore', options.quiet ? 'pipe' : 'inherit', options.quiet ? 'pipe' : 'inherit'],
    encoding: 'utf8',
  })
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.join(' ')} failed${options.quiet ? `:\n${result.stdout}${result.stderr}` : ''}`)
  }
}

/**
 * Apply pending migrations to the local D1 (`.wrangler/state`, or `persistTo`) of Usher, or of another Worker
 * (`configPath`, e.g. an example app: its migrations_dir is relative to its own config).
 */
export function migrateLocalDatabase(options: { quiet?: boolean; persistTo?: string; configPath?: string } = {}) {
  const persist = options.persistTo ? ['--persist-to', path.resolve(options.persistTo)] : []
  const cwd = options.configPath ? path.dirname(path.resolve(options.configPath)) : undefined
  const config = options.configPath ? ['--config', path.basename(options.configPath)] : []
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...config, ...persist], { quiet: options.quiet, cwd })
}

export interface LocalWorker {
  url: string
  appId: string
  adminKey: string
  child: ChildProcess
  /** True once `stop()` was called: its exit is then expected, not a crash. */
  readonly stopping: boolean
  stop(): Promise<void>
}

/** Whether something already accepts connections on 127.0.0.1:`port`. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

export interface LocalWorkerOptions {
  port: number
  /** Send wrangler's output to this file (when something else owns the terminal); else show it. */
  logFile?: string
  /** Local state directory (default `.wrangler/state`): benchmarks keep their own database apart. */
  persistTo?: string
  /** wrangler.toml [vars] overrides for this run (`wrangler dev --var NAME:VALUE`). */
  vars?: Record<string, string>
  /** Another wrangler config (e.g. a benchmark peer); default ./wrangler.toml. */
  configPath?: string
  /**
   * wrangler's dev registry (where local Workers find each other for service bindings); default the user's
   * own. Tests give each run its own, so a developer's running Usher never answers in the test's place.
   */
  registryPath?: string
  /** Extra environment for wrangler (e.g. WRANGLER_REGISTRY_PATH: a dev registry of its own for bindings). */
  env?: Record<string, string>
}

/** Start `wrangler dev` and wait until Usher answers `GET /health`. */
export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const url = `http://127.0.0.1:${options.port}`
  // Another worker on this port would answer the health check in our worker's place.
  if (await portInUse(options.port)) {
    throw new Error(`port ${options.port} is already in use (another npm start or npm run dev?); set PORT to another one`)
  }
  const output = options.logFile ? openSync(options.logFile, 'a') : 'inherit'
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(options.port), '--show-interactive-dev-session=false']
  if (options.persistTo) args.push('--persist-to', options.persistTo)
  if (options.configPath) args.push('--config', options.configPath)
  for (const [name, value] of Object.entries(options.vars ?? {})) args.push('--var', `${name}:${value}`)
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    env: { ...wranglerEnv, ...(options.registryPath && { WRANGLER_REGISTRY_PATH: options.registryPath }), ...options.env },
    stdio: ['ignore', output, output],
    detached: true,
  })
  let exited: number | null | undefined
  let stopping = false
  child.on('exit', (code) => {
    exited = code
    started.delete(stop)
  })

  const stop = () =>
    new Promise<void>((resolve) => {
      stopping = true
      if (exited !== undefined || child.pid === undefined) return resolve()
      const kill = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal)
        } catch {
          // The group is already gone.
        }
      }
      const force = setTimeout(() => kill('SIGKILL'), 5000)
      child.once('exit', () => {
        clearTimeout(force)
        resolve()
      })
      kill('SIGTERM')
    })
  // Registered at once, not when ready: a stop requested while wrangler is still starting must reach it.
  started.add(stop)

  const deadline = Date.now() + 90_000
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`wrangler dev exited (code ${exited}) before Usher answered${options.logFile ? `; see ${options.logFile}` : ''}`)
    }
    try {
      const res = await fetch(`${url}/health`)
      if (res.ok) {
        const health = (await res.json()) as { appId: string }
        return {
          url,
          appId: health.appId,
          adminKey: options.vars?.ADMIN_API_KEY ?? readDevVars().ADMIN_API_KEY ?? '',
          child,
          stop,
          get stopping() {
            return stopping
          },
        }
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`Usher did not answer at ${url} within 90 s${options.logFile ? `; see ${options.logFile}` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Every wrangler this process started and has not seen exit, ready or still starting. */
const started = new Set<() => Promise<void>>()

/** Stop every wrangler (and its workerd) this process started, including ones still starting. */
export async function stopEverything(): Promise<void> {
  await Promise.all([...started].map((stop) => stop()))
}

/**
 * Install once, before starting anything: Ctrl-C, SIGTERM or SIGHUP at any moment — while migrating, while
 * wrangler starts, or once it serves — stops everything this process started, then exits. (wrangler runs in
 * its own process group: leaving without stopping it would orphan it and its workerd, still serving the port.)
 */
export function stopOnSignals(beforeExit: () => void = () => {}) {
  let stopping = false
  const shutdown = async () => {
    if (stopping) return
    stopping = true
    beforeExit()
    await stopEverything()
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  process.on('SIGHUP', shutdown)
  return { get stopping() { return stopping } }
}

/** Exit with an error if `worker` stops on its own (not through `stop()` or a signal). */
export function exitIfWorkerDies(worker: LocalWorker, signals: { stopping: boolean }) {
  worker.child.on('exit', (code) => {
    if (signals.stopping || worker.stopping) return
    console.error(`wrangler dev stopped unexpectedly (code ${code}).`)
    process.exit(1)
  })
}

export function portFromEnv(): number {
  const port = Number(process.env.PORT ?? 8787)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${process.env.PORT}"`)
  }
  return port
}
