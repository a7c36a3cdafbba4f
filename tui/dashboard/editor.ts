/**
 * @module dashboard/editor
 * Text edited in the admin's own editor, as git and k9s do it: written to a private temporary file, the
 * editor ($VISUAL, else $EDITOR, else vi) run on it through the shell (so `code --wait` works) with the
 * terminal handed over (`suspend`: Ink's `suspendTerminal`, which stops reading keys, leaves raw mode and the
 * alternate screen, and redraws after), then read back. The file is removed whatever happens.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Environment } from '../profiles'

export type { Environment }

/** The editor command line, as the admin configured it. */
export const editorCommand = (env: Environment) => env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi'

export type Edited = { ok: true; text: string } | { ok: false; problem: string }

export interface EditOptions {
  env: Environment
  /** Hands the terminal to `run` and takes it back afterwards. */
  suspend(run: () => Promise<void>): Promise<void>
  /** The file's name (the editor shows it, and picks its JSON mode from `.json`). */
  fileName: string
}

/** Let the admin edit `text`; the edited text, or why there is none (the editor failed or could not start). */
export async function editText(text: string, { env, suspend, fileName }: EditOptions): Promise<Edited> {
  const editor = editorCommand(env)
  const dir = await mkdtemp(path.join(tmpdir(), 'usher-edit-'))
  const file = path.join(dir, fileName)
  try {
    await writeFile(file, text, { mode: 0o600 })
    let outcome: { code: number | null; signal: NodeJS.Signals | null } | Error = new Error('the editor did not run')
    await suspend(async () => {
      const resumeReading = await stopReadingTerminal()
      try {
        outcome = await run(editor, file, env)
      } finally {
        resumeReading()
      }
    })
    if (outcome instanceof Error) return { ok: false, problem: `${editor} could not be started (${outcome.message})` }
    const { code, signal } = outcome
    if (code !== 0) {
      return { ok: false, problem: `${editor} ${signal ? `was stopped by ${signal}` : `exited with status ${code}`}` }
    }
    return { ok: true, text: await readFile(file, 'utf8') }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Ink stops listening to stdin when it hands the terminal over, but Node's own read of the terminal goes on
 * after the last listener leaves and takes the editor's first keys (`:%d⏎` typed into vi went to the
 * dashboard). One turn of the event loop later that read has started: stop it for the editor's time, and
 * start it again afterwards (the stream still counts it as running, so Node would not restart it itself).
 * Answers how to resume.
 */
async function stopReadingTerminal(stdin: NodeJS.ReadStream = process.stdin): Promise<() => void> {
  if (!stdin.isTTY) return () => {}
  await new Promise((resolve) => setImmediate(resolve))
  const handle = (stdin as unknown as { _handle?: { reading?: boolean; readStop?(): number; readStart?(): number } })
    ._handle
  if (!handle?.reading || !handle.readStop || !handle.readStart) return () => {}
  handle.reading = false
  handle.readStop()
  return () => {
    handle.reading = true
    handle.readStart!()
  }
}

/** The editor on `file`, through the shell like git runs it, on the terminal itself. */
function run(editor: string, file: string, env: Environment) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>((resolve) => {
    const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], {
      stdio: 'inherit',
      env: env as NodeJS.ProcessEnv,
    })
    child.once('error', resolve)
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
}
