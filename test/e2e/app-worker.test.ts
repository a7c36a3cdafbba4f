/**
 * An app's own backend trusting Usher's tokens, end to end: the example app Worker (examples/app-worker) and
 * Usher each run under their own `wrangler dev` (found by each other through a dev registry private to this
 * test), realm-web logs users in, and the app is called with `user.accessToken` both ways — offline against
 * the JWKS, and through the UsherService RPC. Each user reads only their own notes; a revocation is refused
 * by the RPC route on the very next request (the JWKS route, by design, until the token expires); a key
 * rotation is followed by the JWKS route without a restart. Usher also sends its lifecycle events to the
 * app through both sinks at once — a local Queue (across the two dev sessions) and the signed webhook — and the
 * app acts on each event once: a welcome note on CREATE, its notes deleted on DELETE.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as Realm from 'realm-web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdminClient } from '../../tui/admin-client'
import { migrateLocalDatabase, startLocalWorker, type LocalWorker } from '../../tui/local-worker'
import { TEST_BINDINGS } from '../bindings'
import { freePort } from './harness'

const APP_CONFIG = 'examples/app-worker/wrangler.toml'
const scratch = mkdtempSync(path.join(tmpdir(), 'usher-app-worker-'))
let usher: LocalWorker | undefined
let app: LocalWorker | undefined
let realm: Realm.App

/** Usher's wrangler.toml plus the events queue producer the README tells operators to add. */
function usherConfigWithQueue(): string {
  const config = path.join(scratch, 'usher-with-events-queue.toml')
  const toml = readFileSync('wrangler.toml', 'utf8')
    .replace('main = "worker/index.ts"', `main = "${path.resolve('worker/index.ts')}"`)
    .replace('migrations_dir = "drizzle"', `migrations_dir = "${path.resolve('drizzle')}"`)
  writeFileSync(config, `${toml}\n[[queues.producers]]\nbinding = "EVENTS_QUEUE"\nqueue = "usher-events"\n`)
  return config
}

/** A query on the app's own local D1. */
function appSql(query: string): Record<string, unknown>[] {
  const wrangler = path.resolve('node_modules/wrangler/bin/wrangler.js')
  const args = [wrangler, 'd1', 'execute', 'DB', '--local', '--config', APP_CONFIG, '--persist-to', path.join(scratch, 'app'), '--json', '--command', query]
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' } })
  return (JSON.parse(out) as { results: Record<string, unknown>[] }[])[0]!.results
}

beforeAll(async () => {
  const registryPath = path.join(scratch, 'registry')
  const usherConfig = usherConfigWithQueue()
  migrateLocalDatabase({ quiet: true, persistTo: path.join(scratch, 'usher'), configPath: usherConfig })
  migrateLocalDatabase({ quiet: true, persistTo: path.join(scratch, 'app'), configPath: APP_CONFIG })
  const [usherPort, appPort] = [await freePort(), await freePort()]
  usher = await startLocalWorker({
    port: usherPort,
    configPath: usherConfig,
    persistTo: path.join(scratch, 'usher'),
    registryPath,
    vars: { ...TEST_BINDINGS, CONFIRMATION_METHOD: 'auto', EVENTS_WEBHOOK_URL: `http://127.0.0.1:${appPort}/usher-events` },
    logFile: path.join(scratch, 'usher.log'),
  })
  app = await startLocalWorker({
    port: appPort,
    configPath: APP_CONFIG,
    persistTo: path.join(scratch, 'app'),
    registryPath,
    vars: { USHER_URL: usher.url, USHER_APP_ID: 'usher-local', USHER_WEBHOOK_SECRET: TEST_BINDINGS.FUNCTION_SECRET },
    logFile: path.join(scratch, 'app.log'),
  })
  realm = new Realm.App({ id: 'usher-local', baseUrl: usher.url })
}, 180_000)

