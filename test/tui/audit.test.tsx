/** The Audit tab (6) names who each entry is about by their address, however narrow the list. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

function history() {
  const usher = new FakeUsher()
  const ann = usher.addUser({ email: 'ann@example.com', status: 'confirmed' })
  // A user the server knows no address for (an external login, say): named by id.
  usher.audit.push({
    id: usher.audit.length + 1,
    at: new Date().toISOString(),
    actor: 'client',
    action: 'user.login',
    userId: 'b'.repeat(24),
    email: null,
    detail: { provider: 'custom-token' },
    outcome: 'ok',
  })
  return { usher, ann }
}

describe('the audit tab', () => {
  it('shows the address of the user each entry is about, or their id without one', async () => {
    const { usher } = history()
    const ui = renderDashboard({ client: usher.client, columns: 80, rows: 24 })
    await ui.press('6')
    await ui.waitFor('user.registered')
    expect(ui.frame()).toMatch(/ACTION\s+WHEN\s+ACTOR\s+USER/)
    expect(ui.line('user.registered')).toMatch(/client\s+ann@example\.com/)
    expect(ui.line('user.login')).toMatch(/client\s+b{24}/)
  })

  it('keeps the user column beside the details at 100 columns, and the details give address and id', async () => {
    const { usher, ann } = history()
    const ui = renderDashboard({ client: usher.client, columns: 100, rows: 30 })
    await ui.press('6')
    await ui.waitFor('› ✔ user.login')
    await ui.press(KEY.down)
    await ui.waitFor('› ✔ user.registered')
    await ui.press(KEY.enter)
    await ui.waitFor('outcome    ✔ ok')
    expect(ui.frame()).toMatch(/ACTION\s+WHEN\s+USER\s+│/)
    expect(ui.line('› ✔ user.registered')).toMatch(/just now\s+ann@example\.com\s+│/)
    expect(ui.frame()).toContain('user       ann@example.com')
    expect(ui.frame()).toContain(`user id    ${ann.id}`)
    await ui.press(KEY.up)
    await ui.waitFor(`user       ${'b'.repeat(24)}`)
    expect(ui.frame()).not.toContain('user id')
  })

  it('/ finds entries by the address of their user', async () => {
    const { usher } = history()
    usher.addUser({ email: 'bob@example.com' })
    const ui = renderDashboard({ client: usher.client })
    await ui.press('6')
    await ui.waitFor('bob@example.com')
    await ui.press('/')
    await ui.type('ann@')
    await ui.waitFor((frame) => !frame.includes('bob@example.com') && frame.includes('ann@example.com'))
  })
})
