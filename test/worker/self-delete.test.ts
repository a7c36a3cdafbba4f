import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { API, api, confirmedUser, count, expectError, type Tokens } from './helpers'

it('a user deletes their own account: identities, sessions and API keys go, the event is recorded', async () => {
  const user = await confirmedUser()
  await api.call('POST', `${API}/auth/api_keys`, { token: user.refresh_token, body: { name: 'k' } })
  const second = (await (await api.login(user.email)).json()) as Tokens
  const res = await api.call('DELETE', `${API}/auth/delete`, { token: user.access_token })
  expect(res.status).toBe(204)
  for (const table of ['users WHERE id', 'identities WHERE user_id', 'sessions WHERE user_id', 'api_keys WHERE user_id']) {
    const [name, column] = table.split(' WHERE ') as [string, string]
    expect(await count(name, `${column} = ?`, user.user_id)).toBe(0)
  }
  // realm-web then logs out, and tolerates exactly this answer.
  await expectError(await api.logout(user.refresh_token), 401, 'InvalidSession', 'invalid session: failed to find refresh token')
  await expectError(await api.profile(second.access_token), 401, 'InvalidSession')
  await expectError(await api.login(user.email), 401, 'InvalidPassword')
  const entry = await env.DB.prepare("SELECT actor, detail FROM audit_log WHERE user_id = ? AND action = 'user.deleted'")
    .bind(user.user_id)
    .first<{ actor: string; detail: string }>()
  expect(entry!.actor).toBe(`user:${user.user_id}`)
  expect(JSON.parse(entry!.detail)).toMatchObject({ providers: ['local-userpass'], email: user.email })
  // The email is free again: re-registering makes a new user id.
  expect((await api.register(user.email)).status).toBe(201)
})
