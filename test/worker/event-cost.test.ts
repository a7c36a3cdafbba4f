/**
 * What recording lifecycle events costs a request: one more statement in the batch the change already makes,
 * never another D1 round trip. The worker runs on the real local D1 through a wrapper that only counts what
 * it forwards (helpers.ts `countingD1`).
 */
import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { client, configured, confirmedUser, countingD1, uniqueEmail, type Counts, type Tokens } from './helpers'

/** A login's round trips and statements, with event recording as `EVENTS_TYPES` says (no sink: nothing is sent). */
async function costOfLogin(email: string, eventTypes: string): Promise<Counts> {
  const counts = { roundTrips: 0, statements: 0 }
  const app = client(configured({ DB: countingD1(env.DB, counts), EVENTS_TYPES: eventTypes }))
  const response = await app.login(email)
  expect(response.status).toBe(200)
  return counts
}

it('a login records its LOGIN event in its own batch: one more statement, the same round trips', async () => {
  const user = await confirmedUser()
  // Warm the isolate's caches (configuration, signing key) so both measured logins do the same work.
  await costOfLogin(user.email, 'DELETE')
  const without = await costOfLogin(user.email, 'DELETE')
  const withEvents = await costOfLogin(user.email, 'LOGIN')
  // (The wrapper really sees the login's D1 work: lookups, then the session batch.)
  expect(without.roundTrips).toBeGreaterThanOrEqual(2)
  expect(without.statements).toBeGreaterThan(without.roundTrips)
  expect(withEvents.roundTrips).toBe(without.roundTrips)
  expect(withEvents.statements).toBe(without.statements + 1)
  const { results } = await env.DB.prepare("SELECT type FROM events WHERE user_id = ? AND type = 'LOGIN'").bind(user.user_id).all()
  expect(results.length).toBeGreaterThan(0)
})

it("a registration's first login adds CREATE and LOGIN to the session batch, nothing else", async () => {
  const auto = client(configured({ CONFIRMATION_METHOD: 'auto' }))
  const [a, b] = [uniqueEmail('cost-a'), uniqueEmail('cost-b')]
  for (const email of [a, b]) expect((await auto.register(email)).status).toBe(201)
  const warm = uniqueEmail('cost-warm')
  await auto.register(warm)
  await costOfLogin(warm, 'DELETE')
  const without = await costOfLogin(a, 'DELETE')
  const withEvents = await costOfLogin(b, 'CREATE,LOGIN')
  expect(withEvents.roundTrips).toBe(without.roundTrips)
  expect(withEvents.statements).toBe(without.statements + 2)
  const tokens = (await (await auto.login(b)).json()) as Tokens
  expect(tokens.user_id).toMatch(/^[0-9a-f]{24}$/)
})
