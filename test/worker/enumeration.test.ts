import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { api, appBinding, client, configured, count, lastMail, mailCount, uniqueEmail } from './helpers'

const guarded = client(configured({ ENUMERATION_PROTECTION: 'on' }))

async function answers(action: string, emails: string[]) {
  return Promise.all(
    emails.map(async (email) => {
      const res = await guarded.userpass(action, { email })
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() }
    }),
  )
}

describe('ENUMERATION_PROTECTION=off (the App Services default)', () => {
  it('register, confirm/send and reset/send reveal taken and unknown emails, as apps expect', async () => {
    const email = uniqueEmail()
    await api.register(email)
    expect((await api.register(email)).status).toBe(409)
    expect((await api.userpass('confirm/send', { email: uniqueEmail() })).status).toBe(404)
    expect((await api.userpass('reset/send', { email: uniqueEmail() })).status).toBe(404)
  })
})

describe('ENUMERATION_PROTECTION=on', () => {
  it('registering a taken email answers like a new one; the owner gets a notice instead', async () => {
    const taken = uniqueEmail()
    expect((await guarded.register(taken)).status).toBe(201)
    await expect.poll(() => mailCount(taken)).toBe(1)
    const again = await guarded.register(taken.toUpperCase())
    expect(again.status).toBe(201)
    expect(await again.text()).toBe('')
    await expect.poll(async () => (await lastMail(taken)).subject).toBe('Your usher-local account')
    expect((await lastMail(taken)).text).toContain('already has one')
  })

  it('with a user creation function, every address is answered before the function decides: its latency and refusals tell nothing', async () => {
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const fn = appBinding<{ user: { data: { email: string } } }>(async ({ user }) => {
      await gate
      return user.data.email.startsWith('refused')
        ? Response.json({ error: 'this domain is not invited' })
        : Response.json({ customData: { plan: 'free' } })
    })
    const app = client(configured({ ENUMERATION_PROTECTION: 'on', USER_CREATION_FUNCTION: fn.binding }))
    const taken = uniqueEmail('taken')
    expect((await api.register(taken)).status).toBe(201)
    const [free, refused] = [uniqueEmail('free'), uniqueEmail('refused')]

    // The function has not answered (it waits for the gate), yet every address has its answer, the same one.
    const results = await Promise.all(
      [taken, free, refused].map(async (email) => {
        const res = await app.register(email)
        return { status: res.status, body: await res.text() }
      }),
    )
    expect(results).toEqual([
      { status: 201, body: '' },
      { status: 201, body: '' },
      { status: 201, body: '' },
    ])
    expect(await count('identities', 'email IN (?, ?)', free, refused)).toBe(0)

    open()
    await expect.poll(() => count('identities', 'email = ?', free)).toBe(1)
    await expect.poll(() => count('audit_log', "action = 'user.registration-rejected' AND json_extract(detail, '$.email') = ?", refused)).toBe(1)
    const rejected = await env.DB.prepare("SELECT detail, outcome FROM audit_log WHERE action = 'user.registration-rejected' AND json_extract(detail, '$.email') = ?")
      .bind(refused)
      .first<{ detail: string; outcome: string }>()
    expect(rejected!.outcome).toBe('refused')
    expect(JSON.parse(rejected!.detail).reason).toBe('user creation refused: this domain is not invited')
    expect(await count('identities', 'email = ?', refused)).toBe(0)
    // A taken address never reaches the function; its owner is told instead.
    expect(fn.calls.map((call) => call.user.data.email).sort()).toEqual([free, refused].sort())
    await expect.poll(async () => (await lastMail(taken)).subject).toBe('Your usher-local account')
    // The free one goes on as any registration: its confirmation mail, then the function's custom data.
    await expect.poll(() => mailCount(free)).toBe(1)
    expect(await env.DB.prepare('SELECT u.custom_data AS data FROM users u JOIN identities i ON i.user_id = u.id WHERE i.email = ?').bind(free).first('data')).toBe('{"plan":"free"}')
  })

  it('confirm/send, confirm/call and reset/send answer unknown, pending and confirmed emails identically', async () => {
    const pending = uniqueEmail()
    await api.register(pending)
    const confirmed = uniqueEmail()
    await api.register(confirmed)
    const { token, tokenId } = await lastMail(confirmed)
    await api.userpass('confirm', { token, tokenId })
    const unknown = uniqueEmail()
    for (const action of ['confirm/send', 'confirm/call', 'reset/send']) {
      const results = await answers(action, [unknown, pending, confirmed])
      expect(results).toEqual([results[0], results[0], results[0]])
      expect(results[0]).toEqual({ status: 204, type: null, body: '' })
    }
    // …while the work still happens for the one it applies to.
    await expect.poll(() => mailCount(pending)).toBe(3)
    await expect.poll(() => mailCount(confirmed)).toBe(2)
    expect((await lastMail(confirmed)).subject).toBe('Reset your password')
    expect(await mailCount(unknown)).toBe(0)
  })

  it('reset/call with a reset function answers an unknown email like a known one, without calling it', async () => {
    const { calls, binding } = appBinding(() => Response.json({ status: 'pending' }))
    const app = client(configured({ ENUMERATION_PROTECTION: 'on', RESET_METHOD: 'function', RESET_FUNCTION: binding }))
    const known = uniqueEmail()
    await admin().users.create.mutate({ email: known, password: 'password1' })
    const unknownAnswer = await app.userpass('reset/call', { email: uniqueEmail(), password: 'password2' })
    const knownAnswer = await app.userpass('reset/call', { email: known, password: 'password2' })
    expect([unknownAnswer.status, await unknownAnswer.text()]).toEqual([204, ''])
    expect([knownAnswer.status, await knownAnswer.text()]).toEqual([204, ''])
    expect(calls).toHaveLength(1)
  })

  it('admins still get the truth', async () => {
    const email = uniqueEmail()
    const user = await admin().users.create.mutate({ email, password: 'password1' })
    await expect(admin().users.sendConfirmationEmail.mutate({ userId: user.id })).rejects.toMatchObject({ message: 'already confirmed' })
  })
})
