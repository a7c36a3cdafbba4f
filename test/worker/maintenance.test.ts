import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import worker from '../../worker/index'
import type { Bindings } from '../../worker/context'
import { expect, it } from 'vitest'
import { API, APP, api, confirmedUser, count, type Tokens } from './helpers'

const DAY = 24 * 60 * 60 * 1000

it('the daily job removes expired sessions and tokens, stale throttle rows, and anonymous users after 90 days', async () => {
  const keeper = await confirmedUser()
  const expiring = (await (await api.login(keeper.email)).json()) as Tokens
  await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, expiring.refresh_token.split('.')[0]).run()

  const oldAnon = (await (await api.anonymous()).json()) as Tokens
  const youngAnon = (await (await api.anonymous()).json()) as Tokens
  const linkedAnon = (await (await api.anonymous()).json()) as Tokens
  await api.call('POST', `${API}/auth/api_keys`, { token: linkedAnon.refresh_token, body: { name: 'x' } })
  const email = `linked-${crypto.randomUUID().slice(0, 8)}@example.com`
  await api.register(email)
  const mail = await env.DB.prepare('SELECT link FROM outbox WHERE "to" = ?').bind(email).first<{ link: string }>()
  const link = new URL(mail!.link)
  await api.userpass('confirm', { token: link.searchParams.get('token'), tokenId: link.searchParams.get('tokenId') })
  await api.call('POST', `${APP}/auth/providers/local-userpass/login?link=true`, { token: linkedAnon.access_token, body: { username: email, password: 'password1' } })
  await env.DB.prepare('UPDATE users SET created_at = ? WHERE id IN (?, ?)').bind(Date.now() - 91 * DAY, oldAnon.user_id, linkedAnon.user_id).run()

  await env.DB.prepare("INSERT INTO action_tokens (id, user_id, purpose, secret_hash, created_at, expires_at) VALUES ('aaaaaaaaaaaaaaaaaaaaaaaa', ?, 'reset', 'x', 0, ?)").bind(keeper.user_id, Date.now() - 2 * DAY).run()
  await env.DB.prepare("INSERT INTO login_throttle VALUES ('old@example.com', 3, 0, 3, 0, ?), ('recent@example.com', 3, 0, 3, 0, ?)").bind(Date.now() - 2 * DAY, Date.now()).run()

  // The Worker's own scheduled handler, as the daily Cron Trigger invokes it.
  const ctx = createExecutionContext()
  await worker.scheduled(createScheduledController({ cron: '17 3 * * *', scheduledTime: Date.now() }), env as unknown as Bindings, ctx)
  await waitOnExecutionContext(ctx)

  expect(await count('sessions', 'id = ?', expiring.refresh_token.split('.')[0])).toBe(0)
  expect((await api.profile(keeper.access_token)).status).toBe(200)
  expect(await count('users', 'id = ?', oldAnon.user_id)).toBe(0)
  expect(await count('users', 'id = ?', youngAnon.user_id)).toBe(1)
  expect(await count('users', 'id = ?', linkedAnon.user_id)).toBe(1)
  expect(await count('audit_log', "user_id = ? AND action = 'user.deleted' AND actor = 'system'", oldAnon.user_id)).toBe(1)
  expect(await count('action_tokens', "id = 'aaaaaaaaaaaaaaaaaaaaaaaa'")).toBe(0)
  expect(await count('login_throttle', "subject = 'old@example.com'")).toBe(0)
  expect(await count('login_throttle', "subject = 'recent@example.com'")).toBe(1)
  expect((await api.refresh(oldAnon.refresh_token)).status).toBe(401)
})

it('ANONYMOUS_USER_TTL_DAYS=0 keeps anonymous users however old', async () => {
  const anon = (await (await api.anonymous()).json()) as Tokens
  await env.DB.prepare('UPDATE users SET created_at = ? WHERE id = ?').bind(Date.now() - 400 * DAY, anon.user_id).run()
  const ctx = createExecutionContext()
  const keepForever = { ...env, ANONYMOUS_USER_TTL_DAYS: '0' } as unknown as Bindings
  await worker.scheduled(createScheduledController({ cron: '17 3 * * *', scheduledTime: Date.now() }), keepForever, ctx)
  await waitOnExecutionContext(ctx)
  expect(await count('users', 'id = ?', anon.user_id)).toBe(1)
})

it("an imported Firebase project's hash parameters go once no stored hash uses them (a day's grace), audited", async () => {
  const id = (n: number) => `${'0'.repeat(23)}${n}`
  const stillUsed = await confirmedUser()
  await env.DB.prepare("UPDATE identities SET password_hash = ? WHERE user_id = ? AND provider_type = 'local-userpass'")
    .bind(`$firebase-scrypt$p=${id(1)}$c2FsdA$aGFzaA`, stillUsed.user_id)
    .run()
  const old = Date.now() - 2 * DAY
  await env.DB.prepare("INSERT INTO password_hash_parameters (id, scheme, sealed, created_at) VALUES (?, 'firebase-scrypt', 'x', ?), (?, 'firebase-scrypt', 'x', ?), (?, 'firebase-scrypt', 'x', ?)")
    .bind(id(1), old, id(2), old, id(3), Date.now())
    .run()

  const ctx = createExecutionContext()
  await worker.scheduled(createScheduledController({ cron: '17 3 * * *', scheduledTime: Date.now() }), env as unknown as Bindings, ctx)
  await waitOnExecutionContext(ctx)

  // In use: kept. Unused for more than a day: deleted. Stored today (an import may still send its users): kept.
  expect(await count('password_hash_parameters', 'id = ?', id(1))).toBe(1)
  expect(await count('password_hash_parameters', 'id = ?', id(2))).toBe(0)
  expect(await count('password_hash_parameters', 'id = ?', id(3))).toBe(1)
  expect(await count('audit_log', "action = 'hash-parameters.deleted' AND actor = 'system' AND json_extract(detail, '$.id') = ?", id(2))).toBe(1)
  expect(await count('audit_log', "action = 'hash-parameters.deleted' AND json_extract(detail, '$.id') IN (?, ?)", id(1), id(3))).toBe(0)
})

it('login audit entries go after LOGIN_AUDIT_RETENTION_DAYS (90 by default), other entries stay; 0 keeps them', async () => {
  const user = await confirmedUser()
  await env.DB.prepare("UPDATE audit_log SET at = ? WHERE user_id = ? AND action IN ('user.login', 'user.registered')")
    .bind(Date.now() - 91 * DAY, user.user_id)
    .run()
  expect((await api.login(user.email)).status).toBe(200)
  const entries = (action: string) => count('audit_log', 'user_id = ? AND action = ?', user.user_id, action)
  const runWith = async (vars: Record<string, string>) => {
    const ctx = createExecutionContext()
    await worker.scheduled(createScheduledController({ cron: '17 3 * * *', scheduledTime: Date.now() }), { ...env, ...vars } as unknown as Bindings, ctx)
    await waitOnExecutionContext(ctx)
  }

  await runWith({ LOGIN_AUDIT_RETENTION_DAYS: '0' })
  expect(await entries('user.login')).toBe(2)
  await runWith({})
  // The old login goes; today's stays, and so does the old registration entry.
  expect(await entries('user.login')).toBe(1)
  expect(await entries('user.registered')).toBe(1)
})
