/** Unexpected failures end in a sentence and a way out, never a stack trace. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

describe('unexpected failures', () => {
  it('a rendering bug shows one sentence and how to quit, never a stack trace', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'pat@example.com' })
    // A malformed answer (no identities) makes the details pane throw while rendering.
    const get = usher.client.users.get.query
    usher.client.users.get.query = async (input) => ({
      ...(await get(input)),
      identities: undefined as never,
    })
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('pat@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor('✘ The dashboard hit a problem it cannot recover from')
    expect(ui.frame()).toContain('Press q to quit')
    expect(ui.frame()).not.toMatch(/\n\s+at /)
  })

  it('a client that throws instead of rejecting still ends in a red banner', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'pat@example.com' })
    usher.client.users.confirm.mutate = () => {
      throw new TypeError('fetch is not a function')
    }
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('› ○ pat@example.com')
    await ui.press('c')
    await ui.waitForBanner('✘ Confirming pat@example.com failed:')
    await ui.press('2')
    await ui.waitFor('[2 Confirmed]')
  })
})
