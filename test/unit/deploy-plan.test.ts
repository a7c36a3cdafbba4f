/**
 * What `npm run deploy` decides to do, as a pure function of the answers and what is known to exist: the
 * exact steps and wrangler commands for a fresh clone (`--plan`: nothing remote known), for a first
 * deployment, and for re-runs that find things already there.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { planDeploy, type Observed, type Step } from '../../scripts/deploy/plan'
import { commandsOf, renderPlan } from '../../scripts/deploy/plan-text'
import { BEGIN_MARKER } from '../../scripts/deploy/production-config'
import { ANSWERS, editProductionVar, projectFacts, scratchProject } from './deploy-fakes'

const PROFILES = '/home/ann/.config/usher/profiles.json'
const fresh = () => projectFacts(scratchProject(), PROFILES)
const DATABASE = { id: '0f3c5a52-1c1b-4d8e-9a49-3f0a2d1e7b01' }
const LOGIN = { email: 'ann@example.com', accounts: [{ id: 'acc1', name: 'Ann' }] }
const ALL_SECRETS = ['ADMIN_API_KEY', 'KEY_ENCRYPTION_KEY', 'FUNCTION_SECRET']

const step = (steps: Step[], id: Step['id']) => steps.find((each) => each.id === id)!
const summary = (steps: Step[]) =>
  steps.map((each) => [each.id, each.blocked ? 'blocked' : each.skipped ? 'skip' : 'run'] as const)

/**
 * The state after the first deployment: the database, the block with its id, every secret, the profile;
 * `edit` changes wrangler.toml afterwards, as an operator would by hand.
 */
function deployed(edit: (text: string) => string = (text) => text, answers = ANSWERS): Observed {
  const project = scratchProject()
  const written = step(planDeploy(answers, { ...projectFacts(project), database: DATABASE }), 'configuration')
    .actions[0]!
  if (written.kind !== 'write-configuration') throw new Error('expected the configuration to be written')
  writeFileSync(path.join(project, 'wrangler.toml'), edit(written.text))
  return {
    ...projectFacts(project, PROFILES),
    login: LOGIN,
    database: DATABASE,
    secrets: ALL_SECRETS,
    profile: { url: ANSWERS.publicUrl, adminKey: 'k'.repeat(64) },
  }
}

describe('from a fresh clone, before anything is checked (--plan)', () => {
  const steps = planDeploy(ANSWERS, fresh())

  it('has nine steps, in order', () => {
    expect(steps.map((each) => each.title)).toEqual([
      'Cloudflare login',
      'D1 database "usher"',
      'events queue',
      'production configuration ([env.production] in wrangler.toml)',
      'remote migrations',
      'secrets',
      'admin key and CLI profile "production"',
      'deploy',
      'health check',
    ])
  })

  it('runs exactly these wrangler commands', () => {
    expect(commandsOf(steps)).toEqual([
      'npx wrangler whoami --json',
      'npx wrangler d1 list --json',
      'npx wrangler d1 create usher',
      'npx wrangler types --strict-vars=false --env-file .dev.vars.example',
      'npx wrangler d1 migrations apply DB --remote --env production',
      'npx wrangler secret list --env production --format json',
      'npx wrangler secret put ADMIN_API_KEY --env production',
      'npx wrangler secret put KEY_ENCRYPTION_KEY --env production',
      'npx wrangler secret put FUNCTION_SECRET --env production',
      'npx wrangler deploy --env production',
    ])
  })

  it('makes what depends on the account conditional on what the checks will find', () => {
    expect(step(steps, 'database').actions).toEqual([
      { kind: 'wrangler', args: ['d1', 'create', 'usher'], when: 'if no D1 database "usher" exists' },
    ])
    expect(step(steps, 'secrets').actions.map((action) => 'when' in action && action.when)).toEqual([
      'if not set',
      'if not set',
      'if not set',
    ])
    expect(step(steps, 'profile').actions).toEqual([
      {
        kind: 'save-profile',
        name: 'production',
        url: 'https://auth.example.com',
        file: '/home/ann/.config/usher/profiles.json',
        when: 'if ADMIN_API_KEY was not set, so a new one was generated',
      },
    ])
  })

  it('prints each step with its commands, the block it would write and how to run it', () => {
    const text = renderPlan(ANSWERS, steps, 'npm run deploy -- --yes')
    expect(text).toMatch(
      /^Plan: deploy Usher "myapp" to https:\/\/auth\.example\.com \(wrangler env production\)\. Nothing is run; nothing is changed\.$/m,
    )
    expect(text).toContain(
      '2. D1 database "usher"\n   $ npx wrangler d1 list --json\n   $ npx wrangler d1 create usher   (if no D1 database "usher" exists)',
    )
    expect(text).toContain(`     | ${BEGIN_MARKER}`)
    expect(text).toContain('     | database_id = "<id of D1 database \\"usher\\">"')
    expect(text).toContain(
      '   $ npx wrangler secret put ADMIN_API_KEY --env production   (if not set; value generated: 64 random hex characters, on stdin)',
    )
    expect(text).toContain(
      '   GET https://auth.example.com/health (up to 6 tries, 5 s apart; expects app id "myapp")',
    )
    expect(text.trimEnd().split('\n').at(-1)).toBe('To run it: npm run deploy -- --yes')
  })
})

