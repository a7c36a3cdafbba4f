/**
 * @module tui/cli/main
 * One run of `usher`: parse the command line, show help or resolve the connection (local commands, like
 * `usher profiles`, need none), ask first if the command is destructive, call the admin API, print the
 * result (a human rendering, or the procedure's JSON with `--json`), and turn any failure into one
 * `usher: …` line on stderr and an exit code. An answer that is "no" (`token verify` on a token that is not
 * live) is printed like any answer, then exits 1.
 *
 * Streams and environment are parameters (the binary, tui/cli.ts, passes the process's own), so the whole
 * CLI can also be driven in-process.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['users', 'list', '--status', 'pending'])
 * ```
 */
import { createAdminClient } from '../admin-client'
import { resolveConnection, urlOrigin, type Connection } from '../connection'
import type { Environment } from '../profiles'
import { isLaunch, isLocal, type CommandShape, type LocalContext } from './command'
import { usher } from './commands'
import { CommandError, describeFailure, Timeout, UsageError } from './failure'
import { printable } from './format'
import { renderHelp } from './help'
import { parseCommandLine } from './parse'
import { askSecret, askYesNo, readAll } from './prompt'

/** Long enough for a cold Worker and a slow link; short enough that a hung connection does not hang scripts. */
const REQUEST_TIMEOUT_MS = 30_000

export interface Io {
  env: Environment
  stdin: NodeJS.ReadableStream
  stdout: { write(text: string): unknown }
  stderr: NodeJS.WritableStream
}

const processIo: Io = {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}

function withTimeout(base: typeof fetch, ms: number): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(ms)
    try {
      return await base(input, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
      })
    } catch (error) {
      throw timeout.aborted ? new Timeout(`no answer within ${ms / 1000} s`, { cause: error }) : error
    }
  }
}

function checkUrl(connection: Connection, path: string[]) {
  const { url } = connection
  if (URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)) return
  throw new UsageError(
    `${urlOrigin(connection)} "${url}" is not an http(s) URL like http://127.0.0.1:8787`,
    path,
  )
}

/** Ask first if the command is destructive (unless --yes), run it, and print its result. */
async function execute<Context extends LocalContext>(
  command: CommandShape<Context, unknown>,
  context: Context,
  io: Io,
  json: boolean,
): Promise<number> {
  if (command.confirm && !context.flags.yes) {
    // No question when the target does not exist: the command runs, and the server's refusal is the answer.
    const question = await command.confirm(context)
    if (question !== undefined && !(await askYesNo(question, io.stdin, io.stderr))) {
      throw new CommandError('aborted: nothing was changed')
    }
  }
  const result = await command.run(context)
  if (result === undefined) return 0
  const output = json ? JSON.stringify(result, null, 2) : command.render(result, context)
  if (output !== undefined) io.stdout.write(`${output}\n`)
  return command.exitCode?.(result) ?? 0
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let connection: Connection | undefined
  try {
    const line = parseCommandLine(argv, usher)
    if (line.kind === 'help') {
      io.stdout.write(`${renderHelp(line.path, line.node)}\n`)
      return 0
    }
    const { command, invocation, globals } = line
    const given = { url: globals.url, adminKey: globals.adminKey, profile: globals.profile }
    if (isLaunch(command)) {
      const forwarded = Object.entries({
        url: given.url,
        'admin-key': given.adminKey,
        profile: given.profile,
      })
      return await command.launch(
        forwarded.flatMap(([name, value]) => (value === undefined ? [] : [`--${name}`, value])),
      )
    }
    const context: LocalContext = {
      ...invocation,
      connection: given,
      env: io.env,
      readStdin: () => readAll(io.stdin),
      askSecret: (question) => askSecret(question, io.stdin, io.stderr),
      stdout: io.stdout,
      stderr: io.stderr,
    }
    if (isLocal(command)) return await execute(command, context, io, globals.json)

    const resolved = resolveConnection(given, io.env)
    checkUrl(resolved, line.path)
    connection = resolved
    const client = createAdminClient({
      url: resolved.url,
      adminKey: resolved.adminKey,
      fetch: withTimeout(fetch, REQUEST_TIMEOUT_MS),
    })
    return await execute(command, { ...context, client }, io, globals.json)
  } catch (error) {
    const failure = describeFailure(error, connection)
    io.stderr.write(`usher: ${printable(failure.line)}\n`)
    if (io.env.USHER_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`)
    return failure.exitCode
  }
}
