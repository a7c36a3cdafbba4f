/**
 * `E` on a user: a one-field form with their address, for a new one. Nothing is sent for an empty field or
 * the same address; the server's refusal keeps the form and the admin's text; Esc cancels.
 */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

async function onConfirmed() {
  const usher = new FakeUsher()
  const ann = usher.addUser({ email: 'ann@example.com', status: 'confirmed', age: 1 })
  usher.addUser({ email: 'bob@example.com', status: 'confirmed', age: 2 })
  usher.addUser({ email: null, status: 'confirmed', age: 3, identities: [{ providerType: 'anon-user', id: 'anon-1' }] })
  const ui = renderDashboard({ client: usher.client })
  await ui.press('2')
  await ui.waitFor('› ● ann@example.com')
  return { usher, ann, ui }
}

/** Empty the field (it opens with the current address) and type `text`. */
async function retype(ui: Awaited<ReturnType<typeof onConfirmed>>['ui'], text: string) {
  await ui.press(...Array.from({ length: 40 }, () => KEY.backspace))
  await ui.type(text)
}

describe('E: a new email address', () => {
  it('opens with the current address, changes it, and says so; the list shows the new one', async () => {
    const { usher, ann, ui } = await onConfirmed()
    await ui.press('E')
    await ui.waitFor('New email address for ann@example.com')
    expect(ui.line('› email')).toContain('ann@example.com')
    expect(ui.footer()).toContain('Enter change it')
    await retype(ui, 'ann@new.example.com')
    await ui.press(KEY.enter)
    await ui.waitForBanner('✔ Changed the email of ann@example.com to ann@new.example.com: the old address was told')
    await ui.waitFor('› ● ann@new.example.com')
    expect(ui.frame()).not.toContain('New email address for')
    expect(usher.callsTo('users.changeEmail').map((call) => call.input)).toEqual([{ userId: ann.id, email: 'ann@new.example.com' }])
  })

  it('sends nothing for an empty field or the same address; shows the server refusal and keeps the text; Esc cancels', async () => {
    const { usher, ui } = await onConfirmed()
    await ui.press('E')
    await ui.waitFor('New email address for ann@example.com')
    await ui.press(KEY.enter)
    await ui.waitFor("✘ ann@example.com is already this user's email")
    await retype(ui, '   ')
    await ui.press(KEY.enter)
    await ui.waitFor('✘ enter the new email address')
    expect(usher.callsTo('users.changeEmail')).toEqual([])

    await retype(ui, 'BOB@example.com')
    await ui.press(KEY.enter)
    await ui.waitForBanner('✘ Changing the email of ann@example.com failed: an account with the email BOB@example.com already exists')
    expect(ui.line('› email')).toContain('BOB@example.com')
    await ui.press(KEY.escape)
    await ui.waitFor((frame) => !frame.includes('New email address for'))
    expect(usher.users[0]!.email).toBe('ann@example.com')
  })

  it('explains instead of opening for a user without an email/password login, and off the user tabs', async () => {
    const { usher, ui } = await onConfirmed()
    await ui.press('j', 'j')
    await ui.waitFor(`› ● ${usher.users[2]!.id}`)
    await ui.press('E')
    await ui.waitForBanner(`${usher.users[2]!.id}: this user has no email/password identity`)
    expect(ui.frame()).not.toContain('New email address for')
    await ui.press('4')
    await ui.waitFor('[4 API keys]')
    await ui.press('E')
    await ui.waitForBanner("E changes a user's email on the user tabs (1–3); not on API keys")
    expect(usher.callsTo('users.changeEmail')).toEqual([])
  })
})
