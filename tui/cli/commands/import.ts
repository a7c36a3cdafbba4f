/**
 * @module tui/cli/commands/import
 * `usher import <file…> --from <format>`: read another system's export (tui/import/ turns it into users), then
 * send it to `users.import` in chunks, and report every row that did not simply arrive, by its file and line.
 *
 * - No question is asked: an import only adds (or, with `--on-conflict=update`, lets the file win), and running
 *   it again is safe — users already here are skipped. That is also how a stopped import resumes.
 * - Two rows of the files claiming one email address or one external account: the first one is sent, the
 *   other is a conflict decided here (`twinsOf`), since `users.import` sees one chunk at a time; so a dry run
 *   and a real run agree, whatever the chunks.
 * - Chunks hold at most 500 users and stay under the 2 MB body `users.import` accepts; one at a time, in file
 *   order. The Firebase hash parameters go with the first chunk (with every chunk of a dry run, which stores
 *   nothing).
 * - A chunk that gets no answer or a 5xx is sent again (retry.ts), then the import stops with how to resume.
 * - The report (`--json`: `{ dryRun, counts, problems, rows, lossy }`) counts every row of the files:
 *   `counts.invalid` includes the rows the parser could not read (`problems`, with their line), `rows` are the
 *   worker's rows that were not simply created, mapped back to their file and line. Exit code 1 when any row was
 *   invalid or in conflict.
 */
import { readFile } from 'node:fs/promises'
import type { RouterInputs, RouterOutputs } from '../../admin-client'
import {
  IMPORT_FORMATS,
  ImportOptionsError,
  parseImport,
  type ImportFormatName,
  type ImportOrigin,
  type ImportProblem,
  type ImportResult,
  type ImportSource,
} from '../../import'
import type { FirebaseOptions } from '../../import/firebase'
import { importClaims } from '../../../worker/users/import-record'
import { apiCommand, type OptionSpec, type RunContext } from '../command'
import { CommandError, UsageError } from '../failure'
import { count, fields, printable } from '../format'
import { startProgress, type Progress } from '../progress'
import { isTransient, transientReason, withRetries } from '../retry'

type ImportAnswer = RouterOutputs['users']['import']
type ImportRequest = RouterInputs['users']['import']
type Counts = ImportAnswer['counts']
type ImportedUser = ImportResult['users'][number]

/** `users.import`'s limits: users per call (worker/users/import.ts) and body size (worker/index.ts). */
export const CHUNK_USERS = 500
export const BODY_LIMIT = 2 * 1024 * 1024
/** What each body keeps free for the rest of the request: the batch envelope, the options, hash parameters. */
const ENVELOPE_BYTES = 32 * 1024
/** Unreadable rows listed on stderr before the import starts; the report lists them all. */
const PROBLEMS_SHOWN_EARLY = 10

const COMMAND = ['import']

export interface ImportReportRow extends ImportOrigin {
  id: string | null
  outcome: ImportAnswer['rows'][number]['outcome']
  reason?: string
  replaced?: string[]
}

export interface ImportReport {
  dryRun: boolean
  /** Every row of the files: `invalid` includes the `problems`. */
  counts: Counts
  /** Rows the files could not be read into users (never sent). */
  problems: ImportProblem[]
  /** The rows Usher did not simply create, with where they are in the files. */
  rows: ImportReportRow[]
  /** What the imported users lack compared with the source. */
  lossy: string[]
}

export interface Chunk {
  /** The position of its first user in the parsed users. */
  start: number
  users: ImportedUser[]
}

/** Consecutive chunks of at most `maxUsers` users whose JSON stays within `maxBytes`. */
export function chunksOf(
  users: readonly ImportedUser[],
  maxUsers = CHUNK_USERS,
  maxBytes = BODY_LIMIT - ENVELOPE_BYTES,
): Chunk[] {
  const chunks: Chunk[] = []
  let current: Chunk | undefined
  let bytes = 0
  users.forEach((user, index) => {
    // Its JSON and the comma after it.
    const size = Buffer.byteLength(JSON.stringify(user)) + 1
    if (!current || current.users.length >= maxUsers || bytes + size > maxBytes) {
      current = { start: index, users: [] }
      chunks.push(current)
      bytes = 2
    }
    current.users.push(user)
    bytes += size
  })
  return chunks
}

