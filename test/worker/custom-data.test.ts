/**
 * Custom user data (worker/users/custom-data.ts): set by admins, carried in every access token as `user_data`
 * (canonical EJSON by default, as App Services did), and first set by the app's user creation function, which
 * may also refuse a user before any row exists.
 */
import { env, exports } from 'cloudflare:workers'
import type { UsherService } from '../../worker/service'
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { api, appBinding, client, configured, confirmedUser, count, expectError, lastMail, uniqueEmail, type Tokens } from './helpers'

const service = () => (exports as unknown as { UsherService: Service<UsherService> }).UsherService
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { user_data: unknown }

/** The app's user creation function, as a service binding: records the user objects it gets, answers `answer`. */
function creationFunction(answer: (user: Record<string, unknown>) => Response) {
  const fn = appBinding<{ user: Record<string, unknown> }>(({ user }, request) => {
    expect(request.headers.get('x-usher-function')).toBe('user-creation')
    return answer(user)
  })
  return {
    get calls() {
      return fn.calls.map((body) => body.user)
    },
    binding: fn.binding,
  }
}

describe('custom user data', () => {
  it('an admin sets it; the next access token carries it as canonical EJSON; users.get shows it as stored; audited', async () => {
    const user = await confirmedUser()
    expect(claimsOf(user.access_token).user_data).toEqual({})
    const data = { plan: 'pro', seats: 5, ratio: 1.5, big: 2 ** 40, tags: ['a', 'b'], nested: { ok: true, none: null } }
    const saved = await admin().users.setCustomData.mutate({ userId: user.user_id, data })
    expect(saved).toEqual({ userId: user.user_id, customData: data })
    expect((await admin().users.get.query({ userId: user.user_id })).customData).toEqual(data)

    // The token in hand is stale until refreshed (realm-web's refreshCustomData() is a session refresh).
    const refreshed = (await (await api.refresh(user.refresh_token)).json()) as { access_token: string }
    expect(claimsOf(refreshed.access_token).user_data).toEqual({
      plan: 'pro',
      seats: { $numberInt: '5' },
      ratio: { $numberDouble: '1.5' },
      big: { $numberLong: '1099511627776' },
      tags: ['a', 'b'],
      nested: { ok: true, none: null },
    })
    const audit = await env.DB.prepare("SELECT actor, detail FROM audit_log WHERE user_id = ? AND action = 'user.custom-data-set'")
      .bind(user.user_id)
      .first<{ actor: string; detail: string }>()
    expect(audit).toMatchObject({ actor: 'admin' })
    expect(JSON.parse(audit!.detail).bytes).toBe(JSON.stringify(data).length)
  })

  it('the UsherService RPC gives the custom data as stored now, in plain JSON (fresher than the token in hand)', async () => {
    const user = await confirmedUser()
    await admin().users.setCustomData.mutate({ userId: user.user_id, data: { seats: 5 } })
    // The access token in hand predates the change; the RPC reads the user's row.
    expect(claimsOf(user.access_token).user_data).toEqual({})
    expect(await service().authenticate(user.access_token)).toMatchObject({ ok: true, userId: user.user_id, customData: { seats: 5 } })
  })

  it('CUSTOM_DATA_FORMAT=json carries it as stored', async () => {
    const plain = client(configured({ CUSTOM_DATA_FORMAT: 'json' }))
    const user = await confirmedUser()
    await admin().users.setCustomData.mutate({ userId: user.user_id, data: { seats: 5 } })
    const refreshed = (await (await plain.refresh(user.refresh_token)).json()) as { access_token: string }
    expect(claimsOf(refreshed.access_token).user_data).toEqual({ seats: 5 })
  })

  it('refuses what is not a JSON object of at most 4 KB, with a clear error, and changes nothing', async () => {
    const user = await confirmedUser()
    await admin().users.setCustomData.mutate({ userId: user.user_id, data: { keep: 1 } })
    const tooBig = { blob: 'x'.repeat(4096) }
    await expect(admin().users.setCustomData.mutate({ userId: user.user_id, data: tooBig })).rejects.toThrow(
      /custom data is 4107 bytes: at most 4096 \(it is carried in every access token\)/,
    )
    await expect(admin().users.setCustomData.mutate({ userId: user.user_id, data: [1, 2] as never })).rejects.toThrow(/data/)
    await expect(admin().users.setCustomData.mutate({ userId: user.user_id, data: 'text' as never })).rejects.toThrow(/data/)
    await expect(admin().users.setCustomData.mutate({ userId: 'ffffffffffffffffffffffff', data: {} })).rejects.toThrow(/user not found/)
    expect((await admin().users.get.query({ userId: user.user_id })).customData).toEqual({ keep: 1 })
    expect(await count('audit_log', "user_id = ? AND action = 'user.custom-data-set'", user.user_id)).toBe(1)
    // Exactly 4096 bytes (multi-byte characters counted as bytes) is accepted.
    const exact = { s: 'é'.repeat((4096 - 8) / 2) }
    expect(new TextEncoder().encode(JSON.stringify(exact)).length).toBe(4096)
    await admin().users.setCustomData.mutate({ userId: user.user_id, data: exact })
  })
})

