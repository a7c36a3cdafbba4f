/**
 * @module config
 * Turns the Worker's vars, secrets and bindings into one validated `Config`, or refuses with every problem
 * listed. worker/index.ts calls `loadConfig` at startup, so a bad deployment fails to start (and
 * `wrangler deploy` fails) instead of misbehaving at the first login.
 *
 * The KDF caps are Cloudflare's production limits (workerd `limit-enforcer.h`): local workerd does not
 * enforce them, so a too-expensive configuration would pass every local test and then fail every hash in
 * production. They are checked here, before any hashing.
 *
 * Pure: no Workers APIs, so Node-side tools (tests, `usher`) can validate a wrangler.toml too.
 */
import { z } from 'zod'
import { EVENT_TYPES, SIGNING_ALGORITHMS, type EventType, type SigningAlgorithm } from '../db/schema'
import { isLoopbackHost } from './loopback'
import { providersConfig, providersSchema, publicProviders, type ProvidersConfig } from './providers'

/** workerd production caps: scrypt N, r, p and N·r·p each ≤ 2^20; PBKDF2 ≤ 100,000 iterations. */
export const SCRYPT_MAX_COST = 2 ** 20
export const PBKDF2_MAX_ITERATIONS = 100_000
/** scrypt needs 128·N·r bytes; a Worker isolate has 128 MB for everything, so stay well below. */
export const SCRYPT_MAX_MEMORY = 64 * 1024 * 1024
export const PASSWORD_MAX_LENGTH = 128
export const PASSWORD_MIN_FLOOR = 6

export type KdfParams =
  | { algorithm: 'scrypt'; N: number; r: number; p: number }
  | { algorithm: 'pbkdf2-sha256'; iterations: number }

export type ConfirmationMethod = 'email' | 'function' | 'auto'
export type ResetMethod = 'email' | 'function'
export type MailProvider = 'outbox' | 'cloudflare' | 'resend'

export type UsherEnv = 'development' | 'production'

/** The all-zero placeholder wrangler.toml ships with (local runs ignore the id). */
export const PLACEHOLDER_DATABASE_ID = '00000000-0000-0000-0000-000000000000'

export interface Config {
  /** `production` refuses settings that are only safe locally (see `productionProblems`). */
  environment: UsherEnv
  /** USHER_DATABASE_ID: the D1 database this deployment is bound to, as wrangler.toml names it (for /health). */
  databaseId?: string
  /** Settings that work but an operator should reconsider (logged at startup, shown by `config.get`). */
  warnings: string[]
  appId: string
  /** Public origin for links and the location endpoint; undefined = the request's own origin. */
  publicUrl?: string
  /** `*` or an explicit list of browser origins allowed to call the client API. */
  allowedOrigins: '*' | string[]
  confirmation: { method: ConfirmationMethod; url?: string; subject: string; functionUrl?: string }
  reset: { method: ResetMethod; url?: string; subject: string; functionUrl?: string }
  /** How long an imported user's set-password link is valid (users/password-setup.ts). */
  passwordSetupTtlHours: number
  password: { minLength: number; maxLength: number }
  kdf: KdfParams
  /** Enabled login providers and their settings (config/providers.ts). */
  providers: ProvidersConfig
  customData: {
    /** How `user_data` carries it in access tokens: canonical EJSON (App Services' way) or plain JSON. */
    format: 'ejson' | 'json'
    /** The user creation function's webhook (or the USER_CREATION_FUNCTION binding). */
    creationFunctionUrl?: string
    /** A user creation function is configured (webhook or binding). */
    creationFunction: boolean
  }
  events: {
    /** Signed webhook that receives events (JSON arrays), if any. */
    webhookUrl?: string
    /** An EVENTS_QUEUE producer binding exists. */
    queue: boolean
    /** Which event types are recorded and delivered (EVENTS_TYPES; all by default). */
    types: ReadonlySet<EventType>
    /** Delivered, recorded and dead events are deleted after this many days. */
    retentionDays: number
  }
  /** Algorithm of newly created signing keys (the current key keeps its own until the next rotation). */
  signingAlgorithm: SigningAlgorithm
  accessTokenTtlSeconds: number
  refreshTokenTtlSeconds: number
  mail: {
    provider: MailProvider
    from: string
    apiUrl: string
    /** Mails per recipient address per minute and per day (0 = no limit); over them, mails are dropped. */
    perRecipientPerMinute: number
    perRecipientPerDay: number
  }
  enumerationProtection: boolean
  /** Per-client-IP limits on the public auth routes (off only for benchmarks and controlled tests). */
  rateLimits: boolean
  /** Anonymous users are deleted this many days after creation by the daily maintenance; 0 keeps them. */
  anonymousUserTtlDays: number
  /** `user.login` audit entries are deleted after this many days by the daily maintenance; 0 keeps them. */
  loginAuditRetentionDays: number
  secrets: { adminApiKey: string; keyEncryptionKey: string; functionSecret?: string; mailApiKey?: string }
}

