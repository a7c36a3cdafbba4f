/** The documented settings change what users see (README "Configuration"). */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { client, configured, expectError, lastMail, uniqueEmail, type Tokens } from './helpers'

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString())

describe('configuration', () => {
  it('PUBLIC_URL, CONFIRMATION_URL and RESET_URL shape the location answer and the mailed links', async () => {
    const app = client(
      configured({
        PUBLIC_URL: 'https://auth.example.com/',
        CONFIRMATION_URL: 'https://app.example.com/welcome?lang=en',
        RESET_URL: 'https://app.example.com/reset',
      }),
    )
    const location = (await (await app.call('GET', 'https://usher.test/api/client/v2.0/app/usher-local/location')).json()) as {
      hostname: string
      ws_hostname: string
    }
    expect(location).toMatchObject({ hostname: 'https://auth.example.com', ws_hostname: 'wss://auth.example.com' })
    const email = uniqueEmail()
    await app.register(email)
    const confirm = await lastMail(email)
    expect(confirm.link).toMatch(/^https:\/\/app\.example\.com\/welcome\?lang=en&token=[\w-]{43}&tokenId=[0-9a-f]{24}$/)
    await app.userpass('confirm', { token: confirm.token, tokenId: confirm.tokenId })
    await app.userpass('reset/send', { email })
    expect((await lastMail(email)).link).toMatch(/^https:\/\/app\.example\.com\/reset\?token=/)
    const error = await expectError(await app.login(uniqueEmail(), 'password1'), 401, 'InvalidPassword')
    expect(error.link).toBe('https://auth.example.com/errors#InvalidPassword')
  })

  it('ACCESS_TOKEN_TTL_SECONDS and REFRESH_TOKEN_TTL_SECONDS set the lifetimes', async () => {
    const app = client(configured({ CONFIRMATION_METHOD: 'auto', ACCESS_TOKEN_TTL_SECONDS: '600', REFRESH_TOKEN_TTL_SECONDS: '3600' }))
    const email = uniqueEmail()
    await app.register(email)
    const tokens = (await (await app.login(email)).json()) as Tokens
    const claims = claimsOf(tokens.access_token)
    expect(claims.exp - claims.iat).toBe(600)
    const session = await env.DB.prepare('SELECT created_at, expires_at FROM sessions WHERE id = ?')
      .bind(tokens.refresh_token.split('.')[0])
      .first<{ created_at: number; expires_at: number }>()
    expect(session!.expires_at - session!.created_at).toBe(3600 * 1000)
  })

  it('PASSWORD_MIN_LENGTH raises the minimum', async () => {
    const app = client(configured({ PASSWORD_MIN_LENGTH: '12' }))
    await expectError(await app.register(uniqueEmail(), 'eleven-char'), 400, 'InvalidParameter', 'password must be between 12 and 128 characters')
    expect((await app.register(uniqueEmail(), 'twelve-chars')).status).toBe(201)
  })

  it('PASSWORD_KDF=pbkdf2-sha256 hashes with PBKDF2 and logs in', async () => {
    const app = client(configured({ PASSWORD_KDF: 'pbkdf2-sha256', PBKDF2_ITERATIONS: '1000', CONFIRMATION_METHOD: 'auto' }))
    const email = uniqueEmail()
    await app.register(email)
    const stored = await env.DB.prepare('SELECT password_hash FROM identities WHERE email = ?').bind(email).first<{ password_hash: string }>()
    expect(stored!.password_hash).toMatch(/^\$pbkdf2-sha256\$i=1000\$/)
    expect((await app.login(email)).status).toBe(200)
    await expectError(await app.login(email, 'wrong-password'), 401, 'InvalidPassword')
  })
})
