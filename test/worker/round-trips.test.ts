/**
 * The token-checked hot paths cost one D1 round trip each: a refresh (`POST auth/session`) reads its session,
 * user and current signing key in one statement, then signs; a profile (`GET auth/profile`) reads the token's
 * key state, session, user and identities in one. The worker runs on the real local D1 through a wrapper that
 * only counts (helpers.ts `countingD1`).
 */
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { client, configured, confirmedUser, countingD1, type Counts, type Tokens } from './helpers'

it('a refresh and a profile are one D1 round trip (one statement) each, once the isolate is warm', async () => {
  const counts: Counts = { roundTrips: 0, statements: 0 }
  const app = client(configured({ DB: countingD1(env.DB, counts) }))
  const user = await confirmedUser()
  // Warm: the configuration, the prepared hot queries and the signing key are kept per isolate.
  expect((await app.refresh(user.refresh_token)).status).toBe(201)
  expect((await app.profile(user.access_token)).status).toBe(200)

  const measure = async (request: () => Promise<Response>, status: number) => {
    Object.assign(counts, { roundTrips: 0, statements: 0 })
    const response = await request()
    expect(response.status).toBe(status)
    return { ...counts, body: (await response.json()) as Partial<Tokens> }
  }
  const refresh = await measure(() => app.refresh(user.refresh_token), 201)
  expect(refresh).toMatchObject({ roundTrips: 1, statements: 1 })
  expect(refresh.body.access_token).toMatch(/^eyJ/)
  const profile = await measure(() => app.profile(refresh.body.access_token!), 200)
  expect(profile).toMatchObject({ roundTrips: 1, statements: 1 })
  // (The wrapper sees the work: an unknown refresh token is one round trip too, and refused.)
  expect(await measure(() => app.refresh(`${'0'.repeat(24)}.${'x'.repeat(43)}`), 401)).toMatchObject({ roundTrips: 1 })
})
