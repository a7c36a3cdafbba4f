/**
 * The Events tab (8): lifecycle events newest first, the status filter (f F), the counts and the sinks on the
 * status line, an event's payload and last error in the details, and r to redeliver (asked first; refused in
 * the server's words without a sink or while the event is already on its way).
 */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

const WEBHOOK = 'https://hooks.example.com/usher'

function withEvents(sinks: FakeUsher['sinks'] = { queue: false, webhook: WEBHOOK }) {
  const usher = new FakeUsher()
  usher.sinks = sinks
  usher.addUser({ email: 'ann@example.com', status: 'confirmed', age: 10 })
  usher.addUser({ email: null, status: 'confirmed', age: 9, identities: [{ providerType: 'anon-user', id: 'anon-1' }] })
  usher.addEvent({ type: 'CREATE', user: 'ann@example.com', status: 'delivered', age: 10 })
  usher.addEvent({ type: 'LOGIN', user: 'ann@example.com', status: 'dead', attempts: 9, age: 8 })
  const anonymous = usher.users[1]!
  usher.addEvent({ type: 'CREATE', user: anonymous.id, status: 'pending', age: 5 })
  return usher
}

async function eventsTab(usher: FakeUsher, size = {}) {
  const ui = renderDashboard({ client: usher.client, ...size })
  await ui.waitFor('● live')
  await ui.press('8')
  await ui.waitFor('[8 Events]')
  return ui
}

