/** The login-provider filter on the user tabs (p, P), and each identity's provider and id in the details. */
import { describe, expect, it } from 'vitest'
import { PROVIDER_TYPES } from '../../tui/providers'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

const GOOGLE_ID = '109876543210987654321'

function people() {
  const usher = new FakeUsher()
  usher.addUser({ email: 'ann@example.com', status: 'confirmed', age: 1 })
  const gail = usher.addUser({
    email: null,
    status: 'confirmed',
    age: 2,
    identities: [{ providerType: 'oauth2-google', id: GOOGLE_ID }],
  })
  usher.addUser({
    email: 'both@example.com',
    status: 'confirmed',
    age: 3,
    identities: [
      { providerType: 'local-userpass', id: 'c'.repeat(24) },
      { providerType: 'oauth2-google', id: '2000' },
    ],
  })
  usher.addUser({ email: 'pending@example.com', age: 4 })
  return { usher, gail }
}

const lastListInput = (usher: FakeUsher) => usher.callsTo('users.list').at(-1)!.input as Record<string, unknown>

describe('the login-provider filter', () => {
  it('p steps through every provider, asking the server; P steps back; the status line says which', async () => {
    const { usher, gail } = people()
    const ui = renderDashboard({ client: usher.client })
    await ui.press('2')
    await ui.waitFor('› ● ann@example.com')
    expect(ui.footer()).toContain('p provider')
    for (const provider of PROVIDER_TYPES.slice(0, 6)) {
      await ui.press('p')
      await ui.waitFor(`◆ ${provider} only (p P · Esc)`)
    }
    // oauth2-google: the two users with a Google identity, found by the server.
    await ui.waitFor((frame) => frame.includes(gail.id) && !frame.includes('ann@example.com'))
    expect(ui.frame()).toContain('both@example.com')
    expect(lastListInput(usher)).toMatchObject({ status: 'confirmed', provider: 'oauth2-google' })
    await ui.press('P')
    await ui.waitFor('◆ custom-function only')
    await ui.waitFor('No user on Confirmed has a custom-function identity (p P: another provider, Esc: all)')
    await ui.press('p', 'p', 'p')
    await ui.waitFor('◆ oauth2-facebook only')
    await ui.press('p')
    await ui.waitFor('ann@example.com')
    expect(ui.frame()).not.toContain('◆')
    expect(lastListInput(usher).provider).toBeUndefined()
  })

  it('holds across the user tabs and combines with the search; Esc clears the search, then the filter', async () => {
    const { usher } = people()
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('pending@example.com')
    await ui.press('p')
    await ui.waitFor('◆ local-userpass only')
    await ui.waitFor('› ○ pending@example.com')
    await ui.press('2')
    await ui.waitFor('both@example.com')
    expect(ui.frame()).toContain('◆ local-userpass only')
    expect(ui.frame()).toContain('ann@example.com')
    await ui.press('/')
    await ui.type('both')
    await ui.press(KEY.enter)
    await ui.waitFor((frame) => frame.includes('› ● both@example.com') && !frame.includes('ann@example.com'))
    expect(lastListInput(usher)).toMatchObject({ status: 'confirmed', provider: 'local-userpass', search: 'both' })
    expect(ui.frame()).toMatch(/◆ local-userpass only \(p P · Esc\) · \/ both \(filtered/)

    await ui.press(KEY.escape)
    await ui.waitFor('ann@example.com')
    expect(ui.frame()).toContain('◆ local-userpass only')
    await ui.press(KEY.escape)
    await ui.waitFor((frame) => !frame.includes('◆'))
    expect(lastListInput(usher).provider).toBeUndefined()
  })

  it('on other tabs p says where it works, and the footer does not offer it', async () => {
    const { usher } = people()
    const ui = renderDashboard({ client: usher.client })
    await ui.press('6')
    await ui.waitFor('user.registered')
    expect(ui.footer()).not.toContain('p provider')
    await ui.press('p')
    await ui.waitForBanner('⚠ p filters users by login provider on the user tabs (1–3); not on Audit')
  })
})

describe("a user's identities", () => {
  it('the details list each identity with its provider and id (the provider\'s own id for Google)', async () => {
    const { usher } = people()
    const ui = renderDashboard({ client: usher.client, columns: 80, rows: 24 })
    await ui.press('2')
    await ui.waitFor('both@example.com')
    await ui.press(KEY.down, KEY.down)
    await ui.waitFor('› ● both@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor(`identities local-userpass ${'c'.repeat(24)}`)
    expect(ui.frame()).toMatch(/│ {12}oauth2-google 2000 /)
    await ui.press(KEY.up)
    await ui.waitFor(`identities oauth2-google ${GOOGLE_ID}`)
  })
})
