/**
 * Users in and out through the admin API, inside workerd on the real local D1: `users.import` keeps ids and
 * password hashes (Firebase's published test vector, a bcryptjs hash), is safe to run twice, reports conflicts
 * and bad rows while the rest imports, writes nothing on a dry run, and lets the file win with `update`;
 * users imported without a password are told to set one and do so through the mailed link; `users.export`
 * gives everything back, and importing it into an emptied database restores the same users.
 */
import { env } from 'cloudflare:workers'
import bcrypt from 'bcryptjs'
import { describe, expect, it, vi } from 'vitest'
import { firebaseParameters } from '../../tui/import/firebase'
import { firebaseScryptHash, importedUserSchema, type ImportedUser } from '../../worker/users/import-record'
import { FIREBASE_SCRYPT_VECTOR as VECTOR } from '../fixtures/firebase-scrypt-vector'
import { admin } from './admin-helpers'
import { api, client, configured, count, expectError, lastMail, type Tokens } from './helpers'

const b64 = (text: string) => Buffer.from(text, 'base64')
/** firebase/scrypt README.md: the project's parameters and one exported user (password `user1password`). */
const firebase = firebaseParameters(b64(VECTOR.signerKey), b64(VECTOR.saltSeparator), VECTOR.rounds, VECTOR.memCost)
const firebaseHash = firebaseScryptHash(firebase.id, b64(VECTOR.salt), b64(VECTOR.passwordHash))

let serial = 0
const tag = () => `${Date.now().toString(36)}${(serial++).toString(36)}`

/** A realistic imported email/password user (ids as the other systems make them). */
function userpass(fields: Partial<ImportedUser> & { id: string }): ImportedUser {
  const email = fields.email ?? `${fields.id.toLowerCase().replace(/[^a-z0-9]/g, '')}@example.com`
  return {
    type: 'normal',
    status: 'confirmed',
    disabled: false,
    createdAt: '2023-04-05T06:07:08.000Z',
    lastLoginAt: '2025-08-01T10:00:00.000Z',
    email,
    identities: [{ providerType: 'local-userpass', id: `${fields.id}-pw` }],
    ...fields,
  }
}

const stored = async (userId: string) =>
  (await env.DB.prepare("SELECT password_hash FROM identities WHERE user_id = ? AND provider_type = 'local-userpass'").bind(userId).first<{ password_hash: string | null }>())
    ?.password_hash

