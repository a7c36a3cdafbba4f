/**
 * @module scripts/deploy/plan
 * What `npm run deploy` does, decided as a pure function of the operator's answers and what is known to
 * exist: `planDeploy(answers, observed)`. It never runs anything, so `--plan` is this function over what can
 * be read locally (wrangler.toml, the profile file), and the runner (run.ts) calls it again after each
 * check, with what the check found (the database, the events queue, the secrets already set).
 *
 * A fact not known yet (in `--plan`, every remote one) makes the actions that depend on it conditional,
 * with a `when` saying on what. Re-runs skip what exists: a database or an events queue is reused, a secret
 * that is set is never overwritten (so the admin key is only made, and shown, when the Worker has none),
 * and an up-to-date configuration is not rewritten.
 */
import type { Profile } from '../../tui/profiles'
import {
  ENVIRONMENT,
  EVENTS_QUEUE_BINDING,
  managedBlockProblem,
  ownProductionVars,
  renderProductionBlock,
  withProductionBlock,
  type Recorded,
  type TopLevel,
} from './production-config'

export type MailProvider = 'cloudflare' | 'resend'

export interface Answers {
  appId: string
  /** An https origin, without a trailing slash. */
  publicUrl: string
  allowedOrigins: string
  mailProvider: MailProvider
  mailFrom: string
  /** The Cloudflare Queue lifecycle events are sent to (bound as EVENTS_QUEUE), created if missing; empty: none. */
  eventsQueue: string
  /** EVENTS_WEBHOOK_URL, signed with FUNCTION_SECRET (always among the generated secrets); empty: none. */
  eventsWebhookUrl: string
  databaseName: string
  /** The CLI profile the generated admin key is saved into. */
  profile: string
  /** How MAIL_API_KEY is given if the Worker lacks it: asked, read from stdin, or not at all (`--yes`). */
  mailApiKey: 'ask' | 'stdin' | 'none'
}

export interface CloudflareLogin {
  email: string
  accounts: { id: string; name: string }[]
  /** CLOUDFLARE_ACCOUNT_ID, which picks one account when the login has several. */
  accountId?: string
}

/** What is known. Remote facts are `undefined` until checked; `null` means checked and absent. */
export interface Observed {
  /** wrangler.toml as it is now. */
  wranglerToml: string
  topLevel: TopLevel
  recorded: Recorded
  /** The profile of that name in `profileFile`, if there is one. */
  profile: Profile | undefined
  profileFile: string
  login?: CloudflareLogin | null
  database?: { id: string } | null
  /** The events queue (`answers.eventsQueue`), if one is named. */
  queue?: { name: string } | null
  /** Names of the secrets the production Worker has (empty when the Worker does not exist yet). */
  secrets?: readonly string[]
}

export const GENERATED_SECRETS = ['ADMIN_API_KEY', 'KEY_ENCRYPTION_KEY', 'FUNCTION_SECRET'] as const
export type SecretName = (typeof GENERATED_SECRETS)[number] | 'MAIL_API_KEY'

/** A read-only wrangler command whose answer a step's decision depends on. */
export interface Check {
  observes: 'login' | 'database' | 'queue' | 'secrets'
  args: readonly string[]
}

export type Action =
  | { kind: 'wrangler'; args: readonly string[]; when?: string; note?: string }
  | {
      kind: 'secret'
      name: SecretName
      args: readonly string[]
      /** generated: 64 random hex characters; asked: without echo; stdin: `--mail-api-key -`. */
      value: 'generated' | 'asked' | 'stdin'
      when?: string
    }
  | { kind: 'write-configuration'; text: string; block: string }
  | { kind: 'save-profile'; name: string; url: string; file: string; when?: string }
  | { kind: 'health'; url: string; appId: string }

export type StepId =
  | 'login'
  | 'database'
  | 'queue'
  | 'configuration'
  | 'migrations'
  | 'secrets'
  | 'profile'
  | 'deploy'
  | 'health'

export interface Step {
  id: StepId
  title: string
  checks: Check[]
  actions: Action[]
  /** What the `✓` line says once the actions ran. */
  done: string
  /** Nothing to do, and why (the `·` line). */
  skipped?: string
  /** Why the step cannot go on, and what to do (checked before any of its actions). */
  blocked?: string
  /** Said after the step's line. */
  note?: string
}

const env = ['--env', ENVIRONMENT] as const
export const TYPES_COMMAND = ['types', '--strict-vars=false', '--env-file', '.dev.vars.example'] as const

