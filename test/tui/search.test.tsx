/** `/` search: live filtering (on the server for users), Enter keeps it, Esc clears it, one per tab. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

function people() {
  const usher = new FakeUsher()
  usher.addUser({ email: 'ann@example.com', age: 1 })
  usher.addUser({ email: 'annika@example.com', age: 2 })
  usher.addUser({ email: 'bob@example.com', age: 3 })
  usher.addUser({ email: 'carl@example.com', status: 'confirmed', age: 4 })
  return usher
}

describe('search', () => {
  it('typing after / filters on the server, Enter keeps the search, Esc clears it', async () => {
    const usher = people()
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('bob@example.com')
    await ui.press('/')
    await ui.waitFor('type to filter')
    await ui.type('ann')
    await ui.waitFor((frame) => !frame.includes('bob@example.com') && frame.includes('annika@example.com'))
    expect(ui.frame()).toContain('ann@example.com')
    expect(
      usher.callsTo('users.list').some((call) => (call.input as { search?: string }).search === 'ann'),
    ).toBe(true)

    await ui.press(KEY.enter)
    await ui.waitFor('/ ann (filtered')
    // Kept: keys act on the list again.
    await ui.press(KEY.down)
    await ui.waitFor('› ○ annika@example.com')

    await ui.press(KEY.escape)
    await ui.waitFor('bob@example.com')
    expect(ui.frame()).not.toContain('(filtered')
  })

  it('Esc while typing clears the search at once', async () => {
    const ui = renderDashboard({ client: people().client })
    await ui.waitFor('bob@example.com')
    await ui.press('/')
    await ui.type('bob')
    await ui.waitFor((frame) => !frame.includes('ann@example.com') && frame.includes('bob@example.com'))
    await ui.press(KEY.escape)
    await ui.waitFor('ann@example.com')
    expect(ui.frame()).not.toContain('/ bob')
  })

  it('each tab keeps its own search', async () => {
    const ui = renderDashboard({ client: people().client })
    await ui.waitFor('bob@example.com')
    await ui.press('/')
    await ui.type('bob')
    await ui.press(KEY.enter)
    await ui.waitFor('/ bob (filtered')
    await ui.press('2')
    await ui.waitFor('carl@example.com')
    expect(ui.frame()).not.toContain('/ bob')
    await ui.press('1')
    await ui.waitFor('/ bob (filtered')
    await ui.waitFor((frame) => frame.includes('bob@example.com') && !frame.includes('ann@example.com'))
  })

  it('says when nothing matches', async () => {
    const ui = renderDashboard({ client: people().client })
    await ui.waitFor('bob@example.com')
    await ui.press('/')
    await ui.type('zzz')
    await ui.waitFor('Nothing on Pending matches "zzz"')
  })

  it('filters API keys, the audit trail and the outbox by what they show', async () => {
    const usher = people()
    usher.addKey('backend-prod')
    usher.addKey('backend-staging')
    usher.addKey('cron')
    usher.addMail('ann@example.com', 'Confirm your email address')
    usher.addMail('bob@example.com', 'Reset your password')
    const ui = renderDashboard({ client: usher.client })
    await ui.press('4')
    await ui.waitFor('cron')
    await ui.press('/')
    await ui.type('backend')
    await ui.waitFor((frame) => !frame.includes(' cron ') && frame.includes('backend-prod'))
    expect(ui.frame()).toContain('backend-staging')

    await ui.press(KEY.enter, '7')
    await ui.waitFor('Reset your password')
    await ui.press('/')
    await ui.type('reset')
    await ui.waitFor((frame) => !frame.includes('Confirm your email') && frame.includes('bob@example.com'))

    await ui.press(KEY.enter, '6')
    await ui.waitFor('user.registered')
    await ui.press('/')
    await ui.type('nothing-like-this')
    await ui.waitFor('Nothing on Audit matches')
  })
})
