/**
 * Crash safety: Usher under concurrent load on a real `wrangler dev` (workerd + local D1), killed with
 * SIGKILL mid-load, restarted on the same D1. Every acknowledged registration, confirmation and deletion
 * must have survived, and nothing may be half-written (every change is one D1 transaction). Lifecycle
 * events go to a slow webhook, so the kill lands between commits and deliveries: after the restart every
 * acknowledged change's event is delivered (on later requests, once the dead sweep's lease ran out), and no
 * change is ever announced twice under different ids.
 */
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { createAdminClient } from '../../tui/admin-client'
import { migrateLocalDatabase, portInUse, startLocalWorker, type LocalWorker } from '../../tui/local-worker'
import { TEST_BINDINGS } from '../bindings'
import { freePort } from './harness'

const persistTo = mkdtempSync(path.join(tmpdir(), 'usher-crash-'))
const vars = { ...TEST_BINDINGS } as Record<string, string>
let worker: LocalWorker | undefined

interface Delivered {
  id: string
  operationType: string
  user: { id: string }
}
/** The app's events webhook: slow (a kill finds deliveries in flight), keeping every event it accepted. */
const delivered: Delivered[] = []
const hook = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk: Buffer) => (body += chunk.toString()))
  req.on('end', () => {
    setTimeout(() => {
      delivered.push(...(JSON.parse(body) as Delivered[]))
      res.writeHead(200).end()
    }, 150)
  })
})
afterAll(async () => {
  await worker?.stop()
  await new Promise((resolve) => hook.close(resolve))
  rmSync(persistTo, { recursive: true, force: true })
})

function sql(query: string): Record<string, unknown>[] {
  const wrangler = path.resolve('node_modules/wrangler/bin/wrangler.js')
  const out = execFileSync(process.execPath, [wrangler, 'd1', 'execute', 'DB', '--local', '--persist-to', persistTo, '--json', '--command', query], {
    encoding: 'utf8',
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
  })
  return (JSON.parse(out) as { results: Record<string, unknown>[] }[])[0]!.results
}

