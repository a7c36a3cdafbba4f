/** Lists and counts follow the server: on an interval, and after every action. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { renderDashboard } from './render'

describe('refresh', () => {
  it('a pending user moves to Confirmed after their first login, without a restart', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'lee@example.com', status: 'pending-login' })
    const ui = renderDashboard({ client: usher.client, refreshMs: 150 })
    await ui.waitFor(/◐ lee@example\.com\s+awaits first login/)
    expect(ui.frame()).toMatch(/○ 1 pending\s+● 0 confirmed/)

    usher.firstLogin('lee@example.com')
    await ui.waitFor('No user awaits confirmation or a first login.')
    await ui.waitFor(/○ 0 pending\s+● 1 confirmed/)
    await ui.press('2')
    await ui.waitFor(/● lee@example\.com\s+confirmed\s+(just now|\S+ ago)\s+just now/)
  })

  it('lists refresh after every action', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'pat@example.com' })
    // No interval refresh here: only the action's own refresh can show the new user.
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('pat@example.com')
    usher.addUser({ email: 'newcomer@example.com', age: 0 })
    expect(ui.frame()).not.toContain('newcomer@example.com')
    await ui.press('c')
    await ui.waitFor('✔ Confirmed pat@example.com')
    await ui.waitFor('newcomer@example.com')
  })
})
