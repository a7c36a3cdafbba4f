/** The `?` overlay and the footer list every key from the same tables the key handling reads; q quits. */
import { describe, expect, it } from 'vitest'
import { EVENT_ACTIONS, USER_ACTIONS } from '../../tui/dashboard/actions'
import { API_KEY_ACTIONS, SIGNING_KEY_ACTIONS, USER_API_KEY_ACTIONS } from '../../tui/dashboard/key-actions'
import { BINDINGS, EDIT_DATA_BINDING, USER_KEYS_BINDING } from '../../tui/dashboard/keys'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

/** The actions listed off the user section (whose keys line up after `e E`). */
const OTHER_ACTIONS = [...API_KEY_ACTIONS, ...USER_API_KEY_ACTIONS, ...SIGNING_KEY_ACTIONS, ...EVENT_ACTIONS]

describe('help and the footer', () => {
  it('? lists every key with what it does; ? or Esc closes it', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'pat@example.com' })
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('pat@example.com')
    await ui.press('?')
    await ui.waitFor('Keys · ? or Esc closes')
    const help = ui.frame()
    // Each section's descriptions line up two columns after its longest key.
    for (const binding of BINDINGS) expect(help).toContain(`${binding.keys.padEnd(14)}${binding.description}`)
    // On a user, after `e E` (the widest key there): five columns.
    for (const action of USER_ACTIONS) expect(help).toContain(`${action.key.padEnd(5)}${action.description}`)
    for (const action of OTHER_ACTIONS) expect(help).toContain(`${action.key}  ${action.description}`)
    expect(help).toContain(`a    ${USER_KEYS_BINDING.description}`)
    expect(help).toContain(`e E  ${EDIT_DATA_BINDING.description}`)
    // The help sits where the list was; the keys it lists do not act meanwhile.
    await ui.press('c')
    expect(usher.callsTo('users.confirm')).toEqual([])
    await ui.press('?')
    await ui.waitFor('pat@example.com')
    await ui.press('?')
    await ui.waitFor('Keys · ? or Esc closes')
    await ui.press(KEY.escape)
    await ui.waitFor('pat@example.com')
  })

  it('the help fits an 80×24 terminal', async () => {
    const ui = renderDashboard({ client: new FakeUsher().client, columns: 80, rows: 24 })
    await ui.waitFor('● live')
    await ui.press('?')
    await ui.waitFor('Keys · ? or Esc closes')
    const help = ui.frame()
    for (const binding of [...BINDINGS, USER_KEYS_BINDING, EDIT_DATA_BINDING]) expect(help).toContain(binding.description)
    for (const action of [...USER_ACTIONS, ...OTHER_ACTIONS]) expect(help).toContain(action.description)
    expect(help.split('\n')).toHaveLength(24)
  })

  it('the footer names the keys that work on the selected row', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'pat@example.com' })
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('pat@example.com')
    const footer = ui.footer()
    for (const hint of [
      'c confirm',
      'r re-run',
      'm email',
      'e custom data',
      'x delete',
      'n new user',
      '⏎ details',
      '/ search',
      '? help',
      'q quit',
    ]) {
      expect(footer).toContain(hint)
    }
    // Not before their first login: there are no sessions to revoke.
    expect(footer).not.toContain('s revoke sessions')
    await ui.press('/')
    await ui.waitFor('Enter keep the search')
    expect(ui.frame()).toContain('Esc clear it')
  })
})

describe('q', () => {
  it('quits: the dashboard stops reading keys', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'pat@example.com' })
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('pat@example.com')
    await ui.press('q')
    const last = ui.frame()
    await ui.press('2', 'c')
    expect(ui.frame()).toBe(last)
    expect(usher.callsTo('users.confirm')).toEqual([])
  })

  it('types into a search instead of quitting', async () => {
    const usher = new FakeUsher()
    usher.addUser({ email: 'quinn@example.com' })
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('quinn@example.com')
    await ui.press('/')
    await ui.type('q')
    await ui.waitFor('/ q')
    await ui.press(KEY.enter, '2')
    await ui.waitFor('[2 Confirmed]')
  })
})
