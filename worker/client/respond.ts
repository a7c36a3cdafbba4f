/**
 * @module client/respond
 * The client API's wire format, in one place: App Services error bodies `{error, error_code, link}`, strict
 * JSON request bodies, and empty successes that carry no content type (realm-web treats a response without
 * one as "no body", and throws on any other non-JSON type).
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { errors, UsherError } from '../errors'

/** `link` points at this deployment's own error reference (served at /errors). */
export function errorBody(error: UsherError, origin: string) {
  return {
    error: error.message,
    error_code: error.code,
    link: `${origin}/errors#${error.code}`,
    ...(error.fields ? { fields: error.fields } : {}),
  }
}

/** Any thrown value as a domain error; unknown failures are logged and reduced to "internal server error". */
export function asUsherError(error: unknown): UsherError {
  let known: UsherError
  if (error instanceof UsherError) {
    known = error
  } else if (error instanceof HTTPException && error.status === 413) {
    known = errors.payloadTooLarge(BODY_LIMIT)
  } else if (error instanceof HTTPException && error.status < 500) {
    known = new UsherError('BadRequest', error.message || 'bad request', error.status as ContentfulStatusCode)
  } else {
    console.error('usher: unexpected error', error)
    known = errors.internal()
  }
  return known
}

/** Headers every error carries: never cached; `Retry-After` on a 429. */
export function errorHeaders(error: UsherError): Record<string, string> {
  return {
    'cache-control': 'no-store',
    ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) }),
  }
}

/** Any thrown value → an App Services error response. */
export function errorResponse(error: unknown, origin: string): Response {
  const known = asUsherError(error)
  return Response.json(errorBody(known, origin), { status: known.status, headers: errorHeaders(known) })
}

/** Largest body accepted on the client and admin APIs; checked before parsing or hashing. */
export const BODY_LIMIT = 16 * 1024

/** An empty success: no body, no content type. */
export function empty(status: 200 | 201 | 204 = 204): Response {
  return new Response(null, { status })
}

function describeIssues(error: z.ZodError) {
  const fields: Record<string, string[]> = {}
  for (const issue of error.issues) {
    const key = issue.path.join('.') || 'body'
    ;(fields[key] ??= []).push(issue.message)
  }
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join(', ')}`)
    .join('; ')
  return { fields, summary }
}

/** Parse a JSON body against a strict schema: wrong type, bad JSON or unknown fields are 4xx, never 500. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/json(\s*;|$)/i.test(type)) throw errors.unsupportedMediaType()
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch (error) {
    if (error instanceof HTTPException) throw error
    throw errors.badRequest('malformed JSON in request body')
  }
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    const { fields, summary } = describeIssues(parsed.error)
    throw errors.badRequest(`invalid request body: ${summary}`, fields)
  }
  return parsed.data
}

/** Strings in request bodies are bounded well below the body limit. */
export const str = (max = 256) => z.string({ error: 'must be a string' }).max(max, `must be at most ${max} characters`)
