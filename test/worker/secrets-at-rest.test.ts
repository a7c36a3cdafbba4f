/**
 * Secrets at rest: after every flow that creates a secret, no table holds one in clear — not passwords,
 * refresh tokens, access tokens, API keys, confirmation/reset tokens, or the signing key's private part. Tokens reach this test the way an
 * app's own functions receive them (no mail is stored: the dev outbox, by design a mailbox, is empty here).
 */
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { openSecret } from '../../worker/auth/key-encryption'
import { API, APP, appBinding, client, configured, type Tokens } from './helpers'

it('no table holds any secret in clear', async () => {
  const { calls: received, binding: capture } = appBinding<{ token: string; tokenId: string }>(() => Response.json({ status: 'pending' }))
  const app = client(
    configured({
      CONFIRMATION_METHOD: 'function',
      CONFIRMATION_FUNCTION: capture,
      RESET_METHOD: 'function',
      RESET_FUNCTION: capture,
      MAIL_PROVIDER: 'cloudflare',
      SEND_EMAIL: env.SEND_EMAIL,
    }),
  )
  const password = 'Correct-Horse-Battery-Staple'
  const email = `secret-keeper-${crypto.randomUUID().slice(0, 8)}@example.com`
  expect((await app.register(email, password)).status).toBe(201)
  expect((await app.userpass('confirm', { token: received[0]!.token, tokenId: received[0]!.tokenId })).status).toBe(204)
  const session = (await (await app.login(email, password)).json()) as Tokens
  const refreshed = (await (await app.refresh(session.refresh_token)).json()) as { access_token: string }
  const userKey = (await (await app.call('POST', `${API}/auth/api_keys`, { token: session.refresh_token, body: { name: 'k' } })).json()) as { key: string }
  const keySession = (await (await app.call('POST', `${APP}/auth/providers/api-key/login`, { body: { key: userKey.key } })).json()) as Tokens
  expect((await app.userpass('reset/call', { email, password: 'Second-Password-42' })).status).toBe(204)
  const pendingReset = received[1]!
  // The signing key's private part (read back through the key-encryption secret, as only Usher can).
  const key = (await env.DB.prepare("SELECT kid, private_key FROM signing_keys WHERE slot = 'current'").first<{ kid: string; private_key: string }>())!
  const privateJwk = JSON.parse(await openSecret(env.KEY_ENCRYPTION_KEY, key.private_key, key.kid)) as { d: string }

  const secrets = [
    password,
    'Second-Password-42',
    session.refresh_token,
    session.refresh_token.split('.')[1]!,
    session.access_token,
    refreshed.access_token,
    userKey.key,
    userKey.key.split('.')[1]!,
    keySession.refresh_token.split('.')[1]!,
    received[0]!.token,
    pendingReset.token,
    privateJwk.d,
    env.KEY_ENCRYPTION_KEY,
  ]
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'").all<{ name: string }>()
  expect(tables.results.map((t) => t.name).sort()).toEqual(['action_tokens', 'api_keys', 'audit_log', 'events', 'identities', 'known_clients', 'login_throttle', 'mail_quota', 'oauth_flows', 'outbox', 'password_hash_parameters', 'sessions', 'signing_keys', 'user_tab_counts', 'users'])
  let cells = 0
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>()
    for (const row of rows.results) {
      for (const value of Object.values(row)) {
        cells++
        const text = String(value)
        for (const secret of secrets) expect(text, `${name} holds a secret in clear`).not.toContain(secret)
      }
    }
  }
  expect(cells).toBeGreaterThan(50)
  expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM outbox').first<{ n: number }>()).toEqual({ n: 0 })
})
