/**
 * @module scripts/deploy/production-config
 * The production configuration `npm run deploy` keeps in wrangler.toml: an `[env.production]` section
 * between two marker comments, regenerated from the top level and the operator's answers on every run. The
 * top level (what `npm run dev` and the tests use) is never touched.
 *
 * wrangler inherits `main`, compatibility settings, `[limits]` and `[triggers]` (both crons) into
 * environments, but not vars or bindings, so the block repeats them: every top-level var (with the
 * operator's answers, plus `USHER_ENV` and `USHER_DATABASE_ID`), the D1 binding with the real database id,
 * the rate limiters, any service bindings, the `EVENTS_QUEUE` producer when the operator names a queue, and
 * `SEND_EMAIL` for Cloudflare Email Service. `name` is repeated too: an environment's Worker would otherwise
 * be called `usher-production`, and app Workers bind to `service = "usher"`.
 *
 * Vars are production's own once written: a value the operator changed or added in `[env.production.vars]`
 * (a production CONFIRMATION_URL, EVENTS_TYPES, USER_CREATION_FUNCTION_URL…) is kept by the next run; only
 * the answers (EVENTS_WEBHOOK_URL among them) and `USHER_ENV`/`USHER_DATABASE_ID` are rewritten, and
 * top-level vars production lacks are added. Service bindings alike: one the operator added or changed in
 * `[[env.production.services]]` (a USER_CREATION_FUNCTION Worker) is kept, by its binding name.
 *
 * Reading goes through wrangler's own parser; writing is text, so the rest of the file (comments, order)
 * stays exactly as it was.
 */
import { readFileSync } from 'node:fs'
import { experimental_readRawConfig } from 'wrangler'

export const ENVIRONMENT = 'production'
export const BEGIN_MARKER = '# >>> npm run deploy: production configuration >>>'
export const END_MARKER = '# <<< npm run deploy: production configuration <<<'
/** The producer binding the Worker sends lifecycle events through (worker/config: `events.queue`). */
export const EVENTS_QUEUE_BINDING = 'EVENTS_QUEUE'

type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue }
type Table = Record<string, TomlValue>

/** What production repeats from the top level of wrangler.toml. */
export interface TopLevel {
  /** The Worker's name (`usher`): kept in production so service bindings keep finding it. */
  name: string
  vars: Table
  /** The `DB` binding (`migrations_dir` and the like are copied; name and id are production's). */
  database: Table
  ratelimits: Table[]
  services: Table[]
}

/** The answers a previous run recorded in the block, offered again as defaults. */
export interface Recorded {
  APP_ID?: string
  PUBLIC_URL?: string
  ALLOWED_ORIGINS?: string
  MAIL_PROVIDER?: string
  MAIL_FROM?: string
  EVENTS_WEBHOOK_URL?: string
  /** The queue of the `EVENTS_QUEUE` producer binding. */
  EVENTS_QUEUE?: string
  databaseName?: string
  databaseId?: string
  /** Every var of `[env.production.vars]` as it is, the operator's edits among them (none before a first run). */
  vars?: Table
  /** Every `[[env.production.services]]` binding as it is. */
  services?: Table[]
}

export interface WranglerConfig {
  /** The file as it is now. */
  text: string
  topLevel: TopLevel
  recorded: Recorded
}

/** The answers and facts a block is made of. */
export interface BlockInput {
  appId: string
  publicUrl: string
  allowedOrigins: string
  mailProvider: 'cloudflare' | 'resend'
  mailFrom: string
  /** The queue lifecycle events are sent to (the `EVENTS_QUEUE` producer binding); empty: none. */
  eventsQueue: string
  /** EVENTS_WEBHOOK_URL; empty: none. */
  eventsWebhookUrl: string
  databaseName: string
  databaseId: string
  /** The vars `[env.production.vars]` has now (`Recorded.vars`): kept, unless an answer replaces them. */
  recordedVars?: Table
  /** The service bindings production has now (`Recorded.services`): kept. */
  recordedServices?: Table[]
}

const asTables = (value: unknown): Table[] => (Array.isArray(value) ? (value as Table[]) : [])
const stringOrUndefined = (value: unknown) => (typeof value === 'string' ? value : undefined)

