/**
 * The production configuration `npm run deploy` keeps in wrangler.toml: the managed block's text, what
 * wrangler reads from it (production gets everything it needs; local development sees no change), and its
 * rewrite on every run (idempotent, in place, the rest of the file byte for byte as it was).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { unstable_readConfig } from 'wrangler'
import { describe, expect, it } from 'vitest'
import {
  BEGIN_MARKER,
  END_MARKER,
  managedBlockProblem,
  readWranglerConfig,
  renderProductionBlock,
  withProductionBlock,
  type BlockInput,
} from '../../scripts/deploy/production-config'
import { ANSWER_VARS, ANSWERS, editProductionVar, scratchProject } from './deploy-fakes'

const INPUT: BlockInput = { ...ANSWERS, databaseId: '0f3c5a52-1c1b-4d8e-9a49-3f0a2d1e7b01' }

/** A scratch project with the block for `input` written (`times` runs); returns its wrangler.toml path. */
function written(input: BlockInput = INPUT, times = 1, file = path.join(scratchProject(), 'wrangler.toml')) {
  for (let run = 0; run < times; run++) {
    const config = readWranglerConfig(file)
    const block = renderProductionBlock(config.topLevel, {
      ...input,
      recordedVars: config.recorded.vars,
      recordedServices: config.recorded.services,
    })
    writeFileSync(file, withProductionBlock(config.text, block))
  }
  return file
}

describe('the managed block', () => {
  const { topLevel } = readWranglerConfig(path.join(scratchProject(), 'wrangler.toml'))
  const block = renderProductionBlock(topLevel, INPUT)
  const lines = block.split('\n')

  it('sits between the markers, says who writes it, and names the Worker as the top level does', () => {
    expect(lines[0]).toBe(BEGIN_MARKER)
    expect(lines.at(-1)).toBe(END_MARKER)
    expect(lines.slice(1, 4).every((line) => line.startsWith('# '))).toBe(true)
    expect(block).toContain(
      '[env.production]\nname = "usher"\nroutes = [{ pattern = "auth.example.com", custom_domain = true }]\n\n[env.production.vars]\n',
    )
  })

  it('repeats every top-level var in order, with the answers and the production markers', () => {
    const vars = block.slice(
      block.indexOf('[env.production.vars]\n'),
      block.indexOf('\n\n[[env.production.d1_databases]]'),
    )
    const expected = Object.entries({
      ...topLevel.vars,
      ...ANSWER_VARS,
      USHER_ENV: 'production',
      USHER_DATABASE_ID: INPUT.databaseId,
    }).map(([name, value]) => `${name} = ${JSON.stringify(value)}`)
    expect(vars.split('\n').slice(1)).toEqual(expected)
  })

  it('binds the real database, the three rate limiters and Cloudflare Email Service', () => {
    expect(block.slice(block.indexOf('[[env.production.d1_databases]]'), block.indexOf(END_MARKER))).toBe(
      [
        '[[env.production.d1_databases]]',
        'binding = "DB"',
        'database_name = "usher"',
        `database_id = "${INPUT.databaseId}"`,
        'migrations_dir = "drizzle"',
        '',
        '[[env.production.ratelimits]]',
        'name = "AUTH_RATE_LIMITER"',
        'namespace_id = "7101"',
        'simple = { limit = 60, period = 60 }',
        '',
        '[[env.production.ratelimits]]',
        'name = "REGISTER_RATE_LIMITER"',
        'namespace_id = "7102"',
        'simple = { limit = 10, period = 60 }',
        '',
        '[[env.production.ratelimits]]',
        'name = "ADMIN_AUTH_RATE_LIMITER"',
        'namespace_id = "7103"',
        'simple = { limit = 10, period = 60 }',
        '',
        '[[env.production.send_email]]',
        'name = "SEND_EMAIL"',
        '',
      ].join('\n'),
    )
  })

  it('needs no route on workers.dev, and no send_email binding with resend', () => {
    const other = renderProductionBlock(topLevel, {
      ...INPUT,
      publicUrl: 'https://usher.ann.workers.dev',
      mailProvider: 'resend',
    })
    expect(other).not.toContain('routes')
    expect(other).not.toContain('send_email')
    expect(other).toContain('MAIL_PROVIDER = "resend"')
  })

  it('binds the events queue as EVENTS_QUEUE when one is named, and sets the events webhook', () => {
    const queued = renderProductionBlock(topLevel, {
      ...INPUT,
      eventsQueue: 'usher-events',
      eventsWebhookUrl: 'https://app.example.com/hooks/usher-events',
    })
    expect(queued).toContain(
      '[[env.production.queues.producers]]\nbinding = "EVENTS_QUEUE"\nqueue = "usher-events"\n\n[[env.production.send_email]]',
    )
    expect(queued).toContain('EVENTS_WEBHOOK_URL = "https://app.example.com/hooks/usher-events"')
    expect(block).not.toContain('queues')
    expect(block).toContain('EVENTS_WEBHOOK_URL = ""')
  })

  it('escapes answers as TOML strings', () => {
    const quoted = renderProductionBlock(topLevel, {
      ...INPUT,
      mailFrom: 'The "Best" App \\ <a@example.com>',
    })
    expect(quoted).toContain('MAIL_FROM = "The \\"Best\\" App \\\\ <a@example.com>"')
  })
})

