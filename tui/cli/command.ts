/**
 * @module tui/cli/command
 * The shape of the command tree. Commands are declarations (options, arguments, help text) plus a `run`
 * that calls the admin API (or, for local commands, this machine's own settings) and a `render` for
 * people, so parsing, help, `--json` and error handling are written once, in main.ts, for every command.
 */
import type { AdminClient } from '../admin-client'
import type { Environment } from '../profiles'

export interface OptionSpec {
  type: 'string' | 'boolean'
  description: string
  /** Shown in usage lines: `--status <status>`. */
  placeholder?: string
  short?: string
  /** Values a string option accepts; anything else is a usage error. */
  choices?: readonly string[]
  /** The value must be a positive whole number (it is passed to the API as a number). */
  integer?: boolean
  /** The value must be a 24-character hexadecimal id. */
  id?: boolean
  /** The value must be a user id (see ArgumentSpec `user-id`). */
  userId?: boolean
  required?: boolean
}

export interface ArgumentSpec {
  name: string
  description: string
  /**
   * `id`: checked locally (so a typo is a usage error rather than a round trip) and lower-cased; `user-id`:
   * Usher's own 24-hex ids (lower-cased) or an imported user's kept id (1–128 letters, digits, `_` or `-`,
   * case-sensitive: Firebase uids, Supabase UUIDs); `text`: passed exactly as given (a token is case-sensitive).
   */
  kind: 'id' | 'user-id' | 'text'
  /** May be left out (`[<id>]`); only the last arguments. */
  optional?: boolean
  /** Takes every remaining argument (`<file…>`, the last argument only): all of them in `Invocation.lists`. */
  variadic?: boolean
}

export interface Invocation {
  /** Positional arguments by name (all declared ones are present once parsing succeeded). */
  args: Record<string, string>
  /** String options by name, already checked against their spec. */
  options: Record<string, string | undefined>
  /** Boolean options that were given. */
  flags: Record<string, boolean>
  /** Every value of a variadic argument, by name (`args` holds the first). */
  lists?: Record<string, string[]>
}

/** What every command may use besides its parsed line: the connection flags as given, and stdin. */
export interface LocalContext extends Invocation {
  /** The global `--url`, `--admin-key` and `--profile` as given (not resolved). */
  connection: { url?: string; adminKey?: string; profile?: string }
  env: Environment
  /** Reads a secret given as `-` from stdin (so it stays out of shell history and `ps`). */
  readStdin(): Promise<string>
  /** Asks for a secret on stderr without echoing it (a line from stdin when it is not a terminal). */
  askSecret(question: string): Promise<string>
  /** For commands that write their data as they go (`usher export`) and show progress (on stderr). */
  stdout: { write(text: string): unknown }
  stderr: NodeJS.WritableStream
}

export interface RunContext extends LocalContext {
  client: AdminClient
}

/** What API and local commands share: declarations, an optional question, `run` and `render`. */
export interface CommandShape<Context, Result> {
  /** One line, for command lists. */
  summary: string
  /** More, for the command's own --help. */
  details?: string
  args?: readonly ArgumentSpec[]
  options?: Record<string, OptionSpec>
  examples?: readonly string[]
  /**
   * Destructive commands: the question asked (on stderr) unless `--yes`; may look the target up first, and
   * resolve to undefined when it does not exist (nothing to ask about: the command runs, and the server's
   * refusal is what the person reads).
   */
  confirm?: (context: Context) => Promise<string | undefined>
  run(context: Context): Promise<Result>
  /**
   * Human output; `--json` prints `run`'s result instead. Nothing is printed when `run` resolves to
   * undefined (the command wrote its data to stdout itself) or `render` returns undefined.
   */
  render(result: Result, context: Invocation): string | undefined
  /**
   * For commands whose answer can be "no" (`token verify`: the token is not live): the exit code after the
   * answer is printed, 0 when absent. The answer goes to stdout either way; it is not a failure.
   */
  exitCode?(result: Result): number
}

/** A command that calls the admin API and prints its result. */
export interface ApiCommand<Result = unknown> extends CommandShape<RunContext, Result> {}

/** A command about this machine's own settings (`usher profiles …`): it never contacts Usher. */
export interface LocalCommand<Result = unknown> extends CommandShape<LocalContext, Result> {
  local: true
}

/** A command that hands the terminal to another program (the dashboard) and exits with its code. */
export interface LaunchCommand {
  summary: string
  details?: string
  options?: Record<string, OptionSpec>
  examples?: readonly string[]
  launch(forwardedFlags: string[]): Promise<number>
}

export type Command = ApiCommand | LocalCommand | LaunchCommand

/** A word that only groups commands (`users`, `api-keys`, and the root `usher` itself). */
export interface CommandGroup {
  summary: string
  commands: Record<string, Command | CommandGroup>
}

export const isGroup = (node: Command | CommandGroup): node is CommandGroup => 'commands' in node
export const isLaunch = (command: Command): command is LaunchCommand => 'launch' in command
export const isLocal = (command: Command): command is LocalCommand => 'local' in command

/** Declare an API command with its result type inferred from `run`, checked against `render`. */
export const apiCommand = <Result>(command: ApiCommand<Result>): ApiCommand => command

/** Declare a local command the same way. */
export const localCommand = <Result>(command: Omit<LocalCommand<Result>, 'local'>): LocalCommand => ({
  ...command,
  local: true,
})

export const ID_ARGUMENT = (description: string): ArgumentSpec => ({ name: 'id', description, kind: 'id' })

/** `--limit` for a paged list of `what`, checked as a whole number (the server enforces `most`). */
export const limitOption = (what: string, fallback: number, most = 100) =>
  ({
    type: 'string',
    placeholder: 'n',
    integer: true,
    description: `${what} to show (default ${fallback}, at most ${most})`,
  }) as const

/** `--limit` as the number the API takes (the parser checked it is one), undefined when not given. */
export const limitOf = (options: Invocation['options']) =>
  options.limit === undefined ? undefined : Number(options.limit)

/** `--cursor`: the next page, as a previous page's hint printed it. */
export const CURSOR_OPTION = {
  type: 'string',
  placeholder: 'cursor',
  description: 'the page after a previous one (from its hint)',
} as const