describe('a first deployment, once the checks have answered', () => {
  it('creates the database, writes the configuration with its id, and sets every secret', () => {
    const empty = { ...fresh(), login: LOGIN, database: null, secrets: [] }
    expect(summary(planDeploy(ANSWERS, empty))).toEqual([
      ['login', 'run'],
      ['database', 'run'],
      ['queue', 'skip'],
      ['configuration', 'run'],
      ['migrations', 'run'],
      ['secrets', 'run'],
      ['profile', 'run'],
      ['deploy', 'run'],
      ['health', 'run'],
    ])
    const created = planDeploy(ANSWERS, { ...empty, database: DATABASE })
    const write = step(created, 'configuration').actions[0]!
    expect(write.kind === 'write-configuration' && write.block).toContain(`database_id = "${DATABASE.id}"`)
    expect(step(created, 'secrets').actions.map((action) => 'when' in action && action.when)).toEqual([
      false,
      false,
      false,
    ])
  })

  it('with resend, also sets MAIL_API_KEY, asked for or read from stdin', () => {
    const empty = { ...fresh(), login: LOGIN, database: DATABASE, secrets: [] }
    const asked = step(
      planDeploy({ ...ANSWERS, mailProvider: 'resend', mailApiKey: 'ask' }, empty),
      'secrets',
    )
    expect(asked.actions.at(-1)).toMatchObject({ name: 'MAIL_API_KEY', value: 'asked' })
    const piped = step(
      planDeploy({ ...ANSWERS, mailProvider: 'resend', mailApiKey: 'stdin' }, empty),
      'secrets',
    )
    expect(piped.actions.at(-1)).toMatchObject({ name: 'MAIL_API_KEY', value: 'stdin' })
  })

  it('with --yes and resend, stops before the secrets when MAIL_API_KEY is missing, naming the flag', () => {
    const empty = { ...fresh(), login: LOGIN, database: DATABASE, secrets: ALL_SECRETS }
    const blocked = step(
      planDeploy({ ...ANSWERS, mailProvider: 'resend', mailApiKey: 'none' }, empty),
      'secrets',
    )
    expect(blocked.blocked).toMatch(
      /^MAIL_API_KEY .* --yes cannot ask for it: pass it on stdin with --mail-api-key -/,
    )
  })

  it('without a login, stops at the first step and says how to log in', () => {
    expect(step(planDeploy(ANSWERS, { ...fresh(), login: null }), 'login').blocked).toBe(
      'not logged in to Cloudflare: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then `npm run deploy` again',
    )
  })

  it('with several Cloudflare accounts, asks for CLOUDFLARE_ACCOUNT_ID unless it names one', () => {
    const accounts = [
      { id: 'a1', name: 'Ann' },
      { id: 'b2', name: 'Team' },
    ]
    const many = step(planDeploy(ANSWERS, { ...fresh(), login: { ...LOGIN, accounts } }), 'login')
    expect(many.blocked).toBe(
      'ann@example.com can use 2 Cloudflare accounts (Ann (a1), Team (b2)): choose one with CLOUDFLARE_ACCOUNT_ID=<id> npm run deploy',
    )
    const chosen = step(
      planDeploy(ANSWERS, { ...fresh(), login: { ...LOGIN, accounts, accountId: 'b2' } }),
      'login',
    )
    expect(chosen).toMatchObject({ done: 'logged in as ann@example.com, account Team' })
    expect(chosen.blocked).toBeUndefined()
  })
})

