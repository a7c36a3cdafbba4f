/**
 * @module scripts/deploy/run
 * Carries out the plan (plan.ts) one step at a time: run the step's checks, decide again with what they
 * found, then do what is left, printing `✓` (done) or `·` (nothing to do) per step. The first failure
 * stops the run with the step's name, the command's output, and the command to resume with: every step is
 * safe to repeat, and a re-run skips what is already done.
 *
 * The admin key is generated here and shown exactly once: as soon as it is saved to the profile, or, if the
 * run fails after the Worker got it, in the failure report (a re-run would never show it again).
 *
 * Everything outside (wrangler, HTTP, the terminal, files, randomness, time) comes in through `DeployIo`, so
 * tests drive a whole deployment with a scripted wrangler.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { readProfiles, saveProfile } from '../../tui/profiles'
import { waitForHealth } from './health'
import { commandLine } from './plan-text'
import {
  planDeploy,
  type Action,
  type Answers,
  type Check,
  type Observed,
  type SecretName,
  type Step,
} from './plan'
import type { WranglerConfig } from './production-config'
import {
  parseCreatedDatabase,
  parseDatabase,
  parseLogin,
  parseQueue,
  parseSecrets,
  type Wrangler,
  type WranglerResult,
} from './wrangler'

export interface DeployIo {
  wrangler: Wrangler
  fetch: typeof fetch
  /** One line of the report (stdout). */
  print(line: string): void
  /** Asks for a secret without echo; undefined when none is given. */
  askSecret(question: string): Promise<string | undefined>
  readStdin(): Promise<string>
  /** A new random secret (64 hex characters). */
  generateSecret(): string
  sleep(ms: number): Promise<void>
  /** The project directory: wrangler.toml is written here. */
  cwd: string
  /** CLOUDFLARE_ACCOUNT_ID, if set. */
  accountId?: string
}

/** What is known before any check: wrangler.toml as read, and the profile the key would be saved as. */
export function localFacts(config: WranglerConfig, profileName: string, profileFile: string): Observed {
  const profiles = readProfiles(profileFile)
  return {
    wranglerToml: config.text,
    topLevel: config.topLevel,
    recorded: config.recorded,
    profile: Object.hasOwn(profiles, profileName) ? profiles[profileName] : undefined,
    profileFile,
  }
}

/** A step could not be completed; `output` is what the failing command printed. */
class StepFailure extends Error {
  constructor(
    message: string,
    readonly output?: string,
  ) {
    super(message)
  }
}

const indent = (text: string) => text.trimEnd().replace(/^/gm, '    ')

function failed(args: readonly string[], result: WranglerResult): StepFailure {
  return new StepFailure(`\`${commandLine(args)}\` exited with code ${result.code}`, result.output)
}

/** The one time the generated admin key is shown. */
const adminKeyNotice = (key: string) => [
  '',
  '    The admin key of this deployment (ADMIN_API_KEY), shown only this once:',
  '',
  `        ${key}`,
  '',
  '    ⚠ Anyone with this key can read, change and delete every user. Keep a copy in your password',
  '      manager; Cloudflare will not show it again. Never commit it or paste it into a chat.',
  '',
]

/** The step `id` as decided for what is known now. */
const stepOf = (answers: Answers, observed: Observed, id: Step['id']) =>
  planDeploy(answers, observed).find((step) => step.id === id)!

