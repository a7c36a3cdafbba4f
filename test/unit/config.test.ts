import { randomBytes } from 'node:crypto'
import { unstable_readConfig } from 'wrangler'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, PBKDF2_MAX_ITERATIONS, SCRYPT_MAX_COST } from '../../worker/config'

const secrets = { ADMIN_API_KEY: randomBytes(32).toString('hex'), KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex') }

/** Every [vars] block of wrangler.toml: the top level and each [env.*]. */
function shippedConfigurations() {
  const top = unstable_readConfig({ config: 'wrangler.toml' })
  const environments = Object.keys((top as { env?: Record<string, unknown> }).env ?? {})
  return [
    ['top level', top.vars] as const,
    ...environments.map((name) => [`env.${name}`, unstable_readConfig({ config: 'wrangler.toml', env: name }).vars] as const),
  ]
}

function problems(vars: Record<string, unknown>): string[] {
  try {
    loadConfig({ APP_ID: 'app', ...secrets, ...vars })
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

describe('the shipped wrangler.toml', () => {
  it.each(shippedConfigurations())('%s has a KDF inside the Cloudflare production caps', (_, vars) => {
    const config = loadConfig({ ...vars, ...secrets })
    if (config.kdf.algorithm === 'scrypt') {
      expect(config.kdf.N * config.kdf.r * config.kdf.p).toBeLessThanOrEqual(SCRYPT_MAX_COST)
    } else {
      expect(config.kdf.iterations).toBeLessThanOrEqual(PBKDF2_MAX_ITERATIONS)
    }
  })

  it('defaults to the OWASP scrypt row N=2^14, r=8, p=5 and App Services token lifetimes', () => {
    const config = loadConfig({ ...unstable_readConfig({ config: 'wrangler.toml' }).vars, ...secrets })
    expect(config.kdf).toEqual({ algorithm: 'scrypt', N: 16384, r: 8, p: 5 })
    expect(config.accessTokenTtlSeconds).toBe(1800)
    expect(config.refreshTokenTtlSeconds).toBe(60 * 86400)
    expect(config.password).toEqual({ minLength: 6, maxLength: 128 })
    expect(config.appId).toBe('usher-local')
  })
})

describe('configurations Usher refuses to start with', () => {
  it('scrypt above N·r·p = 2^20, or any single parameter above it', () => {
    expect(problems({ SCRYPT_N: 2 ** 17, SCRYPT_R: 8, SCRYPT_P: 2 })).toEqual([
      expect.stringContaining('exceeds the Cloudflare Workers production cap of 2^20'),
      expect.stringContaining('MiB'),
    ])
    // Exactly at the cap is accepted; one step above is not.
    expect(problems({ SCRYPT_N: 2 ** 14, SCRYPT_R: 8, SCRYPT_P: 8 })).toEqual([])
    expect(problems({ SCRYPT_N: 2 ** 14, SCRYPT_R: 8, SCRYPT_P: 9 })).toEqual([expect.stringContaining('exceeds the Cloudflare Workers production cap')])
    expect(problems({ SCRYPT_N: 3000 })).toEqual([expect.stringContaining('power of two')])
  })

  it('PBKDF2 above 100,000 iterations', () => {
    expect(problems({ PASSWORD_KDF: 'pbkdf2-sha256', PBKDF2_ITERATIONS: 100_000 })).toEqual([])
    expect(problems({ PASSWORD_KDF: 'pbkdf2-sha256', PBKDF2_ITERATIONS: 600_000 })).toEqual([
      'PBKDF2_ITERATIONS=600000 exceeds the Cloudflare Workers production cap of 100000 (every hash would fail in production)',
    ])
  })

  it('missing or weak secrets, bad URLs, a function method without a function, unknown values', () => {
    expect(() => loadConfig({ APP_ID: 'app' })).toThrow(/ADMIN_API_KEY is missing/)
    expect(problems({ KEY_ENCRYPTION_KEY: 'short' })).toEqual(['KEY_ENCRYPTION_KEY must be at least 32 characters of random data'])
    expect(problems({ CONFIRMATION_URL: 'not a url' })).toEqual(['CONFIRMATION_URL must be an absolute http(s) URL'])
    expect(problems({ CONFIRMATION_FUNCTION_URL: 'http://example.com/hook' })).toEqual([
      expect.stringContaining('must be an https:// URL'),
    ])
    expect(problems({ CONFIRMATION_METHOD: 'function' })).toEqual([expect.stringContaining('needs CONFIRMATION_FUNCTION_URL')])
    expect(problems({ RESET_METHOD: 'function', RESET_FUNCTION_URL: 'https://example.com/reset' })).toEqual([
      expect.stringContaining('needs the FUNCTION_SECRET secret'),
    ])
    expect(problems({ CONFIRMATION_METHOD: 'sms' })).toHaveLength(1)
    expect(problems({ PASSWORD_MIN_LENGTH: 4 })).toEqual(['PASSWORD_MIN_LENGTH must be at least 6'])
    expect(problems({ MAIL_PROVIDER: 'resend' })).toEqual(['MAIL_PROVIDER=resend needs the MAIL_API_KEY secret'])
    expect(problems({ ALLOWED_ORIGINS: 'https://ok.example, https://bad.example/path' })).toEqual([
      expect.stringContaining('"https://bad.example/path" is not an origin'),
    ])
  })

  it('secrets that are placeholders, patterns or reused are refused, whatever their length', () => {
    const weak = (value: string) => problems({ ADMIN_API_KEY: value })
    for (const value of [
      'replace-with-32+-random-characters',
      'a'.repeat(32),
      'ab'.repeat(20),
      '0123456789abcdef'.repeat(2),
      'my-super-secret-admin-key-for-production!',
      `xyzxyz${'abcdefghijk'}${randomBytes(8).toString('hex')}`,
    ]) {
      expect(weak(value), value).toEqual([expect.stringMatching(/^ADMIN_API_KEY (is a placeholder|is not random enough)/)])
    }
    const shared = randomBytes(32).toString('hex')
    expect(problems({ ADMIN_API_KEY: shared, KEY_ENCRYPTION_KEY: shared })).toEqual(['ADMIN_API_KEY and KEY_ENCRYPTION_KEY must be different secrets'])
    // What `npm run dev` and `openssl rand` make always passes.
    for (let i = 0; i < 200; i++) {
      expect(weak(randomBytes(16).toString('hex'))).toEqual([])
      expect(weak(randomBytes(24).toString('base64url'))).toEqual([])
    }
  })

  it('lists every problem at once', () => {
    expect(() => loadConfig({ APP_ID: 'app', ...secrets, SCRYPT_P: 100, MAIL_PROVIDER: 'cloudflare' })).toThrow(
      /scrypt cost[\s\S]*SEND_EMAIL/,
    )
  })
})
