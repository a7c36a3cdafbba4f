/**
 * @module client/rate-limits
 * The client API's side of the per-IP limits (auth/ip-limits.ts): the client's IP, and route middleware that
 * answers 429 with `Retry-After` once an IP is over its budget.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit, type IpLimitKind } from '../auth/ip-limits'
import type { AppEnv } from '../env'
import { errors } from '../errors'

/** The client's IP as Cloudflare's edge reports it (`CF-Connecting-IP`; see auth/ip-limits.ts on trusting it). */
export function clientIp(c: Context): string | null {
  return c.req.header('cf-connecting-ip') ?? null
}

/** Is this request within its IP's budget of `kind`? */
export const ipBudget = (c: Context<AppEnv>, kind: IpLimitKind) => withinIpLimit(c.var.usher, kind, clientIp(c))

/** Route middleware: over the budget is a plain 429 with `Retry-After`. */
export const ipLimit =
  (kind: IpLimitKind): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    if (!(await ipBudget(c, kind))) throw errors.tooManyRequests(IP_LIMIT_PERIOD_SECONDS)
    await next()
  }