describe('a re-run', () => {
  it('skips the database, the configuration, the secrets and the profile; migrates, deploys and checks', () => {
    const steps = planDeploy(ANSWERS, deployed())
    expect(summary(steps)).toEqual([
      ['login', 'run'],
      ['database', 'skip'],
      ['queue', 'skip'],
      ['configuration', 'skip'],
      ['migrations', 'run'],
      ['secrets', 'skip'],
      ['profile', 'skip'],
      ['deploy', 'run'],
      ['health', 'run'],
    ])
    expect(commandsOf(steps)).toEqual([
      'npx wrangler whoami --json',
      'npx wrangler d1 list --json',
      'npx wrangler d1 migrations apply DB --remote --env production',
      'npx wrangler secret list --env production --format json',
      'npx wrangler deploy --env production',
    ])
  })

  it('in --plan, reuses the database id recorded by the last run, so an unchanged configuration is skipped', () => {
    const { database: _database, secrets: _secrets, login: _login, ...local } = deployed()
    expect(step(planDeploy(ANSWERS, local), 'configuration').skipped).toBe('up to date')
  })

  it('rewrites the configuration when an answer changed, and only then', () => {
    const changed = planDeploy({ ...ANSWERS, mailFrom: 'Other <no-reply@example.com>' }, deployed())
    const write = step(changed, 'configuration').actions[0]!
    expect(write.kind === 'write-configuration' && write.block).toContain(
      'MAIL_FROM = "Other <no-reply@example.com>"',
    )
  })

  it('keeps the vars the operator set in [env.production.vars], and names them when it rewrites the block', () => {
    const edited = deployed((text) =>
      editProductionVar(text, 'EVENTS_TYPES = ""', 'EVENTS_TYPES = "CREATE,DELETE"\nMY_OWN_SETTING = "x"'),
    )
    expect(step(planDeploy(ANSWERS, edited), 'configuration').skipped).toBe('up to date')
    const changed = step(planDeploy({ ...ANSWERS, appId: 'renamed' }, edited), 'configuration')
    const write = changed.actions[0]!
    expect(write.kind === 'write-configuration' && write.block).toContain(
      'EVENTS_TYPES = "CREATE,DELETE"\nMY_OWN_SETTING = "x"',
    )
    expect(changed.done).toBe(
      "written; the top level, for local development, is unchanged; production's own EVENTS_TYPES, MY_OWN_SETTING kept",
    )
  })

  it('sets only the missing secrets, and never a new admin key when one is set', () => {
    const partial = { ...deployed(), secrets: ['ADMIN_API_KEY'] }
    const steps = planDeploy(ANSWERS, partial)
    expect(step(steps, 'secrets').actions.map((action) => 'name' in action && action.name)).toEqual([
      'KEY_ENCRYPTION_KEY',
      'FUNCTION_SECRET',
    ])
    expect(step(steps, 'profile').actions).toEqual([])
  })

  it('when the Worker has an admin key the profile lacks, says how to add it with usher profiles add', () => {
    const steps = planDeploy(ANSWERS, { ...deployed(), profile: undefined })
    expect(step(steps, 'profile')).toMatchObject({
      skipped: 'ADMIN_API_KEY was already set, so no new key was made (it is shown only when it is created)',
      note: 'To use `usher --profile production`, save that key: npx usher profiles add production --url https://auth.example.com --admin-key -   (reads it from stdin)',
    })
  })

  it('with a new database name, creates that database and records it', () => {
    const steps = planDeploy({ ...ANSWERS, databaseName: 'usher-eu' }, { ...deployed(), database: null })
    expect(commandsOf(steps)).toContain('npx wrangler d1 create usher-eu')
    const write = step(steps, 'configuration').actions[0]!
    expect(write.kind === 'write-configuration' && write.block).toContain('database_name = "usher-eu"')
  })
})

