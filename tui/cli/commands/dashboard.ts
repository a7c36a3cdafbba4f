/**
 * @module tui/cli/commands/dashboard
 * `usher dashboard`: hands the terminal to the Ink dashboard (tui/index.tsx) in a child Node process, so the
 * CLI never loads React or Ink for its other commands. The connection flags are forwarded as given; the
 * dashboard resolves them the same way the CLI does.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { constants } from 'node:os'
import path from 'node:path'
import type { LaunchCommand } from '../command'
import { CommandError } from '../failure'

const DASHBOARD = path.join(import.meta.dirname, '..', '..', 'index.tsx')
/** tsx looks for tsconfig.json in the working directory; without ours, JSX compiles for the wrong runtime. */
const TSCONFIG = path.join(import.meta.dirname, '..', '..', '..', 'tsconfig.json')

/** Run a TypeScript entry point on this Node with the terminal attached; resolves with its exit code. */
export async function runTypeScript(entry: string, args: readonly string[]): Promise<number> {
  if (!existsSync(entry)) throw new CommandError(`the dashboard is not installed here (${entry} is missing)`)
  // tsx and tsconfig.json found from here, not from the working directory: `usher dashboard` works anywhere.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry, ...args], {
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
  })
  // Ctrl-C reaches the dashboard too (same process group); it decides when to exit, and we follow.
  const ignore = () => {}
  process.on('SIGINT', ignore)
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)))
    })
  } finally {
    process.off('SIGINT', ignore)
  }
}

export const dashboard: LaunchCommand = {
  summary: 'open the interactive dashboard',
  details: 'The Ink dashboard (tui/index.tsx) in this terminal, on the same connection flags.',
  examples: ['usher dashboard --url https://usher.example.workers.dev'],
  launch: (forwardedFlags) => runTypeScript(DASHBOARD, forwardedFlags),
}
