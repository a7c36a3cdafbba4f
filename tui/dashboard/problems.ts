/**
 * @module dashboard/problems
 * Every failure the dashboard can meet, sorted into what an admin can act on: Usher is not reachable, the
 * admin key is refused, the URL answers but is not Usher, or Usher refused one request with a sentence (which
 * is shown as is). Errors arrive as tRPC client errors; only their `message`, `data.code` and `cause` are
 * read, so a test fake can throw plain objects of the same shape.
 */
import { keyOrigin, urlOrigin, type Connection } from '../connection'

export type Problem =
  | { kind: 'unreachable'; detail: string }
  | { kind: 'unauthorized' }
  | { kind: 'not-usher'; detail: string }
  | { kind: 'refused'; message: string; code: string | undefined }

interface ErrorShape {
  message?: unknown
  data?: { code?: unknown } | null
  cause?: { name?: unknown; message?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } }
}

export function classify(error: unknown): Problem {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape
  const message = typeof shape.message === 'string' && shape.message ? shape.message : String(error)
  const code = typeof shape.data?.code === 'string' ? shape.data.code : undefined
  if (code === 'UNAUTHORIZED') return { kind: 'unauthorized' }
  if (code !== undefined) return { kind: 'refused', message, code }
  // No tRPC error body: either nothing answered, or something that is not Usher's admin API did.
  if (shape.cause?.name === 'SyntaxError' || /JSON|Unexpected token/i.test(message)) {
    return { kind: 'not-usher', detail: 'the answer was not JSON from the admin API' }
  }
  // fetch wraps the socket error: `fetch failed` ← `connect ECONNREFUSED 127.0.0.1:8787`.
  const reason = [shape.cause?.cause?.code, shape.cause?.code, shape.cause?.cause?.message]
  const detail = reason.find((value): value is string => typeof value === 'string' && value !== '')
  return { kind: 'unreachable', detail: detail ?? message }
}

/** Problems that stop the whole dashboard (retry until they clear), as opposed to one refused request. */
export function isConnectionProblem(problem: Problem): boolean {
  return problem.kind !== 'refused'
}

/** Plain sentences for a connection problem: what happened, then what to do about it. */
export function explainConnectionProblem(
  problem: Problem,
  connection: Pick<Connection, 'url' | 'source' | 'profile'>,
): { title: string; advice: string[] } {
  const { url, source } = connection
  switch (problem.kind) {
    case 'unauthorized':
      return source.adminKey === 'missing'
        ? {
            title: `No admin key to present to Usher at ${url}.`,
            advice: [
              'Pass --admin-key <key>, set USHER_ADMIN_KEY, use a saved profile (--profile <name>), or run `npm run dev` once to create .dev.vars.',
            ],
          }
        : {
            title: `Usher at ${url} refused the admin key (${keyOrigin(connection)}).`,
            advice: ['Check the key: it must equal the ADMIN_API_KEY secret of that deployment.'],
          }
    case 'not-usher':
      return {
        title: `Something answers at ${url}, but it is not Usher's admin API (${problem.detail}).`,
        advice: ['Check the URL: it is the origin of the worker, e.g. http://127.0.0.1:8787.'],
      }
    case 'unreachable':
      return {
        title: `Cannot reach Usher at ${url} (${problem.detail}).`,
        advice:
          source.url === 'local'
            ? [
                'Is the local worker running? `npm run dev` starts it; `npm start` starts it with this dashboard.',
              ]
            : [
                `Check that the deployment is up and the URL is right (${source.url === 'profile' ? urlOrigin(connection) : '--url or USHER_URL'}).`,
              ],
      }
    case 'refused':
      return { title: problem.message, advice: [] }
  }
}

/** The sentence to show for a failed request: the server's own words when it gave some. */
export function problemMessage(problem: Problem): string {
  switch (problem.kind) {
    case 'refused':
      return problem.message
    case 'unauthorized':
      return 'the admin key was refused'
    case 'not-usher':
      return `not Usher's admin API (${problem.detail})`
    case 'unreachable':
      return `Usher is unreachable (${problem.detail})`
  }
}
