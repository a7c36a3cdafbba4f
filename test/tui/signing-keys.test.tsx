/**
 * The Keys tab: the keys access tokens are signed with (current, the next one published ahead, earlier ones),
 * r to rotate, R to revoke them all and start over after a leak.
 */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

/** The Keys tab open, after `configure` seeded the fake; the current key is selected. */
async function keysTab(configure: (usher: FakeUsher) => void = () => {}, size = {}) {
  const usher = new FakeUsher()
  configure(usher)
  const ui = renderDashboard({ client: usher.client, ...size })
  await ui.waitFor('● live')
  await ui.press('5')
  await ui.waitFor('[5 Keys]')
  await ui.waitFor(/› ● kid\d+/)
  return { usher, ui, footer: ui.footer }
}

/**
 * Three rotations, the second an emergency: kid05 current, kid06 next, kid04 previous; kid03 (the next key
 * then), kid02 (current) and kid01 (previous) revoked.
 */
function rotatedThrice(usher: FakeUsher) {
  usher.rotateSigningKey()
  usher.rotateSigningKey(true)
  usher.rotateSigningKey()
}

const byKid = (usher: FakeUsher, prefix: string) => usher.signingKeys.find((key) => key.kid.startsWith(prefix))!

describe('Keys tab', () => {
  it('lists the current key, then the next one, then earlier keys newest first, each state with its glyph', async () => {
    const { usher, ui, footer } = await keysTab((fake) => {
      rotatedThrice(fake)
      // A previous key whose tokens have all expired retires on its own.
      const minuteAgo = new Date(Date.now() - 60_000).toISOString()
      Object.assign(byKid(fake, 'kid01'), { revokedAt: null, retiresAt: minuteAgo })
    })
    expect(ui.line('kid05')).toMatch(/› ● kid05\S*\s+current\s+ES256\s+just now\s+—/)
    expect(ui.line('kid06')).toMatch(/◌ kid06\S*\s+next\s+ES256\s+just now\s+—/)
    expect(ui.line('kid04')).toMatch(/◐ kid04\S*\s+previous\s+ES256\s+just now\s+in 3\dm/)
    expect(ui.line('kid03')).toMatch(/⊘ kid03\S*\s+revoked\s+ES256/)
    expect(ui.line('kid02')).toMatch(/⊘ kid02\S*\s+revoked\s+ES256/)
    expect(ui.line('kid01')).toMatch(/○ kid01\S*\s+retired\s+ES256\s+just now\s+1m ago/)
    const order = ['kid05', 'kid06', 'kid04', 'kid03', 'kid02', 'kid01'].map((kid) => ui.frame().indexOf(kid))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(ui.frame()).toContain('◌ next  ● signs  ◐ still accepted  ○ retired  ⊘ revoked')
    expect(footer()).toContain('r rotate')
    expect(footer()).toContain('R emergency rotate')
    expect(usher.callsTo('keys.rotate')).toEqual([])
  })

  it('Enter says what the selected key means for the tokens it signed', async () => {
    const { ui } = await keysTab(rotatedThrice)
    await ui.press(KEY.enter)
    await ui.waitFor('Signs every new access token;')
    await ui.press('j')
    await ui.waitFor('Published ahead so verifiers already hold it;')
    expect(ui.frame()).toMatch(/the next rotation \(r\) makes it sign\. It has\s.*\n.*not signed yet\./)
    await ui.press('j')
    await ui.waitFor('No longer signs.')
    expect(ui.frame()).toMatch(/retires\s+\d{4}-\d\d-\d\d \d\d:\d\d \(in 3\dm\)/)
    await ui.press('j')
    await ui.waitFor('Revoked by an emergency rotation:')
  })

  it('r hands signing to the next key after y, keeps the old one accepted and publishes a new next key', async () => {
    const { usher, ui, footer } = await keysTab()
    expect(ui.line('kid02')).toMatch(/◌ kid02\S*\s+next/)
    await ui.press('r')
    await ui.waitFor('⚠ Rotate the signing key?')
    expect(ui.frame()).toContain('The next key (◌), published ahead, signs new access tokens')
    expect(ui.frame()).toContain('so nobody notices.')
    expect(footer()).toContain('y yes, rotate')
    await ui.press('y')
    await ui.waitForBanner(
      '✔ Rotated: kid02_x_… signs new tokens; kid01_x_… stays accepted until ',
    )
    expect(ui.banner()).toMatch(/until \d\d:\d\d; kid03_x_… is the new next key$/)
    await ui.waitFor(/● kid02\S*\s+current/)
    expect(ui.line('kid03')).toMatch(/◌ kid03\S*\s+next/)
    // The selection stays on the key it was on.
    expect(ui.line('kid01')).toMatch(/› ◐ kid01\S*\s+previous/)
    expect(usher.callsTo('keys.rotate')).toEqual([{ path: 'keys.rotate', input: { revokePrevious: false } }])
  })

  it('any other key than y keeps the current key', async () => {
    const { usher, ui } = await keysTab()
    await ui.press('r', 'n')
    await ui.waitFor('⚠ Cancelled: the signing key was not rotated')
    await ui.press('R', KEY.escape)
    await ui.waitFor('⚠ Cancelled: no key was rotated or revoked')
    expect(usher.callsTo('keys.rotate')).toEqual([])
    expect(ui.line('kid01')).toMatch(/› ● kid01\S*\s+current/)
  })

  it('R warns that tokens signed so far are refused at once, then revokes every published key', async () => {
    const { usher, ui, footer } = await keysTab((fake) => fake.rotateSigningKey())
    await ui.press('R')
    await ui.waitFor('⚠ EMERGENCY: revoke every published signing key and make new ones?')
    expect(ui.frame()).toContain("refused at once: every app's users must refresh")
    expect(ui.frame()).toContain('(nobody is logged out). The next key is replaced too. Only for a leaked key.')
    expect(footer()).toContain('y yes, revoke and rotate')
    await ui.press('y')
    await ui.waitForBanner(
      '✔ Rotated: kid04_x_… signs new tokens and kid05_x_… is next; revoked kid02_x_… and 2 other keys: tokens they signed are refused',
    )
    await ui.waitFor(/● kid04\S*\s+current/)
    expect(ui.line('kid05')).toMatch(/◌ kid05\S*\s+next/)
    // The current, the previous and the next key alike.
    for (const kid of ['kid01', 'kid02', 'kid03']) expect(ui.line(kid)).toMatch(/⊘ kid0\d\S*\s+revoked/)
    expect(usher.callsTo('keys.rotate')).toEqual([{ path: 'keys.rotate', input: { revokePrevious: true } }])
  })

  it('a refused rotation shows the server message in red and changes nothing', async () => {
    const { usher, ui } = await keysTab()
    usher.failNext('keys.rotate', 'another rotation happened at the same moment: list the keys and retry')
    await ui.press('r', 'y')
    await ui.waitForBanner(
      '✘ Rotating the signing key failed: another rotation happened at the same moment: list the keys and retry',
    )
    expect(ui.line('kid01')).toMatch(/› ● kid01\S*\s+current/)
  })

  it('the emergency question fits 80×24 with the list still in view', async () => {
    const { ui } = await keysTab(rotatedThrice, { columns: 80, rows: 24 })
    await ui.press('R')
    await ui.waitFor('⚠ EMERGENCY')
    const lines = ui.frame().split('\n')
    expect(lines.length).toBeLessThanOrEqual(24)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80)
    expect(ui.frame()).toContain('Only for a leaked key.')
    expect(ui.frame()).toMatch(/⊘ kid01\S*\s+revoked/)
  })

  it('search filters keys by kid or state', async () => {
    const { ui } = await keysTab(rotatedThrice)
    await ui.press('/')
    await ui.type('previous')
    await ui.waitFor((frame) => frame.includes('kid04') && !frame.includes('kid05'))
    expect(ui.frame()).not.toContain('kid06')
    await ui.press(KEY.escape, '/')
    await ui.type('next')
    await ui.waitFor((frame) => frame.includes('kid06') && !frame.includes('kid05'))
    expect(ui.frame()).not.toContain('kid04')
  })
})
