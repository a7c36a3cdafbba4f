/**
 * @module scripts/deploy/answers
 * The operator's answers to `npm run deploy`: taken from flags, else asked (offering what the previous run
 * recorded in wrangler.toml), else, with `--yes`, what the previous run recorded; with `--yes` a missing
 * answer is an error naming its flag. Then checked, all at once and before anything changes, by the
 * worker's own `loadConfig` on the exact vars production will run with (so the script refuses what the
 * Worker would refuse at startup), plus what only production requires: an https public origin that is not
 * loopback, and a mail provider that really sends mail.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import type { Prompter } from '../../tui/cli/prompt'
import { profileNameProblem } from '../../tui/profiles'
import { ConfigError, isLoopbackHost, loadConfig } from '../../worker/config'
import type { Answers, MailProvider } from './plan'
import {
  isWorkersDev,
  ownProductionVars,
  productionServices,
  productionVars,
  type Recorded,
  type TopLevel,
} from './production-config'

export const USAGE = `Usage: npm run deploy -- [options]

Deploys Usher to Cloudflare as the wrangler environment "production": checks the login, creates the D1
database (and the events queue, if one is named), writes [env.production] into wrangler.toml (the top level
stays for local development; vars you edit in [env.production.vars] are kept), applies the migrations, sets
the missing secrets (generating the keys), deploys and calls /health. The admin key it generates is shown
once and saved into a CLI profile. Re-run it at any time: it skips what exists.

Options:
  --app-id <id>               APP_ID, the app id in realm-web URLs
  --public-url <url>          PUBLIC_URL, the https origin Usher answers at
                              (https://auth.example.com, or https://usher.<subdomain>.workers.dev)
  --allowed-origins <list>    ALLOWED_ORIGINS, your apps' browser origins, comma-separated, or *
  --mail-provider <provider>  MAIL_PROVIDER: cloudflare (Cloudflare Email Service) or resend
  --mail-from <sender>        MAIL_FROM, e.g. "MyApp <no-reply@example.com>"
  --mail-api-key -            with resend: read MAIL_API_KEY from stdin (goes with --yes; else it is asked)
  --events-queue <name>       the Cloudflare Queue lifecycle events are sent to (bound as EVENTS_QUEUE),
                              created if missing; '' for none (the default)
  --events-webhook-url <url>  EVENTS_WEBHOOK_URL, an https endpoint lifecycle events are POSTed to, signed
                              with FUNCTION_SECRET; '' for none (the default)
  --database-name <name>      the D1 database (default: the one recorded, else usher)
  --profile <name>            the CLI profile the admin key is saved into (default: production)
  --plan                      print every step and wrangler command; run nothing, change nothing
  --yes                       ask nothing: a missing answer is an error (previous answers are reused)
  -h, --help                  show this help

Without a flag, each answer is asked for, offering the previous run's (- answers none to an optional one).`

export class DeployUsageError extends Error {}

const OPTIONS = {
  'app-id': { type: 'string' },
  'public-url': { type: 'string' },
  'allowed-origins': { type: 'string' },
  'mail-provider': { type: 'string' },
  'mail-from': { type: 'string' },
  'mail-api-key': { type: 'string' },
  'events-queue': { type: 'string' },
  'events-webhook-url': { type: 'string' },
  'database-name': { type: 'string' },
  profile: { type: 'string' },
  plan: { type: 'boolean' },
  yes: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export type DeployFlags = ReturnType<typeof parseDeployFlags>

export function parseDeployFlags(argv: readonly string[]) {
  let values
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new DeployUsageError((error as Error).message)
  }
  const mailApiKey = values['mail-api-key']
  if (mailApiKey !== undefined && mailApiKey !== '-') {
    throw new DeployUsageError(
      '--mail-api-key takes only - (the key on stdin), so the key stays out of shell history and ps',
    )
  }
  if (mailApiKey === '-' && !values.yes) {
    throw new DeployUsageError(
      '--mail-api-key - reads stdin, where questions would be answered: use it with --yes',
    )
  }
  return values
}

/** The questions, in the order asked, with the flag and the var each one answers. */
const QUESTIONS = [
  { flag: 'app-id', variable: 'APP_ID', question: 'APP_ID, the app id in realm-web URLs' },
  {
    flag: 'public-url',
    variable: 'PUBLIC_URL',
    question:
      'PUBLIC_URL, the https origin Usher answers at (https://auth.example.com or https://usher.<subdomain>.workers.dev)',
  },
  {
    flag: 'allowed-origins',
    variable: 'ALLOWED_ORIGINS',
    question: "ALLOWED_ORIGINS, your apps' browser origins, comma-separated (or * for any)",
  },
  { flag: 'mail-provider', variable: 'MAIL_PROVIDER', question: 'MAIL_PROVIDER, cloudflare or resend' },
  {
    flag: 'mail-from',
    variable: 'MAIL_FROM',
    question: 'MAIL_FROM, the sender (MyApp <no-reply@example.com>)',
  },
  {
    flag: 'events-queue',
    variable: 'EVENTS_QUEUE',
    question: 'EVENTS_QUEUE, the Cloudflare Queue lifecycle events go to, created if missing',
    optional: true,
  },
  {
    flag: 'events-webhook-url',
    variable: 'EVENTS_WEBHOOK_URL',
    question: 'EVENTS_WEBHOOK_URL, an https endpoint lifecycle events are POSTed to, signed',
    optional: true,
  },
] as const