function loginStep(observed: Observed): Step {
  const step: Step = {
    id: 'login',
    title: 'Cloudflare login',
    checks: [{ observes: 'login', args: ['whoami', '--json'] }],
    actions: [],
    done: 'logged in',
  }
  const login = observed.login
  if (login === null) {
    return {
      ...step,
      blocked:
        'not logged in to Cloudflare: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then `npm run deploy` again',
    }
  }
  if (login === undefined) return step
  const chosen = login.accounts.find((account) => account.id === login.accountId)
  if (login.accounts.length > 1 && !chosen) {
    const accounts = login.accounts.map((account) => `${account.name} (${account.id})`).join(', ')
    return {
      ...step,
      blocked: `${login.email} can use ${login.accounts.length} Cloudflare accounts (${accounts}): choose one with CLOUDFLARE_ACCOUNT_ID=<id> npm run deploy`,
    }
  }
  const account = chosen ?? login.accounts[0]
  return { ...step, done: `logged in as ${login.email}${account ? `, account ${account.name}` : ''}` }
}

function databaseStep(answers: Answers, observed: Observed): Step {
  const name = answers.databaseName
  const step: Step = {
    id: 'database',
    title: `D1 database "${name}"`,
    checks: [{ observes: 'database', args: ['d1', 'list', '--json'] }],
    actions: [],
    done: 'created',
  }
  if (observed.database) return { ...step, skipped: `exists (${observed.database.id}), reused` }
  return { ...step, actions: creation(observed.database, ['d1', 'create', name], `D1 database "${name}"`) }
}

/** Creating what a check looks for and did not find: unconditional once checked, else `when` it is missing. */
function creation(found: null | undefined, args: readonly string[], what: string): Action[] {
  return [{ kind: 'wrangler', args, ...(found === undefined && { when: `if no ${what} exists` }) }]
}

function queueStep(answers: Answers, observed: Observed): Step {
  const name = answers.eventsQueue
  const previous = observed.recorded.EVENTS_QUEUE
  if (!name) {
    return {
      id: 'queue',
      title: 'events queue',
      checks: [],
      actions: [],
      done: '',
      skipped: previous
        ? `none: the ${EVENTS_QUEUE_BINDING} binding to "${previous}" leaves [env.${ENVIRONMENT}]; the queue itself is kept (\`npx wrangler queues delete ${previous}\` deletes it)`
        : 'none (--events-queue <name> sends lifecycle events to a Cloudflare Queue)',
    }
  }
  const step: Step = {
    id: 'queue',
    title: `events queue "${name}"`,
    checks: [{ observes: 'queue', args: ['queues', 'info', name] }],
    actions: [],
    done: `created; bound as ${EVENTS_QUEUE_BINDING}`,
  }
  if (observed.queue) return { ...step, skipped: `exists, reused; bound as ${EVENTS_QUEUE_BINDING}` }
  return {
    ...step,
    actions: creation(observed.queue, ['queues', 'create', name], `queue "${name}"`),
    note: `Consume it in your app's Worker: [[queues.consumers]] queue = "${name}" (examples/app-worker).`,
  }
}

/** The database id the configuration records: the real one once known. */
function databaseId(answers: Answers, observed: Observed): string {
  if (observed.database) return observed.database.id
  if (observed.database === undefined && observed.recorded.databaseName === answers.databaseName) {
    return observed.recorded.databaseId ?? `<id of D1 database "${answers.databaseName}">`
  }
  return `<id of D1 database "${answers.databaseName}">`
}

function configurationStep(answers: Answers, observed: Observed): Step {
  const step: Step = {
    id: 'configuration',
    title: `production configuration ([env.${ENVIRONMENT}] in wrangler.toml)`,
    checks: [],
    actions: [],
    done: `written; the top level, for local development, is unchanged`,
  }
  const problem = managedBlockProblem(observed.wranglerToml)
  if (problem) return { ...step, blocked: problem }
  const input = {
    ...answers,
    databaseId: databaseId(answers, observed),
    recordedVars: observed.recorded.vars,
    recordedServices: observed.recorded.services,
  }
  const block = renderProductionBlock(observed.topLevel, input)
  const text = withProductionBlock(observed.wranglerToml, block)
  if (text === observed.wranglerToml) return { ...step, skipped: 'up to date' }
  const own = ownProductionVars(observed.topLevel, input)
  return {
    ...step,
    ...(own.length > 0 && { done: `${step.done}; production's own ${own.join(', ')} kept` }),
    actions: [
      { kind: 'write-configuration', text, block },
      {
        kind: 'wrangler',
        args: TYPES_COMMAND,
        note: 'worker-configuration.d.ts: `wrangler types` reads every environment',
      },
    ],
  }
}

function migrationsStep(): Step {
  return {
    id: 'migrations',
    title: 'remote migrations',
    checks: [],
    actions: [{ kind: 'wrangler', args: ['d1', 'migrations', 'apply', 'DB', '--remote', ...env] }],
    done: 'applied (wrangler applies only those not applied yet)',
  }
}

