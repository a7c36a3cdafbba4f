/**
 * Imported users keep the ids they had (Firebase uids, Supabase UUIDs, up to 128 characters): the list shows
 * them cut with an ellipsis when there is no email to show, and the details pane shows the whole id, wrapped.
 */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

const LONG_ID = `imported_${'Ab9-'.repeat(28)}end`

describe('imported user ids', () => {
  it('are cut in the list and shown whole, wrapped, in the details beside it', async () => {
    const usher = new FakeUsher()
    const google = usher.addUser({
      email: null,
      status: 'confirmed',
      identities: [{ providerType: 'oauth2-google', id: '1098' }],
    })
    google.id = LONG_ID
    const uuid = usher.addUser({ email: 'sam@example.com', status: 'confirmed', age: 5 })
    uuid.id = '3f1c7a52-8d2e-4b6a-9c1e-5a7b8d9e0f11'
    const ui = renderDashboard({ client: usher.client })
    await ui.press('2')
    await ui.waitFor('› ● imported_Ab9-')
    expect(ui.line('› ● imported_')).toMatch(/› ● imported_[A-Za-z0-9_-]+… +confirmed/)
    await ui.press(KEY.enter)
    await ui.waitFor('sessions   0')
    const frame = ui.frame()
    // Every character of the id is on screen, in order, across the wrapped lines of the pane.
    const pane = frame
      .split('\n')
      .map((line) => /│ (.*?) *│$/.exec(line.slice(line.lastIndexOf('││') + 1))?.[1] ?? '')
      .join('')
    expect(pane.replace(/\s+/g, '')).toContain(`id${LONG_ID}`)
    expect(usher.callsTo('users.get')).toEqual([{ path: 'users.get', input: { userId: LONG_ID } }])

    await ui.press(KEY.enter, KEY.down, KEY.enter)
    await ui.waitFor('id         3f1c7a52-8d2e-4b6a-9c1e-')
  })
})
