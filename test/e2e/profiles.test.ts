/**
 * Profiles end to end: the real `usher` binary (a child process, with a home directory of its own) saves a
 * deployment with `usher profiles add`, then reaches the real worker with `usher --profile <name>` (or
 * `USHER_PROFILE`) and no other connection setting; `usher dashboard --profile` hands the same profile to
 * the dashboard.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, startUsher } from './harness'

const BIN = path.resolve(import.meta.dirname, '../../tui/bin/usher.js')
const home = mkdtempSync(path.join(tmpdir(), 'usher-profiles-'))

let usher: Awaited<ReturnType<typeof startUsher>>

beforeAll(async () => {
  usher = await startUsher()
})
afterAll(async () => {
  await usher?.close()
  rmSync(home, { recursive: true, force: true })
})

/** The real binary, run from the home directory (no .dev.vars) with no USHER_* variables but `env`. */
function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: '', ...options.env }
  for (const name of ['USHER_URL', 'USHER_ADMIN_KEY', 'USHER_PROFILE'])
    if (!options.env?.[name]) delete env[name]
  const child = spawn(process.execPath, [BIN, ...args], { cwd: home, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  child.stdin.end(options.input ?? '')
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  )
}

const profileFile = path.join(home, '.config', 'usher', 'profiles.json')

describe('usher --profile', () => {
  beforeAll(async () => {
    const added = await cli(['profiles', 'add', 'production', '--url', usher.origin, '--admin-key', '-'], {
      input: `${ADMIN_KEY}\n`,
    })
    expect(added.code, added.stderr).toBe(0)
  })

  it('saves the key in a file only its owner can read', () => {
    expect(statSync(profileFile).mode & 0o777).toBe(0o600)
  })

  it('reaches the deployment with no URL or key given', async () => {
    const listed = await cli(['--profile', 'production', 'users', 'list', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toHaveProperty('items')
    const config = await cli(['config', '--json'], { env: { USHER_PROFILE: 'production' } })
    expect(JSON.parse(config.stdout).appId).toBe('usher-local')
  })

  it('a refused key names the profile and its file', async () => {
    await cli(['profiles', 'add', 'stale', '--url', usher.origin, '--admin-key', 'not-the-key'])
    const refused = await cli(['--profile', 'stale', 'users', 'list'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(
      `usher: the admin key (from profile "stale" in ${profileFile}) was refused by ${usher.origin}; it must equal the deployment's ADMIN_API_KEY\n`,
    )
  })

  it('--admin-key still wins over the profile', async () => {
    const result = await cli(['--profile', 'stale', '--admin-key', ADMIN_KEY, 'config', '--json'])
    expect(result.code, result.stderr).toBe(0)
  })

  it('usher dashboard --profile hands the profile to the dashboard, which resolves it the same way', async () => {
    const missing = await cli(['dashboard', '--profile', 'nope'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain(`no profile "nope" in ${profileFile} (it has production, stale)`)
    // A known profile resolves; without a terminal the dashboard then stops for that reason alone.
    const known = await cli(['dashboard', '--profile', 'production'])
    expect(known.code).toBe(1)
    expect(known.stderr).toContain('The dashboard needs an interactive terminal')
  })
})
