/** The Outbox tab (7): the selected mail's link can be copied from the screen without picking up a border. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard, type Rendered } from './render'

/** The lines under the link's label, down to the banner: what a terminal selection of the link copies. */
function linkLines(ui: Rendered): string[] {
  const lines = ui.frame().split('\n')
  const label = lines.findIndex((line) => line.startsWith('Link in the selected mail'))
  if (label === -1) return []
  return lines.slice(label + 1, -4).filter((line) => line.trim() !== '')
}

describe('the outbox', () => {
  for (const [columns, rows, details] of [
    [80, 24, false],
    [100, 30, false],
    [100, 30, true],
    [80, 24, true],
  ] as const) {
    it(`shows the selected mail's link on lines of its own at ${columns}×${rows}${details ? ', details open' : ''}`, async () => {
      const usher = new FakeUsher()
      const older = usher.addMail('ann@example.com')
      const newer = usher.addMail('bob@example.com', 'Reset your password')
      const ui = renderDashboard({ client: usher.client, columns, rows })
      await ui.press('7')
      await ui.waitFor('› ▪ bob@example.com')
      if (details) {
        await ui.press(KEY.enter)
        await ui.waitFor('Open this link to confirm')
      }
      await ui.waitFor(() => linkLines(ui).join('') === newer.link)
      // Nothing but the link on those lines: no border, no padding, so the selection is the link.
      for (const line of linkLines(ui)) expect(line).toMatch(/^[\w:/?=&.-]+$/)
      expect(newer.link!.length).toBeGreaterThan(columns)

      await ui.press(KEY.down)
      await ui.waitFor(() => linkLines(ui).join('') === older.link)
      const lines = ui.frame().split('\n')
      expect(lines.length).toBeLessThanOrEqual(rows)
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns)
    })
  }

  it('shows no link block for a mail without a link, nor on other tabs', async () => {
    const usher = new FakeUsher()
    usher.addMail('ann@example.com').link = null
    const ui = renderDashboard({ client: usher.client })
    await ui.press('7')
    await ui.waitFor('› ▪ ann@example.com')
    expect(ui.frame()).not.toContain('Link in the selected mail')
    await ui.press('1')
    await ui.waitFor('[1 Pending]')
    expect(ui.frame()).not.toContain('Link in the selected mail')
  })
})