/**
 * The rows claiming an email address or an external account that an earlier row of the files claims, each
 * with that earlier row (its position in `users`) and what they share. The earlier row is the one sent.
 */
export function twinsOf(users: readonly ImportedUser[]): Map<number, { twin: number; what: 'email' | 'external identity' }> {
  const claimedBy = new Map<string, number>()
  const twins = new Map<number, { twin: number; what: 'email' | 'external identity' }>()
  users.forEach((user, index) => {
    const { emailKey, externals } = importClaims(user)
    const claims = [...(emailKey === undefined ? [] : [`email:${emailKey}`]), ...externals.map((claim) => `external:${claim}`)]
    const taken = claims.find((claim) => claimedBy.has(claim))
    if (taken === undefined) for (const claim of claims) claimedBy.set(claim, index)
    else twins.set(index, { twin: claimedBy.get(taken)!, what: taken.startsWith('email:') ? 'email' : 'external identity' })
  })
  return twins
}

/** `users.json:12`, or `line 12` for a file without a name. */
export const where = (origin: ImportOrigin | undefined) =>
  origin === undefined
    ? '?'
    : origin.file === undefined
      ? `line ${origin.line}`
      : `${origin.file}:${origin.line}`

const FIREBASE_OPTIONS = {
  'hash-key': {
    type: 'string',
    placeholder: 'base64',
    description: 'Firebase: base64_signer_key of the project’s password hash parameters',
  },
  'salt-separator': { type: 'string', placeholder: 'base64', description: 'Firebase: base64_salt_separator' },
  rounds: { type: 'string', placeholder: 'n', integer: true, description: 'Firebase: rounds' },
  'mem-cost': { type: 'string', placeholder: 'n', integer: true, description: 'Firebase: mem_cost' },
} satisfies Record<string, OptionSpec>

/** The Firebase hash parameters given, for the formats that take them. */
function firebaseOptions(
  options: Record<string, string | undefined>,
  format: ImportFormatName,
): FirebaseOptions {
  const given = Object.keys(FIREBASE_OPTIONS).filter((name) => options[name] !== undefined)
  if (given.length > 0 && format !== 'firebase' && format !== 'usher') {
    throw new UsageError(
      `--${given[0]} is for --from firebase (or --from usher, restoring Firebase hashes)`,
      COMMAND,
    )
  }
  const number = (name: string) => (options[name] === undefined ? undefined : Number(options[name]))
  return {
    hashKey: options['hash-key'],
    saltSeparator: options['salt-separator'],
    rounds: number('rounds'),
    memCost: number('mem-cost'),
  }
}

/** The files as named on the command line; `-` is stdin (once). */
async function readSources(
  files: readonly string[],
  readStdin: () => Promise<string>,
): Promise<ImportSource[]> {
  if (files.filter((file) => file === '-').length > 1)
    throw new UsageError('stdin (-) can be read only once', COMMAND)
  return Promise.all(
    files.map(async (file) => {
      if (file === '-') return { name: 'stdin', text: await readStdin() }
      try {
        return { name: file, text: await readFile(file, 'utf8') }
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        const why =
          code === 'ENOENT'
            ? 'no such file'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (error as Error).message
        throw new CommandError(`cannot read ${file}: ${why}`)
      }
    }),
  )
}

function parse(format: ImportFormatName, sources: ImportSource[], options: FirebaseOptions): ImportResult {
  try {
    return parseImport(format, sources, options)
  } catch (error) {
    if (error instanceof ImportOptionsError) throw new UsageError(error.message, COMMAND)
    throw error
  }
}

/** Before anything is sent: the rows that cannot be read, and what the users will lack. */
function announce(stderr: NodeJS.WritableStream, parsed: ImportResult) {
  const shown = parsed.problems.slice(0, PROBLEMS_SHOWN_EARLY)
  for (const problem of shown) stderr.write(`✗ ${printable(where(problem))}: ${printable(problem.reason)}\n`)
  if (parsed.problems.length > shown.length) {
    stderr.write(
      `✗ … and ${parsed.problems.length - shown.length} more rows that cannot be read (all in the report)\n`,
    )
  }
  for (const note of parsed.lossy ?? []) stderr.write(`⚠ ${printable(note)}\n`)
}