type Variable = (typeof QUESTIONS)[number]['variable']
export type RawAnswers = Record<Variable, string> & { databaseName: string; profile: string }

/** An optional answer's "none": `-` (asked, or as a flag) or empty. */
const NONE = '-'

/** How a question is put: the recorded answer in brackets, and how an optional one is answered "none". */
function prompt(question: string, previous: string | undefined, optional: boolean): string {
  if (!optional) return `${question}${previous ? ` [${previous}]` : ''}: `
  return `${question}${previous ? ` [${previous}; ${NONE} for none]` : ' (empty for none)'}: `
}

/**
 * Every answer, from its flag, else asked (`prompter`; the recorded answer is the default), else, without a
 * prompter (`--yes`), the recorded one. An optional answer (the events sinks) is none when it is `-`, or
 * empty with nothing recorded, and never missing with `--yes`. Throws `DeployUsageError` naming each flag
 * still missing.
 */
export async function gatherAnswers(
  flags: DeployFlags,
  recorded: Recorded,
  prompter?: Prompter,
): Promise<RawAnswers> {
  const answers: Partial<Record<Variable, string>> = {}
  const missing: string[] = []
  for (const entry of QUESTIONS) {
    const { flag, variable, question } = entry
    const optional = 'optional' in entry
    const previous = recorded[variable] || undefined
    let answer = flags[flag]
    while (answer === undefined && prompter) {
      const given = await prompter.ask(prompt(question, previous, optional))
      if (given === undefined) break
      answer = given.trim() || previous || (optional ? '' : undefined)
    }
    answer ??= prompter ? undefined : (previous ?? (optional ? '' : undefined))
    if (answer === undefined) missing.push(`--${flag} (${variable})`)
    else answers[variable] = optional && answer.trim() === NONE ? '' : answer.trim()
  }
  if (missing.length > 0) {
    const why = prompter ? 'no answer was given for' : 'with --yes, give'
    throw new DeployUsageError(`${why} ${missing.join(', ')}`)
  }
  return {
    ...(answers as Record<Variable, string>),
    databaseName: flags['database-name'] ?? recorded.databaseName ?? 'usher',
    profile: flags.profile ?? 'production',
  }
}

const FLAG_OF: Record<string, string> = Object.fromEntries(
  QUESTIONS.map(({ flag, variable }) => [variable, flag]),
)

function publicUrlProblem(value: string, workerName: string): string | undefined {
  if (!URL.canParse(value)) return 'is not a URL; give the https origin, e.g. https://auth.example.com'
  const url = new URL(value)
  if (url.protocol !== 'https:') return 'must be https: tokens and passwords cross it'
  if (isLoopbackHost(url.hostname)) return 'is this machine; production needs its public origin'
  if (url.origin !== value.replace(/\/+$/, ''))
    return `must be an origin only (${url.origin}), without a path, query or fragment`
  if (isWorkersDev(url.hostname) && url.hostname.split('.')[0] !== workerName) {
    return `on workers.dev must be https://${workerName}.<your-subdomain>.workers.dev (the Worker's name)`
  }
  return undefined
}

function mailProviderProblem(value: string): string | undefined {
  if (value === 'outbox') {
    return 'outbox keeps mail (with its confirmation and reset links) in the database instead of sending it: it is the local development mailbox, and production refuses it. Use cloudflare (Cloudflare Email Service) or resend'
  }
  return value === 'cloudflare' || value === 'resend'
    ? undefined
    : `must be cloudflare or resend (got "${value}")`
}

/**
 * Cloudflare Queues names: 1–63 characters, letters, digits and dashes, a letter or digit at each end
 * (Queues "Get started"); lowercase, as every name in Cloudflare's docs.
 */