export async function runDeploy(
  answers: Answers,
  initial: Observed,
  io: DeployIo,
  resume: string,
): Promise<number> {
  let observed = initial
  const made = new Map<SecretName, string>()
  let keyShown = false

  const showAdminKey = () => {
    const key = made.get('ADMIN_API_KEY')
    if (!key || keyShown) return
    keyShown = true
    adminKeyNotice(key).forEach((line) => io.print(line))
  }

  async function wrangler(args: readonly string[], input?: string): Promise<WranglerResult> {
    const result = await io.wrangler(args, input === undefined ? {} : { input })
    if (result.code !== 0) throw failed(args, result)
    return result
  }

  async function check({ observes, args }: Check): Promise<Observed> {
    const result = await io.wrangler(args)
    const parse = {
      login: () => ({ login: parseLogin(result, io.accountId) }),
      database: () => ({
        database: result.code === 0 ? parseDatabase(result, answers.databaseName) : undefined,
      }),
      queue: () => ({ queue: parseQueue(result, answers.eventsQueue) }),
      secrets: () => ({ secrets: parseSecrets(result) }),
    }[observes]
    let found: Partial<Observed>
    try {
      found = parse()
    } catch (error) {
      throw new StepFailure(
        `could not read the answer of \`${commandLine(args)}\` (${(error as Error).message})`,
        result.output,
      )
    }
    if (Object.values(found)[0] === undefined) throw failed(args, result)
    return { ...observed, ...found }
  }

  async function secretValue(name: SecretName, source: 'generated' | 'asked' | 'stdin'): Promise<string> {
    if (source === 'generated') return io.generateSecret()
    const value = (
      source === 'stdin'
        ? await io.readStdin()
        : ((await io.askSecret(`${name} (your Resend API key; not shown): `)) ?? '')
    ).trim()
    if (!value)
      throw new StepFailure(`no ${name} was given${source === 'stdin' ? ' on stdin (--mail-api-key -)' : ''}`)
    return value
  }

  /** Do one action; returns what the `✓` line should say instead of the step's `done`, if anything. */
  async function perform(action: Action): Promise<string | undefined> {
    switch (action.kind) {
      case 'wrangler': {
        const result = await wrangler(action.args)
        if (action.args[0] !== 'd1' || action.args[1] !== 'create') return undefined
        const created = parseCreatedDatabase(result)
        if (!created) {
          throw new StepFailure(
            "the database was created, but its id was not in wrangler's answer: run again to pick it up",
            result.output,
          )
        }
        observed = { ...observed, database: created }
        return `created (${created.id})`
      }
      case 'secret': {
        const value = await secretValue(action.name, action.value)
        await wrangler(action.args, value)
        made.set(action.name, value)
        return undefined
      }
      case 'write-configuration':
        writeFileSync(path.join(io.cwd, 'wrangler.toml'), action.text)
        observed = { ...observed, wranglerToml: action.text }
        return undefined
      case 'save-profile': {
        const adminKey = made.get('ADMIN_API_KEY')
        if (!adminKey) throw new StepFailure('no admin key was generated in this run')
        showAdminKey()
        const previous = saveProfile(action.name, { url: action.url, adminKey }, action.file)
        if (previous && previous.url !== action.url)
          return `saved, replacing its previous URL ${previous.url}`
        return undefined
      }
      case 'health':
        return await waitForHealth(action.url, action.appId, io)
    }
  }

  const ids = planDeploy(answers, observed).map((step) => step.id)
  for (const [index, id] of ids.entries()) {
    let step = stepOf(answers, observed, id)
    try {
      for (const each of step.checks) observed = await check(each)
      step = stepOf(answers, observed, id)
      if (step.blocked) throw new StepFailure(step.blocked)
      if (step.skipped) {
        io.print(`· ${step.title}: ${step.skipped}`)
      } else {
        let said: string | undefined
        for (const action of step.actions) said = (await perform(action)) ?? said
        io.print(`✓ ${step.title}: ${said ?? step.done}`)
      }
      if (step.note) io.print(`  ${step.note}`)
    } catch (error) {
      const failure = error instanceof StepFailure ? error : new StepFailure((error as Error).message)
      io.print(`✗ step ${index + 1} of ${ids.length}, ${step.title}, failed: ${failure.message}`)
      if (failure.output?.trim()) io.print(indent(failure.output))
      showAdminKey()
      io.print(
        `Nothing after this step was done. Fix the cause, then run \`${resume}\` again: it skips what is already done.`,
      )
      return 1
    }
  }
  io.print('')
  io.print(`Usher "${answers.appId}" is live at ${answers.publicUrl}.`)
  io.print(`  realm-web:  new Realm.App({ id: "${answers.appId}", baseUrl: "${answers.publicUrl}" })`)
  io.print(
    `  admin:      npx usher --profile ${answers.profile} users list   ·   npx usher dashboard --profile ${answers.profile}`,
  )
  return 0
}