it('acknowledged changes survive SIGKILL mid-load, and nothing is half-written', async () => {
  migrateLocalDatabase({ quiet: true, persistTo })
  const hookPort = await freePort()
  await new Promise<void>((resolve) => hook.listen(hookPort, '127.0.0.1', resolve))
  vars.EVENTS_WEBHOOK_URL = `http://127.0.0.1:${hookPort}/events`
  const port = await freePort()
  worker = await startLocalWorker({ port, persistTo, vars, logFile: path.join(persistTo, 'wrangler.log') })
  const origin = worker.url
  const admin = createAdminClient({ url: origin, adminKey: TEST_BINDINGS.ADMIN_API_KEY })
  const register = (email: string) =>
    fetch(`${origin}/api/client/v2.0/app/usher-local/auth/providers/local-userpass/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'password1' }),
    })

  const acked = { registered: new Set<string>(), created: new Map<string, string>(), confirmed: new Set<string>(), deleted: new Set<string>() }
  /** Deletions sent: one the kill cut off (sent, never acknowledged) may or may not have landed. */
  const deleting = new Set<string>()
  let running = true
  const run = async (lane: number) => {
    for (let i = 0; running; i++) {
      try {
        const email = `crash-${lane}-${i}@example.com`
        if (i % 4 === 0) {
          const user = await admin.users.create.mutate({ email, password: 'password1' })
          acked.created.set(user.id, email)
        } else if (i % 4 === 1) {
          if ((await register(email)).status === 201) acked.registered.add(email)
        } else if (i % 4 === 2) {
          const [pending] = (await admin.users.list.query({ status: 'pending', search: `crash-${lane}-`, limit: 1 })).items
          if (pending?.status === 'pending-confirmation') {
            await admin.users.confirm.mutate({ userId: pending.id })
            acked.confirmed.add(pending.id)
          }
        } else {
          const victim = [...acked.created.keys()].find((id) => !acked.deleted.has(id))
          if (victim) {
            deleting.add(victim)
            await admin.users.delete.mutate({ userId: victim })
            acked.deleted.add(victim)
          }
        }
      } catch {
        // Requests in flight when the worker dies are not acknowledged: they may or may not have landed.
      }
    }
  }
  const lanes = Array.from({ length: 6 }, (_, lane) => run(lane))
  await new Promise((resolve) => setTimeout(resolve, 4000))
  process.kill(-worker.child.pid!, 'SIGKILL')
  await new Promise((resolve) => worker!.child.once('exit', resolve))
  running = false
  await Promise.all(lanes)
  expect(acked.registered.size + acked.created.size).toBeGreaterThan(10)

  // wrangler exited; its workerd (same process group, also killed) may hold the port a moment longer.
  await expect.poll(() => portInUse(port), { timeout: 10_000 }).toBe(false)
  worker = await startLocalWorker({ port, persistTo, vars, logFile: path.join(persistTo, 'wrangler.log') })
  // The kill did land between commits and deliveries (the slow webhook makes sure of it): the events of the
  // sweeps that died are still leased to them.
  const undelivered = () => Number(sql("SELECT COUNT(*) AS n FROM events WHERE status <> 'delivered'")[0]!.n)
  expect(undelivered()).toBeGreaterThan(0)
  const emails = new Map(sql('SELECT i.email, u.id, u.status FROM identities i JOIN users u ON u.id = i.user_id').map((r) => [r.email as string, r]))
  for (const email of acked.registered) expect(emails.has(email), email).toBe(true)
  for (const [id, email] of acked.created) {
    const present = emails.get(email)?.id === id
    if (acked.deleted.has(id)) expect(present, email).toBe(false)
    else if (!deleting.has(id)) expect(present, email).toBe(true)
  }
  const statuses = new Map(sql('SELECT id, status FROM users').map((r) => [r.id as string, r.status as string]))
  for (const id of acked.confirmed) if (statuses.has(id)) expect(statuses.get(id)).not.toBe('pending-confirmation')
  for (const id of acked.deleted) expect(statuses.has(id)).toBe(false)

  const halfWritten = sql(`SELECT
    (SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id)) AS users_without_identity,
    (SELECT COUNT(*) FROM identities i WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = i.user_id)) AS orphan_identities,
    (SELECT COUNT(*) FROM action_tokens t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id)) AS orphan_tokens,
    (SELECT COUNT(*) FROM users u WHERE u.status = 'pending-confirmation' AND NOT EXISTS (SELECT 1 FROM action_tokens t WHERE t.user_id = u.id)) AS pending_without_token,
    (SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.user_id = u.id AND a.action IN ('user.registered', 'user.created'))) AS users_without_audit`)[0]
  expect(halfWritten).toEqual({ users_without_identity: 0, orphan_identities: 0, orphan_tokens: 0, pending_without_token: 0, users_without_audit: 0 })
  // And it serves again.
  expect((await admin.users.list.query({ limit: 1 })).counts.all).toBe(statuses.size)

  // No change without its event, no event without its change (they were one batch).
  const unannounced = sql(`SELECT
    (SELECT COUNT(*) FROM audit_log a WHERE a.action = 'user.created'
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.user_id = a.user_id AND e.type = 'CREATE')) AS created_without_event,
    (SELECT COUNT(*) FROM audit_log a WHERE a.action = 'user.confirmed'
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.user_id = a.user_id AND e.type = 'CONFIRM')) AS confirmed_without_event,
    (SELECT COUNT(*) FROM events e WHERE e.type = 'DELETE'
       AND EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)) AS delete_event_of_live_user,
    (SELECT COUNT(*) FROM events e WHERE e.type = 'CREATE' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)
       AND NOT EXISTS (SELECT 1 FROM events d WHERE d.user_id = e.user_id AND d.type = 'DELETE')) AS create_event_of_no_user`)[0]
  expect(unannounced).toEqual({ created_without_event: 0, confirmed_without_event: 0, delete_event_of_live_user: 0, create_event_of_no_user: 0 })

  // Every event is delivered after the restart: requests sweep (a crashed sweep's lease runs out after 30 s).
  await expect
    .poll(
      async () => {
        await fetch(`${origin}/health`)
        return undelivered()
      },
      { timeout: 100_000, interval: 3000 },
    )
    .toBe(0)
  const byChange = new Map<string, Set<string>>()
  for (const event of delivered) {
    const key = `${event.operationType} ${event.user.id}`
    byChange.set(key, (byChange.get(key) ?? new Set()).add(event.id))
  }
  for (const id of acked.created.keys()) expect(byChange.get(`CREATE ${id}`)?.size, `CREATE of ${id}`).toBe(1)
  for (const id of acked.confirmed) expect(byChange.get(`CONFIRM ${id}`)?.size, `CONFIRM of ${id}`).toBe(1)
  for (const id of acked.deleted) expect(byChange.get(`DELETE ${id}`)?.size, `DELETE of ${id}`).toBe(1)
  // At least once, never under two ids: a change announced twice is the same event re-sent.
  for (const [change, ids] of byChange) expect(ids.size, change).toBe(1)
  const rows = sql('SELECT id FROM events').map((r) => r.id as string)
  expect(new Set(delivered.map((e) => e.id))).toEqual(new Set(rows))
}, 240_000)