function queueNameProblem(value: string): string | undefined {
  if (value === '' || /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) return undefined
  return `"${value}" is not a Cloudflare Queues name: 1–63 lowercase letters, digits or dashes, starting and ending with a letter or digit (e.g. usher-events)`
}

function webhookUrlProblem(value: string): string | undefined {
  if (URL.canParse(value) && isLoopbackHost(new URL(value).hostname))
    return 'is this machine: the deployed Worker cannot reach it'
  return undefined // the rest is the Worker's own check (loadConfig, below)
}

function mailFromProblem(value: string): string | undefined {
  const address = /<([^<>\s]+)>\s*$/.exec(value)?.[1] ?? value.trim()
  const domain = /^[^@\s]+@([^@\s]+\.[^@\s.]+)$/.exec(address)?.[1]
  if (!domain)
    return `"${value}" has no sender address: give "MyApp <no-reply@example.com>" or no-reply@example.com`
  if (/\.(local|localhost|test|example|invalid)$/i.test(domain))
    return `${domain} cannot send mail: use a domain you own`
  return undefined
}

/** Stand-ins for what does not exist yet (secrets, bindings), so `loadConfig` judges only the answers. */
function standIns(raw: RawAnswers, recorded: Recorded, services: { binding?: unknown }[]) {
  const secret = () => randomBytes(32).toString('hex')
  return {
    ...Object.fromEntries(services.map(({ binding }) => [String(binding), {}])),
    ADMIN_API_KEY: secret(),
    KEY_ENCRYPTION_KEY: secret(),
    FUNCTION_SECRET: secret(),
    ...(raw.MAIL_PROVIDER === 'resend' && { MAIL_API_KEY: secret() }),
    ...(raw.MAIL_PROVIDER === 'cloudflare' && { SEND_EMAIL: {} }),
    ...(raw.EVENTS_QUEUE && { EVENTS_QUEUE: {} }),
    DB: {},
    USHER_DATABASE_ID: recorded.databaseId ?? randomUUID(),
  }
}

/** The answers checked: `answers`, or every problem found (each naming its flag). */
export function validateAnswers(
  raw: RawAnswers,
  topLevel: TopLevel,
  recorded: Recorded,
  mailApiKey: Answers['mailApiKey'],
): { answers: Answers; problems?: undefined } | { answers?: undefined; problems: string[] } {
  const own = [
    ['public-url', publicUrlProblem(raw.PUBLIC_URL, topLevel.name)],
    ['mail-provider', mailProviderProblem(raw.MAIL_PROVIDER)],
    ['mail-from', mailFromProblem(raw.MAIL_FROM)],
    ['events-queue', queueNameProblem(raw.EVENTS_QUEUE)],
    ['events-webhook-url', webhookUrlProblem(raw.EVENTS_WEBHOOK_URL)],
    [
      'database-name',
      /^[a-z0-9][a-z0-9_-]{0,63}$/i.test(raw.databaseName)
        ? undefined
        : 'must be letters, digits, dashes or underscores',
    ],
    ['profile', profileNameProblem(raw.profile)],
  ] as const
  const problems = own.flatMap(([flag, problem]) => (problem ? [`--${flag}: ${problem}`] : []))
  if (problems.length > 0) return { problems }

  const answers: Answers = {
    appId: raw.APP_ID,
    publicUrl: new URL(raw.PUBLIC_URL).origin,
    allowedOrigins: raw.ALLOWED_ORIGINS,
    mailProvider: raw.MAIL_PROVIDER as MailProvider,
    mailFrom: raw.MAIL_FROM,
    eventsQueue: raw.EVENTS_QUEUE,
    eventsWebhookUrl: raw.EVENTS_WEBHOOK_URL,
    databaseName: raw.databaseName,
    profile: raw.profile,
    mailApiKey,
  }
  const input = {
    ...answers,
    databaseId: '',
    recordedVars: recorded.vars,
    recordedServices: recorded.services,
  }
  const ownVars = ownProductionVars(topLevel, input)
  const services = productionServices(topLevel, input)
  try {
    loadConfig({ ...productionVars(topLevel, input), ...standIns(raw, recorded, services) })
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return {
      problems: error.problems.map((problem) => {
        const name = /^[A-Z_]+/.exec(problem)?.[0] ?? ''
        if (FLAG_OF[name]) return `--${FLAG_OF[name]}: ${problem}`
        return `wrangler.toml [${ownVars.includes(name) ? 'env.production.vars' : 'vars'}]: ${problem}`
      }),
    }
  }
  return { answers }
}
