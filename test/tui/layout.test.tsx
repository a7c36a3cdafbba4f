/** The screen fits the terminal exactly, from 80×24 up, whatever is open. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

function busyUsher() {
  const usher = new FakeUsher()
  usher.addUsers(40, 'pending-confirmation')
  usher.addUser({ email: 'a-very-long-address-that-will-not-fit@subdomain.example.com', age: 0 })
  usher.addKey('backend-prod')
  usher.sinks = { queue: true, webhook: 'https://hooks.example.com/a-rather-long-path/for-the-usher-events' }
  for (const type of ['CREATE', 'LOGIN', 'SESSIONS_REVOKED'] as const) {
    usher.addEvent({ type, user: 'a-very-long-address-that-will-not-fit@subdomain.example.com', status: 'dead' })
  }
  return usher
}

describe('layout', () => {
  for (const [columns, rows] of [
    [80, 24],
    [100, 30],
    // ink-testing-library's terminal is 100 columns wide: taller, not wider.
    [100, 48],
  ] as const) {
    it(`fits ${columns}×${rows} exactly, on every tab and with details open`, async () => {
      const ui = renderDashboard({ client: busyUsher().client, columns, rows })
      await ui.waitFor('user01@example.com')
      for (const keys of [
        [],
        [KEY.enter],
        ['4'],
        ['5'],
        ['?'],
        [KEY.escape, 'R'],
        [KEY.escape, '1', 'x'],
        [KEY.escape, 's'],
        [KEY.escape, 'a'],
        [KEY.escape, '8'],
        ['f', 'f'],
        [KEY.escape, KEY.escape, KEY.enter],
      ]) {
        await ui.press(...keys)
        await ui.waitFor('● live')
        const lines = ui.frame().split('\n')
        expect(lines.length).toBeLessThanOrEqual(rows)
        for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns)
      }
    })
  }

  it('one server page fills the list at 80×24', async () => {
    const usher = busyUsher()
    const ui = renderDashboard({ client: usher.client, columns: 80, rows: 24 })
    await ui.waitFor('› ○ a-very-long-address')
    expect(ui.frame()).toContain('page 1 · rows 1–14 · more: PgDn')
    expect((usher.callsTo('users.list').at(-1)!.input as { limit: number }).limit).toBe(14)
  })
})
