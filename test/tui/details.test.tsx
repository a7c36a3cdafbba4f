/** The details pane (Enter): everything about the selected row, beside the list or instead of it. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

function withHistory() {
  const usher = new FakeUsher()
  const cora = usher.addUser({ email: 'cora@example.com', status: 'confirmed', sessions: 3, age: 1 })
  cora.apiKeys.push({
    id: 'a'.repeat(24),
    name: 'cora-laptop',
    kind: 'user',
    disabled: false,
    createdAt: new Date().toISOString(),
    lastUsedAt: null,
  })
  usher.addUser({ email: 'stuck@example.com', status: 'pending-confirmation', linkExpiresIn: -120, age: 2 })
  return { usher, cora }
}

describe('details pane', () => {
  it('Enter shows identities, status, created, last login, sessions, API keys and recent activity', async () => {
    const { usher, cora } = withHistory()
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('● live')
    await ui.press('2')
    await ui.waitFor('› ● cora@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor('sessions   3')
    const frame = ui.frame()
    expect(frame).toContain('status     ● confirmed')
    expect(frame).toMatch(new RegExp(`identities local-userpass\\s.*\\n.*${cora.identities[0]!.id}`))
    expect(frame).toMatch(/created\s+\d{4}-\d\d-\d\d \d\d:\d\d \(\d+m ago\)/)
    expect(frame).toMatch(/last login \d{4}-\d\d-\d\d \d\d:\d\d \(1m ago\)/)
    expect(frame).toContain('API keys   ● cora-laptop · used never')
    expect(frame).not.toContain('mail ')
    expect(frame).toContain('recent activity')
    expect(frame).toMatch(/✔ (just now|\S+ ago)\s+client user\.registered/)
    // Beside the list at 100 columns; the list is still there.
    expect(ui.line('› ● cora@example.com')).toMatch(/│› ● cora@example\.com +confirmed +││ /)
    expect(usher.callsTo('users.get')).toEqual([{ path: 'users.get', input: { userId: cora.id } }])

    await ui.press(KEY.enter)
    await ui.waitFor((screen) => !screen.includes('recent activity'))
  })

  it('shows the mail sent to the user today, and what the per-recipient limits dropped', async () => {
    const { usher, cora } = withHistory()
    cora.mail = { sentToday: 3, dropped: 0, lastDroppedAt: null }
    const ui = renderDashboard({ client: usher.client, columns: 80, rows: 24 })
    await ui.press('2')
    await ui.waitFor('› ● cora@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor('mail       3 sent today, none dropped')
    cora.mail = { sentToday: 10, dropped: 2, lastDroppedAt: new Date(Date.now() - 5 * 60_000).toISOString() }
    await ui.press(KEY.enter, KEY.enter)
    await ui.waitFor('mail       10 sent today · ⚠ 2 dropped over the limits, last 5m ago')
  })

  it('a stuck user is explained, with the way out', async () => {
    const { usher } = withHistory()
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('› ⚠ stuck@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor('⚠ expired 2h ago: stuck (r re-runs)')
    expect(ui.frame()).toContain('status     ⚠ awaits confirmation')
  })

  it('replaces the list below 100 columns, and follows the selection', async () => {
    const { usher } = withHistory()
    usher.addUser({ email: 'other@example.com', status: 'confirmed', age: 5 })
    const ui = renderDashboard({ client: usher.client, columns: 80, rows: 24 })
    await ui.waitFor('● live')
    await ui.press('2')
    await ui.waitFor('› ● cora@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor('sessions   3')
    expect(ui.frame()).not.toContain('other@example.com')
    expect(ui.frame()).toContain('⏎ close details')
    await ui.press(KEY.down)
    await ui.waitFor('other@example.com')
    await ui.waitFor('sessions   0')
    await ui.press(KEY.escape)
    await ui.waitFor('› ● other@example.com')
  })

  it('shows a mail in full, with its link, and an audit entry with its detail', async () => {
    const usher = new FakeUsher()
    const mail = usher.addMail('pat@example.com')
    usher.addUser({ email: 'pat@example.com' })
    const ui = renderDashboard({ client: usher.client })
    await ui.press('7')
    await ui.waitFor('› ▪ pat@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor('Open this link to confirm')
    expect(ui.frame()).toContain(`to         ${mail.to}`)
    await ui.press('6')
    await ui.waitFor('› ✔ user.registered')
    await ui.waitFor('outcome    ✔ ok')
    expect(ui.frame()).toContain('actor      client')
  })

  it('says so when the details cannot be loaded', async () => {
    const { usher } = withHistory()
    usher.failNext('users.get', 'user not found')
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('› ⚠ stuck@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor('✘ Could not load the details: user not found')
  })
})
