/** The header and the eight tabs: what each shows, and the keys that move between them. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

function seeded() {
  const usher = new FakeUsher()
  usher.addUser({ email: 'fresh@example.com', status: 'pending-confirmation', linkExpiresIn: 25, age: 1 })
  usher.addUser({ email: 'stuck@example.com', status: 'pending-confirmation', linkExpiresIn: -90, age: 200 })
  usher.addUser({ email: 'waiting@example.com', status: 'pending-login', age: 3 })
  usher.addUser({ email: 'active@example.com', status: 'confirmed', age: 4 })
  usher.addUser({ email: 'banned@example.com', status: 'confirmed', disabled: true, age: 5 })
  usher.addKey('backend-prod')
  usher.addKey('old-cron', true)
  usher.addMail('fresh@example.com')
  return usher
}

describe('header and tabs', () => {
  it('shows the app id, the URL and how many users each tab holds', async () => {
    const ui = renderDashboard({ client: seeded().client })
    await ui.waitFor('fresh@example.com')
    const header = ui.frame().split('\n')[0]!
    expect(header).toContain('fake-app')
    expect(header).toContain('http://usher.test')
    expect(header).toMatch(/○ 3 pending\s+● 1 confirmed\s+⊘ 1 disabled/)
    expect(ui.line('[1 Pending]')).toContain('● live')
  })

  it('pending rows say whether the user awaits confirmation or a first login, and flag stuck users', async () => {
    const ui = renderDashboard({ client: seeded().client })
    await ui.waitFor('stuck@example.com')
    expect(ui.line('fresh@example.com')).toMatch(/○ fresh@example\.com\s+awaits confirmation/)
    expect(ui.line('waiting@example.com')).toMatch(/◐ waiting@example\.com\s+awaits first login/)
    expect(ui.line('stuck@example.com')).toMatch(/⚠ stuck@example\.com\s+stuck: link expired/)
    expect(ui.frame()).not.toContain('active@example.com')
  })

  it('1–8 jump to each tab and show its rows', async () => {
    const ui = renderDashboard({ client: seeded().client })
    await ui.waitFor('fresh@example.com')

    await ui.press('2')
    await ui.waitFor('[2 Confirmed]')
    await ui.waitFor('active@example.com')
    expect(ui.line('active@example.com')).toMatch(/● active@example\.com\s+confirmed/)
    expect(ui.frame()).not.toContain('fresh@example.com')

    await ui.press('3')
    await ui.waitFor('banned@example.com')
    expect(ui.line('banned@example.com')).toMatch(/⊘ banned@example\.com\s+disabled/)

    await ui.press('4')
    await ui.waitFor('backend-prod')
    expect(ui.line('backend-prod')).toMatch(/● backend-prod\s+enabled/)
    expect(ui.line('old-cron')).toMatch(/⊘ old-cron\s+disabled/)

    await ui.press('5')
    await ui.waitFor('[5 Keys]')
    expect(await ui.waitFor('kid01')).toMatch(/● kid01_x\S*\s+current\s+ES256/)

    await ui.press('6')
    await ui.waitFor('[6 Audit]')
    await ui.waitFor('user.registered')
    expect(ui.line('user.registered')).toMatch(/✔ user\.registered\s+\S+ \S+\s+client/)

    await ui.press('7')
    await ui.waitFor('[7 Outbox]')
    expect(await ui.waitFor('Confirm your email')).toMatch(/▪ fresh@example\.com\s+Confirm your email/)

    await ui.press('8')
    await ui.waitFor('[8 Events]')
    await ui.waitFor('No lifecycle events yet')

    await ui.press('1')
    await ui.waitFor('fresh@example.com')
  })

  it('Tab and Shift-Tab cycle through the tabs, wrapping around', async () => {
    const ui = renderDashboard({ client: seeded().client })
    await ui.waitFor('fresh@example.com')
    await ui.press(KEY.tab)
    await ui.waitFor('[2 Confirmed]')
    await ui.press(KEY.shiftTab, KEY.shiftTab)
    await ui.waitFor('[8 Events]')
    await ui.press(KEY.tab)
    await ui.waitFor('[1 Pending]')
  })

  it('says so when a tab is empty', async () => {
    const usher = new FakeUsher()
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('No user awaits confirmation or a first login.')
    await ui.press('4')
    await ui.waitFor('No server API keys (n creates one).')
  })

  it('a banner stays with its tab and search: changing either clears it, a running action\'s spinner stays', async () => {
    const usher = seeded()
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('› ○ fresh@example.com')
    await ui.press('d')
    await ui.waitForBanner("⚠ Can't disable fresh@example.com")
    await ui.press('2')
    await ui.waitFor('› ● active@example.com')
    expect(ui.banner()).toBe('')

    await ui.press('s', 'y')
    await ui.waitForBanner('✔ Revoked 0 sessions of active@example.com')
    await ui.press('/')
    await ui.type('act')
    await ui.waitFor(() => ui.banner() === '')
    await ui.press(KEY.enter)

    const release = usher.holdNext('users.disable')
    await ui.press('d')
    await ui.waitForBanner('Disabling active@example.com…')
    await ui.press('1')
    await ui.waitFor('[1 Pending]')
    expect(ui.banner()).toContain('Disabling active@example.com…')
    release()
    await ui.waitForBanner('✔ Disabled active@example.com: sessions ended')
  })
})

describe("the deployment's warnings", () => {
  const WARNINGS = [
    "ALLOWED_ORIGINS=* lets any web page call the client API from a browser: list your apps' origins",
    'APP_ID=usher-local is the development default: give the deployment its own app id (realm-web apps must use it)',
  ]

  it('stay under the header in yellow, on every tab, and the screen still fits 80×24', async () => {
    const usher = seeded()
    usher.config.warnings = WARNINGS
    const ui = renderDashboard({ client: usher.client, columns: 80, rows: 24 })
    await ui.waitFor('fresh@example.com')
    const [, first, second] = ui.frame().split('\n')
    expect(first).toMatch(/^⚠ ALLOWED_ORIGINS=\* lets any web page call the client API from a browser: list …$/)
    expect(second).toMatch(/^⚠ APP_ID=usher-local is the development default/)
    for (const keys of [['6'], ['7'], [KEY.enter], ['?']]) {
      await ui.press(...keys)
      const lines = ui.frame().split('\n')
      expect(lines.length).toBeLessThanOrEqual(24)
      expect(lines[1]).toContain('⚠ ALLOWED_ORIGINS=*')
    }
    // Each warning line is a row the list gives up.
    await ui.press(KEY.escape, KEY.escape, '1')
    await ui.waitFor('page 1 · rows 1–3')
    expect(usher.callsTo('users.list').at(-1)!.input).toMatchObject({ limit: 12 })
  })

  it('more than two take two lines: the first, and how many more', async () => {
    const usher = seeded()
    usher.config.warnings = [...WARNINGS, 'a third warning']
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('fresh@example.com')
    const lines = ui.frame().split('\n')
    expect(lines[1]).toContain('⚠ ALLOWED_ORIGINS=*')
    expect(lines[2]).toBe('⚠ 2 more warnings: `usher config` lists them all')
    expect(lines[3]).toContain('[1 Pending]')
  })

  it('all eight tabs and the live mark fit 80 columns: the numbers then touch their titles', async () => {
    const ui = renderDashboard({ client: seeded().client, columns: 80, rows: 24 })
    await ui.waitFor('fresh@example.com')
    expect(ui.line('[1 Pending]')).toMatch(/^\[1 Pending\] 2Confirmed 3Disabled 4API keys 5Keys 6Audit 7Outbox 8Events +● live$/)
    await ui.press('8')
    await ui.waitFor('[8 Events]')
    expect(ui.line('[8 Events]')).toMatch(/^1Pending .* 7Outbox \[8 Events\] +● live$/)
  })

  it('none: no line is given up', async () => {
    const ui = renderDashboard({ client: seeded().client })
    await ui.waitFor('fresh@example.com')
    expect(ui.frame().split('\n')[1]).toContain('[1 Pending]')
    expect(ui.frame()).not.toContain('⚠ ALLOWED_ORIGINS')
  })
})
