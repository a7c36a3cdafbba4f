/**
 * A user's profile data and custom data in the details pane, and `e`: the custom data in the admin's editor
 * (a real editor process, test/tui/editor-script.ts), checked before saving — invalid JSON, not an object or
 * too large is explained in the server's words with the admin's text kept for another try; unchanged data is
 * not sent.
 */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { scriptedEditor, type EditorRun } from './editor-script'
import { KEY, renderDashboard } from './render'

const PLAN = { plan: 'pro', seats: 5, teams: ['red', 'blue'] }

function withAnn(customData: Record<string, unknown> = PLAN) {
  const usher = new FakeUsher()
  const ann = usher.addUser({
    email: 'ann@example.com',
    status: 'confirmed',
    age: 1,
    data: { name: 'Ann Example', picture: 'https://example.com/ann.png' },
    customData,
  })
  usher.addUser({ email: 'bob@example.com', status: 'confirmed', age: 2 })
  return { usher, ann }
}

/** The dashboard on the Confirmed tab, ann selected, with `runs` as the editor. */
async function open(usher: FakeUsher, runs: EditorRun[], size = {}) {
  const editor = scriptedEditor(runs)
  const ui = renderDashboard({ client: usher.client, env: editor.env, ...size })
  await ui.press('2')
  await ui.waitFor('› ● ann@example.com')
  return { ui, editor }
}

describe('profile and custom data in the details', () => {
  it('shows what the providers say and the custom data as JSON', async () => {
    const { usher } = withAnn()
    const { ui } = await open(usher, [])
    await ui.press(KEY.enter)
    await ui.waitFor('custom data (e edits it)')
    const frame = ui.frame()
    expect(frame).toContain('profile    name Ann Example · picture')
    expect(frame).toMatch(/│ {12}https:\/\/example\.com\/ann\.png/)
    expect(frame).toMatch(/│ \{\s+│/)
    expect(frame).toContain('  "plan": "pro",')
    expect(frame).toContain('  "seats": 5,')
    expect(ui.footer()).toContain('e custom data')
    await ui.press(KEY.down)
    await ui.waitFor('› ● bob@example.com')
    await ui.waitFor('custom data none (e sets it)')
    expect(ui.frame()).toContain('profile    none')
  })

  it('cuts custom data that does not fit, and says how much more there is', async () => {
    const big = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`key${index}`, index]))
    const { usher } = withAnn(big)
    const { ui } = await open(usher, [], { columns: 80, rows: 24 })
    await ui.press(KEY.enter)
    await ui.waitFor(/… \d+ more lines: e opens it all in your editor/)
    const lines = ui.frame().split('\n')
    expect(lines.length).toBeLessThanOrEqual(24)
    expect(ui.frame()).toContain('"key0": 0,')
    expect(ui.frame()).not.toContain('"key29"')
    // One audit entry still shows below.
    expect(ui.frame()).toContain('recent activity')
  })
})

