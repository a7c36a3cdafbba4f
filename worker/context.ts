/**
 * @module context
 * `Usher`: everything a request may use, built once per request from the Worker's bindings. Domain code
 * (users/, auth/) takes it as its first argument and never reads `env` itself, so both doors (client API and
 * admin API) and the tests hand it the same things.
 */
import { isLoopbackHost, loadConfig, type Config } from './config'
import { createDb, type Db } from './db/client'
import { KDF_BUDGET_PER_REQUEST } from './auth/passwords'
import { errors } from './errors'
import { createMailer, type MailBindings, type Mailer } from './mail/mailer'
import { AppFunctions, type FunctionBindings } from './users/functions'

/**
 * The Worker's bindings: the generated `Env` (wrangler.toml vars and the secrets named in
 * .dev.vars.example) plus the optional bindings a deployment may add.
 */
export type Bindings = Env & MailBindings & FunctionBindings & {
  /** Producer binding of the events queue (`[[queues.producers]]`), when events go to a Queue. */
  EVENTS_QUEUE?: Queue
}

/**
 * The per-client-IP limits (auth/ip-limits.ts): credential checks, user creation, refused admin keys. Named
 * here, with the bindings that count them.
 */
export type IpLimitKind = 'auth' | 'register' | 'admin-auth'

/** Who did something, for the audit trail. */
export type Actor = 'admin' | 'client' | 'system' | `user:${string}`

export interface Usher {
  db: Db
  config: Config
  mailer: Mailer
  functions: AppFunctions
  /**
   * Public origin of this deployment, for links in mails, the location answer and discovery: PUBLIC_URL, or
   * (PUBLIC_URL empty) the request's origin only when that is a loopback address (local development). Any
   * other request origin is a Host header anyone can forge: reading `origin` then throws, so no link or
   * location built from it ever leaves Usher.
   */
  origin: string
  /** The `iss` of access tokens: the public origin when one is known (PUBLIC_URL or loopback), else none. */
  issuer: string | undefined
  /** Where error bodies' `link` points: the public origin when known, else a relative path. */
  linkBase: string
  now: () => number
  /** Work that may finish after the response (ExecutionContext.waitUntil); failures are logged. */
  defer: (task: Promise<unknown>) => void
  /** The events queue producer, when configured (events/delivery.ts). */
  eventsQueue?: Queue
  /** This request wrote lifecycle events to deliver: a sweep follows the response (events/delivery.ts). */
  eventsRecorded: boolean
  /** The Workers Rate Limiting bindings present in this deployment (auth/ip-limits.ts). */
  rateLimiters: Partial<Record<IpLimitKind, RateLimit>>
  /**
   * Count one password hash (or verification) against this request's budget; throws once the request has
   * spent `KDF_BUDGET_PER_REQUEST` of them, so one request (say a tRPC batch of `users.create`) cannot burn
   * the Worker's whole CPU limit. See auth/passwords.ts.
   */
  spendKdf: () => void
}

const configs = new WeakMap<object, Config>()
/**
 * One Drizzle instance per D1 binding (the binding object lives as long as the isolate): `drizzle(d1,
 * { schema })` walks the whole schema to build its relational config, which cost ~5% of a token request.
 */
const dbs = new WeakMap<D1Database, Db>()

function dbFor(d1: D1Database): Db {
  let db = dbs.get(d1)
  if (!db) dbs.set(d1, (db = createDb(d1)))
  return db
}

/** The validated configuration for these bindings, parsed once per isolate. */
export function configFor(env: Bindings): Config {
  let config = configs.get(env)
  if (!config) {
    config = loadConfig(env as unknown as Record<string, unknown>)
    configs.set(env, config)
    for (const warning of config.warnings) console.warn(`usher: configuration warning: ${warning}`)
  }
  return config
}

/** `requestUrl`: the request being served (undefined for RPC calls and scheduled work, which have none). */
export function createUsher(
  env: Bindings,
  requestUrl: string | undefined,
  waitUntil: (task: Promise<unknown>) => void = () => {},
): Usher {
  const config = configFor(env)
  const db = dbFor(env.DB)
  const now = () => Date.now()
  let kdfSpent = 0
  let requestOrigin: string | null | undefined
  /** The request's own origin when it is a loopback address; null otherwise (parsed only when needed). */
  const loopbackOrigin = () => (requestOrigin ??= loopbackOriginOf(requestUrl))
  return {
    db,
    config,
    mailer: createMailer(config, db, env, now),
    functions: new AppFunctions(config, env, now),
    // Parsed only when a link or the location answer needs it (not on the token-checked hot path).
    get origin() {
      const origin = config.publicUrl ?? loopbackOrigin()
      if (!origin) throw errors.publicUrlRequired()
      return origin
    },
    get issuer() {
      return config.publicUrl ?? loopbackOrigin() ?? undefined
    },
    get linkBase() {
      return config.publicUrl ?? loopbackOrigin() ?? ''
    },
    now,
    defer: (task) =>
      waitUntil(task.catch((error: unknown) => console.error('usher: deferred task failed', error))),
    eventsQueue: env.EVENTS_QUEUE,
    eventsRecorded: false,
    rateLimiters: { auth: env.AUTH_RATE_LIMITER, register: env.REGISTER_RATE_LIMITER, 'admin-auth': env.ADMIN_AUTH_RATE_LIMITER },
    spendKdf: () => {
      if (++kdfSpent > KDF_BUDGET_PER_REQUEST) throw errors.kdfBudget(KDF_BUDGET_PER_REQUEST)
    },
  }
}

/** `http(s)://127.0.0.1:port` and the like for a loopback request URL; null for any other. */
export function loopbackOriginOf(requestUrl: string | undefined): string | null {
  if (requestUrl === undefined || !URL.canParse(requestUrl)) return null
  const url = new URL(requestUrl)
  return isLoopbackHost(url.hostname) && url.username === '' && url.password === '' ? url.origin : null
}
