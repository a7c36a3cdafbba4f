/**
 * @module bench/better-auth
 * The peer: Better Auth with its email/password sign-in and the admin plugin, as the small Worker a team
 * would deploy instead of Usher, on the same workerd and the same kind of local D1 (Better Auth's own D1
 * support: it detects the binding and uses its Kysely D1 dialect).
 *
 * Configured to do the same work as Usher, so the comparison measures the implementations, not settings:
 * - the same KDF: scrypt through `node:crypto` with Usher's parameters (`SCRYPT_*` vars, from Usher's
 *   configuration), 16-byte salt, 32-byte key (../scrypt.ts), in place of Better Auth's default
 *   (N=16384, r=16, p=1, 64-byte key);
 * - no cookie cache: every `get-session` reads the session from D1, as every Usher token check does (that
 *   is what makes revocation immediate in both);
 * - rate limiting off (Usher runs with RATE_LIMITS=off): one load-generator IP must not be throttled;
 * - `autoSignIn: false`: a sign-up creates the account only, as an Usher registration does.
 * `GET /health` answers as Usher's does, so tui/local-worker.ts can start this worker unchanged.
 */
import { betterAuth } from 'better-auth'
import { admin } from 'better-auth/plugins'
import { hashScrypt, scryptParamsFrom, verifyScrypt } from '../scrypt'

export interface PeerEnv {
  DB: D1Database
  /** Better Auth's signing secret (random per benchmark run). */
  BETTER_AUTH_SECRET: string
  /** This worker's origin, e.g. http://127.0.0.1:8790 (the benchmark picks the port). */
  BASE_URL: string
  SCRYPT_N: string
  SCRYPT_R: string
  SCRYPT_P: string
}

function createAuth(env: PeerEnv) {
  const kdf = scryptParamsFrom(env)
  return betterAuth({
    appName: 'usher-bench-peer',
    baseURL: env.BASE_URL,
    secret: env.BETTER_AUTH_SECRET,
    database: env.DB,
    trustedOrigins: [env.BASE_URL],
    emailAndPassword: {
      enabled: true,
      autoSignIn: false,
      requireEmailVerification: false,
      password: {
        hash: (password) => hashScrypt(password, kdf),
        verify: ({ hash, password }) => verifyScrypt(password, hash),
      },
    },
    session: { cookieCache: { enabled: false } },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    plugins: [admin()],
  })
}

// One instance per isolate (Better Auth builds its context lazily on the first request).
let auth: ReturnType<typeof createAuth> | undefined

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/health') {
      return Response.json({ ok: true, appId: 'better-auth' })
    }
    auth ??= createAuth(env)
    return auth.handler(request)
  },
} satisfies ExportedHandler<PeerEnv>