describe('wrangler reading the written configuration', () => {
  const file = written()
  const production = unstable_readConfig({ config: file, env: 'production' })

  it('gives production its name, vars, database, limiters, mail binding and custom domain', () => {
    expect(production.name).toBe('usher')
    expect(production.vars).toMatchObject({
      APP_ID: 'myapp',
      PUBLIC_URL: 'https://auth.example.com',
      USHER_ENV: 'production',
      USHER_DATABASE_ID: INPUT.databaseId,
      SCRYPT_N: '16384',
    })
    expect(production.d1_databases).toEqual([
      expect.objectContaining({
        binding: 'DB',
        database_name: 'usher',
        database_id: INPUT.databaseId,
        migrations_dir: 'drizzle',
      }),
    ])
    expect(production.ratelimits.map((limiter: { name: string }) => limiter.name)).toEqual([
      'AUTH_RATE_LIMITER',
      'REGISTER_RATE_LIMITER',
      'ADMIN_AUTH_RATE_LIMITER',
    ])
    expect(production.send_email).toEqual([{ name: 'SEND_EMAIL' }])
    expect(production.routes).toEqual([{ pattern: 'auth.example.com', custom_domain: true }])
  })

  it('lets production inherit the entry point, compatibility, CPU limit and both crons', () => {
    expect(production.main).toMatch(/worker\/index\.ts$/)
    expect(production.compatibility_flags).toEqual(['nodejs_compat'])
    expect(production.limits).toEqual({ cpu_ms: 2000 })
    expect(production.triggers.crons).toEqual(['17 3 * * *', '* * * * *'])
  })

  it('leaves local development exactly as the shipped wrangler.toml configures it', () => {
    const local = unstable_readConfig({ config: file })
    const shipped = unstable_readConfig({ config: path.join(scratchProject(), 'wrangler.toml') })
    for (const key of [
      'name',
      'vars',
      'd1_databases',
      'ratelimits',
      'send_email',
      'routes',
      'queues',
    ] as const) {
      expect(local[key], key).toEqual(shipped[key])
    }
  })

  it('records the answers, offered again on the next run', () => {
    expect(readWranglerConfig(file).recorded).toEqual({
      ...ANSWER_VARS,
      databaseName: 'usher',
      databaseId: INPUT.databaseId,
      vars: production.vars,
      services: [],
    })
  })
})

describe('wrangler reading an events queue binding', () => {
  const file = written({ ...INPUT, eventsQueue: 'usher-events' })

  it('gives production the EVENTS_QUEUE producer, and local development none', () => {
    expect(unstable_readConfig({ config: file, env: 'production' }).queues.producers).toEqual([
      { binding: 'EVENTS_QUEUE', queue: 'usher-events' },
    ])
    expect(unstable_readConfig({ config: file }).queues.producers ?? []).toEqual([])
  })

  it('records the queue, offered again on the next run', () => {
    expect(readWranglerConfig(file).recorded.EVENTS_QUEUE).toBe('usher-events')
  })
})

