/** Actions the rules forbid for the selected row: left out of the footer, explained when attempted. */
import { describe, expect, it } from 'vitest'
import { FakeUsher, type UserSeed } from './fake-usher'
import { renderDashboard } from './render'

async function select(seed: UserSeed, tab: string, configure?: (usher: FakeUsher) => void) {
  const usher = new FakeUsher()
  configure?.(usher)
  usher.addUser(seed)
  const ui = renderDashboard({ client: usher.client })
  await ui.waitFor('● live')
  await ui.press(tab)
  await ui.waitFor(`› `)
  return { usher, ui, footer: ui.footer }
}

describe('actions the rules forbid for the selected row', () => {
  it('a pending-confirmation user cannot be disabled: d is not offered, and explains itself', async () => {
    const { usher, ui, footer } = await select(
      { email: 'pat@example.com', status: 'pending-confirmation' },
      '1',
    )
    expect(footer()).toContain('c confirm')
    expect(footer()).toContain('x delete')
    expect(footer()).not.toContain('d disable')
    expect(footer()).not.toContain('u enable')
    await ui.press('d')
    await ui.waitFor(
      "⚠ Can't disable pat@example.com: unconfirmed users cannot be disabled, only deleted (x)",
    )
    expect(usher.callsTo('users.disable')).toEqual([])
  })

  it('a confirmed user cannot be confirmed again, nor sent a confirmation', async () => {
    const { usher, ui, footer } = await select({ email: 'cora@example.com', status: 'confirmed' }, '2')
    expect(footer()).toContain('d disable')
    for (const hidden of ['c confirm', 'r re-run', 'e email', 'u enable'])
      expect(footer()).not.toContain(hidden)
    await ui.press('c')
    await ui.waitFor("⚠ Can't confirm cora@example.com: already confirmed")
    await ui.press('r')
    await ui.waitFor("⚠ Can't re-run cora@example.com: already confirmed")
    await ui.press('u')
    await ui.waitFor("⚠ Can't enable cora@example.com: this user is not disabled")
    expect(usher.calls.filter((call) => call.path !== 'users.list' && call.path !== 'config.get')).toEqual([])
  })

  it('a user awaiting first login is already confirmed', async () => {
    const { ui, footer } = await select({ email: 'lee@example.com', status: 'pending-login' }, '1')
    expect(footer()).toContain('d disable')
    expect(footer()).not.toContain('c confirm')
    await ui.press('c')
    await ui.waitFor(
      "Can't confirm lee@example.com: already confirmed: the user now awaits their first login",
    )
  })

  it('m is not offered when the app does not confirm by email', async () => {
    const { usher, ui, footer } = await select(
      { email: 'pat@example.com', status: 'pending-confirmation' },
      '1',
      (fake) => (fake.config.confirmation.method = 'function'),
    )
    expect(footer()).toContain('r re-run')
    expect(footer()).not.toContain('m email')
    await ui.press('m')
    await ui.waitForBanner(
      "⚠ Can't email pat@example.com: confirmation emails are not used: this app confirms users with a function (r re-runs it)",
    )
    expect(usher.callsTo('users.sendConfirmationEmail')).toEqual([])
  })

  it('a disabled user cannot be disabled again, in the words the server (and the CLI) use', async () => {
    const { usher, ui, footer } = await select(
      { email: 'dina@example.com', status: 'confirmed', disabled: true },
      '3',
    )
    expect(footer()).toContain('u enable')
    expect(footer()).not.toContain('d disable')
    await ui.press('d')
    await ui.waitFor("⚠ Can't disable dina@example.com: this user is already disabled")
    expect(usher.callsTo('users.disable')).toEqual([])
  })

  for (const status of ['pending-confirmation', 'pending-login'] as const) {
    it(`a user who has not logged in yet (${status}) is not offered s: there are no sessions to revoke`, async () => {
      const { usher, ui, footer } = await select({ email: 'pat@example.com', status }, '1')
      expect(footer()).toContain('x delete')
      expect(footer()).not.toContain('s revoke sessions')
      await ui.press('s')
      await ui.waitForBanner(
        "⚠ Can't revoke sessions pat@example.com: this user has not logged in yet: there are no sessions to revoke",
      )
      expect(ui.frame()).not.toContain('Revoke every session')
      expect(usher.callsTo('users.revokeSessions')).toEqual([])
    })
  }

  it('keys pressed on a tab where they mean nothing say where they work', async () => {
    const { ui } = await select({ email: 'pat@example.com' }, '6')
    await ui.waitFor('user.registered')
    await ui.press('c')
    await ui.waitFor('⚠ c means confirm on the user tabs (1–3); not on Audit')
    await ui.press('d')
    await ui.waitForBanner(
      '⚠ d means disable on the user tabs (1–3), disable on the API keys tab (4); not on Audit',
    )
    await ui.press('n')
    await ui.waitFor('⚠ n creates users on the user tabs (1–3) and API keys on tab 4; not on Audit')
    await ui.press('r')
    await ui.waitForBanner(
      '⚠ r means re-run on the user tabs (1–3), rotate on the Keys tab (5), redeliver on the Events tab (8); not on Audit',
    )
    await ui.press('R')
    await ui.waitForBanner('⚠ R means emergency rotate on the Keys tab (5); not on Audit')
    await ui.press('4')
    await ui.waitFor('No server API keys')
    await ui.press('c')
    await ui.waitFor('⚠ c means confirm on the user tabs (1–3); not on API keys')
    await ui.press('d')
    await ui.waitFor('⚠ Nothing selected to disable')
    await ui.press('5')
    await ui.waitFor(/› ● kid01/)
    await ui.press('d')
    await ui.waitForBanner(
      '⚠ d means disable on the user tabs (1–3), disable on the API keys tab (4); not on Keys',
    )
    await ui.press('n')
    await ui.waitForBanner('⚠ New signing keys come from rotating: r publishes a new next key (R revokes every key)')
  })
})