describe('Events tab', () => {
  it('lists events newest first: type, user (address or id), status, attempts, age; dead ones stand out', async () => {
    const usher = withEvents()
    const anonymous = usher.users[1]!
    const ui = await eventsTab(usher)
    await ui.waitFor(/› ◐ CREATE/)
    expect(ui.frame()).toMatch(/TYPE\s+USER\s+STATUS\s+ATTEMPTS\s+AGE/)
    const rows = ui.frame().split('\n').filter((line) => /[◐✘●○] (CREATE|LOGIN)/.test(line))
    expect(rows).toHaveLength(3)
    expect(rows[0]).toMatch(new RegExp(`◐ CREATE\\s+${anonymous.id}\\s+pending\\s+1\\s+5m ago`))
    expect(rows[1]).toMatch(/✘ LOGIN\s+ann@example\.com\s+dead\s+9\s+8m ago/)
    expect(rows[2]).toMatch(/● CREATE\s+ann@example\.com\s+delivered\s+1\s+10m ago/)
    expect(ui.frame()).toContain(`✘ 1 dead · ◐ 1 pending · to webhook ${WEBHOOK}`)
    expect(ui.footer()).toContain('f status')
  })

  it('says plainly when no sink is configured: events are only recorded', async () => {
    const usher = withEvents({ queue: false, webhook: null })
    const ui = await eventsTab(usher)
    await ui.waitFor('no sink: events only recorded')
    usher.sinks = { queue: true, webhook: WEBHOOK }
    await ui.press('7', '8')
    await ui.waitFor(`to queue and webhook ${WEBHOOK}`)
  })

  it('f steps through the statuses, asking the server; F steps back; Esc shows them all again', async () => {
    const usher = withEvents()
    const ui = await eventsTab(usher)
    await ui.waitFor(/› ◐ CREATE/)
    await ui.press('f')
    await ui.waitFor('◆ pending only (f F · Esc)')
    await ui.waitFor((frame) => frame.includes('◐ CREATE') && !frame.includes('LOGIN'))
    await ui.press('f')
    await ui.waitFor('◆ dead only (f F · Esc)')
    await ui.waitFor((frame) => frame.includes('› ✘ LOGIN') && !frame.includes('CREATE '))
    expect(usher.callsTo('events.list').at(-1)!.input).toMatchObject({ status: 'dead' })
    await ui.press('f', 'f')
    await ui.waitFor('◆ recorded only')
    await ui.waitFor('No recorded events (f F: another status, Esc: all)')
    await ui.press('F')
    await ui.waitFor('◆ delivered only')
    await ui.press(KEY.escape)
    await ui.waitFor((frame) => !frame.includes('◆') && frame.includes('LOGIN'))
    expect(usher.callsTo('events.list').at(-1)!.input).toMatchObject({ status: 'all' })
    // Elsewhere f says where it works.
    await ui.press('1', 'f')
    await ui.waitForBanner('⚠ f filters events by status on the Events tab (8); not on Pending')
  })

  it('the details show the delivery, the last error and the payload as sinks receive it', async () => {
    const usher = withEvents()
    const ui = await eventsTab(usher)
    await ui.press(KEY.down)
    await ui.waitFor('› ✘ LOGIN')
    await ui.press(KEY.enter)
    await ui.waitFor('LOGIN of ann@example.com')
    const frame = ui.frame()
    expect(frame).toContain('status     ✘ dead (r redelivers)')
    expect(frame).toContain('attempts   9')
    expect(frame).toContain('last error webhook: webhook answered HTTP 500')
    expect(frame).toContain('payload (as the sinks receive it)')
    expect(frame).toContain('"operationType": "LOGIN",')
    expect(frame).toContain('"email": "ann@example.com"')
  })

  it('at 80×24 the payload is cut to fit, saying how much more there is', async () => {
    const usher = withEvents()
    const ui = await eventsTab(usher, { columns: 80, rows: 24 })
    await ui.waitFor(/› ◐ CREATE/)
    await ui.press(KEY.enter)
    await ui.waitFor(/… \d+ more lines: usher events list --json/)
    const lines = ui.frame().split('\n')
    expect(lines).toHaveLength(24)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80)
  })

  it('r asks, then redelivers: the event is pending again', async () => {
    const usher = withEvents()
    const dead = usher.events.find((event) => event.status === 'dead')!
    const ui = await eventsTab(usher)
    await ui.press(KEY.down)
    await ui.waitFor('› ✘ LOGIN')
    expect(ui.footer()).toContain('r redeliver')
    await ui.press('r')
    await ui.waitFor('⚠ Redeliver event LOGIN of ann@example.com?')
    expect(ui.frame()).toContain(`with its own id (${dead.id})`)
    await ui.press('n')
    await ui.waitForBanner('⚠ Cancelled: the event was not redelivered')
    expect(usher.callsTo('events.redeliver')).toEqual([])
    await ui.press('r', 'y')
    await ui.waitForBanner('✔ Event LOGIN of ann@example.com queued for redelivery')
    await ui.waitFor(/› ◐ LOGIN\s+ann@example\.com\s+pending\s+0/)
    expect(usher.callsTo('events.redeliver')).toEqual([{ path: 'events.redeliver', input: { id: dead.id } }])
    expect(ui.frame()).toContain('✘ 0 dead · ◐ 2 pending')
  })

  it("refuses in the server's words: an event already on its way, or no sink to deliver to", async () => {
    const usher = withEvents()
    const ui = await eventsTab(usher)
    await ui.waitFor(/› ◐ CREATE/)
    expect(ui.footer()).not.toContain('r redeliver')
    await ui.press('r')
    await ui.waitForBanner("⚠ Can't redeliver event CREATE of")
    expect(ui.banner()).toContain(': this event is already waiting for delivery')

    const unsunk = await eventsTab(withEvents({ queue: false, webhook: null }))
    await unsunk.press(KEY.down)
    await unsunk.waitFor('› ✘ LOGIN')
    await unsunk.press('r')
    await unsunk.waitForBanner(
      "⚠ Can't redeliver event LOGIN of ann@example.com: no event sink is configured (EVENTS_QUEUE or EVENTS_WEBHOOK_URL): there is nowhere to deliver it",
    )
    expect(usher.callsTo('events.redeliver')).toEqual([])
  })

  it("shows the server's refusal in red when it refuses anyway", async () => {
    const usher = withEvents()
    const ui = await eventsTab(usher)
    await ui.press(KEY.down)
    await ui.waitFor('› ✘ LOGIN')
    usher.failNext('events.redeliver', 'this event is already waiting for delivery')
    await ui.press('r', 'y')
    await ui.waitForBanner(
      '✘ Redelivering LOGIN of ann@example.com failed: this event is already waiting for delivery',
    )
  })
})
