/**
 * An app's own backend trusting Usher's tokens, end to end: the example app Worker (examples/app-worker) and
 * Usher each run under their own `wrangler dev` (found by each other through a dev registry private to this
 * test), realm-web logs users in, and the app is called with `user.accessToken` both ways — offline against
 * the JWKS, and through the UsherService RPC. Each user reads only their own notes; a revocation is refused
 * by the RPC route on the very next request (the JWKS route, by design, until the token expires); a key
 * rotation is followed by the JWKS route without a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs'
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

beforeAll(async () => {
  const registryPath = path.join(scratch, 'registry')
  migrateLocalDatabase({ quiet: true, persistTo: path.join(scratch, 'usher') })
  migrateLocalDatabase({ quiet: true, persistTo: path.join(scratch, 'app'), configPath: APP_CONFIG })
  const usherPort = await freePort()
  usher = await startLocalWorker({
    port: usherPort,
    persistTo: path.join(scratch, 'usher'),
    registryPath,
    vars: { ...TEST_BINDINGS, CONFIRMATION_METHOD: 'auto' },
    logFile: path.join(scratch, 'usher.log'),
  })
  app = await startLocalWorker({
    port: await freePort(),
    configPath: APP_CONFIG,
    persistTo: path.join(scratch, 'app'),
    registryPath,
    vars: { USHER_URL: usher.url, USHER_APP_ID: 'usher-local' },
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
    for (const route of ['jwks', 'rpc'] as const) {
      expect(await notesOf(route, ann)).toEqual({ userId: ann.id, notes: [expect.objectContaining({ text: 'ann via jwks' }), expect.objectContaining({ text: 'ann via rpc' })] })
      expect(await notesOf(route, bob)).toEqual({ userId: bob.id, notes: [expect.objectContaining({ text: 'bob via rpc' })] })
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
})
