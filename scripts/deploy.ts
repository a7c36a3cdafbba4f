/**
 * @module scripts/deploy
 * `npm run deploy`: Usher on Cloudflare in one guided, re-runnable command (`npm run deploy -- --help`).
 * The answers are gathered and checked first (scripts/deploy/answers.ts), then either printed as a plan
 * (`--plan`: local files only, no network, nothing written) or carried out (scripts/deploy/run.ts).
 * Exit codes: 0 done, 1 a step failed (the report says which and how to resume), 2 refused before anything
 * was changed.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { createPrompter, readAll, type Prompter } from '../tui/cli/prompt'
import { ProfileError, profilesPath } from '../tui/profiles'
import { DeployUsageError, gatherAnswers, parseDeployFlags, USAGE, validateAnswers } from './deploy/answers'
import { planDeploy } from './deploy/plan'
import { renderPlan, shellWords } from './deploy/plan-text'
import { readWranglerConfig } from './deploy/production-config'
import { localFacts, runDeploy } from './deploy/run'
import { projectWrangler } from './deploy/wrangler'

const argv = process.argv.slice(2)
const cwd = process.cwd()
const print = (line: string) => process.stdout.write(`${line}\n`)
/** How to run again: the same flags (a plan is run without --plan). */
const again = (words: readonly string[]) =>
  shellWords(['npm', 'run', 'deploy', ...(words.length ? ['--', ...words] : [])])

let prompter: Prompter | undefined
try {
  const flags = parseDeployFlags(argv)
  if (flags.help) {
    print(USAGE)
    process.exit(0)
  }
  const config = readWranglerConfig(path.join(cwd, 'wrangler.toml'))
  prompter = flags.yes ? undefined : createPrompter(process.stdin, process.stderr)
  const raw = await gatherAnswers(flags, config.recorded, prompter)
  const mailApiKey = flags['mail-api-key'] === '-' ? 'stdin' : flags.yes ? 'none' : 'ask'
  const checked = validateAnswers(raw, config.topLevel, config.recorded, mailApiKey)
  if (checked.problems) {
    process.stderr.write(
      `npm run deploy: refused, nothing was changed:\n${checked.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    )
    process.exit(2)
  }
  const { answers } = checked
  const observed = localFacts(config, answers.profile, profilesPath())
  if (flags.plan) {
    print(renderPlan(answers, planDeploy(answers, observed), again(argv.filter((word) => word !== '--plan'))))
    process.exit(0)
  }
  print(`Deploying Usher "${answers.appId}" to ${answers.publicUrl} (wrangler env production)\n`)
  process.exitCode = await runDeploy(
    answers,
    observed,
    {
      wrangler: projectWrangler(cwd, { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }),
      fetch,
      print,
      askSecret: async (question) => prompter?.ask(question, { secret: true }),
      readStdin: () => readAll(process.stdin),
      generateSecret: () => randomBytes(32).toString('hex'),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      cwd,
      accountId: process.env.CLOUDFLARE_ACCOUNT_ID,
    },
    again(argv),
  )
} catch (error) {
  const expected = error instanceof DeployUsageError || error instanceof ProfileError
  const message = error instanceof Error ? error.message : String(error)
  const help = error instanceof DeployUsageError ? ' (see `npm run deploy -- --help`)' : ''
  process.stderr.write(`npm run deploy: ${message}; nothing was changed${help}\n`)
  if (!expected && process.env.USHER_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`)
  process.exitCode = expected ? 2 : 1
} finally {
  prompter?.close()
}