describe('users.import', () => {
  it('keeps ids, statuses, times, identities, profile and custom data; Firebase and bcrypt passwords log in and are rehashed', async () => {
    const firebaseUid = `Fb${tag()}Xq9ZtK2mPq8sLw3`
    const supabaseId = crypto.randomUUID()
    const googleUser = `g-${tag()}`
    const bcryptHash = bcrypt.hashSync('supabase-pass', 10)
    const report = await admin().users.import.mutate({
      source: 'test',
      hashParameters: [firebase],
      users: [
        userpass({ id: firebaseUid, passwordHash: firebaseHash, data: { name: 'Fay Base' }, customData: { plan: 'pro' } }),
        userpass({ id: supabaseId, passwordHash: bcryptHash, disabled: false, lastLoginAt: null }),
        {
          id: googleUser,
          type: 'normal',
          status: 'confirmed',
          disabled: true,
          createdAt: '2022-01-01T00:00:00.000Z',
          identities: [{ providerType: 'oauth2-google', id: `1098${tag()}`, data: { email: 'gee@gmail.example', name: 'Gee' } }],
          data: { name: 'Gee', email: 'gee@gmail.example' },
        },
      ],
    })
    expect(report).toEqual({ dryRun: false, counts: { created: 3, updated: 0, replaced: 0, skipped: 0, conflict: 0, invalid: 0 }, rows: [] })

    const fay = await admin().users.get.query({ userId: firebaseUid })
    expect(fay).toMatchObject({
      id: firebaseUid,
      status: 'confirmed',
      createdAt: '2023-04-05T06:07:08.000Z',
      lastLoginAt: '2025-08-01T10:00:00.000Z',
      data: { name: 'Fay Base' },
      customData: { plan: 'pro' },
      identities: [{ providerType: 'local-userpass', id: `${firebaseUid}-pw` }],
    })
    const gee = await admin().users.get.query({ userId: googleUser })
    expect(gee).toMatchObject({ disabled: true, createdAt: '2022-01-01T00:00:00.000Z', identities: [{ providerType: 'oauth2-google' }] })
    expect(await count('audit_log', "action = 'user.imported' AND user_id IN (?, ?, ?)", firebaseUid, supabaseId, googleUser)).toBe(3)
    // Not new to the app: no CREATE.
    expect(await count('events', 'user_id IN (?, ?, ?)', firebaseUid, supabaseId, googleUser)).toBe(0)

    // Firebase's own password, checked with Firebase's scrypt, then replaced by Usher's hash.
    await expectError(await api.login(fay.email!, 'wrong-password'), 401, 'InvalidPassword')
    const tokens = (await (await api.login(fay.email!, 'user1password')).json()) as Tokens
    expect(tokens.user_id).toBe(firebaseUid)
    // Rehashed after the response.
    await vi.waitFor(async () => expect(await stored(firebaseUid)).toMatch(/^\$scrypt\$/))
    expect((await api.login(fay.email!, 'user1password')).status).toBe(200)
    expect((await api.login(`${supabaseId.replace(/[^a-z0-9]/g, '')}@example.com`, 'supabase-pass')).status).toBe(200)
    await vi.waitFor(async () => expect(await stored(supabaseId)).toMatch(/^\$scrypt\$/))
  })

  it('is safe to run twice; a dry run reports the same and writes nothing; conflicts and bad rows are reported while the rest imports', async () => {
    const a = userpass({ id: `a_${tag()}` })
    const b = userpass({ id: `b_${tag()}` })
    const first = await admin().users.import.mutate({ users: [a, b] })
    expect(first.counts.created).toBe(2)
    const again = await admin().users.import.mutate({ users: [a, b] })
    expect(again.counts).toMatchObject({ created: 0, skipped: 2 })
    expect(again.rows.map((r) => [r.id, r.outcome])).toEqual([
      [a.id, 'skipped'],
      [b.id, 'skipped'],
    ])

    const taken = userpass({ id: `c_${tag()}`, email: a.email })
    const fresh = userpass({ id: `d_${tag()}` })
    const twin = userpass({ id: `e_${tag()}`, email: fresh.email!.toUpperCase() })
    const rows = [
      taken,
      fresh,
      twin,
      { ...userpass({ id: `f_${tag()}` }), email: 'not an address' },
      userpass({ id: `g_${tag()}`, passwordHash: bcrypt.hashSync('x', 4).replace(/^\$2b\$04\$/, '$2b$13$') }),
      userpass({ id: `h_${tag()}`, customData: { blob: 'x'.repeat(5000) } }),
      userpass({ id: `i_${tag()}`, passwordHash: firebaseScryptHash('0123456789abcdef01234567', b64('c2FsdA=='), b64('aGFzaA==')) }),
      { id: 'bad id with spaces', type: 'normal' },
    ]
    const before = { users: await count('users'), audit: await count('audit_log') }
    const dry = await admin().users.import.mutate({ users: rows, dryRun: true })
    expect({ users: await count('users'), audit: await count('audit_log') }).toEqual(before)
    const real = await admin().users.import.mutate({ users: rows })
    expect(real.counts).toEqual(dry.counts)
    expect(real.counts).toEqual({ created: 1, updated: 0, replaced: 0, skipped: 0, conflict: 2, invalid: 5 })
    const byIndex = Object.fromEntries(real.rows.map((r) => [r.index, r]))
    expect(byIndex[0]).toMatchObject({ outcome: 'conflict', reason: `the email ${a.email} belongs to user ${a.id}` })
    expect(byIndex[2]).toMatchObject({ outcome: 'conflict', reason: 'the same email as row 2 of this import' })
    expect(byIndex[3]).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/^email: /) })
    expect(byIndex[4]).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/^passwordHash: .*bcrypt cost 13/) })
    expect(byIndex[5]).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/^customData: 50\d\d bytes, at most 4096/) })
    expect(byIndex[6]).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/Firebase hash parameters 0123456789abcdef01234567 are not stored here/) })
    expect(byIndex[7]).toMatchObject({ outcome: 'invalid', id: 'bad id with spaces' })
    expect(await count('users', 'id = ?', fresh.id)).toBe(1)
    expect(await count('users', 'id = ?', taken.id)).toBe(0)
  })

  it("onConflict 'update' lets the file win: same id updated in place (sessions kept), same email under another id replaced", async () => {
    const original = userpass({ id: `u_${tag()}`, passwordHash: bcrypt.hashSync('old-password', 4), data: { name: 'Old' } })
    await admin().users.import.mutate({ users: [original] })
    const session = (await (await api.login(original.email!, 'old-password')).json()) as Tokens
    const changed = { ...original, passwordHash: bcrypt.hashSync('new-password', 4), data: { name: 'New' }, customData: { tier: 2 } }
    const report = await admin().users.import.mutate({ users: [changed], onConflict: 'update' })
    expect(report.counts.updated).toBe(1)
    expect(await admin().users.get.query({ userId: original.id })).toMatchObject({ data: { name: 'New' }, customData: { tier: 2 } })
    expect((await api.login(original.email!, 'new-password')).status).toBe(200)
    expect((await api.profile(session.access_token)).status).toBe(200)

    // Someone registered here with the address before the migration ran: the imported user takes it over.
    const lateEmail = `late-${tag()}@example.com`
    const created = await admin().users.create.mutate({ email: lateEmail, password: 'password1' })
    const incoming = userpass({ id: `v_${tag()}`, email: lateEmail, passwordHash: bcrypt.hashSync('imported-password', 4) })
    expect((await admin().users.import.mutate({ users: [incoming] })).counts.conflict).toBe(1)
    const replaced = await admin().users.import.mutate({ users: [incoming], onConflict: 'update' })
    expect(replaced.rows).toEqual([{ index: 0, id: incoming.id, outcome: 'replaced', replaced: [created.id] }])
    expect(await count('users', 'id = ?', created.id)).toBe(0)
    expect((await (await api.login(lateEmail, 'imported-password')).json()) as Tokens).toMatchObject({ user_id: incoming.id })
  })

  it('takes a chunk of 500 users (a body far over the 16 KB every other request is held to)', async () => {
    const chunk = Array.from({ length: 500 }, (_, i) => userpass({ id: `bulk-${tag()}-${i}`, data: { name: `Bulk ${i}` } }))
    expect(JSON.stringify({ users: chunk }).length).toBeGreaterThan(100_000)
    expect((await admin().users.import.mutate({ users: chunk })).counts.created).toBe(500)
    await expect(admin().users.import.mutate({ users: [...chunk, chunk[0]!] })).rejects.toThrow(/at most 500 users per call/)
  })
})

