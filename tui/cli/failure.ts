/**
 * @module tui/cli/failure
 * Every way a CLI run can fail, turned into the one line a person reads on stderr and the exit code a script
 * checks: 2 for a command line that cannot be run (fix the invocation), 1 for everything else (the server
 * refused or could not be reached, or the user declined). Stack traces are never shown: set USHER_DEBUG=1 to
 * see one for an unexpected error.
 */
import { TRPCClientError } from '@trpc/client'
import { keyOrigin, urlOrigin, type Connection } from '../connection'
import { ProfileError } from '../profiles'

/** The command line itself is wrong; `helpPath` is the command whose `--help` explains it. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly helpPath: readonly string[] = [],
  ) {
    super(message)
  }
}

/** An expected failure whose message is a complete sentence (e.g. the user declined a prompt). */
export class CommandError extends Error {}

/** The server did not answer in time (see the fetch wrapper in main.ts). */
export class Timeout extends Error {}

export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export interface Failure {
  line: string
  exitCode: number
}

/** Network-level failure codes from undici/Node: the request never got an HTTP answer. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let current = error; current && chain.length < 8; current = (current as { cause?: unknown }).cause) {
    chain.push(current)
  }
  return chain
}

function unreachableReason(error: unknown): string | undefined {
  const chain = causes(error)
  for (const link of chain) {
    const code = (link as { code?: unknown }).code
    if (typeof code === 'string' && UNREACHABLE[code]) return UNREACHABLE[code]
  }
  // undici reports some transport failures (a blocked port, a TLS failure) only as `fetch failed` + a cause.
  const failed = chain.findIndex((link) => link instanceof TypeError && link.message === 'fetch failed')
  if (failed === -1) return undefined
  const detail = chain[failed + 1]
  return detail instanceof Error && detail.message ? detail.message : 'no answer'
}

function describeApiError(error: TRPCClientError<never>, connection: Connection): Failure {
  const data = error.data as { code?: string; httpStatus?: number } | undefined
  if (data?.code === 'UNAUTHORIZED') {
    const line =
      connection.source.adminKey === 'missing'
        ? `no admin key, and ${connection.url} requires one: pass --admin-key, set USHER_ADMIN_KEY, use a saved profile (--profile, see \`usher profiles add\`), or run from the project directory so ADMIN_API_KEY in .dev.vars is used`
        : `the admin key (${keyOrigin(connection)}) was refused by ${connection.url}; it must equal the deployment's ADMIN_API_KEY`
    return { line, exitCode: EXIT_FAILURE }
  }
  if (data?.code) return { line: `${error.message} (${data.code})`, exitCode: EXIT_FAILURE }
  // No tRPC error shape: something answered over HTTP, but it is not Usher's admin API.
  return {
    line: `${connection.url} did not answer as an Usher admin API (is --url / USHER_URL right?)`,
    exitCode: EXIT_FAILURE,
  }
}

/** The one line and exit code for any error a command throws. `connection` is known once a client exists. */
export function describeFailure(error: unknown, connection?: Connection): Failure {
  if (error instanceof UsageError) {
    const help = ['usher', ...error.helpPath, '--help'].join(' ')
    return { line: `${error.message} (see \`${help}\`)`, exitCode: EXIT_USAGE }
  }
  if (error instanceof CommandError || error instanceof ProfileError) {
    return { line: error.message, exitCode: EXIT_FAILURE }
  }
  if (connection && causes(error).some((link) => link instanceof Timeout)) {
    return { line: `Usher at ${connection.url} did not answer in time`, exitCode: EXIT_FAILURE }
  }
  const unreachable = connection && unreachableReason(error)
  if (connection && unreachable) {
    const advice =
      connection.source.url === 'profile'
        ? `is the deployment up, and ${urlOrigin(connection)} right?`
        : 'start it locally with `npm run dev`, or point --url / USHER_URL at a running deployment'
    return {
      line: `cannot reach Usher at ${connection.url} (${unreachable}); ${advice}`,
      exitCode: EXIT_FAILURE,
    }
  }
  if (connection && error instanceof TRPCClientError) return describeApiError(error, connection)
  const message = error instanceof Error ? error.message : String(error)
  return { line: `unexpected error: ${message.split('\n')[0]}`, exitCode: EXIT_FAILURE }
}