describe('e: the custom data in the editor', () => {
  it('saves valid JSON with users.setCustomData; the editor got the data pretty-printed', async () => {
    const { usher, ann } = withAnn()
    const { ui, editor } = await open(usher, [{ write: '{ "plan": "team", "seats": 12 }\n' }])
    await ui.press('e')
    await ui.waitForBanner('✔ Custom data of ann@example.com saved (26 bytes)')
    expect(editor.seen(1)).toBe(`${JSON.stringify(PLAN, null, 2)}\n`)
    expect(usher.callsTo('users.setCustomData')).toEqual([
      { path: 'users.setCustomData', input: { userId: ann.id, data: { plan: 'team', seats: 12 } } },
    ])
    expect(usher.byEmail('ann@example.com').customData).toEqual({ plan: 'team', seats: 12 })
    // The details, open now, show the saved data.
    await ui.press(KEY.enter)
    await ui.waitFor('"seats": 12')
  })

  it('sends nothing when the data did not change (same text, or the same JSON written differently)', async () => {
    const { usher } = withAnn()
    const { ui, editor } = await open(usher, [{ write: null }, { write: JSON.stringify(PLAN) }])
    await ui.press('e')
    await ui.waitForBanner('⚠ No change to the custom data of ann@example.com: nothing was sent')
    await ui.press(KEY.escape)
    await ui.waitFor(() => ui.banner() === '')
    await ui.press('e')
    await ui.waitForBanner('⚠ No change to the custom data of ann@example.com: nothing was sent')
    expect(editor.runs()).toBe(2)
    expect(usher.callsTo('users.setCustomData')).toEqual([])
  })

  it('invalid JSON: explained, and e re-opens the editor with the admin\'s own text, which can then be saved', async () => {
    const { usher } = withAnn()
    const typo = '{ "plan": "team", }\n'
    const { ui, editor } = await open(usher, [{ write: typo }, { write: '{ "plan": "team" }' }])
    await ui.press('e')
    await ui.waitFor('✘ The custom data of ann@example.com was not saved: not valid JSON')
    expect(ui.frame()).toContain('e or Enter: edit it again (your text is kept) · Esc: discard your changes')
    expect(ui.footer()).toContain('e/Enter edit again (your text is kept)')
    expect(usher.callsTo('users.setCustomData')).toEqual([])
    // Keys that mean something else while browsing do nothing here.
    await ui.press('x')
    expect(ui.frame()).not.toContain('Delete ann@example.com?')
    await ui.press('e')
    await ui.waitForBanner('✔ Custom data of ann@example.com saved (15 bytes)')
    expect(editor.seen(2)).toBe(typo)
    expect(ui.frame()).not.toContain('was not saved')
    expect(usher.byEmail('ann@example.com').customData).toEqual({ plan: 'team' })
  })

  it('not an object, or too large: refused in the server\'s words; Esc discards the edit', async () => {
    const { usher } = withAnn()
    const large = JSON.stringify({ blob: 'x'.repeat(5000) })
    const { ui, editor } = await open(usher, [{ write: '["pro"]' }, { write: large }])
    await ui.press('e')
    await ui.waitFor('was not saved: custom data must be a JSON object')
    await ui.press(KEY.enter)
    await ui.waitFor(`was not saved: custom data is ${large.length} bytes: at most 4096`)
    expect(editor.seen(2)).toBe('["pro"]')
    await ui.press(KEY.escape)
    await ui.waitForBanner('⚠ Discarded the edit: the custom data of ann@example.com is unchanged')
    expect(usher.callsTo('users.setCustomData')).toEqual([])
    expect(usher.byEmail('ann@example.com').customData).toEqual(PLAN)
  })

  it('a save the server refuses keeps the text for another try, the reason in red', async () => {
    const { usher } = withAnn()
    const { ui, editor } = await open(usher, [{ write: '{"plan": "gold"}' }, { write: null }])
    usher.failNext('users.setCustomData', 'the database is read-only right now')
    await ui.press('e')
    await ui.waitForBanner('✘ Saving the custom data of ann@example.com failed: the database is read-only right now')
    await ui.waitFor('was not saved: the server did not save it')
    await ui.press('e')
    await ui.waitForBanner('✔ Custom data of ann@example.com saved (15 bytes)')
    expect(editor.seen(2)).toBe('{"plan": "gold"}')
  })

  it('an editor that fails saves nothing', async () => {
    const { usher } = withAnn()
    const { ui } = await open(usher, [{ write: '{"plan": "gold"}', status: 3 }])
    await ui.press('e')
    await ui.waitForBanner('✘ Could not edit the custom data of ann@example.com: ')
    expect(ui.banner()).toMatch(/editor\.sh exited with status 3; nothing was saved$/)
    expect(usher.callsTo('users.setCustomData')).toEqual([])
  })

  it('works from the details and from the user\'s API keys; elsewhere e says where it works', async () => {
    const { usher } = withAnn()
    usher.addUserKey('ann@example.com', 'laptop')
    const { ui, editor } = await open(usher, [{ write: '{"a": 1}' }, { write: '{"a": 2}' }])
    await ui.press(KEY.enter)
    await ui.waitFor('API keys   ● laptop')
    await ui.press('e')
    await ui.waitForBanner('✔ Custom data of ann@example.com saved (7 bytes)')
    await ui.press('a')
    await ui.waitFor('› ● laptop')
    await ui.press('e')
    await ui.waitFor(() => usher.byEmail('ann@example.com').customData.a === 2)
    expect(editor.runs()).toBe(2)
    await ui.press(KEY.escape, '6')
    await ui.waitFor('[6 Audit]')
    await ui.press('e')
    await ui.waitForBanner("⚠ e edits a user's custom data on the user tabs (1–3); not on Audit")
  })
})