describe('password setup (users imported without a password)', () => {
  it('login is refused with PasswordSetupRequired; the mailed link sets a password and confirms a pending registration', async () => {
    const confirmed = userpass({ id: `s_${tag()}` })
    const pending = userpass({ id: `p_${tag()}`, status: 'pending-confirmation', lastLoginAt: null })
    await admin().users.import.mutate({ users: [confirmed, pending] })
    await expectError(await api.login(confirmed.email!, 'anything'), 401, 'PasswordSetupRequired', /^password setup required/)
    await expectError(await api.login(pending.email!, 'anything'), 401, 'PasswordSetupRequired')
    // With enumeration protection, the same answer as a wrong password.
    await expectError(await client(configured({ ENUMERATION_PROTECTION: 'on' })).login(confirmed.email!, 'anything'), 401, 'InvalidPassword')

    for (const user of [confirmed, pending]) {
      const { sent } = await admin().users.sendPasswordSetup.mutate({ userId: user.id })
      expect(sent).toEqual([{ userId: user.id, email: user.email }])
      const mail = await lastMail(user.email!)
      expect(mail.subject).toBe('Set a password for your usher-local account')
      expect(mail.text).toMatch(/valid for 72 hours/)
      expect((await api.userpass('reset', { token: mail.token, tokenId: mail.tokenId, password: 'chosen-password' })).status).toBe(204)
      // The link works once.
      await expectError(await api.userpass('reset', { token: mail.token, tokenId: mail.tokenId, password: 'other-password' }), 400, 'UserpassTokenInvalid')
      expect((await (await api.login(user.email!, 'chosen-password')).json()) as Tokens).toMatchObject({ user_id: user.id })
    }
    expect((await admin().users.get.query({ userId: pending.id })).status).toBe('confirmed')
    await expect(admin().users.sendPasswordSetup.mutate({ userId: confirmed.id })).rejects.toThrow(/already has a password/)
  })

  it('sends to every waiting user a page at a time, resumably, and not twice while a link is valid', async () => {
    const waiting = Array.from({ length: 7 }, (_, i) => userpass({ id: `w${i}_${tag()}` }))
    await admin().users.import.mutate({ users: waiting })
    const ids = new Set(waiting.map((u) => u.id))
    const mailed: string[] = []
    // (Earlier tests of this file imported hundreds of users without passwords: they are mailed too.)
    for (let page = 0; page < 40; page++) {
      const result = await admin().users.sendPasswordSetup.mutate({ all: true, limit: page === 0 ? 3 : 50 })
      if (page === 0) expect(result.sent).toHaveLength(3)
      mailed.push(...result.sent.map((s) => s.userId))
      expect(result.failed).toBeNull()
      if (result.remaining === 0) break
    }
    expect(mailed.filter((id) => ids.has(id)).sort()).toEqual([...ids].sort())
    expect(new Set(mailed).size).toBe(mailed.length)
    expect((await admin().users.sendPasswordSetup.mutate({ all: true })).sent).toEqual([])
    expect(await count('audit_log', "action = 'user.password-setup-sent' AND user_id = ?", waiting[0]!.id)).toBe(1)
  })
})

