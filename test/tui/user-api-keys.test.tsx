/**
 * A user's own API keys, in their details: `a` moves into them, ↑↓ choose one, d / u / x act on it (x asks
 * first), Esc or `a` comes back to the users.
 */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

/** Cora (confirmed) with two keys, laptop (newest) and a disabled old-phone, on the Confirmed tab. */
async function withKeys(size: { columns?: number; rows?: number } = {}) {
  const usher = new FakeUsher()
  const cora = usher.addUser({ email: 'cora@example.com', status: 'confirmed', age: 1 })
  usher.addUser({ email: 'other@example.com', status: 'confirmed', age: 2 })
  const phone = usher.addUserKey('cora@example.com', 'old-phone', true)
  const laptop = usher.addUserKey('cora@example.com', 'laptop')
  const ui = renderDashboard({ client: usher.client, ...size })
  await ui.waitFor('● live')
  await ui.press('2')
  await ui.waitFor('› ● cora@example.com')
  return { usher, cora, laptop, phone, ui, footer: ui.footer }
}

describe("a user's API keys", () => {
  it('a opens the details with the newest key chosen; ↑↓ choose another; Esc goes back to the users', async () => {
    const { ui, footer } = await withKeys()
    await ui.press('a')
    await ui.waitFor('API keys   › ● laptop · used never')
    expect(ui.line('old-phone')).toMatch(/ {13}⊘ old-phone · disabled · used ne/)
    for (const hint of ['d disable', 'x delete', '↑↓ choose a key', 'a/Esc back to the users', '? help'])
      expect(footer()).toContain(hint)
    expect(footer()).not.toContain('u enable')
    expect(footer()).not.toContain('c confirm')

    await ui.press('j')
    await ui.waitFor('› ⊘ old-phone')
    expect(footer()).toContain('u enable')
    expect(footer()).not.toContain('d disable')
    await ui.press(KEY.down, 'k')
    await ui.waitFor('› ● laptop')

    await ui.press(KEY.escape)
    await ui.waitFor((frame) => !frame.includes('› ● laptop'))
    expect(ui.frame()).toContain('API keys   ● laptop · used never')
    expect(footer()).toContain('a API keys')
    // Back among the users: ↓ moves the list again.
    await ui.press(KEY.down)
    await ui.waitFor('› ● other@example.com')
  })

  it('d disables and u enables the chosen key; the banner names the key and its user', async () => {
    const { usher, cora, laptop, ui } = await withKeys()
    await ui.press('a')
    await ui.waitFor('› ● laptop')
    await ui.press('d')
    await ui.waitForBanner('✔ Disabled API key laptop of cora@example.com')
    await ui.waitFor('› ⊘ laptop · disabled · used never')
    expect(usher.callsTo('users.disableApiKey')).toEqual([
      { path: 'users.disableApiKey', input: { userId: cora.id, keyId: laptop.id } },
    ])
    await ui.press('d')
    await ui.waitForBanner("⚠ Can't disable API key laptop of cora@example.com: this API key is already disabled")

    usher.failNext('users.enableApiKey', 'API key not found')
    await ui.press('u')
    await ui.waitForBanner('✘ Enabling API key laptop of cora@example.com failed: API key not found')
    await ui.press('u')
    await ui.waitForBanner('✔ Enabled API key laptop of cora@example.com')
    await ui.waitFor('› ● laptop · used never')
    expect(usher.callsTo('users.enableApiKey')).toHaveLength(2)
  })

  it('x deletes the chosen key after y; any other key keeps it', async () => {
    const { usher, cora, ui, footer } = await withKeys()
    await ui.press('a')
    await ui.waitFor('› ● laptop')
    await ui.press('x')
    await ui.waitFor('⚠ Delete API key laptop of cora@example.com? This cannot be undone.')
    expect(footer()).toContain('y yes, delete')
    await ui.press('n')
    await ui.waitForBanner('⚠ Cancelled: nothing was deleted')
    expect(usher.callsTo('users.deleteApiKey')).toEqual([])
    expect(footer()).toContain('a/Esc back to the users')

    await ui.press('x', 'y')
    await ui.waitForBanner('✔ Deleted API key laptop of cora@example.com')
    await ui.waitFor('API keys   › ⊘ old-phone')
    expect(ui.frame()).not.toMatch(/laptop ·/)
    await ui.press('x', 'y')
    await ui.waitForBanner('✔ Deleted API key old-phone of cora@example.com')
    await ui.waitFor('API keys   none')
    expect(cora.apiKeys).toEqual([])
    await ui.press('d')
    await ui.waitForBanner('⚠ Nothing selected to disable')
  })

  it('says why when a cannot help, and what other keys mean inside the keys', async () => {
    const { usher, ui } = await withKeys()
    await ui.press(KEY.down, KEY.enter)
    await ui.waitFor('API keys   none')
    await ui.press('a')
    await ui.waitForBanner('⚠ other@example.com has no API keys')

    await ui.press(KEY.up, 'a')
    await ui.waitFor('› ● laptop')
    await ui.press('c')
    await ui.waitForBanner(
      '⚠ c (confirm) acts on the user: in their API keys, d u x act on the key; Esc goes back to the users',
    )
    await ui.press('s')
    await ui.waitForBanner('⚠ s (revoke sessions) acts on the user')
    expect(usher.callsTo('users.revokeSessions')).toEqual([])

    // Another tab leaves the keys; coming back finds the users.
    await ui.press('6')
    await ui.waitFor('[6 Audit]')
    await ui.press('a')
    await ui.waitForBanner("⚠ a opens a user's API keys on the user tabs (1–3); not on Audit")
    await ui.press('2')
    await ui.waitFor('n new user')
    expect(ui.frame()).not.toContain('› ● laptop')
  })

  it("a server user's key is shown, but managed on the API keys tab", async () => {
    const usher = new FakeUsher()
    const server = usher.addUser({ email: 'robot@example.com', status: 'confirmed' })
    server.apiKeys.push({
      id: 'b'.repeat(24),
      name: 'billing',
      kind: 'server',
      disabled: false,
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
    })
    const ui = renderDashboard({ client: usher.client })
    await ui.press('2')
    await ui.waitFor('› ● robot@example.com')
    await ui.press('a')
    await ui.waitFor('› ● billing · server key · used ne')
    expect(ui.frame()).not.toContain('d disable')
    await ui.press('d')
    await ui.waitForBanner(
      "⚠ Can't disable API key billing of robot@example.com: a server user's key: manage it on the API keys tab (4)",
    )
    expect(usher.callsTo('users.disableApiKey')).toEqual([])
  })

  it('keeps the chosen key in view at 80×24, however many keys there are', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'cora@example.com', status: 'confirmed' })
    for (let n = 12; n >= 1; n--) usher.addUserKey('cora@example.com', `key${String(n).padStart(2, '0')}`)
    const ui = renderDashboard({ client: usher.client, columns: 80, rows: 24 })
    await ui.press('2')
    await ui.waitFor('› ● cora@example.com')
    await ui.press('a')
    await ui.waitFor('› ● key01')
    expect(ui.frame()).toMatch(/… \d+ more \(↑↓\)/)
    for (let n = 0; n < 11; n++) await ui.press('j')
    await ui.waitFor('› ● key12')
    expect(ui.frame()).not.toContain('key01')
    const lines = ui.frame().split('\n')
    expect(lines.length).toBeLessThanOrEqual(24)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80)
    expect(ui.frame()).toContain('recent activity')
  })
})
