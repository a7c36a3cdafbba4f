/**
 * The `usher` binary (tui/bin/usher.js) run as people and scripts run it: a child process with the
 * environment a test gives, stdin closed (a prompt sees end of input, never hangs), and the CLI's promise
 * checked on every run: no stack trace, on stdout or stderr.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { expect } from 'vitest'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const BIN = path.join(ROOT, 'tui/bin/usher.js')

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  /** Written to stdin, which is then closed. */
  input?: string
  /** Added to the environment; undefined unsets a variable. */
  env?: Record<string, string | undefined>
  cwd: string
  /** Killed after this long (default 50 s). */
  timeoutMs?: number
}

/** The environment without the variables that would point the CLI elsewhere than a test says. */
export function inheritedEnv(): NodeJS.ProcessEnv {
  const {
    USHER_URL: _url,
    USHER_ADMIN_KEY: _key,
    USHER_DEBUG: _debug,
    USHER_PROFILE: _profile,
    ...rest
  } = process.env
  return rest
}

/** Run the real binary; every run must be free of stack traces. */
export async function runUsher(args: string[], options: CliOptions): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...inheritedEnv(), ...options.env }
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  child.stdin.end(options.input ?? '')
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(killer)
  expect(stderr, `stack trace from usher ${args.join(' ')}`).not.toMatch(/^\s+at\s/m)
  expect(stdout, `stack trace from usher ${args.join(' ')}`).not.toMatch(/^\s+at\s/m)
  return { code, stdout, stderr }
}