describe('rewriting wrangler.toml', () => {
  it('is idempotent: a second run with the same answers writes the same file', () => {
    const once = readFileSync(written(INPUT, 1), 'utf8')
    expect(readFileSync(written(INPUT, 2), 'utf8')).toBe(once)
  })

  it('replaces the block in place, keeping everything outside it byte for byte', () => {
    const file = written()
    const before = readFileSync(file, 'utf8')
    writeFileSync(file, `${before}\n# my own note after the block\n`)
    written({ ...INPUT, appId: 'renamed' }, 1, file)
    const after = readFileSync(file, 'utf8')
    const outside = (text: string) => [
      text.slice(0, text.indexOf(BEGIN_MARKER)),
      text.slice(text.indexOf(END_MARKER)),
    ]
    expect(outside(after)[0]).toBe(outside(before)[0])
    expect(after.endsWith('\n# my own note after the block\n')).toBe(true)
    expect(after.split(BEGIN_MARKER)).toHaveLength(2)
    expect(after).toContain('APP_ID = "renamed"')
    expect(after).not.toContain('APP_ID = "myapp"')
  })

  it('keeps the vars the operator changed or added in [env.production.vars], and adds new top-level ones', () => {
    const file = written()
    let text = readFileSync(file, 'utf8')
    text = editProductionVar(text, 'CUSTOM_DATA_FORMAT = "ejson"', 'CUSTOM_DATA_FORMAT = "json"')
    text = editProductionVar(text, 'EVENTS_TYPES = ""', 'EVENTS_TYPES = "CREATE,DELETE"')
    text = editProductionVar(text, 'RATE_LIMITS = "on"', '')
    text = editProductionVar(
      text,
      'USHER_ENV = "production"',
      'USHER_ENV = "production"\nMY_OWN_SETTING = "kept"',
    )
    writeFileSync(file, text)
    written({ ...INPUT, appId: 'renamed' }, 2, file)
    const { vars } = unstable_readConfig({ config: file, env: 'production' })
    expect(vars).toMatchObject({
      APP_ID: 'renamed',
      CUSTOM_DATA_FORMAT: 'json',
      EVENTS_TYPES: 'CREATE,DELETE',
      RATE_LIMITS: 'on',
      MY_OWN_SETTING: 'kept',
      USHER_ENV: 'production',
    })
    const { topLevel } = readWranglerConfig(file)
    // In the order the operator left them; RATE_LIMITS, which the block had lost, is added at its end.
    const names = Object.keys(topLevel.vars).filter((name) => name !== 'RATE_LIMITS')
    names.splice(names.indexOf('USHER_ENV') + 1, 0, 'MY_OWN_SETTING')
    expect(Object.keys(vars)).toEqual([...names, 'RATE_LIMITS'])
    expect(unstable_readConfig({ config: file }).vars).toMatchObject({
      CUSTOM_DATA_FORMAT: 'ejson',
      EVENTS_TYPES: '',
    })
  })

  it('keeps a service binding the operator added to production, and the top level keeps none', () => {
    const file = written()
    const service = '[[env.production.services]]\nbinding = "USER_CREATION_FUNCTION"\nservice = "my-app"'
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(`\n${END_MARKER}`, `\n\n${service}\n${END_MARKER}`),
    )
    written({ ...INPUT, appId: 'renamed' }, 2, file)
    expect(unstable_readConfig({ config: file, env: 'production' }).services).toEqual([
      { binding: 'USER_CREATION_FUNCTION', service: 'my-app' },
    ])
    expect(unstable_readConfig({ config: file }).services ?? []).toEqual([])
    expect(readFileSync(file, 'utf8')).toContain('APP_ID = "renamed"')
  })

  it('still rewrites the answers and the production markers over hand edits', () => {
    const file = written()
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace('APP_ID = "myapp"', 'APP_ID = "edited"')
        .replace('USHER_ENV = "production"', 'USHER_ENV = "development"'),
    )
    written(INPUT, 1, file)
    expect(unstable_readConfig({ config: file, env: 'production' }).vars).toMatchObject({
      APP_ID: 'myapp',
      USHER_ENV: 'production',
      USHER_DATABASE_ID: INPUT.databaseId,
    })
  })

  it('appends the block after the top level the first time', () => {
    const project = scratchProject()
    const shipped = readFileSync(path.join(project, 'wrangler.toml'), 'utf8')
    const after = readFileSync(written(INPUT, 1, path.join(project, 'wrangler.toml')), 'utf8')
    expect(after.startsWith(`${shipped.trimEnd()}\n\n${BEGIN_MARKER}\n`)).toBe(true)
    expect(after.endsWith(`${END_MARKER}\n`)).toBe(true)
  })

  it('refuses broken markers or a hand-written [env.production]', () => {
    const shipped = readFileSync(path.join(scratchProject(), 'wrangler.toml'), 'utf8')
    expect(managedBlockProblem(shipped)).toBeUndefined()
    expect(managedBlockProblem(`${shipped}\n${BEGIN_MARKER}\n`)).toMatch(
      /broken pair of "npm run deploy" marker comments/,
    )
    expect(managedBlockProblem(`${shipped}\n[env.production.vars]\nAPP_ID = "x"\n`)).toMatch(/did not write/)
    expect(managedBlockProblem(`${shipped}\n[env.staging]\nname = "x"\n`)).toBeUndefined()
  })
})
