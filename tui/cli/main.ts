/**
 * @module tui/cli/main
 * One run of `usher`: parse the command line, show help or resolve the connection, ask first if the
 * command is destructive, call the admin API, print the result (a human rendering, or the procedure's JSON
 * with `--json`), and turn any failure into one `usher: …` line on stderr and an exit code. An answer that
 * is "no" (`token verify` on a token that is not live) is printed like any answer, then exits 1.
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
import { resolveConnection, type Connection } from '../connection'
import { isLaunch, type RunContext } from './command'
import { usher } from './commands'
import { CommandError, describeFailure, Timeout, UsageError } from './failure'
import { printable } from './format'
import { renderHelp } from './help'
import { parseCommandLine } from './parse'
import { askYesNo, readAll } from './prompt'

/** Long enough for a cold Worker and a slow link; short enough that a hung connection does not hang scripts. */
const REQUEST_TIMEOUT_MS = 30_000

export interface Io {
  env: NodeJS.ProcessEnv
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
  const origin = connection.source.url === 'flag' ? '--url' : 'USHER_URL'
  throw new UsageError(`${origin} "${url}" is not an http(s) URL like http://127.0.0.1:8787`, path)
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
    if (isLaunch(command)) {
      const forwarded = [
        ...(globals.url === undefined ? [] : ['--url', globals.url]),
        ...(globals.adminKey === undefined ? [] : ['--admin-key', globals.adminKey]),
      ]
      return await command.launch(forwarded)
    }

    const resolved = resolveConnection({ url: globals.url, adminKey: globals.adminKey }, io.env)
    checkUrl(resolved, line.path)
    connection = resolved
    const client = createAdminClient({
      url: resolved.url,
      adminKey: resolved.adminKey,
      fetch: withTimeout(fetch, REQUEST_TIMEOUT_MS),
    })
    const context: RunContext = { ...invocation, client, readStdin: () => readAll(io.stdin) }
    if (command.confirm && !invocation.flags.yes) {
      const question = await command.confirm(context)
      if (question !== undefined && !(await askYesNo(question, io.stdin, io.stderr))) {
        throw new CommandError('aborted: nothing was changed')
      }
    }
    const result = await command.run(context)
    io.stdout.write(
      `${globals.json ? JSON.stringify(result, null, 2) : command.render(result, invocation)}\n`,
    )
    return command.exitCode?.(result) ?? 0
  } catch (error) {
    const failure = describeFailure(error, connection)
    io.stderr.write(`usher: ${printable(failure.line)}\n`)
    if (io.env.USHER_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`)
    return failure.exitCode
  }
}
