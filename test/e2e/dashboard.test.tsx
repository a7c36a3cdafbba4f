/**
 * The real dashboard against the real worker: wrangler's test harness runs Usher on workerd with a fresh
 * local D1, the real admin client talks to it over HTTP, and Ink renders the dashboard (ink-testing-library).
 * A user registers through the client API, as an app would; the admin confirms them by pressing `c` (and
 * finds it in the audit trail by address), meets the server's own sentences for actions that would change
 * nothing, filters the user tabs by login provider (`p`), manages a user's own API keys (`a`, then `d`; `s`
 * then `k`), rotates the signing key with `r`, edits a user's custom data in an editor (`e`, a real editor
 * process) and meets the lifecycle events on the Events tab (8), where `r` is refused without a sink.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createAdminClient } from '../../tui/admin-client'
import { scriptedEditor, type EditorRun } from '../tui/editor-script'
import { KEY, renderDashboard } from '../tui/render'
import { ADMIN_KEY, startUsher } from './harness'

let usher: Awaited<ReturnType<typeof startUsher>>

beforeAll(async () => {
  usher = await startUsher()
})
afterAll(async () => {
  await usher?.close()
})

const admin = () => createAdminClient({ url: usher.origin, adminKey: ADMIN_KEY })

/** The real dashboard on the real admin client; `e` runs `editor`'s runs, if given. */
function open(client = admin(), editor?: EditorRun[]) {
  return renderDashboard({
    client,
    connection: { url: usher.origin, source: { url: 'flag', adminKey: 'flag' } },
    ...(editor && { env: scriptedEditor(editor).env }),
  })
}

/** The dashboard on user tab `tab` (1–3), searched down to `email`, who is selected. */
async function openOn(client: ReturnType<typeof admin>, tab: '1' | '2' | '3', email: string, editor?: EditorRun[]) {
  const ui = open(client, editor)
  await ui.waitFor('● live', 30_000)
  await ui.press(tab)
  await ui.waitFor(`[${tab} `, 30_000)
  await ui.press('/')
  await ui.waitFor('type to filter', 30_000)
  await ui.type(email)
  await ui.press(KEY.enter)
  await ui.waitFor(`› ${{ '1': '○', '2': '●', '3': '⊘' }[tab]} ${email}`, 30_000)
  return ui
}

/** The dashboard on the Confirmed tab, searched down to `email`, who is selected. */
const openOnConfirmed = (client: ReturnType<typeof admin>, email: string, editor?: EditorRun[]) =>
  openOn(client, '2', email, editor)

/** What the server answers when asked anyway. */
const refusalOf = (request: Promise<unknown>) =>
  request.then(
    () => 'no refusal',
    (error: Error) => error.message,
  )

const logIn = (email: string, password: string) =>
  fetch(`${usher.origin}/api/client/v2.0/app/usher-local/auth/providers/local-userpass/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: email, password }),
  })

async function register(email: string) {
  const response = await fetch(
    `${usher.origin}/api/client/v2.0/app/usher-local/auth/providers/local-userpass/register`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'password1' }),
    },
  )
  expect(response.status).toBe(201)
}

it('confirms a pending user with c', async () => {
  const email = `pending-${Date.now().toString(36)}@example.com`
  await register(email)
  const client = admin()
  const ui = open(client)
  await ui.waitFor(`› ○ ${email}`, 30_000)
  expect(ui.line(email)).toContain('awaits confirmation')
  expect(ui.frame().split('\n')[0]).toContain('usher-local')
  await ui.press('c')
  await ui.waitFor(`✔ Confirmed ${email}: awaits first login`, 30_000)
  await ui.waitFor(new RegExp(`◐ ${email.replace('.', '\\.')}\\s+awaits first login`), 30_000)

  const { items } = await client.users.list.query({ status: 'pending', search: email })
  expect(items.map((user) => [user.email, user.status])).toEqual([[email, 'pending-login']])

  // The audit trail names the user by their address.
  await ui.press('6')
  await ui.waitFor(new RegExp(`✔ user\\.confirmed\\s+\\S.*admin\\s+${email.replace('.', '\\.')}`), 30_000)
})

it("shows the server's own refusal in red when another admin got there first", async () => {
  // The list still shows the user as unconfirmed when the confirmation (from elsewhere) lands.
  const email = `race-${Date.now().toString(36)}@example.com`
  await register(email)
  const client = admin()
  const ui = open(client)
  await ui.waitFor(`› ○ ${email}`, 30_000)
  const { items } = await client.users.list.query({ status: 'pending', search: email })
  await client.users.confirm.mutate({ userId: items[0]!.id })
  await ui.press('c')
  await ui.waitForBanner(`✘ Confirming ${email} failed: `)
  expect(ui.banner()).toMatch(/failed: .*already confirmed/)
})

it("refuses what would change nothing in the server's own words, without sending it", async () => {
  const client = admin()
  const stamp = Date.now().toString(36)
  const disabled = `no-op-${stamp}@example.com`
  const user = await client.users.create.mutate({ email: disabled, password: 'password1' })
  await client.users.disable.mutate({ userId: user.id })
  const alreadyDisabled = await refusalOf(client.users.disable.mutate({ userId: user.id }))
  expect(alreadyDisabled).toBe('this user is already disabled')
  let ui = await openOn(client, '3', disabled)
  await ui.press('d')
  await ui.waitForBanner(`⚠ Can't disable ${disabled}: ${alreadyDisabled}`)
  ui.unmount()

  const pending = `no-op-pending-${stamp}@example.com`
  await register(pending)
  const [registered] = (await client.users.list.query({ status: 'pending', search: pending })).items
  const noSessions = await refusalOf(client.users.revokeSessions.mutate({ userId: registered!.id }))
  expect(noSessions).toBe('this user has not logged in yet: there are no sessions to revoke')
  ui = await openOn(client, '1', pending)
  expect(ui.footer()).not.toContain('s revoke sessions')
  await ui.press('s')
  await ui.waitForBanner(`⚠ Can't revoke sessions ${pending}: ${noSessions}`)
  const audited = (await client.audit.list.query({ userId: registered!.id })).items.map((entry) => entry.action)
  // One refusal: the request made above, not a second one from the dashboard.
  expect(audited.filter((action) => action === 'admin.users.revokeSessions')).toHaveLength(1)
}, 120_000)

