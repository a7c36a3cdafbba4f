/** The API keys tab: a new key shown once with a copy hint, and d / u / x on the selected key. */
import { describe, expect, it } from 'vitest'
import { FakeUsher } from './fake-usher'
import { KEY, renderDashboard } from './render'

async function keysTab(configure: (usher: FakeUsher) => void = () => {}) {
  const usher = new FakeUsher()
  configure(usher)
  const ui = renderDashboard({ client: usher.client })
  await ui.waitFor('● live')
  await ui.press('4')
  await ui.waitFor('[4 API keys]')
  return { usher, ui }
}

describe('API keys tab', () => {
  it('n creates a key and shows its secret once, with a copy hint', async () => {
    const { usher, ui } = await keysTab()
    await ui.press('n')
    await ui.waitFor('New server API key')
    await ui.type('backend-prod')
    await ui.press(KEY.enter)
    await ui.waitFor('Copy the key now: it is shown only this once.')
    const secret = `${usher.keys[0]!.id}.secret-for-backend-prod`
    expect(ui.frame()).toContain(secret)
    expect(ui.frame()).toContain('Copy hint: select it with the mouse')
    await ui.waitForBanner('✔ Created API key backend-prod: copy its key now, it is shown only once')

    await ui.press(KEY.enter)
    await ui.waitFor(/› ● backend-prod\s+enabled/)
    expect(ui.frame()).not.toContain(secret)
    // Details show everything about the key except its secret.
    await ui.press(KEY.enter)
    await ui.waitFor('API key backend-prod')
    expect(ui.frame()).not.toContain('secret-for')
  })

  it('n refuses an empty name, and shows the server message when the name is taken', async () => {
    const { usher, ui } = await keysTab((fake) => fake.addKey('taken'))
    await ui.waitFor('taken')
    await ui.press('n')
    await ui.waitFor('New server API key')
    await ui.press(KEY.enter)
    await ui.waitFor('✘ enter a name for the key')
    await ui.type('taken')
    await ui.press(KEY.enter)
    await ui.waitForBanner('✘ Creating API key taken failed: an API key with this name already exists')
    expect(usher.keys).toHaveLength(1)
    await ui.press(KEY.escape)
    await ui.waitFor((frame) => !frame.includes('New server API key'))
  })

  it('d disables and u enables the selected key; only the possible one is offered', async () => {
    const { usher, ui } = await keysTab((fake) => fake.addKey('backend-prod'))
    await ui.waitFor('› ● backend-prod')
    expect(ui.frame()).toContain('d disable')
    expect(ui.frame()).not.toContain('u enable')
    await ui.press('u')
    await ui.waitFor("⚠ Can't enable API key backend-prod: this API key is not disabled")

    await ui.press('d')
    await ui.waitFor('✔ Disabled API key backend-prod')
    await ui.waitFor(/› ⊘ backend-prod\s+disabled/)
    await ui.waitFor('u enable')
    expect(usher.keys[0]!.disabled).toBe(true)

    usher.failNext('apiKeys.enable', 'API key not found')
    await ui.press('u')
    await ui.waitFor('✘ Enabling API key backend-prod failed: API key not found')
    await ui.press('u')
    await ui.waitFor('✔ Enabled API key backend-prod')
    await ui.waitFor(/› ● backend-prod\s+enabled/)

    usher.failNext('apiKeys.disable', 'API key not found')
    await ui.press('d')
    await ui.waitFor('✘ Disabling API key backend-prod failed: API key not found')
  })

  it('x deletes the selected key after y', async () => {
    const { usher, ui } = await keysTab((fake) => fake.addKey('old-cron'))
    await ui.waitFor('› ● old-cron')
    await ui.press('x')
    await ui.waitFor('⚠ Delete API key old-cron? This cannot be undone.')
    await ui.press('q')
    await ui.waitFor('Cancelled: nothing was deleted')
    usher.failNext('apiKeys.delete', 'API key not found')
    await ui.press('x', 'y')
    await ui.waitFor('✘ Deleting API key old-cron failed: API key not found')
    await ui.press('x', 'y')
    await ui.waitFor('✔ Deleted API key old-cron')
    await ui.waitFor('No server API keys')
    expect(usher.keys).toEqual([])
  })
})
