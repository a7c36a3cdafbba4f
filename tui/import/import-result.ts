/**
 * @module tui/import/import-result
 * What every import parser returns, and the builder they share. A row that cannot become a valid
 * `ImportedUser` (users/import-record.ts, checked here with the worker's own schema) is a **problem**: left out,
 * reported with its line and the reason; the rest still import. What the imported users lack compared with the
 * source (no password hash, a provider Usher does not have…) is **lossy**: one sentence per kind, with how
 * many users it concerns.
 */
import {
  firebaseParametersIdOf,
  importedUserSchema,
  type FirebaseScryptParameters,
  type ImportedUser,
} from '../../worker/users/import-record'
import { parseLocatedJson, type JsonDocument } from './located-json'

export interface ImportProblem {
  /** 1-based line the row starts on (0: the file as a whole). */
  line: number
  reason: string
  /** The source's name, when the input was several files. */
  file?: string
}

/** Where a row is: its 1-based line, and its file when the input was several named files. */
export interface ImportOrigin {
  line: number
  file?: string
}

export interface ImportResult {
  users: ImportedUser[]
  /** Where each of `users` starts (`origins[i]` is `users[i]`'s), for reports about rows after the import. */
  origins: ImportOrigin[]
  problems: ImportProblem[]
  lossy?: string[]
  /**
   * The parameter sets the users' `$firebase-scrypt$p=<id>$…` hashes name: the worker must store them (it
   * refuses those hashes otherwise). They hold the Firebase signer key: send them to the worker, never print
   * or log them.
   */
  hashParameters?: FirebaseScryptParameters[]
}

/** One export file: its text, and a name for problem reports when there are several. */
export interface ImportSource {
  name?: string
  text: string
}
export type ImportInput = string | readonly ImportSource[]

export function sourcesOf(input: ImportInput): readonly ImportSource[] {
  return typeof input === 'string' ? [{ text: input }] : input
}

/** A row of an export and where it is, kept for a join across tables or files before it is mapped. */
export interface LocatedRow {
  row: unknown
  line: number
  file: string | undefined
}

/**
 * Every JSON document of every source, handed to `visit` while problems go to that source; `rows` locates the
 * elements of an array found in it. A syntax error is one problem, and the rest of that source is not read.
 */
export function readJsonSources(
  builder: ImportResultBuilder,
  input: ImportInput,
  visit: (document: JsonDocument, rows: (array: unknown[]) => LocatedRow[]) => void,
): void {
  for (const source of sourcesOf(input)) {
    builder.inSource(source.name)
    const json = parseLocatedJson(source.text)
    const rows = (array: unknown[]) => array.map((row, index) => ({ row, line: json.lineOf(array, index), file: source.name }))
    for (const document of json.documents) visit(document, rows)
    if (json.error) builder.problem(json.error.line, `${json.error.reason}; the rest of this file was not read`)
  }
}

/** Thrown while mapping a row: the row becomes a problem with this reason. */
export class RowProblem extends Error {}

/** Thrown for options a parser cannot work with (the CLI shows it as a usage error). */
export class ImportOptionsError extends Error {}

export class ImportResultBuilder {
  private readonly users: ImportedUser[] = []
  private readonly origins: ImportOrigin[] = []
  private readonly problems: ImportProblem[] = []
  private readonly lossyCounts = new Map<string, number | undefined>()
  /** Lossy notes of the row being mapped: they count only if the row is kept. */
  private rowLossy: (() => void)[] | undefined
  private readonly parameters = new Map<string, FirebaseScryptParameters>()
  private readonly lineOfId = new Map<string, string>()
  private file: string | undefined
  private readonly files: (string | undefined)[] = []

  /** Problems and users from now on come from the source of this name. */
  inSource(name: string | undefined): this {
    this.file = name
    if (!this.files.includes(name)) this.files.push(name)
    return this
  }

  problem(line: number, reason: string): void {
    this.problems.push({ line, reason, ...(this.file !== undefined && { file: this.file }) })
  }

  /**
   * Map one row with `toUser` and keep it if the result is a valid ImportedUser whose id is new; otherwise
   * record why not. `toUser` throws RowProblem for what it cannot map.
   */
  row(line: number, toUser: () => unknown): void {
    let candidate: unknown
    const notes: (() => void)[] = []
    this.rowLossy = notes
    try {
      candidate = toUser()
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error
      return this.problem(line, error.message)
    } finally {
      this.rowLossy = undefined
    }
    const parsed = importedUserSchema.safeParse(candidate)
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'user'}: ${issue.message}`)
      return this.problem(line, reasons.join('; '))
    }
    const user = parsed.data
    const where = this.file === undefined ? `line ${line}` : `${this.file} line ${line}`
    const first = this.lineOfId.get(user.id)
    if (first !== undefined) return this.problem(line, `user ${user.id} already appears at ${first}`)
    this.lineOfId.set(user.id, where)
    this.users.push(user)
    this.origins.push({ line, ...(this.file !== undefined && { file: this.file }) })
    for (const note of notes) note()
  }

  /** One more user lacks what `what` says (reported once, with the count). */
  lossy(what: string): void {
    this.note(() => this.lossyCounts.set(what, (this.lossyCounts.get(what) ?? 0) + 1))
  }

  /** Something the format lacks, whatever the number of users (reported once, without a count). */
  lossyFormat(what: string): void {
    this.note(() => this.lossyCounts.set(what, undefined))
  }

  /** Inside `row`, a note waits for the row to be kept; outside, it counts at once. */
  private note(apply: () => void): void {
    if (this.rowLossy) this.rowLossy.push(apply)
    else apply()
  }

  hashParameters(parameters: FirebaseScryptParameters): void {
    this.parameters.set(parameters.id, parameters)
  }

  result(): ImportResult {
    const lossy = [...this.lossyCounts].map(([what, count]) =>
      count === undefined ? what : `${what} (${count} user${count === 1 ? '' : 's'})`,
    )
    const used = new Set(this.users.flatMap((user) => firebaseParametersIdOf(user.passwordHash) ?? []))
    const hashParameters = [...this.parameters.values()].filter((set) => used.has(set.id))
    const order = (problem: ImportProblem) => this.files.indexOf(problem.file)
    return {
      users: this.users,
      origins: this.origins,
      problems: this.problems.toSorted((a, b) => order(a) - order(b) || a.line - b.line),
      ...(lossy.length > 0 && { lossy }),
      ...(hashParameters.length > 0 && { hashParameters }),
    }
  }
}