describe('an events queue', () => {
  const QUEUED = { ...ANSWERS, eventsQueue: 'usher-events' }
  const binding = '[[env.production.queues.producers]]\nbinding = "EVENTS_QUEUE"\nqueue = "usher-events"'

  it('without one, is a step with nothing to do that names the option', () => {
    expect(step(planDeploy(ANSWERS, fresh()), 'queue')).toMatchObject({
      checks: [],
      actions: [],
      skipped: 'none (--events-queue <name> sends lifecycle events to a Cloudflare Queue)',
    })
  })

  it('in --plan, is looked up by name and created if missing, then bound as EVENTS_QUEUE', () => {
    const steps = planDeploy(QUEUED, fresh())
    expect(commandsOf(steps).slice(0, 5)).toEqual([
      'npx wrangler whoami --json',
      'npx wrangler d1 list --json',
      'npx wrangler d1 create usher',
      'npx wrangler queues info usher-events',
      'npx wrangler queues create usher-events',
    ])
    expect(step(steps, 'queue').actions).toEqual([
      {
        kind: 'wrangler',
        args: ['queues', 'create', 'usher-events'],
        when: 'if no queue "usher-events" exists',
      },
    ])
    const write = step(steps, 'configuration').actions[0]!
    expect(write.kind === 'write-configuration' && write.block).toContain(binding)
    const text = renderPlan(QUEUED, steps, 'npm run deploy -- --yes')
    expect(text).toContain(
      '3. events queue "usher-events"\n   $ npx wrangler queues info usher-events\n   $ npx wrangler queues create usher-events   (if no queue "usher-events" exists)\n   Consume it in your app\'s Worker: [[queues.consumers]] queue = "usher-events" (examples/app-worker).',
    )
    expect(text).toContain('     | [[env.production.queues.producers]]\n     | binding = "EVENTS_QUEUE"\n')
  })

  it('is created when the check finds none, and reused when it exists', () => {
    const created = step(planDeploy(QUEUED, { ...fresh(), queue: null }), 'queue')
    expect(created.actions).toEqual([{ kind: 'wrangler', args: ['queues', 'create', 'usher-events'] }])
    expect(created.done).toBe('created; bound as EVENTS_QUEUE')
    const reused = step(planDeploy(QUEUED, { ...deployed(), queue: { name: 'usher-events' } }), 'queue')
    expect(reused).toMatchObject({ actions: [], skipped: 'exists, reused; bound as EVENTS_QUEUE' })
    expect(reused.note).toBeUndefined()
  })

  it('added on a re-run, rewrites the configuration with the binding, and only then', () => {
    const added = planDeploy(QUEUED, { ...deployed(), queue: null })
    const write = step(added, 'configuration').actions[0]!
    expect(write.kind === 'write-configuration' && write.block).toContain(binding)
    expect(write.kind === 'write-configuration' && write.text.split(binding)).toHaveLength(2)
  })

  it('emptied on a re-run, removes the binding and keeps the queue, saying how to delete it', () => {
    const state = deployed(undefined, QUEUED)
    expect(state.recorded.EVENTS_QUEUE).toBe('usher-events')
    expect(step(planDeploy(QUEUED, state), 'configuration').skipped).toBe('up to date')
    const steps = planDeploy(ANSWERS, state)
    expect(step(steps, 'queue').skipped).toBe(
      'none: the EVENTS_QUEUE binding to "usher-events" leaves [env.production]; the queue itself is kept (`npx wrangler queues delete usher-events` deletes it)',
    )
    expect(commandsOf(steps)).not.toContain('npx wrangler queues create usher-events')
    const write = step(steps, 'configuration').actions[0]!
    expect(write.kind === 'write-configuration' && write.block).not.toContain('queues.producers')
  })
})

describe('an events webhook', () => {
  it('is written as EVENTS_WEBHOOK_URL, and emptied again when the answer is none', () => {
    const hook = 'https://app.example.com/hooks/usher-events'
    const steps = planDeploy({ ...ANSWERS, eventsWebhookUrl: hook }, deployed())
    const write = step(steps, 'configuration').actions[0]!
    expect(write.kind === 'write-configuration' && write.block).toContain(`EVENTS_WEBHOOK_URL = "${hook}"`)
    const hooked = deployed((text) =>
      editProductionVar(text, 'EVENTS_WEBHOOK_URL = ""', `EVENTS_WEBHOOK_URL = "${hook}"`),
    )
    expect(hooked.recorded.EVENTS_WEBHOOK_URL).toBe(hook)
    const emptied = step(planDeploy(ANSWERS, hooked), 'configuration').actions[0]!
    expect(emptied.kind === 'write-configuration' && emptied.block).toContain('EVENTS_WEBHOOK_URL = ""')
  })
})

describe('a configuration it will not overwrite', () => {
  it('stops on an [env.production] written by hand', () => {
    const facts = fresh()
    const hand = { ...facts, wranglerToml: `${facts.wranglerToml}\n[env.production]\nname = "mine"\n` }
    expect(step(planDeploy(ANSWERS, hand), 'configuration').blocked).toMatch(
      /^wrangler\.toml already has an \[env\.production\] section that npm run deploy did not write/,
    )
  })
})
