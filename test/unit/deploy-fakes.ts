/**
 * Shared by the deploy tests: a project directory made from this checkout's wrangler.toml, the answers a
 * typical operator gives, and a fake Cloudflare behind a scripted wrangler that answers each command the
 * way wrangler 4.155 prints it (`d1 create`'s configuration snippet, `secret list` on a Worker that does
 * not exist yet, `whoami --json` when logged out, `queues info` on a queue that does not exist) and
 * remembers what was created, so a second run sees what the first one made.
 */
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Answers, Observed } from '../../scripts/deploy/plan'
import { localFacts } from '../../scripts/deploy/run'
import { readWranglerConfig } from '../../scripts/deploy/production-config'
import type { Wrangler, WranglerResult } from '../../scripts/deploy/wrangler'

export const ROOT = path.resolve(import.meta.dirname, '../..')

export const ANSWERS: Answers = {
  appId: 'myapp',
  publicUrl: 'https://auth.example.com',
  allowedOrigins: 'https://app.example.com',
  mailProvider: 'cloudflare',
  mailFrom: 'MyApp <no-reply@example.com>',
  eventsQueue: '',
  eventsWebhookUrl: '',
  databaseName: 'usher',
  profile: 'production',
  mailApiKey: 'none',
}

/** ANSWERS as the vars production gets (and a run records). */
export const ANSWER_VARS = {
  APP_ID: ANSWERS.appId,
  PUBLIC_URL: ANSWERS.publicUrl,
  ALLOWED_ORIGINS: ANSWERS.allowedOrigins,
  MAIL_PROVIDER: ANSWERS.mailProvider,
  MAIL_FROM: ANSWERS.mailFrom,
  EVENTS_WEBHOOK_URL: ANSWERS.eventsWebhookUrl,
}

/** ANSWERS as `npm run deploy` flags. */
export const ANSWER_FLAGS = [
  ...[
    '--app-id',
    ANSWERS.appId,
    '--public-url',
    ANSWERS.publicUrl,
    '--allowed-origins',
    ANSWERS.allowedOrigins,
  ],
  ...['--mail-provider', ANSWERS.mailProvider, '--mail-from', ANSWERS.mailFrom],
]

/** A scratch project: the shipped wrangler.toml (and nothing else) in a new directory. */
export function scratchProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'usher-deploy-'))
  copyFileSync(path.join(ROOT, 'wrangler.toml'), path.join(dir, 'wrangler.toml'))
  return dir
}

/** What is known before any check, as the deploy reads it: the project's wrangler.toml and profile file. */
export function projectFacts(project: string, profileFile = path.join(project, 'profiles.json')): Observed {
  return localFacts(readWranglerConfig(path.join(project, 'wrangler.toml')), 'production', profileFile)
}

/** `text` (a wrangler.toml with the block) with the var line `from` in [env.production.vars] edited by hand. */
export function editProductionVar(text: string, from: string, to: string): string {
  const at = text.indexOf(`\n${from}\n`, text.indexOf('[env.production.vars]\n'))
  if (!text.includes('[env.production.vars]\n') || at === -1)
    throw new Error(`no ${from} in [env.production.vars]`)
  return `${text.slice(0, at + 1)}${to}${text.slice(at + 1 + from.length)}`
}

export interface FakeAccount {
  loggedIn: boolean
  accounts: { id: string; name: string }[]
  databases: { name: string; uuid: string }[]
  queues: string[]
  /** undefined: the Worker does not exist yet. */
  secrets?: Map<string, string>
  deployed: number
  /** The first command starting with this text fails (exit 1, with some output). */
  failOn?: string
}

export const newAccount = (): FakeAccount => ({
  loggedIn: true,
  accounts: [{ id: 'acc1', name: 'Ann' }],
  databases: [],
  queues: [],
  deployed: 0,
})

export interface Call {
  command: string
  input?: string
}