/** The secrets production needs, and how each is made. */
function neededSecrets(answers: Answers): { name: SecretName; value: 'generated' | 'asked' | 'stdin' }[] {
  const generated = GENERATED_SECRETS.map((name) => ({ name, value: 'generated' as const }))
  if (answers.mailProvider !== 'resend') return generated
  return [...generated, { name: 'MAIL_API_KEY', value: answers.mailApiKey === 'stdin' ? 'stdin' : 'asked' }]
}

function secretsStep(answers: Answers, observed: Observed): Step {
  const step: Step = {
    id: 'secrets',
    title: 'secrets',
    checks: [{ observes: 'secrets', args: ['secret', 'list', ...env, '--format', 'json'] }],
    actions: [],
    done: '',
  }
  const needed = neededSecrets(answers)
  const existing = observed.secrets
  const missing = existing === undefined ? needed : needed.filter(({ name }) => !existing.includes(name))
  const kept = needed.filter(({ name }) => existing?.includes(name)).map(({ name }) => name)
  const keptText = kept.length > 0 ? `; ${kept.join(', ')} already set, kept` : ''
  if (missing.length === 0) return { ...step, skipped: `${kept.join(', ')} already set, none overwritten` }
  if (
    existing !== undefined &&
    answers.mailApiKey === 'none' &&
    missing.some(({ name }) => name === 'MAIL_API_KEY')
  ) {
    return {
      ...step,
      blocked:
        'MAIL_API_KEY (for MAIL_PROVIDER=resend) is not set and --yes cannot ask for it: pass it on stdin with --mail-api-key -, or run without --yes',
    }
  }
  return {
    ...step,
    actions: missing.map(({ name, value }) => ({
      kind: 'secret',
      name,
      args: ['secret', 'put', name, ...env],
      value,
      ...(existing === undefined && { when: 'if not set' }),
    })),
    done: `set ${missing.map(({ name, value }) => `${name} (${value === 'generated' ? 'generated' : 'given'})`).join(', ')}${keptText}`,
  }
}

function profileStep(answers: Answers, observed: Observed): Step {
  const { profile, publicUrl: url } = answers
  const save = { kind: 'save-profile', name: profile, url, file: observed.profileFile } as const
  const step: Step = {
    id: 'profile',
    title: `admin key and CLI profile "${profile}"`,
    checks: [],
    actions: [],
    done: `saved in ${observed.profileFile} (mode 0600): \`npx usher --profile ${profile} users list\` and \`npx usher dashboard --profile ${profile}\` work now`,
  }
  if (observed.secrets === undefined) {
    return {
      ...step,
      actions: [{ ...save, when: 'if ADMIN_API_KEY was not set, so a new one was generated' }],
    }
  }
  if (!observed.secrets.includes('ADMIN_API_KEY')) return { ...step, actions: [save] }
  const saved = observed.profile
  if (saved?.url === url && saved.adminKey) {
    return { ...step, skipped: `ADMIN_API_KEY was already set; profile "${profile}" has ${url} and a key` }
  }
  return {
    ...step,
    skipped: 'ADMIN_API_KEY was already set, so no new key was made (it is shown only when it is created)',
    note: `To use \`usher --profile ${profile}\`, save that key: npx usher profiles add ${profile} --url ${url} --admin-key -   (reads it from stdin)`,
  }
}

/** The domain of the sender address (`Usher <no-reply@example.com>` → `example.com`). */
export const mailDomain = (from: string) => /@([^\s<>@]+?)>?\s*$/.exec(from)?.[1] ?? '<your domain>'

/** Every step, in order, for these answers and what is known so far. */
export function planDeploy(answers: Answers, observed: Observed): Step[] {
  return [
    loginStep(observed),
    databaseStep(answers, observed),
    queueStep(answers, observed),
    configurationStep(answers, observed),
    migrationsStep(),
    secretsStep(answers, observed),
    profileStep(answers, observed),
    {
      id: 'deploy',
      title: 'deploy',
      checks: [],
      actions: [{ kind: 'wrangler', args: ['deploy', ...env] }],
      done: `deployed the Worker "${observed.topLevel.name}" (wrangler env ${ENVIRONMENT})`,
      ...(answers.mailProvider === 'cloudflare' && {
        note: `Cloudflare Email Service sends only from a domain onboarded to it: once, \`npx wrangler email sending enable ${mailDomain(answers.mailFrom)}\` (README: Deploying to Cloudflare).`,
      }),
    },
    {
      id: 'health',
      title: 'health check',
      checks: [],
      actions: [{ kind: 'health', url: `${answers.publicUrl}/health`, appId: answers.appId }],
      done: 'answered',
    },
  ]
}