afterAll(async () => {
  await app?.stop()
  await usher?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

const admin = () => createAdminClient({ url: usher!.url, adminKey: TEST_BINDINGS.ADMIN_API_KEY })

async function newUser(label: string): Promise<Realm.User> {
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`
  await realm.emailPasswordAuth.registerUser({ email, password: 'password1' })
  return realm.logIn(Realm.Credentials.emailPassword(email, 'password1'))
}

function call(route: 'jwks' | 'rpc', user: Realm.User, init: { method?: string; body?: unknown } = {}) {
  return fetch(`${app!.url}/${route}/notes`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
}

async function notesOf(route: 'jwks' | 'rpc', user: Realm.User) {
  const res = await call(route, user)
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as { userId: string; notes: { text: string }[] }
}

describe('an app Worker checking Usher users (examples/app-worker)', () => {
  it('each route knows the caller, and each user reads only their own notes', async () => {
    const ann = await newUser('ann')
    const bob = await newUser('bob')
    expect((await call('jwks', ann, { method: 'POST', body: { text: 'ann via jwks' } })).status).toBe(201)
    expect((await call('rpc', ann, { method: 'POST', body: { text: 'ann via rpc' } })).status).toBe(201)
    expect((await call('rpc', bob, { method: 'POST', body: { text: 'bob via rpc' } })).status).toBe(201)
    const own = (notes: { text: string }[]) => notes.filter((note) => !note.text.startsWith('Welcome'))
    for (const route of ['jwks', 'rpc'] as const) {
      const annNotes = await notesOf(route, ann)
      expect(annNotes.userId).toBe(ann.id)
      expect(own(annNotes.notes)).toEqual([expect.objectContaining({ text: 'ann via jwks' }), expect.objectContaining({ text: 'ann via rpc' })])
      const bobNotes = await notesOf(route, bob)
      expect(bobNotes.userId).toBe(bob.id)
      expect(own(bobNotes.notes)).toEqual([expect.objectContaining({ text: 'bob via rpc' })])
    }
  })

  it('refuses a missing, forged or foreign token on both routes', async () => {
    const ann = await newUser('forger')
    const [header, payload] = ann.accessToken!.split('.') as [string, string]
    for (const authorization of [undefined, 'Bearer garbage', `Bearer ${header}.${payload}.${'A'.repeat(86)}`]) {
      for (const route of ['jwks', 'rpc']) {
        const res = await fetch(`${app!.url}/${route}/notes`, { headers: authorization ? { authorization } : {} })
        expect(res.status, `${route} ${authorization}`).toBe(401)
      }
    }
  })

  it('after users.revokeSessions the RPC route refuses on the next request; the JWKS route until expiry', async () => {
    const ann = await newUser('revoked')
    expect((await call('rpc', ann)).status).toBe(200)
    await admin().users.revokeSessions.mutate({ userId: ann.id })
    const refused = await call('rpc', ann)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ reason: 'revoked' })
    // Offline verification cannot know: the trade-off the README states (ACCESS_TOKEN_TTL_SECONDS bounds it).
    expect((await call('jwks', ann)).status).toBe(200)
  })

  it('follows a key rotation: old tokens keep working, new tokens are verified with the new key', async () => {
    const ann = await newUser('rotation')
    expect((await call('jwks', ann)).status).toBe(200)
    const { current } = await admin().keys.rotate.mutate()
    expect((await call('jwks', ann)).status).toBe(200)
    await ann.refreshAccessToken()
    expect(JSON.parse(atob(ann.accessToken!.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid).toBe(current.kid)
    expect((await notesOf('jwks', ann)).userId).toBe(ann.id)
    expect((await notesOf('rpc', ann)).userId).toBe(ann.id)
  })

  it('follows the lifecycle events from both sinks, acting on each once: a welcome note on CREATE, notes deleted on DELETE', async () => {
    const ann = await newUser('events')
    const welcome = () => appSql(`SELECT COUNT(*) AS n FROM notes WHERE owner_id = '${ann.id}' AND text LIKE 'Welcome%'`)[0]!.n
    await expect.poll(welcome, { timeout: 20_000, interval: 500 }).toBe(1)
    // The CREATE reached the app twice (Queue and webhook, same id); it was acted on once.
    const [create] = (await admin().events.list.query({ userId: ann.id, type: 'CREATE' })).items
    await expect.poll(async () => (await admin().events.get.query({ id: create!.id })).deliveredTo.sort(), { timeout: 20_000 }).toEqual(['queue', 'webhook'])
    await expect.poll(() => appSql(`SELECT COUNT(*) AS n FROM processed_events WHERE id = '${create!.id}'`)[0]!.n, { timeout: 10_000 }).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(welcome()).toBe(1)
    // The queue path really ran the app's consumer (wrangler dev logs each batch it hands to it).
    expect(readFileSync(path.join(scratch, 'app.log'), 'utf8')).toMatch(/QUEUE usher-events \d+\/\d+/)

    expect((await call('rpc', ann, { method: 'POST', body: { text: 'mine' } })).status).toBe(201)
    expect((await notesOf('rpc', ann)).notes).toHaveLength(2)
    // Self-service deletion through realm-web: the app's notes of that user go with it.
    await realm.deleteUser(ann)
    await expect.poll(() => appSql(`SELECT COUNT(*) AS n FROM notes WHERE owner_id = '${ann.id}'`)[0]!.n, { timeout: 20_000, interval: 500 }).toBe(0)

    // A forged webhook call is refused, and changes nothing.
    const forged = await fetch(`${app!.url}/usher-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-usher-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body: JSON.stringify([{ id: 'forged', operationType: 'DELETE', providers: [], time: new Date().toISOString(), user: { id: 'x' } }]),
    })
    expect(forged.status).toBe(401)
    expect(appSql("SELECT COUNT(*) AS n FROM processed_events WHERE id = 'forged'")[0]!.n).toBe(0)
  })
})