/** The worker's "row N of this import" (N counts in the chunk) as the row's place in the files. */
const inFiles = (reason: string | undefined, chunk: Chunk, origins: readonly ImportOrigin[]) =>
  reason?.replace(
    /\brow (\d+) of this import\b/,
    (_, n: string) => `the row at ${where(origins[chunk.start + Number(n) - 1])}`,
  )

async function sendChunks(
  context: RunContext,
  parsed: ImportResult,
  format: ImportFormatName,
  progress: Progress,
) {
  const { client, flags, options, stderr } = context
  const dryRun = flags['dry-run'] === true
  const counts: Counts = { created: 0, updated: 0, replaced: 0, skipped: 0, conflict: 0, invalid: 0 }
  /** Each reported row with its position in `parsed.users`, for the report's file order. */
  const rows: { at: number; row: ImportReportRow }[] = []
  const twins = twinsOf(parsed.users)
  for (const [at, { twin, what }] of twins) {
    counts.conflict++
    const reason = `the same ${what} as the row at ${where(parsed.origins[twin])}`
    rows.push({ at, row: { ...parsed.origins[at]!, id: parsed.users[at]!.id, outcome: 'conflict', reason } })
  }
  /** The positions (in `parsed.users`) of the users sent, and where they are in the files. */
  const positions = parsed.users.flatMap((_, at) => (twins.has(at) ? [] : [at]))
  const origins = positions.map((at) => parsed.origins[at]!)
  const chunks = chunksOf(positions.map((at) => parsed.users[at]!))
  let sent = 0
  for (const [n, chunk] of chunks.entries()) {
    const request: ImportRequest = {
      users: chunk.users,
      dryRun,
      onConflict: options['on-conflict'] === 'update' ? 'update' : 'skip',
      source: format,
      // A dry run stores nothing, so every chunk needs them to judge its Firebase hashes.
      ...(parsed.hashParameters && (n === 0 || dryRun) && { hashParameters: parsed.hashParameters }),
    }
    const label = `chunk ${n + 1} of ${chunks.length}`
    let answer: ImportAnswer
    try {
      answer = await withRetries(
        () => client.users.import.mutate(request),
        (error, delay) =>
          progress.note(
            `⚠ ${label} failed (${printable(transientReason(error))}); sending it again in ${delay / 1000} s (rows it wrote count as skipped)`,
          ),
      )
    } catch (error) {
      progress.finish()
      if (n > 0 || isTransient(error)) {
        stderr.write(
          `✗ import stopped at ${label}: ${sent} of ${count(positions.length, 'user')} were sent. Run the same command again to resume: users already imported are skipped.\n`,
        )
      }
      throw error
    }
    for (const outcome of Object.keys(counts) as (keyof Counts)[]) counts[outcome] += answer.counts[outcome]
    for (const row of answer.rows) {
      rows.push({
        at: positions[chunk.start + row.index]!,
        row: {
          ...origins[chunk.start + row.index]!,
          id: row.id,
          outcome: row.outcome,
          ...(row.reason !== undefined && { reason: inFiles(row.reason, chunk, origins) }),
          ...(row.replaced && { replaced: row.replaced }),
        },
      })
    }
    sent += chunk.users.length
    progress.update(sent, positions.length)
  }
  progress.finish()
  return { counts, rows: rows.sort((a, b) => a.at - b.at).map(({ row }) => row) }
}

const COUNT_WORDS: Record<keyof Counts, string> = {
  created: 'created',
  updated: 'updated',
  replaced: 'replaced another user',
  skipped: 'skipped (already here)',
  conflict: 'in conflict',
  invalid: 'invalid',
}

const failedRows = (report: ImportReport) => report.counts.invalid + report.counts.conflict