const answer = (stdout: string, code = 0, stderr = ''): WranglerResult => ({
  code,
  stdout,
  output: stdout + stderr,
})

/** A wrangler over `account`; every call is recorded in `calls`. */
export function fakeWrangler(account: FakeAccount, calls: Call[]): Wrangler {
  let created = 0
  return async (args, options = {}) => {
    const command = args.join(' ')
    calls.push({ command, ...(options.input !== undefined && { input: options.input }) })
    if (account.failOn && command.startsWith(account.failOn)) {
      account.failOn = undefined
      return answer('', 1, `✘ [ERROR] A request to the Cloudflare API failed: ${command}\n`)
    }
    if (command === 'whoami --json') {
      return account.loggedIn
        ? answer(
            JSON.stringify({
              loggedIn: true,
              authType: 'OAuth Token',
              email: 'ann@example.com',
              accounts: account.accounts,
            }),
          )
        : answer('\n{"loggedIn":false}\n', 1)
    }
    if (command === 'd1 list --json') {
      return answer(JSON.stringify(account.databases.map((db) => ({ ...db, version: 'production' }))))
    }
    if (args[0] === 'd1' && args[1] === 'create') {
      const uuid = `0f3c5a52-1c1b-4d8e-9a49-3f0a2d1e7b${String(++created).padStart(2, '0')}`
      account.databases.push({ name: args[2]!, uuid })
      return answer(
        `\n ⛅️ wrangler 4.155.0\n───────────\n✅ Successfully created DB '${args[2]}' in region WEUR\nCreated your new D1 database.\n\nTo access your new D1 Database in your Worker, add the following snippet to your configuration file:\n[[d1_databases]]\nbinding = "${args[2]}"\ndatabase_name = "${args[2]}"\ndatabase_id = "${uuid}"\n`,
      )
    }
    if (args[0] === 'queues' && args[1] === 'info') {
      if (!account.queues.includes(args[2]!)) {
        return answer(
          '',
          1,
          `✘ [ERROR] Queue "${args[2]}" does not exist. To create it, run: wrangler queues create ${args[2]}\n`,
        )
      }
      return answer(
        `\n ⛅️ wrangler 4.155.0\n───────────\nQueue Name: ${args[2]}\nQueue ID: 7d0c2b1a9e8f4c3b\nCreated On: 2026-11-30T09:00:00.000Z\nLast Modified: 2026-11-30T09:00:00.000Z\nNumber of Producers: 1\nProducers: worker:usher\nNumber of Consumers: 0\n`,
      )
    }
    if (args[0] === 'queues' && args[1] === 'create') {
      account.queues.push(args[2]!)
      return answer(
        `\n ⛅️ wrangler 4.155.0\n───────────\n🌀 Creating queue '${args[2]}'\n✅ Created queue '${args[2]}'\n\nConfigure your Worker to send messages to this queue:\n\n[[queues.producers]]\nqueue = "${args[2]}"\nbinding = "${args[2]!.toUpperCase().replaceAll('-', '_')}"\n`,
      )
    }
    if (command === 'secret list --env production --format json') {
      if (!account.secrets) {
        return answer(
          '',
          1,
          '✘ [ERROR] Worker "usher" (env: production) not found.\n\nIf this is a new Worker, run `wrangler deploy` first to create it.\n',
        )
      }
      return answer(
        JSON.stringify([...account.secrets.keys()].map((name) => ({ name, type: 'secret_text' }))),
      )
    }
    if (args[0] === 'secret' && args[1] === 'put') {
      account.secrets ??= new Map()
      account.secrets.set(args[2]!, options.input ?? '')
      return answer(`✨ Success! Uploaded secret ${args[2]}\n`)
    }
    if (command === 'deploy --env production') {
      account.deployed++
      account.secrets ??= new Map()
      return answer('Uploaded usher\nDeployed usher triggers\n  auth.example.com (custom domain)\n')
    }
    return answer('')
  }
}
