/**
 * @module admin/trpc
 * The admin API's tRPC setup, in three parts:
 * 1. CONTEXT: the request's `Usher` and its Authorization header;
 * 2. ERRORS: domain `UsherError`s become tRPC codes by HTTP status (404 NOT_FOUND, 409 CONFLICT…) with
 *    their sentence; input errors carry `data.fields`; anything unexpected is a bare
 *    "internal server error" (`isDev: false` keeps stacks off the wire on Workers);
 * 3. PROCEDURES: `adminProcedure` checks `Authorization: Bearer <ADMIN_API_KEY>` in constant time before
 *    reading any input (refused keys are audited and rate-limited per IP), and records refused admin
 *    mutations in the audit trail.
 * @see https://trpc.io/docs/server/error-formatting
 */
import { initTRPC, TRPCError } from '@trpc/server'
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'
import { z, ZodError } from 'zod'
import { safeEqual } from '../auth/crypto'
import { withinIpLimit } from '../auth/ip-limits'
import type { Usher } from '../context'
import { errorHeaders } from '../client/respond'
import { UsherError } from '../errors'
import { MAX_BATCH_SIZE } from './limits'
import { recordAudit } from '../users/audit'

// 1. CONTEXT
export interface AdminContext {
  usher: Usher
  authorization: string | undefined
  /** For rate-limiting and auditing refused admin keys (see client/rate-limits.ts on trusting it). */
  clientIp: string | null
}

// 2. ERRORS
const CODE_BY_STATUS: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  502: 'BAD_GATEWAY',
}

export function trpcCodeFor(error: UsherError): TRPC_ERROR_CODE_KEY {
  return CODE_BY_STATUS[error.status] ?? (error.status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR')
}

/**
 * A failure that happens before tRPC runs (the body limit, for one), in tRPC's own envelope so admin
 * clients show its sentence: one error per call for batched requests — at most a full batch's worth, since
 * the caller is not authenticated yet and must not be able to make the answer grow with the URL.
 */
export function trpcErrorResponse(error: UsherError, url: string): Response {
  const { pathname, searchParams } = new URL(url)
  const names = pathname.replace(/^.*\/admin\/trpc\//, '').split(',').length
  const calls = searchParams.get('batch') === '1' ? Math.min(names, MAX_BATCH_SIZE) : 0
  const code = trpcCodeFor(error)
  const envelope = {
    error: {
      message: error.message,
      code: TRPC_ERROR_CODES_BY_KEY[code],
      data: { code, httpStatus: error.status, appCode: error.code, fields: null },
    },
  }
  return Response.json(calls > 0 ? Array.from({ length: calls }, () => envelope) : envelope, {
    status: error.status,
    headers: errorHeaders(error),
  })
}

function summarize(error: ZodError): string {
  const parts = error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`)
  return `invalid input: ${parts.join('; ')}`
}

const t = initTRPC.context<AdminContext>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    const cause = error.cause
    const known = cause instanceof UsherError
    const fields = cause instanceof ZodError ? z.flattenError(cause).fieldErrors : known ? cause.fields : undefined
    const { stack: _stack, ...data } = shape.data as typeof shape.data & { stack?: string }
    let message = shape.message
    if (cause instanceof ZodError) message = summarize(cause)
    else if (error.code === 'INTERNAL_SERVER_ERROR' && !known) message = 'internal server error'
    return { ...shape, message, data: { ...data, appCode: known ? cause.code : null, fields: fields ?? null } }
  },
})

export const router = t.router

// 3. PROCEDURES
/**
 * The admin key, checked in constant time before any input is read. A refused key is audited (with the
 * client's IP) and counted per IP: past ADMIN_AUTH_RATE_LIMITER's budget (10 a minute) the answer is 429 and
 * nothing more is written, so guessing is slow and cannot flood the audit trail.
 */
const requireAdmin = t.middleware(async ({ ctx, next, path }) => {
  const presented = /^Bearer (\S+)$/.exec(ctx.authorization ?? '')?.[1]
  if (presented && safeEqual(presented, ctx.usher.config.secrets.adminApiKey)) return next()
  if (!(await withinIpLimit(ctx.usher, 'admin-auth', ctx.clientIp))) {
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'too many refused admin keys from this address: wait a minute' })
  }
  await recordAudit(ctx.usher, {
    actor: 'client',
    action: 'admin.unauthorized',
    outcome: 'refused',
    detail: { procedure: path, ip: ctx.clientIp, keyPresented: presented !== undefined },
  })
  throw new TRPCError({
    code: 'UNAUTHORIZED',
    message: 'a valid admin key is required: Authorization: Bearer <ADMIN_API_KEY>',
  })
})

/** Domain refusals → tRPC codes; refused mutations are audited (actor `admin`). */
const translateErrors = t.middleware(async ({ ctx, next, path, type, getRawInput }) => {
  const result = await next()
  if (result.ok || !(result.error.cause instanceof UsherError)) return result
  const cause = result.error.cause
  if (type === 'mutation' && cause.status < 500) {
    const input = (await getRawInput().catch(() => undefined)) as { userId?: unknown } | undefined
    await recordAudit(ctx.usher, {
      actor: 'admin',
      action: `admin.${path}`,
      userId: typeof input?.userId === 'string' ? input.userId : null,
      outcome: 'refused',
      detail: { reason: cause.message, code: cause.code },
    })
  }
  throw new TRPCError({ code: trpcCodeFor(cause), message: cause.message, cause })
})

/** Every admin procedure: authenticated first, then input parsed, domain errors translated. */
export const adminProcedure = t.procedure.use(requireAdmin).use(translateErrors)
