/**
 * Races between lifecycle actions. D1 runs each batch as one transaction and every check-and-act is a
 * conditional statement, so each race must end in one consistent state, whichever side wins.
 */
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { api, confirmedUser, count, lastMail, uniqueEmail, type Tokens } from './helpers'

const root = admin()
const ROUNDS = 8

async function orphans() {
  return {
    identities: await count('identities i', 'NOT EXISTS (SELECT 1 FROM users u WHERE u.id = i.user_id)'),
    sessions: await count('sessions s', 'NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)'),
    tokens: await count('action_tokens t', 'NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id)'),
    keys: await count('api_keys k', 'NOT EXISTS (SELECT 1 FROM users u WHERE u.id = k.user_id)'),
    emptyUsers: await count('users u', 'NOT EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id)'),
  }
}
const NONE = { identities: 0, sessions: 0, tokens: 0, keys: 0, emptyUsers: 0 }

describe('races', () => {
  it('confirm vs delete: the user is gone, and nothing of it remains, whichever wins', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const email = uniqueEmail()
      await api.register(email)
      const { token, tokenId } = await lastMail(email)
      const [user] = (await root.users.list.query({ search: email })).items
      const [confirm, removal] = await Promise.all([
        api.userpass('confirm', { token, tokenId }),
        root.users.delete.mutate({ userId: user!.id }).then(
          () => 'deleted',
          (e: unknown) => e,
        ),
      ])
      expect(removal).toBe('deleted')
      expect([204, 400]).toContain(confirm.status)
      expect(await count('users', 'id = ?', user!.id)).toBe(0)
      expect((await api.login(email)).status).toBe(401)
      const confirmedEntries = await count('audit_log', "user_id = ? AND action = 'user.confirmed'", user!.id)
      expect(confirmedEntries).toBe(confirm.status === 204 ? 1 : 0)
    }
    expect(await orphans()).toEqual(NONE)
  })

  it('revoke during refresh: once the revocation is done, no token from before or during it works', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await confirmedUser()
      const refreshes = Array.from({ length: 5 }, () => api.refresh(user.refresh_token))
      const revoke = root.users.revokeSessions.mutate({ userId: user.user_id })
      const results = await Promise.all(refreshes)
      await revoke
      const issued = await Promise.all(results.filter((r) => r.status === 201).map(async (r) => ((await r.json()) as Tokens).access_token))
      for (const token of [user.access_token, ...issued]) expect((await api.profile(token)).status).toBe(401)
      expect((await api.refresh(user.refresh_token)).status).toBe(401)
      expect(await count('sessions', 'user_id = ?', user.user_id)).toBe(0)
    }
  })

  it('disable during login: the user ends disabled with no usable session', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { email, user_id } = await confirmedUser()
      const logins = Array.from({ length: 4 }, () => api.login(email))
      const disable = root.users.disable.mutate({ userId: user_id })
      const results = await Promise.all(logins)
      await disable
      for (const res of results.filter((r) => r.status === 200)) {
        const tokens = (await res.json()) as Tokens
        expect((await api.profile(tokens.access_token)).status).toBe(401)
        expect((await api.refresh(tokens.refresh_token)).status).toBe(401)
      }
      expect(await count('sessions', 'user_id = ?', user_id)).toBe(0)
      expect((await root.users.get.query({ userId: user_id })).disabled).toBe(true)
    }
  })

  it('link vs first login of the same registration: one owner, never two', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const email = uniqueEmail()
      await api.register(email)
      const { token, tokenId } = await lastMail(email)
      await api.userpass('confirm', { token, tokenId })
      const anon = (await (await api.anonymous()).json()) as Tokens
      const [linked, login] = await Promise.all([
        api.call('POST', 'https://usher.test/api/client/v2.0/app/usher-local/auth/providers/local-userpass/login?link=true', {
          token: anon.access_token,
          body: { username: email, password: 'password1' },
        }),
        api.login(email),
      ])
      const owners = await count('identities', 'email = ?', email)
      expect(owners).toBe(1)
      const owner = (await root.users.list.query({ search: email })).items[0]!
      if (linked.status === 200) expect(owner.id).toBe(anon.user_id)
      if (login.status === 200) expect(((await login.json()) as Tokens).user_id).toBe(owner.id)
    }
    expect(await orphans()).toEqual(NONE)
  })
})

describe('tokens after every way a session ends', () => {
  it('logout, revoke, disable, delete and password reset each refuse the old tokens on the next request', async () => {
    const endings: Record<string, (user: Tokens & { email: string }) => Promise<unknown>> = {
      logout: (u) => api.logout(u.refresh_token),
      revoke: (u) => root.users.revokeSessions.mutate({ userId: u.user_id }),
      disable: (u) => root.users.disable.mutate({ userId: u.user_id }),
      delete: (u) => root.users.delete.mutate({ userId: u.user_id }),
      'password reset': async (u) => {
        await api.userpass('reset/send', { email: u.email })
        const { token, tokenId } = await lastMail(u.email)
        await api.userpass('reset', { token, tokenId, password: 'a-new-password' })
      },
    }
    for (const [name, end] of Object.entries(endings)) {
      const user = await confirmedUser()
      expect((await api.profile(user.access_token)).status, name).toBe(200)
      await end(user)
      expect((await api.profile(user.access_token)).status, `${name}: access token`).toBe(401)
      expect((await api.refresh(user.refresh_token)).status, `${name}: refresh token`).toBe(401)
    }
  })
})