/** Read wrangler.toml with wrangler's parser: the top level, and what a previous run recorded. */
export function readWranglerConfig(file = 'wrangler.toml'): WranglerConfig {
  const text = readFileSync(file, 'utf8')
  const { rawConfig } = experimental_readRawConfig({ config: file }, { hideWarnings: true })
  const raw = rawConfig as Record<string, unknown> & { env?: Record<string, Record<string, unknown>> }
  const database = asTables(raw.d1_databases).find((binding) => binding.binding === 'DB')
  if (!database) throw new Error(`${file} has no [[d1_databases]] binding named DB at its top level`)
  const production = raw.env?.[ENVIRONMENT]
  const vars = (production?.vars ?? {}) as Record<string, unknown>
  const recordedDatabase = asTables(production?.d1_databases).find((binding) => binding.binding === 'DB')
  const queues = (production?.queues ?? {}) as { producers?: unknown }
  const recordedQueue = asTables(queues.producers).find((binding) => binding.binding === EVENTS_QUEUE_BINDING)
  return {
    text,
    topLevel: {
      name: stringOrUndefined(raw.name) ?? 'usher',
      vars: (raw.vars ?? {}) as Table,
      database,
      ratelimits: asTables(raw.ratelimits),
      services: asTables(raw.services),
    },
    recorded: {
      APP_ID: stringOrUndefined(vars.APP_ID),
      PUBLIC_URL: stringOrUndefined(vars.PUBLIC_URL),
      ALLOWED_ORIGINS: stringOrUndefined(vars.ALLOWED_ORIGINS),
      MAIL_PROVIDER: stringOrUndefined(vars.MAIL_PROVIDER),
      MAIL_FROM: stringOrUndefined(vars.MAIL_FROM),
      EVENTS_WEBHOOK_URL: stringOrUndefined(vars.EVENTS_WEBHOOK_URL),
      EVENTS_QUEUE: stringOrUndefined(recordedQueue?.queue),
      databaseName: stringOrUndefined(recordedDatabase?.database_name),
      databaseId: stringOrUndefined(recordedDatabase?.database_id),
      vars: vars as Table,
      services: asTables(production?.services),
    },
  }
}

/** The vars the deploy sets whatever production had: the answers, and what marks it as production. */
function managedVars(input: BlockInput): Table {
  return {
    APP_ID: input.appId,
    PUBLIC_URL: input.publicUrl,
    ALLOWED_ORIGINS: input.allowedOrigins,
    MAIL_PROVIDER: input.mailProvider,
    MAIL_FROM: input.mailFrom,
    EVENTS_WEBHOOK_URL: input.eventsWebhookUrl,
    USHER_ENV: 'production',
    USHER_DATABASE_ID: input.databaseId,
  }
}

/**
 * The vars production runs with: those `[env.production.vars]` has (the operator's edits kept, in the
 * operator's order), then the top-level vars it lacks, with the answers and what marks it as production set
 * over them. A first run has none recorded, so its vars come in the top level's order.
 */
export function productionVars(topLevel: Pick<TopLevel, 'vars'>, input: BlockInput): Table {
  return { ...input.recordedVars, ...topLevel.vars, ...input.recordedVars, ...managedVars(input) }
}

/** The vars production keeps apart from the top level: changed in, or added to, `[env.production.vars]`. */
export function ownProductionVars(topLevel: Pick<TopLevel, 'vars'>, input: BlockInput): string[] {
  const managed = managedVars(input)
  return Object.entries(input.recordedVars ?? {})
    .filter(
      ([name, value]) => !(name in managed) && JSON.stringify(value) !== JSON.stringify(topLevel.vars[name]),
    )
    .map(([name]) => name)
}

const key = (name: string) => (/^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name))

/** A TOML value: JSON's string escapes are valid TOML basic-string escapes. */
function toml(value: TomlValue): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value !== 'object') return String(value)
  if (Array.isArray(value)) return `[${value.map(toml).join(', ')}]`
  return `{ ${Object.entries(value)
    .map(([name, inner]) => `${key(name)} = ${toml(inner)}`)
    .join(', ')} }`
}

