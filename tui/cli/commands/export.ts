/**
 * @module tui/cli/commands/export
 * `usher export [--out <file>]`: every user in Usher's export and backup format (one JSON line per user, what
 * `usher import --from usher` reads back), paged from `users.export` in id order. With `--out` the file
 * appears only complete: the lines go to `<file>.tmp`, renamed over `<file>` at the end (an existing file is
 * replaced only with `--force`). Without it, the lines go to stdout; the closing line goes to stderr either way.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { usherExportLine } from '../../import/usher'
import { apiCommand, type RunContext } from '../command'
import { CommandError } from '../failure'
import { count, printable } from '../format'
import { startProgress } from '../progress'
import { transientReason, withRetries } from '../retry'

/** `users.export`'s largest page (worker/users/export.ts). */
const PAGE_SIZE = 1000

export interface ExportResult {
  exported: number
  out: string
}

/** Pages every user through `write`; answers how many there were. */
async function exportTo(context: RunContext, write: (text: string) => void): Promise<number> {
  const { client, stderr, flags } = context
  const quiet = flags.json === true
  const progress = startProgress(stderr, { label: 'exporting', unit: 'user', quiet })
  // The total, for the bar's share and time left (only a terminal shows them).
  const total =
    !quiet && (stderr as { isTTY?: boolean }).isTTY
      ? (await client.users.list.query({ limit: 1 })).counts.all
      : undefined
  let exported = 0
  let cursor: string | undefined
  do {
    const page = await withRetries(
      () => client.users.export.query({ cursor, limit: PAGE_SIZE }),
      (error, delay) =>
        progress.note(
          `⚠ a page failed (${printable(transientReason(error))}); asking again in ${delay / 1000} s`,
        ),
    )
    if (page.users.length > 0) write(`${page.users.map(usherExportLine).join('\n')}\n`)
    exported += page.users.length
    progress.update(exported, total === undefined ? undefined : Math.max(total, exported))
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  progress.finish()
  return exported
}

/** Into `<out>.tmp`, flushed to disk, then renamed over `out`; the temporary file is removed on failure. */
async function exportToFile(context: RunContext, out: string): Promise<number> {
  const temporary = `${out}.tmp`
  let fd: number
  try {
    fd = openSync(temporary, 'w', 0o600)
  } catch (error) {
    throw new CommandError(`cannot write ${temporary}: ${(error as Error).message}`)
  }
  try {
    const exported = await exportTo(context, (text) => writeSync(fd, text))
    fsyncSync(fd)
    closeSync(fd)
    renameSync(temporary, out)
    return exported
  } catch (error) {
    try {
      closeSync(fd)
    } catch {
      // Already closed (the rename failed).
    }
    rmSync(temporary, { force: true })
    throw error
  }
}

export const exportUsers = apiCommand({
  summary: 'every user as JSON lines: the backup format, read back by `usher import --from usher`',
  details:
    'One line per user: id, type, status, disabled, times, email, password hash (as stored), identities, profile data and custom data. Never sessions, refresh tokens or API keys. A file given with --out appears only once complete.',
  options: {
    out: { type: 'string', placeholder: 'file', description: 'write to this file (else stdout)' },
    force: { type: 'boolean', description: 'replace the --out file if it exists' },
  },
  examples: ['usher export --out backup.jsonl', 'usher import --from usher backup.jsonl   # the restore'],
  async run(context): Promise<ExportResult | undefined> {
    const { options, flags, stderr, stdout } = context
    const out = options.out
    const quiet = flags.json === true
    if (out === undefined) {
      const exported = await exportTo(context, (text) => stdout.write(text))
      if (!quiet) stderr.write(`✓ exported ${count(exported, 'user')}\n`)
      return undefined
    }
    if (existsSync(out) && flags.force !== true)
      throw new CommandError(`${out} already exists: pass --force to replace it`)
    const exported = await exportToFile(context, out)
    if (!quiet) stderr.write(`✓ exported ${count(exported, 'user')} to ${out}\n`)
    return { exported, out }
  },
  // The closing line is on stderr; `--json` prints `{ exported, out }`.
  render: () => undefined,
})
