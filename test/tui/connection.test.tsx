/** Unreachable worker, wrong or missing key, not-Usher URL: said plainly, retried, recovered from. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { renderDashboard } from './render'

const viaFlags = { url: 'http://usher.test', source: { url: 'flag', adminKey: 'flag' } } as const

describe('when Usher cannot be used', () => {
  it('says plainly that nothing answers, retries on its own, and recovers', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'pat@example.com' })
    usher.outage = 'offline'
    const ui = renderDashboard({ client: usher.client, retryMs: 100 })
    await ui.waitFor('✘ Cannot reach Usher at http://usher.test (ECONNREFUSED).')
    expect(ui.frame()).toContain('Check that the deployment is up and the URL is right (--url or USHER_URL).')
    expect(ui.frame()).toContain('Retrying every')
    expect(ui.frame()).toContain('✘ offline')
    expect(ui.frame()).not.toMatch(/\bat .*\.(ts|js):\d+/)
    await ui.waitFor('(attempt 3)')

    usher.outage = undefined
    await ui.waitFor('pat@example.com')
    expect(ui.frame()).toContain('● live')
  })

  it('for a local URL, suggests starting the local worker', async () => {
    const usher = new FakeUsher()
    usher.outage = 'offline'
    const ui = renderDashboard({
      client: usher.client,
      connection: { url: 'http://127.0.0.1:8787', source: { url: 'local', adminKey: 'local' } },
    })
    await ui.waitFor('Cannot reach Usher at http://127.0.0.1:8787')
    await ui.waitFor('`npm run dev` starts it')
  })

  it('says the admin key was refused, and where that key came from', async () => {
    const usher = new FakeUsher()
    usher.outage = 'wrong-key'
    const ui = renderDashboard({ client: usher.client, connection: viaFlags })
    await ui.waitFor('✘ Usher at http://usher.test refused the admin key (from --admin-key).')
    expect(ui.frame()).toContain('it must equal the ADMIN_API_KEY secret of that deployment')
    usher.outage = undefined
    await ui.waitFor('● live')
  })

  it('says when there is no admin key at all', async () => {
    const usher = new FakeUsher()
    usher.outage = 'wrong-key'
    const ui = renderDashboard({
      client: usher.client,
      connection: { url: 'http://usher.test', source: { url: 'flag', adminKey: 'missing' } },
    })
    await ui.waitFor('✘ No admin key to present to Usher at http://usher.test.')
    expect(ui.frame()).toContain('Pass --admin-key <key>, set USHER_ADMIN_KEY')
  })

  it('says when the URL answers but is not Usher', async () => {
    const usher = new FakeUsher()
    const notJson = new SyntaxError(`Unexpected token '<', "<html>" is not valid JSON`)
    usher.client.config.get.query = () =>
      Promise.reject(Object.assign(new Error(notJson.message), { cause: notJson }))
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor("Something answers at http://usher.test, but it is not Usher's admin API")
  })

  it('notices when Usher goes away mid-session, and comes back without a restart', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'cora@example.com', status: 'confirmed' })
    const ui = renderDashboard({ client: usher.client, retryMs: 100 })
    await ui.press('2')
    await ui.waitFor('› ● cora@example.com')
    usher.outage = 'offline'
    await ui.press('d')
    await ui.waitFor('Cannot reach Usher at http://usher.test')
    expect(ui.banner()).toContain('✘ Disabling cora@example.com failed: Usher is unreachable (ECONNREFUSED)')
    usher.outage = undefined
    await ui.waitFor('› ● cora@example.com')
    expect(ui.frame()).toContain('[2 Confirmed]')
  })
})