function table(header: string, entries: Table): string {
  const lines = Object.entries(entries).map(([name, value]) => `${key(name)} = ${toml(value)}`)
  return [header, ...lines].join('\n')
}

/** Production's service bindings (the operator's kept), then the top-level ones it lacks, by binding name. */
export function productionServices(topLevel: Pick<TopLevel, 'services'>, input: BlockInput): Table[] {
  const own = input.recordedServices ?? []
  const names = new Set(own.map((service) => service.binding))
  return [...own, ...topLevel.services.filter((service) => !names.has(service.binding))]
}

/** Workers on workers.dev need no route; any other host is attached to the Worker as a Custom Domain. */
export const isWorkersDev = (hostname: string) => hostname.endsWith('.workers.dev')

/** The whole managed block, markers included. */
export function renderProductionBlock(topLevel: TopLevel, input: BlockInput): string {
  const host = new URL(input.publicUrl).hostname
  const env = `env.${ENVIRONMENT}`
  const worker: Table = {
    name: topLevel.name,
    ...(!isWorkersDev(host) && { routes: [{ pattern: host, custom_domain: true }] }),
  }
  const sections = [
    table(`[${env}]`, worker),
    table(`[${env}.vars]`, productionVars(topLevel, input)),
    table(`[[${env}.d1_databases]]`, {
      ...topLevel.database,
      database_name: input.databaseName,
      database_id: input.databaseId,
    }),
    ...topLevel.ratelimits.map((limiter) => table(`[[${env}.ratelimits]]`, limiter)),
    ...productionServices(topLevel, input).map((service) => table(`[[${env}.services]]`, service)),
    ...(input.eventsQueue
      ? [table(`[[${env}.queues.producers]]`, { binding: EVENTS_QUEUE_BINDING, queue: input.eventsQueue })]
      : []),
    ...(input.mailProvider === 'cloudflare' ? [table(`[[${env}.send_email]]`, { name: 'SEND_EMAIL' })] : []),
  ]
  return [
    BEGIN_MARKER,
    '# Written by `npm run deploy` from the top level above and its answers; the next run rewrites it, so',
    '# change answers by re-running it (`npm run deploy -- --help`). Vars you change or add under',
    '# [env.production.vars], and [[env.production.services]] you add, are kept. Vars and bindings are not',
    '# inherited by wrangler environments, hence repeated. Run wrangler on production with `--env production`.',
    sections.join('\n\n'),
    END_MARKER,
  ].join('\n')
}

const markerLines = (lines: string[], marker: string) =>
  lines.flatMap((line, index) => (line.trim() === marker ? [index] : []))

/**
 * Why the block cannot be written into `text`, or undefined: a broken pair of markers, or an
 * `[env.production]` written by hand outside them (the script will not guess which one wins).
 */
export function managedBlockProblem(text: string): string | undefined {
  const lines = text.split('\n')
  const begins = markerLines(lines, BEGIN_MARKER)
  const ends = markerLines(lines, END_MARKER)
  if (begins.length > 1 || ends.length > 1 || begins.length !== ends.length || begins[0]! > ends[0]!) {
    return `wrangler.toml has a broken pair of "npm run deploy" marker comments: delete the block from "${BEGIN_MARKER}" to "${END_MARKER}" and run again`
  }
  const outside = lines.filter((_, index) => begins.length === 0 || index < begins[0]! || index > ends[0]!)
  if (outside.some((line) => new RegExp(`^\\s*\\[\\[?\\s*env\\.${ENVIRONMENT}\\b`).test(line))) {
    return `wrangler.toml already has an [env.${ENVIRONMENT}] section that npm run deploy did not write: remove it (the deploy writes its own, between marker comments)`
  }
  return undefined
}

/** `text` with its managed block replaced by `block` (or `block` appended when there is none yet). */
export function withProductionBlock(text: string, block: string): string {
  const lines = text.split('\n')
  const begin = markerLines(lines, BEGIN_MARKER)[0]
  const end = markerLines(lines, END_MARKER)[0]
  if (begin === undefined || end === undefined) return `${text.trimEnd()}\n\n${block}\n`
  return [...lines.slice(0, begin), block, ...lines.slice(end + 1)].join('\n')
}
