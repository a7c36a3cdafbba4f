/**
 * `npm run dev` as a new user runs it: in a scratch copy of the repository (no .dev.vars, no local D1),
 * it creates the secrets, migrates, serves on 127.0.0.1:$PORT, and SIGTERM stops every process it started.
 */
import { spawn, execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { freePort } from './harness'

const root = path.resolve(import.meta.dirname, '../..')
const scratch = mkdtempSync(path.join(tmpdir(), 'usher-dev-'))
let started: { npmGroup?: number; port?: number } = {}
afterAll(() => {
  // If the test failed midway, stop what it started: npm's group, then whatever still serves the port.
  for (const group of [started.npmGroup, ...(started.port ? processGroupsOn(started.port) : [])]) {
    if (group) {
      try {
        process.kill(-group, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
  }
  rmSync(scratch, { recursive: true, force: true })
})

/** wrangler and workerd processes serving `port` (wrangler gets `--port N`, workerd `127.0.0.1:N`). */
function processesOn(port: number): string[] {
  return execFileSync('ps', ['-eo', 'pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /wrangler|workerd/.test(line) && (line.includes(`--port ${port}`) || line.includes(`127.0.0.1:${port}`)))
}

function processGroupsOn(port: number): number[] {
  return [...new Set(processesOn(port).map((line) => Number.parseInt(line.trim(), 10)))]
}

/** `npm run <script>` in the scratch copy, on a free port, with its output collected. */
async function runInScratch(script: string) {
  const port = await freePort()
  const npm = spawn('npm', ['run', script], {
    cwd: scratch,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  started = { npmGroup: npm.pid, port }
  const run = { npm, port, output: '', exited: new Promise<number | null>((resolve) => npm.on('exit', resolve)) }
  npm.stdout.on('data', (chunk) => (run.output += chunk))
  npm.stderr.on('data', (chunk) => (run.output += chunk))
  return run
}

it('creates .dev.vars, serves the client API, and stops cleanly on SIGTERM', async () => {
  for (const entry of ['package.json', 'wrangler.toml', 'tsconfig.json', 'worker', 'tui', 'drizzle', '.dev.vars.example']) {
    cpSync(path.join(root, entry), path.join(scratch, entry), { recursive: true })
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'))
  const run = await runInScratch('dev')
  const { npm, port, exited } = run
  const output = () => run.output

  await expect.poll(output, { timeout: 90_000, interval: 500 }).toContain(`Usher is running at http://127.0.0.1:${port}`)
  expect(output()).toContain('app id: usher-local')
  const vars = readFileSync(path.join(scratch, '.dev.vars'), 'utf8')
  expect(vars).toMatch(/^ADMIN_API_KEY=[0-9a-f]{64}$/m)
  expect(vars).toMatch(/^KEY_ENCRYPTION_KEY=[0-9a-f]{64}$/m)
  const location = await fetch(`http://127.0.0.1:${port}/api/client/v2.0/app/usher-local/location`)
  expect(await location.json()).toMatchObject({ hostname: `http://127.0.0.1:${port}` })
  const register = await fetch(`http://127.0.0.1:${port}/api/client/v2.0/app/usher-local/auth/providers/local-userpass/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'dev@example.com', password: 'password1' }),
  })
  expect(register.status).toBe(201)
  expect(processesOn(port).length).toBeGreaterThanOrEqual(2)

  npm.kill('SIGTERM')
  await exited
  await expect.poll(() => processesOn(port), { timeout: 10_000 }).toEqual([])
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow()
}, 120_000)

it('SIGTERM while wrangler is still starting stops it too: nothing is left serving the port', async () => {
  const run = await runInScratch('dev')
  // Wait until wrangler exists but Usher does not answer yet, then stop.
  await expect.poll(() => processesOn(run.port).length, { timeout: 60_000, interval: 50 }).toBeGreaterThan(0)
  expect(run.output).not.toContain('Usher is running')
  run.npm.kill('SIGTERM')
  await run.exited
  await expect.poll(() => processesOn(run.port), { timeout: 10_000 }).toEqual([])
  await new Promise((resolve) => setTimeout(resolve, 3000))
  expect(processesOn(run.port)).toEqual([])
  await expect(fetch(`http://127.0.0.1:${run.port}/health`)).rejects.toThrow()
}, 120_000)