it('p filters the user tabs by login provider on the server; the details name each identity', async () => {
  const client = admin()
  const email = `local-${Date.now().toString(36)}@example.com`
  await client.users.create.mutate({ email, password: 'password1' })
  const anonymous = (await (
    await fetch(`${usher.origin}/api/client/v2.0/app/usher-local/auth/providers/anon-user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
  ).json()) as { user_id: string }
  const ui = open(client)
  await ui.waitFor('● live', 30_000)
  await ui.press('2')
  await ui.waitFor(email, 30_000)
  await ui.press('p', 'p')
  await ui.waitFor('◆ anon-user only', 30_000)
  await ui.waitFor((frame) => frame.includes(`› ● ${anonymous.user_id}`) && !frame.includes(email), 30_000)
  await ui.press(KEY.enter)
  await ui.waitFor(/identities anon-user\s/, 30_000)
}, 120_000)

it('clears an account\'s failed-login lock with l', async () => {
  const email = `locked-${Date.now().toString(36)}@example.com`
  const client = admin()
  const user = await client.users.create.mutate({ email, password: 'password1' })
  const login = (password: string) => logIn(email, password)
  for (let i = 0; i < 5; i++) expect((await login('wrong-password')).status).toBe(401)
  // Locked: the right password is told so ("temporarily locked"), never "invalid username/password".
  expect((await login('password1')).status).toBe(429)

  const ui = await openOnConfirmed(client, email)
  await ui.press(KEY.enter)
  // The first lock (after the 5th failure) lasts a second; the failures stay on record until cleared.
  await ui.waitFor('5 in a row, 5 this hour', 30_000)
  await ui.press('l')
  await ui.waitFor(`✔ Cleared the login lock of ${email}: they can log in again`, 30_000)
  expect((await client.users.get.query({ userId: user.id })).lock).toBeNull()
  expect((await login('password1')).status).toBe(200)
}, 120_000)

it("disables a user's own API key from their details (a, d); s then k disables the rest with their sessions", async () => {
  const client = admin()
  const email = `own-keys-${Date.now().toString(36)}@example.com`
  const user = await client.users.create.mutate({ email, password: 'password1' })
  const { refresh_token: refreshToken } = (await (await logIn(email, 'password1')).json()) as { refresh_token: string }
  const makeKey = async (name: string) => {
    const response = await fetch(`${usher.origin}/api/client/v2.0/auth/api_keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${refreshToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    })
    expect(response.status).toBe(201)
    return ((await response.json()) as { key: string }).key
  }
  const keyLogin = (key: string) =>
    fetch(`${usher.origin}/api/client/v2.0/app/usher-local/auth/providers/api-key/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    })
  const laptop = await makeKey('laptop')
  const phone = await makeKey('phone')

  const ui = await openOnConfirmed(client, email)
  await ui.press('a')
  await ui.waitFor('› ● phone · used never', 30_000)
  await ui.press('d')
  await ui.waitForBanner(`✔ Disabled API key phone of ${email}`)
  await ui.waitFor('› ⊘ phone · disabled', 30_000)
  expect((await keyLogin(phone)).status).toBe(401)
  expect((await keyLogin(laptop)).status).toBe(200)

  await ui.press(KEY.escape, 's')
  await ui.waitFor(`⚠ Revoke every session of ${email}?`, 30_000)
  await ui.press('k')
  // The password login's session and the laptop key's.
  await ui.waitForBanner(`✔ Revoked 2 sessions of ${email} and disabled 1 API key`)
  expect((await keyLogin(laptop)).status).toBe(401)
  const details = await client.users.get.query({ userId: user.id })
  expect(details.sessionCount).toBe(0)
  expect(details.apiKeys.map((key) => [key.name, key.disabled])).toEqual([
    ['phone', true],
    ['laptop', true],
  ])
}, 120_000)

it('rotates the signing key with r: the next key takes over, and the previous key keeps verifying its tokens', async () => {
  const client = admin()
  const email = `rotate-${Date.now().toString(36)}@example.com`
  await client.users.create.mutate({ email, password: 'password1' })
  const { access_token: token } = (await (await logIn(email, 'password1')).json()) as { access_token: string }
  const keys = (await client.keys.list.query()).items
  const before = keys.find((key) => key.state === 'current')!
  const next = keys.find((key) => key.state === 'next')!

  const ui = open(client)
  await ui.waitFor('● live', 30_000)
  await ui.press('5')
  await ui.waitFor(`› ● ${before.kid.slice(0, 20)}`, 30_000)
  expect(ui.line(next.kid.slice(0, 20))).toMatch(/◌ \S+\s+next/)
  await ui.press('r')
  await ui.waitFor('⚠ Rotate the signing key?', 30_000)
  await ui.press('y')
  await ui.waitForBanner(`✔ Rotated: ${next.kid.slice(0, 8)}… signs new tokens; ${before.kid.slice(0, 8)}… stays accepted until `)
  expect(ui.banner()).toMatch(/; \S{8}… is the new next key$/)
  await ui.waitFor(new RegExp(`◐ ${before.kid.slice(0, 20)}\\S*\\s+previous`), 30_000)

  const after = (await client.keys.list.query()).items
  expect(after.find((key) => key.kid === before.kid)?.state).toBe('previous')
  expect(after.filter((key) => key.state === 'current').map((key) => key.kid)).toEqual([next.kid])
  expect(after.filter((key) => key.state === 'next')).toHaveLength(1)
  expect(await client.users.verifyToken.mutate({ token })).toMatchObject({ status: 'live' })
}, 120_000)

it("edits a user's custom data in the editor (e): invalid JSON is explained and kept, valid JSON is saved", async () => {
  const client = admin()
  const email = `custom-data-${Date.now().toString(36)}@example.com`
  const user = await client.users.create.mutate({ email, password: 'password1' })
  await client.users.setCustomData.mutate({ userId: user.id, data: { plan: 'free' } })
  const ui = await openOnConfirmed(client, email, [
    { write: '{ "plan": "pro", }' },
    { write: '{ "plan": "pro", "seats": 3 }' },
    { write: null },
  ])
  await ui.press(KEY.enter)
  await ui.waitFor('"plan": "free"', 30_000)
  await ui.press('e')
  await ui.waitFor(`✘ The custom data of ${email} was not saved: not valid JSON`, 30_000)
  expect((await client.users.get.query({ userId: user.id })).customData).toEqual({ plan: 'free' })
  await ui.press('e')
  await ui.waitForBanner(`✔ Custom data of ${email} saved (24 bytes)`)
  await ui.waitFor('"seats": 3', 30_000)
  expect((await client.users.get.query({ userId: user.id })).customData).toEqual({ plan: 'pro', seats: 3 })
  // Closing the editor without a change sends nothing.
  await ui.press('e')
  await ui.waitForBanner(`⚠ No change to the custom data of ${email}: nothing was sent`)
  const sets = (await client.audit.list.query({ userId: user.id })).items.filter((entry) => entry.action === 'user.custom-data-set')
  expect(sets).toHaveLength(2)
}, 120_000)

it('lists lifecycle events on the Events tab; r is refused without a sink, in the server\'s words', async () => {
  const client = admin()
  const email = `events-${Date.now().toString(36)}@example.com`
  const user = await client.users.create.mutate({ email, password: 'password1' })
  expect((await logIn(email, 'password1')).status).toBe(200)
  const [login] = (await client.events.list.query({ userId: user.id })).items
  const noSink = await refusalOf(client.events.redeliver.mutate({ id: login!.id }))
  expect(noSink).toBe('no event sink is configured (EVENTS_QUEUE or EVENTS_WEBHOOK_URL): there is nowhere to deliver it')

  const ui = open(client)
  await ui.waitFor('● live', 30_000)
  await ui.press('8')
  await ui.waitFor('[8 Events]', 30_000)
  await ui.waitFor('no sink: events only recorded', 30_000)
  await ui.waitFor(new RegExp(`› ○ LOGIN\\s+${email.replace('.', '\\.')}\\s+recorded\\s+0`), 30_000)
  expect(ui.frame()).toMatch(new RegExp(`○ CREATE\\s+${email.replace('.', '\\.')}\\s+recorded\\s+0\\s`))
  expect(ui.footer()).not.toContain('r redeliver')
  await ui.press('r')
  await ui.waitForBanner(`⚠ Can't redeliver event LOGIN of ${email}: ${noSink}`)
  await ui.press(KEY.enter)
  await ui.waitFor('"operationType": "LOGIN"', 30_000)
  expect(ui.frame()).toContain(`LOGIN of ${email}`)
  await ui.press('f')
  await ui.waitFor('◆ pending only (f F · Esc)', 30_000)
  await ui.waitFor('No pending events (f F: another status, Esc:', 30_000)
}, 120_000)