describe('the user creation function', () => {
  it('runs before a registration exists, with the App Services user object; its customData is in the first token', async () => {
    const fn = creationFunction((user) => Response.json({ customData: { welcome: true, email: (user.data as { email: string }).email } }))
    const app = client(configured({ USER_CREATION_FUNCTION: fn.binding }))
    const email = uniqueEmail('created')
    expect((await app.register(email)).status).toBe(201)
    expect(fn.calls).toHaveLength(1)
    const userId = (await env.DB.prepare('SELECT user_id FROM identities WHERE email = ?').bind(email).first<{ user_id: string }>())!.user_id
    expect(fn.calls[0]).toMatchObject({ id: userId, type: 'normal', data: { email }, custom_data: {}, identities: [{ provider_type: 'local-userpass', data: {} }] })

    const mail = await lastMail(email)
    await app.userpass('confirm', { token: mail.token, tokenId: mail.tokenId })
    const tokens = (await (await app.login(email)).json()) as Tokens
    expect(claimsOf(tokens.access_token).user_data).toEqual({ welcome: true, email })
    // Logging in again is not a creation.
    await app.login(email)
    expect(fn.calls).toHaveLength(1)

    // A taken address never reaches the function.
    await expectError(await app.register(email), 409, 'AccountNameInUse')
    expect(fn.calls).toHaveLength(1)

    // An address held only by a registration whose link expired is free again: the function decides.
    const stale = uniqueEmail('stale')
    await api.register(stale)
    await env.DB.prepare("UPDATE action_tokens SET expires_at = 0 WHERE user_id = (SELECT user_id FROM identities WHERE email = ?)").bind(stale).run()
    expect((await app.register(stale)).status).toBe(201)
    expect(fn.calls.map((u) => (u.data as { email: string }).email)).toEqual([email, stale])
  })

  it('refusing, failing or answering nonsense creates nothing, and the client is told why', async () => {
    const cases = [
      [creationFunction(() => Response.json({ error: 'this domain is not invited' })), 400, /^user creation refused: this domain is not invited$/],
      [creationFunction(() => new Response('boom', { status: 500 })), 502, /user creation function answered HTTP 500/],
      [creationFunction(() => Response.json({ customData: [1] })), 502, /customData is not a JSON object/],
      [creationFunction(() => Response.json({ customData: { s: 'x'.repeat(5000) } })), 502, /at most 4096 bytes/],
      [
        {
          calls: [],
          binding: {
            fetch: async () => {
              throw new Error('connection reset')
            },
          },
        },
        502,
        /could not be reached \(.*connection reset.*\): no user was created/,
      ],
    ] as const
    for (const [fn, status, message] of cases) {
      const app = client(configured({ USER_CREATION_FUNCTION: fn.binding }))
      const before = await count('users')
      const email = uniqueEmail('refused')
      const res = await app.register(email)
      expect(res.status, await res.clone().text()).toBe(status)
      expect(((await res.json()) as { error: string }).error).toMatch(message)
      await expectError(await app.anonymous(), status, status === 400 ? 'BadRequest' : 'ServiceUnavailable', message)
      await expect(admin(undefined, (input, init) => configured({ USER_CREATION_FUNCTION: fn.binding })(new Request(input, init))).users.create.mutate({ email, password: 'password1' })).rejects.toThrow(message)
      expect(await count('users')).toBe(before)
      expect(await count('identities', 'email = ?', email)).toBe(0)
      expect(await count('events', "payload LIKE ?", `%${email}%`)).toBe(0)
      // The refused registration is audited, with the reason the client was given.
      expect(await count('audit_log', "action = 'user.registration-rejected' AND json_extract(detail, '$.email') = ? AND outcome = 'refused'", email)).toBe(1)
    }
  })

  it('runs for anonymous users and admin-created users too', async () => {
    const fn = creationFunction((user) => Response.json({ customData: { kind: (user.identities as { provider_type: string }[])[0]!.provider_type } }))
    const fetcher = configured({ USER_CREATION_FUNCTION: fn.binding })
    const anonymous = (await (await client(fetcher).anonymous()).json()) as Tokens
    expect(claimsOf(anonymous.access_token).user_data).toEqual({ kind: 'anon-user' })
    const email = uniqueEmail('admin-made')
    const created = await admin(undefined, (input, init) => fetcher(new Request(input, init))).users.create.mutate({ email, password: 'password1' })
    expect((await admin().users.get.query({ userId: created.id })).customData).toEqual({ kind: 'local-userpass' })
    expect(fn.calls.map((u) => u.id)).toEqual([anonymous.user_id, created.id])
  })

  it('USER_CREATION_FUNCTION_URL needs FUNCTION_SECRET to sign its calls', async () => {
    const res = await client(configured({ USER_CREATION_FUNCTION_URL: 'https://app.example.com/on-create', FUNCTION_SECRET: '' })).anonymous()
    expect(res.status).toBe(500)
  })
})
