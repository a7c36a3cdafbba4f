/**
 * USHER_ENV=production refuses, listing every problem, what is only safe on a developer's machine: the dev
 * outbox, a missing or placeholder database id, an empty, loopback or plain-http PUBLIC_URL, and missing or
 * weak secrets; it warns (startup log, `config.get`) about ALLOWED_ORIGINS=* and APP_ID=usher-local.
 * Checked here inside workerd, with the worker's own bindings.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../worker/config'
import { admin } from './admin-helpers'
import { client, configured, count, uniqueEmail } from './helpers'

const PRODUCTION = {
  USHER_ENV: 'production',
  USHER_DATABASE_ID: '4f8a1c52-9d3e-4b7a-a6c1-2e5f8b9d0c34',
  PUBLIC_URL: 'https://auth.example.com',
  APP_ID: 'notes-app',
  ALLOWED_ORIGINS: 'https://notes.example.com',
  MAIL_PROVIDER: 'resend',
  MAIL_API_KEY: 're_5c1f0a9b8e7d6c5b4a3f2e1d',
}

function problems(overrides: Record<string, unknown>): string[] {
  try {
    loadConfig({ ...env, ...PRODUCTION, ...overrides } as unknown as Record<string, unknown>)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

describe('USHER_ENV=production', () => {
  it('accepts a production configuration, without warnings', () => {
    const config = loadConfig({ ...env, ...PRODUCTION } as unknown as Record<string, unknown>)
    expect(config).toMatchObject({ environment: 'production', databaseId: PRODUCTION.USHER_DATABASE_ID, warnings: [] })
  })

  it('refuses the dev outbox', () => {
    expect(problems({ MAIL_PROVIDER: 'outbox' })).toEqual([expect.stringMatching(/^MAIL_PROVIDER=outbox in production: no user would ever receive a mail/)])
  })

  it('refuses a missing or placeholder database id', () => {
    expect(problems({ USHER_DATABASE_ID: '' })).toEqual([expect.stringMatching(/^USHER_DATABASE_ID is missing or the placeholder/)])
    expect(problems({ USHER_DATABASE_ID: '00000000-0000-0000-0000-000000000000' })).toHaveLength(1)
  })

  it('refuses an empty, loopback or plain-http PUBLIC_URL', () => {
    expect(problems({ PUBLIC_URL: '' })).toEqual([expect.stringMatching(/^PUBLIC_URL is empty in production/)])
    expect(problems({ PUBLIC_URL: 'http://127.0.0.1:8787' })).toEqual([expect.stringMatching(/must be the public https origin/)])
    expect(problems({ PUBLIC_URL: 'http://auth.example.com' })).toHaveLength(1)
  })

  it('refuses missing and weak secrets, and lists every problem at once', () => {
    expect(problems({ ADMIN_API_KEY: 'replace-with-32+-random-characters', MAIL_PROVIDER: 'outbox', PUBLIC_URL: '' })).toEqual([
      expect.stringMatching(/^ADMIN_API_KEY is a placeholder/),
      expect.stringMatching(/^MAIL_PROVIDER=outbox/),
      expect.stringMatching(/^PUBLIC_URL is empty/),
    ])
    expect(problems({ KEY_ENCRYPTION_KEY: undefined })).toEqual([expect.stringMatching(/^KEY_ENCRYPTION_KEY is missing/)])
  })

  it('warns about ALLOWED_ORIGINS=* and APP_ID=usher-local: config.get shows it', async () => {
    const warned = configured({ ...PRODUCTION, ALLOWED_ORIGINS: '*', APP_ID: 'usher-local' })
    const config = await admin(undefined, (input, init) => warned(new Request(input, init))).config.get.query()
    expect(config.warnings).toEqual([expect.stringMatching(/^ALLOWED_ORIGINS=\* lets any web page/), expect.stringMatching(/^APP_ID=usher-local is the development default/)])
    expect(config).toMatchObject({ environment: 'production', databaseId: PRODUCTION.USHER_DATABASE_ID })
  })

  it('a refused configuration serves nothing and writes nothing', async () => {
    const refused = client(configured({ ...PRODUCTION, MAIL_PROVIDER: 'outbox' }))
    const before = await count('users')
    const res = await refused.call('POST', 'https://auth.example.com/api/client/v2.0/app/notes-app/auth/providers/local-userpass/register', {
      body: { email: uniqueEmail(), password: 'password1' },
    })
    expect(res.status).toBe(500)
    expect(await res.text()).not.toMatch(/outbox|\n\s+at /)
    expect(await count('users')).toBe(before)
  })

  it('/health names the environment and the database, and the development default has no warnings', async () => {
    const res = await configured(PRODUCTION)(new Request('https://auth.example.com/health'))
    expect(await res.json()).toMatchObject({ ok: true, appId: 'notes-app', environment: 'production', databaseId: PRODUCTION.USHER_DATABASE_ID })
    expect((await admin().config.get.query()).warnings).toEqual([])
    // Unset settings are shown as null (usher config prints them), not left out.
    expect(await admin().config.get.query()).toMatchObject({ confirmation: { url: null }, reset: { url: null } })
  })
})