function renderReport(report: ImportReport): string {
  const tally = (Object.keys(COUNT_WORDS) as (keyof Counts)[])
    .filter((outcome) => report.counts[outcome] > 0)
    .map((outcome) => `${report.counts[outcome]} ${COUNT_WORDS[outcome]}`)
  const failed = failedRows(report)
  const head = `${failed > 0 ? '✗' : '✓'} ${report.dryRun ? 'dry run, nothing was written: ' : ''}${tally.join(' · ') || 'no users in the file'}`
  // In file order, then line order: the parser's problems and the worker's refusals interleaved.
  const files = [...new Set([...report.rows, ...report.problems].map((row) => row.file))]
  const bad = [
    ...report.problems.map((problem) => ({ ...problem, text: `invalid: ${problem.reason}` })),
    ...report.rows
      .filter((row) => row.outcome === 'invalid' || row.outcome === 'conflict')
      .map((row) => ({ ...row, text: `${row.outcome}${row.id ? ` ${row.id}` : ''}: ${row.reason ?? ''}` })),
  ]
    .sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line)
    .map((row) => [where(row), row.text] as const)
  const replaced = report.rows
    .filter((row) => row.outcome === 'replaced')
    .map((row) => [where(row), `${row.id} replaced user ${(row.replaced ?? []).join(', ')}`] as const)
  return [
    head,
    ...(replaced.length ? [`\nReplaced (--on-conflict=update):\n${indent(fields(replaced))}`] : []),
    ...(bad.length ? [`\nNot imported:\n${indent(fields(bad))}`] : []),
    ...(failed > 0
      ? [
          `\n${count(failed, 'row')} not imported: fix ${failed === 1 ? 'it' : 'them'} and run the same command again (users already imported are skipped).`,
        ]
      : []),
  ].join('\n')
}

const indent = (text: string) => text.replace(/^/gm, '  ')

const FORMAT_LIST = Object.entries(IMPORT_FORMATS)
  .map(([name, format]) => `  ${name.padEnd(14)}${format.summary}`)
  .join('\n')

export const importUsers = apiCommand({
  summary: "import users from another system's export, keeping their ids",
  details: [
    `Formats (--from):\n${FORMAT_LIST}`,
    'Rows match by id, then by email: an id already here is skipped (so running the same command again is safe, and resumes a stopped import); a new id whose email or external login belongs to another user is a conflict, left alone unless --on-conflict=update (the file wins), and so is a row whose email or external login an earlier row of the files has. Rows that cannot be imported are listed with their file and line, and the others still import. Users without a password Usher can check must set one: see `usher users send-password-setup`.',
    'Nothing is asked first: an import only adds users. Exit code 1 when some rows were invalid or in conflict.',
  ].join('\n\n'),
  args: [
    {
      name: 'file',
      kind: 'text',
      variadic: true,
      description: 'the export, in one file or several (App Services pages); - reads stdin',
    },
  ],
  options: {
    from: {
      type: 'string',
      placeholder: 'format',
      required: true,
      choices: Object.keys(IMPORT_FORMATS),
      description: `the format of the files: ${Object.keys(IMPORT_FORMATS).join(', ')}`,
    },
    'dry-run': { type: 'boolean', description: 'report what would happen, and write nothing' },
    'on-conflict': {
      type: 'string',
      placeholder: 'skip|update',
      choices: ['skip', 'update'],
      description:
        'skip (default): leave existing users alone; update: the file wins, replacing users whose email it gives to another id',
    },
    ...FIREBASE_OPTIONS,
  },
  examples: [
    'usher import page-1.json page-2.json pending.json --from app-services',
    'usher import users.json --from firebase --hash-key <base64_signer_key> --salt-separator Bw== --rounds 8 --mem-cost 14',
    'usher import backup.jsonl --from usher --dry-run',
  ],
  async run(context): Promise<ImportReport> {
    const { options, flags, stderr } = context
    const format = options.from as ImportFormatName
    const files = context.lists?.file ?? [context.args.file!]
    const hashOptions = firebaseOptions(options, format)
    const parsed = parse(format, await readSources(files, context.readStdin), hashOptions)
    const quiet = flags.json === true
    if (!quiet) announce(stderr, parsed)
    const dryRun = flags['dry-run'] === true
    const progress = startProgress(stderr, { label: dryRun ? 'checking' : 'importing', unit: 'user', quiet })
    const { counts, rows } = await sendChunks(context, parsed, format, progress)
    counts.invalid += parsed.problems.length
    return { dryRun, counts, problems: parsed.problems, rows, lossy: parsed.lossy ?? [] }
  },
  render: renderReport,
  exitCode: (report) => (failedRows(report) > 0 ? 1 : 0),
})