/** What `loadConfig` reads: the Worker env (vars + secrets + bindings), or any string map in Node. */
export type ConfigSource = Record<string, unknown>

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(readonly problems: string[]) {
    super(`Usher configuration refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

export { isLoopbackHost } from './loopback'
const isLoopback = (url: URL) => isLoopbackHost(url.hostname)

/** Validate the KDF parameters against the production caps; returns the problems found. */
export function kdfProblems(kdf: KdfParams): string[] {
  if (kdf.algorithm === 'pbkdf2-sha256') {
    return kdf.iterations > PBKDF2_MAX_ITERATIONS
      ? [
          `PBKDF2_ITERATIONS=${kdf.iterations} exceeds the Cloudflare Workers production cap of ${PBKDF2_MAX_ITERATIONS} (every hash would fail in production)`,
        ]
      : []
  }
  const problems: string[] = []
  const { N, r, p } = kdf
  if (!Number.isInteger(Math.log2(N)) || N < 2) problems.push(`SCRYPT_N=${N} must be a power of two ≥ 2`)
  for (const [name, value] of [
    ['SCRYPT_N', N],
    ['SCRYPT_R', r],
    ['SCRYPT_P', p],
  ] as const) {
    if (value > SCRYPT_MAX_COST) problems.push(`${name}=${value} exceeds the Workers cap of 2^20`)
  }
  if (N * r * p > SCRYPT_MAX_COST) {
    problems.push(
      `scrypt cost N·r·p = ${N}·${r}·${p} = ${N * r * p} exceeds the Cloudflare Workers production cap of 2^20 = ${SCRYPT_MAX_COST} (every hash would fail in production)`,
    )
  }
  if (128 * N * r > SCRYPT_MAX_MEMORY) {
    problems.push(
      `scrypt memory 128·N·r = ${(128 * N * r) / 2 ** 20} MiB exceeds ${SCRYPT_MAX_MEMORY / 2 ** 20} MiB of the 128 MB isolate`,
    )
  }
  return problems
}

const intIn = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
const isHttpUrl = (s: string) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol)
/** An optional absolute URL: empty means "not set". */
const optionalUrl = z
  .string()
  .default('')
  .transform((s) => s.trim())
  .refine((s) => s === '' || isHttpUrl(s), 'must be an absolute http(s) URL')
  .transform((s) => s || undefined)
const functionUrl = optionalUrl.refine(
  (s) => s === undefined || new URL(s).protocol === 'https:' || isLoopback(new URL(s)),
  'must be an https:// URL (plain http is only accepted for localhost)',
)
/** Values published in Usher's own files and docs, and the words placeholders are made of. */
const PLACEHOLDERS = ['replace-with-32+-random-characters', 'optional-signs-confirmation-and-reset-webhooks']
const PLACEHOLDER_WORDS = /replace|placeholder|example|changeme|change-me|secret|password|optional/i

/** The longest stretch of consecutive characters going one way (`abcdef`, `98765`). */
function longestSequentialRun(value: string): number {
  let longest = 1
  let run = 1
  let direction = 0
  for (let i = 1; i < value.length; i++) {
    const step = value.charCodeAt(i) - value.charCodeAt(i - 1)
    if (step !== 1 && step !== -1) run = 1
    else run = run > 1 && step === direction ? run + 1 : 2
    direction = step
    longest = Math.max(longest, run)
  }
  return longest
}

/**
 * Why a secret is too weak to use, or undefined. Length alone let `"a" × 32` and the README's placeholder
 * through; a secret must also look random: no published placeholder, no repeated pattern, no long run of
 * consecutive characters, and at least ~80 bits by its character distribution (a random 32-character hex
 * string has ~118; `npm run dev` and `npm run deploy` generate 64 hex characters, ~250).
 */
export function secretWeakness(value: string): string | undefined {
  if (value.length < 32) return 'must be at least 32 characters of random data'
  if (PLACEHOLDERS.includes(value) || PLACEHOLDER_WORDS.test(value)) {
    return 'is a placeholder, not a secret: generate one (e.g. `openssl rand -hex 32`)'
  }
  const counts = new Map<string, number>()
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1)
  let bitsPerChar = 0
  for (const n of counts.values()) bitsPerChar -= (n / value.length) * Math.log2(n / value.length)
  const period = [...Array(Math.floor(value.length / 2)).keys()].map((i) => i + 1).find((p) => value.slice(p) === value.slice(0, -p))
  const longestRun = longestSequentialRun(value)
  if (period !== undefined || longestRun >= 8 || bitsPerChar < 2.5 || bitsPerChar * value.length < 80) {
    return 'is not random enough (repeated or sequential characters): generate one (e.g. `openssl rand -hex 32`)'
  }
  return undefined
}

const secret = (name: string) =>
  z
    .string({ error: `is missing (set it with \`wrangler secret put ${name}\`, or in .dev.vars locally)` })
    .superRefine((value, context) => {
      const weakness = secretWeakness(value)
      if (weakness) context.addIssue({ code: 'custom', message: weakness })
    })

/** Secrets that must each be different (one leaked value must not open two doors). */
const DISTINCT_SECRETS = ['ADMIN_API_KEY', 'KEY_ENCRYPTION_KEY', 'FUNCTION_SECRET'] as const

const schema = z.object({
  ...providersSchema.shape,
  USHER_ENV: z.enum(['development', 'production']).default('development'),
  USHER_DATABASE_ID: z.string().trim().default(''),
  APP_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, dots, dashes or underscores'),
  PUBLIC_URL: optionalUrl,
  ALLOWED_ORIGINS: z.string().default('*'),
  CONFIRMATION_METHOD: z.enum(['email', 'function', 'auto']).default('email'),
  CONFIRMATION_URL: optionalUrl,
  CONFIRMATION_EMAIL_SUBJECT: z.string().min(1).max(256).default('Confirm your email address'),
  CONFIRMATION_FUNCTION_URL: functionUrl,
  RESET_METHOD: z.enum(['email', 'function']).default('email'),
  RESET_URL: optionalUrl,
  RESET_EMAIL_SUBJECT: z.string().min(1).max(256).default('Reset your password'),
  RESET_FUNCTION_URL: functionUrl,
  PASSWORD_MIN_LENGTH: intIn(PASSWORD_MIN_FLOOR, PASSWORD_MAX_LENGTH).default(6),
  PASSWORD_KDF: z.enum(['scrypt', 'pbkdf2-sha256']).default('scrypt'),
  SCRYPT_N: intIn(2, 2 ** 30).default(16384),
  SCRYPT_R: intIn(1, 2 ** 30).default(8),
  SCRYPT_P: intIn(1, 2 ** 30).default(5),
  PBKDF2_ITERATIONS: intIn(1, 2 ** 31).default(PBKDF2_MAX_ITERATIONS),
  TOKEN_SIGNING_ALGORITHM: z.enum(SIGNING_ALGORITHMS).default('ES256'),
  ACCESS_TOKEN_TTL_SECONDS: intIn(60, 86_400).default(1800),
  REFRESH_TOKEN_TTL_SECONDS: intIn(1800, 5 * 365 * 86_400).default(60 * 86_400),
  MAIL_PROVIDER: z.enum(['outbox', 'cloudflare', 'resend']).default('outbox'),
  MAIL_FROM: z.string().min(3).default('Usher <no-reply@usher.local>'),
  MAIL_API_URL: optionalUrl,
  MAIL_RECIPIENT_LIMIT_PER_MINUTE: intIn(0, 1000).default(1),
  MAIL_RECIPIENT_LIMIT_PER_DAY: intIn(0, 100_000).default(10),
  ENUMERATION_PROTECTION: z.enum(['on', 'off']).default('off'),
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  CUSTOM_DATA_FORMAT: z.enum(['ejson', 'json']).default('ejson'),
  USER_CREATION_FUNCTION_URL: functionUrl,
  EVENTS_WEBHOOK_URL: functionUrl,
  EVENTS_TYPES: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim().toUpperCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(EVENT_TYPES, { error: `must list event types among ${EVENT_TYPES.join(', ')}` }))),
  EVENTS_RETENTION_DAYS: intIn(1, 3650).default(7),
  PASSWORD_SETUP_TTL_HOURS: intIn(1, 720).default(72),
  ANONYMOUS_USER_TTL_DAYS: intIn(0, 36_500).default(90),
  LOGIN_AUDIT_RETENTION_DAYS: intIn(0, 36_500).default(90),
  ADMIN_API_KEY: secret('ADMIN_API_KEY'),
  KEY_ENCRYPTION_KEY: secret('KEY_ENCRYPTION_KEY'),
  FUNCTION_SECRET: secret('FUNCTION_SECRET').optional(),
  MAIL_API_KEY: z.string().min(1).optional(),
})

