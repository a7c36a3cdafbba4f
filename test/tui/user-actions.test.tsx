/** Every action on a user (c r m d u s l x n) with its green success and red failure banners. */
import { describe, expect, it } from 'vitest'
import { FakeUsher, type UserSeed } from './fake-usher'
import { KEY, renderDashboard } from './render'

/** One user, selected on their tab. */
async function withUser(seed: UserSeed, tab = '1') {
  const usher = new FakeUsher()
  const user = usher.addUser(seed)
  const ui = renderDashboard({ client: usher.client })
  await ui.waitFor('● live')
  await ui.press(tab)
  await ui.waitFor(`› `)
  await ui.waitFor(seed.email ?? user.id)
  return { usher, user, ui }
}

const pending = { email: 'pat@example.com', status: 'pending-confirmation' } as const
const confirmed = { email: 'cora@example.com', status: 'confirmed', sessions: 2 } as const
const disabled = { email: 'dina@example.com', status: 'confirmed', disabled: true } as const

describe('user actions', () => {
  it('c confirms: green banner, and the row now awaits first login', async () => {
    const { usher, user, ui } = await withUser(pending)
    await ui.press('c')
    await ui.waitFor('✔ Confirmed pat@example.com: awaits first login')
    await ui.waitFor(/◐ pat@example\.com\s+awaits first login/)
    expect(usher.callsTo('users.confirm')).toEqual([{ path: 'users.confirm', input: { userId: user.id } }])
  })

  it('l clears a failed-login lock; with no failures on record it says so in the server\'s words', async () => {
    const { usher, user, ui } = await withUser(confirmed, '2')
    // The details show there is nothing to clear: explained without asking the server.
    await ui.press(KEY.enter)
    await ui.waitFor('sessions   2')
    await ui.press('l')
    await ui.waitFor("⚠ Can't unlock cora@example.com: this user has no failed logins to clear")
    expect(usher.callsTo('users.clearLock')).toEqual([])
    usher.lockOut('cora@example.com')
    await ui.press(KEY.enter, KEY.enter)
    await ui.waitFor(/locked until .+ \(l unlocks\)/)
    await ui.waitFor('5 in a row, 5 this hour')
    expect(ui.footer()).toContain('l unlock')
    await ui.press('l')
    await ui.waitFor('✔ Cleared the login lock of cora@example.com: they can log in again')
    expect(usher.callsTo('users.clearLock')).toEqual([{ path: 'users.clearLock', input: { userId: user.id } }])
  })

  it('l without the details asks the server, which alone knows of failed logins below the lockout', async () => {
    const { usher, user, ui } = await withUser(confirmed, '2')
    // Not locked now, and the details are closed: the footer does not offer l, but the key still asks.
    expect(ui.footer()).not.toContain('l unlock')
    await ui.press('l')
    await ui.waitFor('✘ Clearing the login lock of cora@example.com failed: this user has no failed logins to clear')
    usher.failLogins('cora@example.com', 3)
    await ui.press('l')
    await ui.waitFor('✔ Cleared the login lock of cora@example.com: they can log in again')
    expect(usher.callsTo('users.clearLock')).toHaveLength(2)
    expect(usher.byEmail('cora@example.com').lock).toBeNull()
    expect(usher.callsTo('users.clearLock')[1]).toEqual({ path: 'users.clearLock', input: { userId: user.id } })
  })

  it('c shows the server message in red when confirming fails', async () => {
    const { usher, ui } = await withUser(pending)
    usher.failNext('users.confirm', 'the database is read-only right now')
    await ui.press('c')
    await ui.waitFor('✘ Confirming pat@example.com failed: the database is read-only right now')
    expect(ui.line('pat@example.com')).toContain('awaits confirmation')
  })

  it('r re-runs the confirmation workflow', async () => {
    const { usher, ui } = await withUser({ ...pending, linkExpiresIn: -60 })
    expect(ui.line('pat@example.com')).toContain('stuck: link expired')
    await ui.press('r')
    await ui.waitFor('✔ Re-ran confirmation for pat@example.com: a new confirmation is on its way')
    await ui.waitFor(/○ pat@example\.com\s+awaits confirmation/)
    usher.failNext('users.rerunConfirmation', 'confirmation function unavailable: HTTP 503')
    await ui.press('r')
    await ui.waitFor(
      '✘ Re-running confirmation for pat@example.com failed: confirmation function unavailable: HTTP 503',
    )
  })

  it('m resends the confirmation email', async () => {
    const { usher, ui } = await withUser(pending)
    await ui.press('m')
    await ui.waitFor('✔ Sent a new confirmation email to pat@example.com')
    expect(usher.outbox.map((mail) => mail.to)).toEqual(['pat@example.com'])
    usher.failNext('users.sendConfirmationEmail', 'mail provider refused the message')
    await ui.press('m')
    await ui.waitFor(
      '✘ Sending a confirmation email to pat@example.com failed: mail provider refused the message',
    )
  })

  it('d disables a confirmed user, who moves to the Disabled tab', async () => {
    const { usher, ui } = await withUser(confirmed, '2')
    await ui.press('d')
    await ui.waitFor('✔ Disabled cora@example.com: sessions ended')
    await ui.waitFor('No confirmed users yet')
    expect(ui.frame()).toMatch(/○ 0 pending\s+● 0 confirmed\s+⊘ 1 disabled/)
    await ui.press('3')
    await ui.waitFor(/⊘ cora@example\.com\s+disabled/)
    expect(usher.byEmail('cora@example.com').disabled).toBe(true)
  })

  it('d shows the server message when disabling fails', async () => {
    const { usher, ui } = await withUser(confirmed, '2')
    usher.failNext('users.disable', 'user not found')
    await ui.press('d')
    await ui.waitFor('✘ Disabling cora@example.com failed: user not found')
  })

  it('u enables a disabled user', async () => {
    const { usher, ui } = await withUser(disabled, '3')
    usher.failNext('users.enable', 'user not found')
    await ui.press('u')
    await ui.waitFor('✘ Enabling dina@example.com failed: user not found')
    await ui.press('u')
    await ui.waitFor('✔ Enabled dina@example.com')
    await ui.waitFor('No disabled users.')
  })

  it('s asks first: y revokes the sessions only, k disables their API keys too', async () => {
    const { usher, user, ui } = await withUser(confirmed, '2')
    const laptop = usher.addUserKey('cora@example.com', 'laptop')
    await ui.press('s')
    await ui.waitFor('⚠ Revoke every session of cora@example.com?')
    expect(ui.frame()).toContain('Their API keys could log straight back in: k disables them too.')
    expect(ui.frame()).toContain('y: sessions only · k: sessions and API keys · any other key keeps it.')
    const footer = ui.footer()
    expect(footer).toContain('y sessions only')
    expect(footer).toContain('k sessions and API keys')
    await ui.press('n')
    await ui.waitFor('⚠ Cancelled: no session was revoked')
    expect(usher.callsTo('users.revokeSessions')).toEqual([])

    await ui.press('s', 'y')
    await ui.waitFor('✔ Revoked 2 sessions of cora@example.com; their API keys still log in')
    expect(laptop.disabled).toBe(false)
    usher.byEmail('cora@example.com').sessionCount = 1
    await ui.press('s', 'k')
    await ui.waitFor('✔ Revoked 1 session of cora@example.com and disabled 1 API key')
    expect(laptop.disabled).toBe(true)
    expect(usher.callsTo('users.revokeSessions').map((call) => call.input)).toEqual([
      { userId: user.id, disableApiKeys: false },
      { userId: user.id, disableApiKeys: true },
    ])

    usher.failNext('users.revokeSessions', 'user not found')
    await ui.press('s', 'k')
    await ui.waitFor('✘ Revoking the sessions and API keys of cora@example.com failed: user not found')
  })

  it('x asks to type y before deleting; any other key keeps the user', async () => {
    const { usher, ui } = await withUser(pending)
    await ui.press('x')
    await ui.waitFor('⚠ Delete pat@example.com? This cannot be undone.')
    expect(ui.frame()).toContain('Type y to go ahead')
    await ui.press('n')
    await ui.waitFor('⚠ Cancelled: nothing was deleted')
    await ui.press('x')
    await ui.waitFor('Delete pat@example.com?')
    await ui.press(KEY.enter)
    await ui.waitFor('⚠ Cancelled: nothing was deleted')
    expect(usher.callsTo('users.delete')).toEqual([])

    usher.failNext('users.delete', 'user not found')
    await ui.press('x')
    await ui.waitFor('Delete pat@example.com?')
    await ui.press('y')
    await ui.waitFor('✘ Deleting pat@example.com failed: user not found')

    await ui.press('x')
    await ui.waitFor('Delete pat@example.com?')
    await ui.press('y')
    await ui.waitFor('✔ Deleted pat@example.com')
    await ui.waitFor('No user awaits confirmation')
    expect(usher.users).toEqual([])
  })
})

