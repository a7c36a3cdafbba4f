/**
 * @module client/rate-limits
 * Per-client-IP limits on the public auth routes, with Cloudflare's Rate Limiting binding: a cheap first
 * layer against spraying many accounts from one address (counters are per location and approximate; the
 * exact per-account limits are in auth/throttle.ts). Registrations and anonymous logins (which create
 * users) share a tight budget; every other credential or token check shares a looser one.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'
import { errors } from '../errors'

export type LimitKind = 'auth' | 'register'

/** True when this request is within its IP's budget (always, with RATE_LIMITS=off or no binding). */
export async function withinIpLimit(c: Context<AppEnv>, kind: LimitKind): Promise<boolean> {
  if (!c.var.usher.config.rateLimits) return true
  const limiter = kind === 'register' ? c.env.REGISTER_RATE_LIMITER : c.env.AUTH_RATE_LIMITER
  if (!limiter) return true
  const ip = c.req.header('cf-connecting-ip') ?? 'unknown'
  const { success } = await limiter.limit({ key: `${kind}:${ip}` })
  return success
}

/** Route middleware for the email/password flows other than login: over the budget is a plain 429. */
export const ipLimit =
  (kind: LimitKind): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    if (!(await withinIpLimit(c, kind))) throw errors.tooManyRequests()
    await next()
  }
