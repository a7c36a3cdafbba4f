/**
 * @module auth/ip-limits
 * Per-client-IP limits with Cloudflare's Rate Limiting binding: a cheap first layer against spraying many
 * accounts from one address, and against guessing the admin key. Counters are per Cloudflare location and
 * approximate by design; the exact per-account limits live in D1 (auth/throttle.ts).
 *
 * - `auth`: credential and token checks (login, confirm, reset, their `send`/`call`, the mailed-link pages);
 * - `register`: registrations and anonymous logins (both create users);
 * - `admin-auth`: refused admin keys (only failures count; a valid key is never limited).
 *
 * The client IP is `CF-Connecting-IP`, which Cloudflare's edge sets and overwrites. Behind another proxy in
 * front of Cloudflare, or in local development, a client can set it itself: the limits are then only as good
 * as that proxy (README "Reliability and security").
 */
import type { IpLimitKind, Usher } from '../context'

export type { IpLimitKind }

/** Every Rate Limiting namespace in wrangler.toml has a 60-second period. */
export const IP_LIMIT_PERIOD_SECONDS = 60

/** True when this request is within its IP's budget (always, with RATE_LIMITS=off or no binding). */
export async function withinIpLimit(usher: Usher, kind: IpLimitKind, ip: string | null): Promise<boolean> {
  const limiter = usher.rateLimiters[kind]
  if (!usher.config.rateLimits || !limiter) return true
  const { success } = await limiter.limit({ key: `${kind}:${ip ?? 'unknown'}` })
  return success
}
