/**
 * The answers to `npm run deploy`: flags, questions (offering the last run's answers), `--yes`, and the
 * checks that refuse, before anything changes, what a production Usher would refuse at startup.
 */
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import {
  DeployUsageError,
  gatherAnswers,
  parseDeployFlags,
  validateAnswers,
  type RawAnswers,
} from '../../scripts/deploy/answers'
import { readWranglerConfig, type Recorded } from '../../scripts/deploy/production-config'
import { createPrompter } from '../../tui/cli/prompt'
import { ANSWER_FLAGS, ANSWER_VARS, ANSWERS, scratchProject } from './deploy-fakes'

const { topLevel } = readWranglerConfig(path.join(scratchProject(), 'wrangler.toml'))

const RAW: RawAnswers = { ...ANSWER_VARS, EVENTS_QUEUE: '', databaseName: 'usher', profile: 'production' }

function problems(changes: Partial<RawAnswers>): string[] {
  return validateAnswers({ ...RAW, ...changes }, topLevel, {}, 'none').problems ?? []
}

function usageError(argv: string[]): string {
  try {
    parseDeployFlags(argv)
  } catch (error) {
    if (error instanceof DeployUsageError) return error.message
    throw error
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`)
}

/** Answers typed into the questions (a pipe), and everything the questions printed. */
async function asked(lines: string[], recorded: Recorded = {}, argv: string[] = []) {
  const input = new PassThrough()
  const output = new PassThrough()
  let printed = ''
  output.on('data', (chunk) => (printed += chunk))
  input.end(lines.map((line) => `${line}\n`).join(''))
  const prompter = createPrompter(input, output)
  try {
    return { answers: await gatherAnswers(parseDeployFlags(argv), recorded, prompter), printed }
  } finally {
    prompter.close()
  }
}

describe('flags', () => {
  it('take every answer, and default the database to usher and the profile to production', async () => {
    const flags = ANSWER_FLAGS.map((flag) => (flag === ANSWERS.publicUrl ? `${flag}/` : flag))
    expect(await gatherAnswers(parseDeployFlags([...flags, '--yes']), {})).toEqual({
      ...RAW,
      PUBLIC_URL: 'https://auth.example.com/',
    })
  })

  it('with --yes, a missing answer is an error naming its flag', async () => {
    await expect(gatherAnswers(parseDeployFlags(['--yes', '--app-id', 'x']), {})).rejects.toThrow(
      'with --yes, give --public-url (PUBLIC_URL), --allowed-origins (ALLOWED_ORIGINS), --mail-provider (MAIL_PROVIDER), --mail-from (MAIL_FROM)',
    )
  })

  it('with --yes, reuse what the last run recorded', async () => {
    const recorded = { ...RAW, databaseName: 'usher-eu' }
    expect(await gatherAnswers(parseDeployFlags(['--yes', '--app-id', 'renamed']), recorded)).toEqual({
      ...RAW,
      APP_ID: 'renamed',
      databaseName: 'usher-eu',
    })
  })

  it('take the events sinks; with --yes, the last run’s, else none; - or empty for none', async () => {
    const recorded = {
      ...RAW,
      EVENTS_QUEUE: 'usher-events',
      EVENTS_WEBHOOK_URL: 'https://app.example.com/hook',
    }
    const given = parseDeployFlags([
      ...ANSWER_FLAGS,
      '--yes',
      '--events-queue',
      'other-events',
      '--events-webhook-url',
      'https://app.example.com/other',
    ])
    expect(await gatherAnswers(given, recorded)).toMatchObject({
      EVENTS_QUEUE: 'other-events',
      EVENTS_WEBHOOK_URL: 'https://app.example.com/other',
    })
    expect(await gatherAnswers(parseDeployFlags([...ANSWER_FLAGS, '--yes']), recorded)).toMatchObject({
      EVENTS_QUEUE: 'usher-events',
      EVENTS_WEBHOOK_URL: 'https://app.example.com/hook',
    })
    expect(await gatherAnswers(parseDeployFlags([...ANSWER_FLAGS, '--yes']), {})).toMatchObject({
      EVENTS_QUEUE: '',
      EVENTS_WEBHOOK_URL: '',
    })
    const emptied = parseDeployFlags([
      ...ANSWER_FLAGS,
      '--yes',
      '--events-queue',
      '',
      '--events-webhook-url=-',
    ])
    expect(await gatherAnswers(emptied, recorded)).toMatchObject({ EVENTS_QUEUE: '', EVENTS_WEBHOOK_URL: '' })
  })

  it('keep MAIL_API_KEY off the command line', () => {
    expect(usageError(['--mail-api-key', 're_123'])).toBe(
      '--mail-api-key takes only - (the key on stdin), so the key stays out of shell history and ps',
    )
    expect(usageError(['--mail-api-key', '-'])).toMatch(/use it with --yes/)
    expect(usageError(['--app'])).toMatch(/Unknown option '--app'/)
  })
})

describe('questions', () => {
  it('ask for each answer not given as a flag, in order', async () => {
    const { answers, printed } = await asked(
      ['myapp', 'https://auth.example.com', '*', 'resend', 'no-reply@example.com', 'usher-events', ''],
      {},
      ['--database-name', 'other'],
    )
    expect(answers).toEqual({
      APP_ID: 'myapp',
      PUBLIC_URL: 'https://auth.example.com',
      ALLOWED_ORIGINS: '*',
      MAIL_PROVIDER: 'resend',
      MAIL_FROM: 'no-reply@example.com',
      EVENTS_QUEUE: 'usher-events',
      EVENTS_WEBHOOK_URL: '',
      databaseName: 'other',
      profile: 'production',
    })
    expect(printed).toContain('APP_ID, the app id in realm-web URLs: ')
    expect(printed).toContain('MAIL_PROVIDER, cloudflare or resend: ')
    expect(printed).toContain(
      'EVENTS_QUEUE, the Cloudflare Queue lifecycle events go to, created if missing (empty for none): ',
    )
    expect(printed).toContain(
      'EVENTS_WEBHOOK_URL, an https endpoint lifecycle events are POSTed to, signed (empty for none): ',
    )
  })

  it('offer the last run’s answer, kept by an empty line', async () => {
    const recorded = { ...RAW, EVENTS_QUEUE: 'usher-events' }
    const { answers, printed } = await asked(['', '', 'https://other.example.com', '', '', '', ''], recorded)
    expect(answers).toMatchObject({
      APP_ID: 'myapp',
      ALLOWED_ORIGINS: 'https://other.example.com',
      EVENTS_QUEUE: 'usher-events',
      EVENTS_WEBHOOK_URL: '',
    })
    expect(printed).toContain('APP_ID, the app id in realm-web URLs [myapp]: ')
    expect(printed).toContain('created if missing [usher-events; - for none]: ')
  })

  it('answer none to an optional question with -, even over the last run’s answer', async () => {
    const recorded = {
      ...RAW,
      EVENTS_QUEUE: 'usher-events',
      EVENTS_WEBHOOK_URL: 'https://app.example.com/hook',
    }
    const { answers } = await asked(['', '', '', '', '', '-', ' - '], recorded)
    expect(answers).toMatchObject({ EVENTS_QUEUE: '', EVENTS_WEBHOOK_URL: '' })
  })

  it('stop, naming the flags, when the input ends', async () => {
    await expect(asked(['myapp'])).rejects.toThrow(
      'no answer was given for --public-url (PUBLIC_URL), --allowed-origins (ALLOWED_ORIGINS), --mail-provider (MAIL_PROVIDER), --mail-from (MAIL_FROM)',
    )
  })
})

describe('checks before anything changes', () => {
  it('accept a production setup and keep the public URL as an origin', () => {
    expect(
      validateAnswers({ ...RAW, PUBLIC_URL: `${RAW.PUBLIC_URL}/` }, topLevel, {}, 'none').answers,
    ).toEqual(ANSWERS)
  })

  it('refuse the dev outbox, saying why', () => {
    expect(problems({ MAIL_PROVIDER: 'outbox' })).toEqual([
      '--mail-provider: outbox keeps mail (with its confirmation and reset links) in the database instead of sending it: it is the local development mailbox, and production refuses it. Use cloudflare (Cloudflare Email Service) or resend',
    ])
    expect(problems({ MAIL_PROVIDER: 'smtp' })).toEqual([
      '--mail-provider: must be cloudflare or resend (got "smtp")',
    ])
  })

  it('need PUBLIC_URL to be a public https origin', () => {
    expect(problems({ PUBLIC_URL: 'http://auth.example.com' })).toEqual([
      '--public-url: must be https: tokens and passwords cross it',
    ])
    expect(problems({ PUBLIC_URL: 'https://127.0.0.1:8787' })).toEqual([
      '--public-url: is this machine; production needs its public origin',
    ])
    expect(problems({ PUBLIC_URL: 'https://localhost' })).toHaveLength(1)
    expect(problems({ PUBLIC_URL: 'https://auth.example.com/usher' })).toEqual([
      '--public-url: must be an origin only (https://auth.example.com), without a path, query or fragment',
    ])
    expect(problems({ PUBLIC_URL: 'auth.example.com' })).toEqual([
      '--public-url: is not a URL; give the https origin, e.g. https://auth.example.com',
    ])
    expect(problems({ PUBLIC_URL: 'https://auth.ann.workers.dev' })).toEqual([
      "--public-url: on workers.dev must be https://usher.<your-subdomain>.workers.dev (the Worker's name)",
    ])
    expect(problems({ PUBLIC_URL: 'https://usher.ann.workers.dev' })).toEqual([])
  })

  it('need a sender address on a real domain', () => {
    expect(problems({ MAIL_FROM: 'Usher <no-reply@usher.local>' })).toEqual([
      '--mail-from: usher.local cannot send mail: use a domain you own',
    ])
    expect(problems({ MAIL_FROM: 'MyApp' })).toEqual([
      '--mail-from: "MyApp" has no sender address: give "MyApp <no-reply@example.com>" or no-reply@example.com',
    ])
  })

  it("refuse what the worker's own configuration check refuses, naming the flag", () => {
    expect(problems({ APP_ID: 'my app!' })).toEqual([
      '--app-id: APP_ID must be 1–64 letters, digits, dots, dashes or underscores',
    ])
    expect(problems({ ALLOWED_ORIGINS: 'https://app.example.com/path, *.example.com' })).toEqual([
      '--allowed-origins: ALLOWED_ORIGINS entry "https://app.example.com/path" is not an origin like https://app.example.com',
      '--allowed-origins: ALLOWED_ORIGINS entry "*.example.com" is not an origin like https://app.example.com',
    ])
  })

  it('name bad top-level vars as wrangler.toml problems', () => {
    const broken = { ...topLevel, vars: { ...topLevel.vars, SCRYPT_N: '1048576' } }
    const found = validateAnswers(RAW, broken, {}, 'none').problems ?? []
    expect(found[0]).toMatch(/^wrangler\.toml \[vars\]: scrypt cost N·r·p/)
  })

  it('need a Cloudflare Queues name for the events queue, or none', () => {
    const rule =
      'is not a Cloudflare Queues name: 1–63 lowercase letters, digits or dashes, starting and ending with a letter or digit (e.g. usher-events)'
    for (const bad of ['Usher-Events', 'usher_events', '-usher', 'usher-', 'usher events', 'q'.repeat(64)]) {
      expect(problems({ EVENTS_QUEUE: bad }), bad).toEqual([`--events-queue: "${bad}" ${rule}`])
    }
    for (const good of ['', 'u', 'usher-events', '0-events-2', 'q'.repeat(63)]) {
      expect(problems({ EVENTS_QUEUE: good }), good).toEqual([])
    }
    const answers = validateAnswers({ ...RAW, EVENTS_QUEUE: 'usher-events' }, topLevel, {}, 'none').answers
    expect(answers).toEqual({ ...ANSWERS, eventsQueue: 'usher-events' })
  })

  it("need an https events webhook the Worker can reach, checked by the worker's own rules", () => {
    expect(problems({ EVENTS_WEBHOOK_URL: 'http://app.example.com/hook' })).toEqual([
      '--events-webhook-url: EVENTS_WEBHOOK_URL must be an https:// URL (plain http is only accepted for localhost)',
    ])
    expect(problems({ EVENTS_WEBHOOK_URL: 'app.example.com/hook' })).toEqual([
      '--events-webhook-url: EVENTS_WEBHOOK_URL must be an absolute http(s) URL',
    ])
    expect(problems({ EVENTS_WEBHOOK_URL: 'http://localhost:8788/hook' })).toEqual([
      '--events-webhook-url: is this machine: the deployed Worker cannot reach it',
    ])
    const hook = 'https://app.example.com/hooks/usher-events'
    expect(validateAnswers({ ...RAW, EVENTS_WEBHOOK_URL: hook }, topLevel, {}, 'none').answers).toEqual({
      ...ANSWERS,
      eventsWebhookUrl: hook,
    })
  })

  it('judge the vars production keeps of its own, naming [env.production.vars]', () => {
    const recorded = { vars: { ...topLevel.vars, EVENTS_TYPES: 'CREATE,SIGNUP' } }
    expect(validateAnswers(RAW, topLevel, recorded, 'none').problems).toEqual([
      expect.stringMatching(
        /^wrangler\.toml \[env\.production\.vars\]: EVENTS_TYPES\S* must list event types/,
      ),
    ])
  })

  it('count the service bindings production keeps: a function Worker bound only in production', () => {
    const vars = { ...topLevel.vars, CONFIRMATION_METHOD: 'function' }
    expect(validateAnswers(RAW, topLevel, { vars }, 'none').problems).toEqual([
      'wrangler.toml [env.production.vars]: CONFIRMATION_METHOD=function needs CONFIRMATION_FUNCTION_URL (an https webhook) or a service binding named CONFIRMATION_FUNCTION',
    ])
    const services = [{ binding: 'CONFIRMATION_FUNCTION', service: 'my-app' }]
    expect(validateAnswers(RAW, topLevel, { vars, services }, 'none').problems).toBeUndefined()
  })

  it('check the database and profile names', () => {
    expect(problems({ databaseName: 'my db' })).toEqual([
      '--database-name: must be letters, digits, dashes or underscores',
    ])
    expect(problems({ profile: '../x' })).toEqual([
      '--profile: profile names are 1–64 letters, digits, dots, dashes or underscores (got "../x")',
    ])
  })
})
