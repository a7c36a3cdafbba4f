/**
 * `usher dashboard` starts a TypeScript entry point in a child Node (through tsx), forwards the connection
 * flags, and exits with the child's code. Proven here with a stand-in entry, so the test does not depend on
 * the dashboard itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { runTypeScript } from '../../tui/cli/commands/dashboard'
import { CommandError } from '../../tui/cli/failure'

const scratch = mkdtempSync(path.join(tmpdir(), 'usher-dashboard-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

it('runs the entry with tsx, passes the flags and returns its exit code', async () => {
  const entry = path.join(scratch, 'entry.ts')
  const seen = path.join(scratch, 'argv.json')
  writeFileSync(
    entry,
    `import { writeFileSync } from 'node:fs'\nconst args: string[] = process.argv.slice(2)\nwriteFileSync(${JSON.stringify(seen)}, JSON.stringify(args))\nprocess.exit(3)\n`,
  )
  const code = await runTypeScript(entry, ['--url', 'http://127.0.0.1:9', '--admin-key', 'k'])
  expect(code).toBe(3)
  expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual(['--url', 'http://127.0.0.1:9', '--admin-key', 'k'])
})

it('says so when the entry is missing', async () => {
  await expect(runTypeScript(path.join(scratch, 'missing.tsx'), [])).rejects.toBeInstanceOf(CommandError)
})
