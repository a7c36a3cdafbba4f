/**
 * Enumeration by timing, measured over real HTTP against the real worker with the production KDF
 * (scrypt N=2^14, r=8, p=5): answers about existing and unknown emails must not differ by more than 10%
 * of one password hash. Samples are interleaved and medians compared, so load elsewhere on the machine
 * affects both sides alike.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createAdminClient } from '../../tui/admin-client'
import { ADMIN_KEY, startUsher } from './harness'

const SAMPLES = 11
let usher: Awaited<ReturnType<typeof startUsher>>
let base: string

beforeAll(async () => {
  usher = await startUsher({ SCRYPT_N: '16384', SCRYPT_R: '8', SCRYPT_P: '5', ENUMERATION_PROTECTION: 'on' })
  base = `${usher.origin}/api/client/v2.0/app/usher-local/auth/providers/local-userpass`
})
afterAll(() => usher?.close())

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const tag = () => crypto.randomUUID().slice(0, 8)

async function timed(path: string, body: unknown): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now()
  const res = await fetch(`${base}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.text()
  return { ms: performance.now() - started, status: res.status, text }
}

/** One line per comparison in the test output: the figures the README quotes. */
function report(what: string, result: { known: number; unknown: number }, hashMs = result.known) {
  const gap = Math.abs(result.known - result.unknown)
  console.info(
    `${what}: known ${result.known.toFixed(1)} ms, unknown ${result.unknown.toFixed(1)} ms, gap ${gap.toFixed(1)} ms = ${((100 * gap) / hashMs).toFixed(1)}% of one hash (${hashMs.toFixed(0)} ms)`,
  )
}

/** Interleave the two kinds of request; return both medians and the answers seen. */
async function compare(known: (i: number) => [string, unknown], unknown: (i: number) => [string, unknown]) {
  const a: number[] = []
  const b: number[] = []
  const answers = new Set<string>()
  await timed(...unknown(-1)) // warm-up: the first unknown-email check computes the dummy hash
  for (let i = 0; i < SAMPLES; i++) {
    const x = await timed(...known(i))
    const y = await timed(...unknown(i))
    a.push(x.ms)
    b.push(y.ms)
    answers.add(`${x.status} ${x.text}`).add(`${y.status} ${y.text}`)
  }
  return { known: median(a), unknown: median(b), answers: [...answers] }
}

it('login: an unknown email costs the same as a wrong password for a real account', async () => {
  const adminClient = createAdminClient({ url: usher.origin, adminKey: ADMIN_KEY })
  const emails: string[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const email = `known-${tag()}@example.com`
    await adminClient.users.create.mutate({ email, password: 'the-password' })
    emails.push(email)
  }
  const result = await compare(
    (i) => ['login', { username: emails[i]!, password: 'not-the-password' }],
    () => ['login', { username: `nobody-${tag()}@example.com`, password: 'not-the-password' }],
  )
  expect(result.answers).toHaveLength(1)
  expect(result.answers[0]).toContain('invalid username/password')
  report('login', result)
  // Each side pays exactly one hash: the wrong-password median is an upper bound on one hash's cost.
  expect(Math.abs(result.known - result.unknown), JSON.stringify(result)).toBeLessThan(0.1 * result.known)
}, 120_000)

it('register: a taken email costs the same as a free one, and gets the same answer', async () => {
  const taken = `taken-${tag()}@example.com`
  await timed('register', { email: taken, password: 'password1' })
  const result = await compare(
    () => ['register', { email: taken, password: 'password1' }],
    () => ['register', { email: `free-${tag()}@example.com`, password: 'password1' }],
  )
  expect(result.answers).toEqual(['201 '])
  report('register', result)
  expect(Math.abs(result.known - result.unknown), JSON.stringify(result)).toBeLessThan(0.1 * result.known)
}, 120_000)

it('confirm/send and reset/send: known and unknown emails are answered alike and in the same time', async () => {
  const known = `pending-${tag()}@example.com`
  await timed('register', { email: known, password: 'password1' })
  const { known: hashMs } = await compare(
    () => ['register', { email: known, password: 'password1' }],
    () => ['register', { email: known, password: 'password1' }],
  )
  for (const action of ['confirm/send', 'reset/send']) {
    const result = await compare(
      () => [action, { email: known }],
      () => [action, { email: `nobody-${tag()}@example.com` }],
    )
    expect(result.answers).toEqual(['204 '])
    report(action, result, hashMs)
    expect(Math.abs(result.known - result.unknown), JSON.stringify({ action, hashMs, ...result })).toBeLessThan(0.1 * hashMs)
  }
}, 120_000)