describe('users.export', () => {
  it('pages every user as import records; importing them into an emptied database restores the same users', async () => {
    await admin().users.import.mutate({ hashParameters: [firebase], users: [userpass({ id: `x_${tag()}`, passwordHash: firebaseHash, customData: { k: 1 } })] })
    // Users with several logins keep them in their order through export and restore.
    await admin().users.import.mutate({
      users: Array.from({ length: 12 }, (_, i) => {
        const id = `multi_${tag()}_${i}`
        return userpass({
          id,
          identities: [
            { providerType: 'oauth2-google', id: `g${id}`, data: { name: `G ${i}` } },
            { providerType: 'local-userpass', id: `${id}-pw` },
            { providerType: 'oauth2-apple', id: `a${id}` },
          ],
        })
      }),
    })
    await api.anonymous()
    const exportAll = async () => {
      const all: ImportedUser[] = []
      let cursor: string | undefined
      do {
        const page = await admin().users.export.query({ cursor, limit: 7 })
        all.push(...(page.users as ImportedUser[]))
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      return all
    }
    const before = await exportAll()
    expect(before.length).toBe(await count('users'))
    for (const record of before) expect(importedUserSchema.safeParse(record).success, JSON.stringify(record)).toBe(true)
    expect(JSON.stringify(before)).not.toMatch(/refresh|secret_hash/)

    // Restore into an empty database.
    await env.DB.prepare('DELETE FROM users').run()
    expect(await count('identities')).toBe(0)
    for (let start = 0; start < before.length; start += 500) {
      const report = await admin().users.import.mutate({ users: before.slice(start, start + 500) })
      expect(report.counts.invalid + report.counts.conflict, JSON.stringify(report.rows.slice(0, 3))).toBe(0)
    }
    expect(await exportAll()).toEqual(before)
  })
})
