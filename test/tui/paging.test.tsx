/** Moving through lists: rows, screens and server pages fetched by cursor, one screen at a time. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

/** 100×30 leaves 20 list rows: one page from the server is one screen. */
const PAGE = 20

async function confirmedTab(count: number) {
  const usher = new FakeUsher()
  usher.addUsers(count)
  const ui = renderDashboard({ client: usher.client })
  await ui.waitFor('● live')
  await ui.press('2')
  await ui.waitFor('› ● user01@example.com')
  return { usher, ui }
}

describe('moving and paging', () => {
  it('↓/↑ and j/k move the selection', async () => {
    const { ui } = await confirmedTab(5)
    await ui.press(KEY.down)
    await ui.waitFor('› ● user02@example.com')
    await ui.press('j', 'j')
    await ui.waitFor('› ● user04@example.com')
    await ui.press(KEY.up)
    await ui.waitFor('› ● user03@example.com')
    await ui.press('k')
    await ui.waitFor('› ● user02@example.com')
  })

  it('a held j or k (several in one chunk) moves that many rows; other pasted text does nothing', async () => {
    const { usher, ui } = await confirmedTab(10)
    await ui.paste('jjj')
    await ui.waitFor('› ● user04@example.com')
    await ui.paste('kk')
    await ui.waitFor('› ● user02@example.com')
    await ui.paste('xy')
    await ui.paste('dx')
    expect(ui.frame()).not.toContain('Delete')
    expect(usher.calls.map((call) => call.path)).not.toContain('users.disable')
  })

  it('asks the server for one screen at a time, never for everything', async () => {
    const { usher, ui } = await confirmedTab(60)
    expect(ui.frame()).toContain(`user${PAGE}@example.com`)
    expect(ui.frame()).not.toContain(`user${PAGE + 1}@example.com`)
    expect(ui.line('page 1')).toContain(`page 1 · rows 1–${PAGE} · more: PgDn`)
    const lists = usher.callsTo('users.list').map((call) => call.input as { limit: number })
    expect(lists.length).toBeGreaterThan(0)
    expect(lists.every((input) => input.limit <= PAGE)).toBe(true)
  })

  it('PgDn fetches the next page by cursor and PgUp goes back', async () => {
    const { usher, ui } = await confirmedTab(50)
    await ui.press(KEY.pageDown)
    await ui.waitFor('› ● user21@example.com')
    expect(ui.frame()).not.toContain('user20@example.com')
    expect(ui.line('page 2')).toContain('page 2 · rows 21–40')
    const cursorCall = usher.callsTo('users.list').at(-1)!.input as { cursor?: string; status: string }
    expect(cursorCall).toMatchObject({ status: 'confirmed', cursor: usher.byEmail('user20@example.com').id })

    await ui.press(KEY.pageDown)
    await ui.waitFor('› ● user41@example.com')
    expect(ui.line('page 3')).toContain('page 3 · rows 41–50')
    expect(ui.frame()).not.toContain('more: PgDn')

    await ui.press(KEY.pageUp)
    await ui.waitFor('› ● user21@example.com')
    await ui.press(KEY.pageUp)
    await ui.waitFor('› ● user01@example.com')
  })

  it('moving past the last row turns the page, and past the first row turns it back', async () => {
    const { ui } = await confirmedTab(30)
    await ui.press('G')
    await ui.waitFor(`› ● user${PAGE}@example.com`)
    await ui.press(KEY.down)
    await ui.waitFor('› ● user21@example.com')
    expect(ui.frame()).toContain('page 2')
    await ui.press(KEY.up)
    await ui.waitFor(`› ● user${PAGE}@example.com`)
    expect(ui.frame()).toContain('page 1')
  })

  it('g goes back to the newest rows from any page; G to the last row of the page', async () => {
    const { ui } = await confirmedTab(50)
    await ui.press(KEY.pageDown, KEY.pageDown)
    await ui.waitFor('page 3')
    await ui.press('G')
    await ui.waitFor('› ● user50@example.com')
    await ui.press('g')
    await ui.waitFor('› ● user01@example.com')
    expect(ui.frame()).toContain('page 1 · rows 1–20')
  })

  it('lists the server returns whole scroll a screen at a time', async () => {
    const usher = new FakeUsher()
    for (let n = 1; n <= 30; n++) usher.addMail(`reader${String(n).padStart(2, '0')}@example.com`)
    const ui = renderDashboard({ client: usher.client })
    await ui.press('7')
    await ui.waitFor('› ▪ reader30@example.com')
    expect(ui.frame()).not.toContain('reader10@example.com')
    await ui.press(KEY.pageDown)
    await ui.waitFor('› ▪ reader10@example.com')
    expect(ui.frame()).not.toContain('reader30@example.com')
    expect(
      usher.callsTo('outbox.list').every((call) => (call.input as { limit: number }).limit === 100),
    ).toBe(true)
  })
})