type Parsed = z.infer<typeof schema>

/** The settings production checks, read leniently so they are reported beside any other problem. */
function productionSettings(source: ConfigSource) {
  const text = (name: string, fallback: string) => (typeof source[name] === 'string' ? (source[name] as string).trim() : fallback)
  return {
    MAIL_PROVIDER: text('MAIL_PROVIDER', 'outbox'),
    USHER_DATABASE_ID: text('USHER_DATABASE_ID', ''),
    PUBLIC_URL: text('PUBLIC_URL', ''),
  }
}

/**
 * What production refuses (USHER_ENV=production): settings that are only safe on a developer's machine. Weak
 * or missing secrets are refused in every environment.
 */
function productionProblems(v: ReturnType<typeof productionSettings>): string[] {
  const problems: string[] = []
  if (v.MAIL_PROVIDER === 'outbox') {
    problems.push(
      'MAIL_PROVIDER=outbox in production: no user would ever receive a mail, and every link would sit in D1 in clear; use cloudflare (Cloudflare Email Service) or resend',
    )
  }
  if (!v.USHER_DATABASE_ID || v.USHER_DATABASE_ID === PLACEHOLDER_DATABASE_ID) {
    problems.push(
      'USHER_DATABASE_ID is missing or the placeholder: set it (and database_id in wrangler.toml) to the id `wrangler d1 create` printed (`npm run deploy` does both)',
    )
  }
  if (!v.PUBLIC_URL) {
    problems.push('PUBLIC_URL is empty in production: set it to the public https origin users and apps reach Usher at')
  } else if (!URL.canParse(v.PUBLIC_URL) || isLoopback(new URL(v.PUBLIC_URL)) || new URL(v.PUBLIC_URL).protocol !== 'https:') {
    problems.push(`PUBLIC_URL=${v.PUBLIC_URL} in production: it must be the public https origin, not a local one`)
  }
  return problems
}