describe('n: new user', () => {
  async function openForm() {
    const usher = new FakeUsher()
    const ui = renderDashboard({ client: usher.client })
    await ui.waitFor('● live')
    await ui.press('2')
    await ui.waitFor('[2 Confirmed]')
    await ui.press('n')
    await ui.waitFor('New email/password user')
    return { usher, ui }
  }

  it('masks the password and creates the user, confirmed', async () => {
    const { usher, ui } = await openForm()
    await ui.type('new@example.com')
    await ui.press(KEY.enter)
    await ui.type('s3cret!')
    await ui.waitFor('*******')
    expect(ui.frame()).not.toContain('s3cret!')
    await ui.press(KEY.enter)
    await ui.waitFor('✔ Created new@example.com: confirmed, listed on tab 2 Confirmed')
    await ui.waitFor(/● new@example\.com\s+confirmed/)
    expect(ui.frame()).not.toContain('New email/password user')
    expect(usher.callsTo('users.create')).toEqual([
      { path: 'users.create', input: { email: 'new@example.com', password: 's3cret!' } },
    ])
  })

  it('checks the email and the 6–128 password length before sending anything', async () => {
    const { usher, ui } = await openForm()
    await ui.press(KEY.enter, KEY.enter)
    await ui.waitFor('✘ enter an email address')
    await ui.press(KEY.tab)
    await ui.type('not-an-email')
    await ui.press(KEY.tab)
    await ui.type('abcdef')
    await ui.press(KEY.enter)
    await ui.waitFor('✘ "not-an-email" is not an email address (name@domain)')

    await ui.press(KEY.tab)
    await ui.type('@example.com')
    await ui.press(KEY.tab)
    for (let n = 0; n < 3; n++) await ui.press(KEY.backspace)
    await ui.waitFor(/› password\s+\*\*\* /)
    await ui.press(KEY.enter)
    await ui.waitFor('✘ the password must be 6–128 characters (it has 3)')

    await ui.paste('x'.repeat(126))
    await ui.press(KEY.enter)
    await ui.waitFor('✘ the password must be 6–128 characters (it has 129)')
    expect(usher.callsTo('users.create')).toEqual([])
  })

  it('keeps the form open with the server message when creating fails', async () => {
    const { usher, ui } = await openForm()
    usher.addUser({ email: 'taken@example.com', status: 'confirmed' })
    await ui.type('taken@example.com')
    await ui.press(KEY.enter)
    await ui.type('password1')
    await ui.press(KEY.enter)
    await ui.waitForBanner(
      '✘ Creating taken@example.com failed: an account with the email taken@example.com already exists',
    )
    expect(ui.frame()).toContain('New email/password user')
    await ui.press(KEY.escape)
    await ui.waitFor((frame) => !frame.includes('New email/password user'))
  })
})