/** What production accepts but an operator should reconsider. */
function productionWarnings(v: Parsed): string[] {
  const warnings: string[] = []
  if (v.ALLOWED_ORIGINS.trim() === '*') {
    warnings.push('ALLOWED_ORIGINS=* lets any web page call the client API from a browser: list your apps\' origins')
  }
  if (v.APP_ID === 'usher-local') {
    warnings.push('APP_ID=usher-local is the development default: give the deployment its own app id (realm-web apps must use it)')
  }
  return warnings
}

/** Parse and validate; throws `ConfigError` listing every problem at once. */
export function loadConfig(source: ConfigSource): Config {
  // Empty strings from .dev.vars or dashboards mean "not set" for optional secrets.
  const input: ConfigSource = { ...source }
  for (const optional of ['FUNCTION_SECRET', 'MAIL_API_KEY']) if (input[optional] === '') delete input[optional]
  const parsed = schema.safeParse(input)
  const production = input.USHER_ENV === 'production' ? productionProblems(productionSettings(input)) : []
  if (!parsed.success) {
    throw new ConfigError([
      ...parsed.error.issues.map((i) => {
        const name = i.path.join('.') || 'config'
        // Upgrading from a release that signed with HS256: say what replaced the old secret.
        if (name === 'KEY_ENCRYPTION_KEY' && input.TOKEN_SIGNING_KEY !== undefined && input.KEY_ENCRYPTION_KEY === undefined) {
          return 'KEY_ENCRYPTION_KEY is missing: access tokens are now signed with ES256/EdDSA keys kept in D1, encrypted under this new secret (TOKEN_SIGNING_KEY is no longer used and can be deleted). Set it with `wrangler secret put KEY_ENCRYPTION_KEY` (32+ random characters).'
        }
        return `${name} ${i.message}`
      }),
      ...production,
    ])
  }
  const v = parsed.data
  const problems: string[] = []

  const kdf: KdfParams =
    v.PASSWORD_KDF === 'scrypt'
      ? { algorithm: 'scrypt', N: v.SCRYPT_N, r: v.SCRYPT_R, p: v.SCRYPT_P }
      : { algorithm: 'pbkdf2-sha256', iterations: v.PBKDF2_ITERATIONS }
  problems.push(...kdfProblems(kdf))

  let allowedOrigins: Config['allowedOrigins'] = '*'
  if (v.ALLOWED_ORIGINS.trim() !== '*') {
    allowedOrigins = v.ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean)
    for (const origin of allowedOrigins) {
      if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
        problems.push(`ALLOWED_ORIGINS entry "${origin}" is not an origin like https://app.example.com`)
      }
    }
  }

  for (const [i, name] of DISTINCT_SECRETS.entries()) {
    for (const other of DISTINCT_SECRETS.slice(i + 1)) {
      if (v[name] !== undefined && v[name] === v[other]) problems.push(`${name} and ${other} must be different secrets`)
    }
  }

  const hasBinding = (name: string) => typeof source[name] === 'object' && source[name] !== null
  const providers = providersConfig(v, { appId: v.APP_ID, functionSecret: v.FUNCTION_SECRET, hasBinding })
  problems.push(...providers.problems)
  for (const name of ['USER_CREATION_FUNCTION_URL', 'EVENTS_WEBHOOK_URL'] as const) {
    if (v[name] && !v.FUNCTION_SECRET) problems.push(`${name} needs the FUNCTION_SECRET secret to sign webhook calls`)
  }
  for (const [kind, method, url, binding] of [
    ['CONFIRMATION', v.CONFIRMATION_METHOD, v.CONFIRMATION_FUNCTION_URL, 'CONFIRMATION_FUNCTION'],
    ['RESET', v.RESET_METHOD, v.RESET_FUNCTION_URL, 'RESET_FUNCTION'],
  ] as const) {
    if (method !== 'function') continue
    if (!url && !hasBinding(binding)) {
      problems.push(
        `${kind}_METHOD=function needs ${kind}_FUNCTION_URL (an https webhook) or a service binding named ${binding}`,
      )
    }
    if (url && !v.FUNCTION_SECRET) {
      problems.push(`${kind}_FUNCTION_URL needs the FUNCTION_SECRET secret to sign webhook calls`)
    }
  }
  if (v.MAIL_PROVIDER === 'cloudflare' && !hasBinding('SEND_EMAIL')) {
    problems.push('MAIL_PROVIDER=cloudflare needs a send_email binding named SEND_EMAIL')
  }
  if (v.MAIL_PROVIDER === 'resend' && !v.MAIL_API_KEY) {
    problems.push('MAIL_PROVIDER=resend needs the MAIL_API_KEY secret')
  }
  problems.push(...production)
  if (problems.length > 0) throw new ConfigError(problems)

  return {
    environment: v.USHER_ENV,
    databaseId: v.USHER_DATABASE_ID || undefined,
    warnings: v.USHER_ENV === 'production' ? productionWarnings(v) : [],
    appId: v.APP_ID,
    publicUrl: v.PUBLIC_URL?.replace(/\/+$/, ''),
    allowedOrigins,
    confirmation: {
      method: v.CONFIRMATION_METHOD,
      url: v.CONFIRMATION_URL,
      subject: v.CONFIRMATION_EMAIL_SUBJECT,
      functionUrl: v.CONFIRMATION_FUNCTION_URL,
    },
    reset: {
      method: v.RESET_METHOD,
      url: v.RESET_URL,
      subject: v.RESET_EMAIL_SUBJECT,
      functionUrl: v.RESET_FUNCTION_URL,
    },
    password: { minLength: v.PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
    kdf,
    providers: providers.config,
    passwordSetupTtlHours: v.PASSWORD_SETUP_TTL_HOURS,
    customData: {
      format: v.CUSTOM_DATA_FORMAT,
      creationFunctionUrl: v.USER_CREATION_FUNCTION_URL,
      creationFunction: Boolean(v.USER_CREATION_FUNCTION_URL) || hasBinding('USER_CREATION_FUNCTION'),
    },
    events: {
      webhookUrl: v.EVENTS_WEBHOOK_URL,
      queue: hasBinding('EVENTS_QUEUE'),
      types: new Set(v.EVENTS_TYPES.length > 0 ? v.EVENTS_TYPES : EVENT_TYPES),
      retentionDays: v.EVENTS_RETENTION_DAYS,
    },
    signingAlgorithm: v.TOKEN_SIGNING_ALGORITHM,
    accessTokenTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: v.REFRESH_TOKEN_TTL_SECONDS,
    mail: {
      provider: v.MAIL_PROVIDER,
      from: v.MAIL_FROM,
      apiUrl: v.MAIL_API_URL ?? 'https://api.resend.com/emails',
      perRecipientPerMinute: v.MAIL_RECIPIENT_LIMIT_PER_MINUTE,
      perRecipientPerDay: v.MAIL_RECIPIENT_LIMIT_PER_DAY,
    },
    enumerationProtection: v.ENUMERATION_PROTECTION === 'on',
    rateLimits: v.RATE_LIMITS === 'on',
    anonymousUserTtlDays: v.ANONYMOUS_USER_TTL_DAYS,
    loginAuditRetentionDays: v.LOGIN_AUDIT_RETENTION_DAYS,
    secrets: {
      adminApiKey: v.ADMIN_API_KEY,
      keyEncryptionKey: v.KEY_ENCRYPTION_KEY,
      functionSecret: v.FUNCTION_SECRET,
      mailApiKey: v.MAIL_API_KEY,
    },
  }
}

/** The configuration as an admin may see it: everything but the secrets. */
export function publicConfig(config: Config) {
  const { secrets, providers, ...others } = config
  const rest = { ...others, providers: publicProviders(providers), events: { ...others.events, types: [...others.events.types] } }
  // Unset settings are shown as null, not dropped: an operator reading `usher config` sees PUBLIC_URL is empty.
  const shown = JSON.parse(JSON.stringify(rest, (_key, value: unknown) => (value === undefined ? null : value))) as {
    [K in keyof typeof rest]: Exclude<(typeof rest)[K], undefined> | (undefined extends (typeof rest)[K] ? null : never)
  }
  return {
    ...shown,
    secretsSet: {
      adminApiKey: true,
      keyEncryptionKey: true,
      functionSecret: secrets.functionSecret !== undefined,
      mailApiKey: secrets.mailApiKey !== undefined,
    },
  }
}
