/**
 * @module bench/scenarios
 * What is measured, on which system, and the mapping between them. Each Usher scenario is paired with the
 * closest operation of the peer (Better Auth) and, where one exists, of the bound worker:
 *
 * | scenario   | Usher                              | Better Auth                     | bound         |
 * | login      | POST …/local-userpass/login        | POST /api/auth/sign-in/email    | scrypt hash   |
 * | register   | POST …/local-userpass/register     | POST /api/auth/sign-up/email    |               |
 * | refresh    | POST /api/client/v2.0/auth/session | GET /api/auth/get-session       |               |
 * | profile    | GET /api/client/v2.0/auth/profile  | GET /api/auth/get-session       | D1 point read |
 * | list-first | users.list, first page of 50       | GET /api/auth/admin/list-users  |               |
 * | list-deep  | users.list, page at 90% by cursor  | list-users, same page by offset |               |
 * | search     | users.list, email substring        | list-users, email `contains`    |               |
 * | app request| app Worker: JWKS (a), RPC (b)      | app Worker: get-session (c)     | no check (d)  |
 * | firebase   | POST …/login, a Firebase user's    |                                 | Firebase      |
 * |  login     |   first login (check + rehash)     |                                 | scrypt + hash |
 *
 * Login and register are also measured on `usher events`: the same Usher with its lifecycle events delivered
 * to the benchmark's webhook sink (./event-sink.ts), back to back with the plain one in every round
 * (`variant`). The plain Usher has no sink: it records each event in the same batch and delivers nothing, so
 * the ratio is the cost of delivery (the sweep after the response: claim, signed POST, mark delivered).
 * A login records LOGIN; a registration records nothing (it is pending confirmation; App Services fires
 * CREATE at the first login), which `usher events register` checks at the end of the run.
 *
 * Better Auth has no refresh token: its sessions are renewed through `get-session` (a cookie checked
 * against D1), which is also its profile call; both Usher token calls are compared with it, each in its
 * own measurement. Lists are newest first on both (Better Auth: `sortBy=createdAt&sortDirection=desc`).
 *
 * `app request` is the load an app Worker puts on its auth service (./app): the same small answer after
 * (a) verifying Usher's access token offline against its JWKS, (b) asking `UsherService.authenticate`
 * over RPC, (c) asking Better Auth's `get-session` through a service binding, (d) no check at all. All
 * four are sent to the app worker; the row's system says whose check it is.
 *
 * `firebase login` logs in users the import phase imported (./import-export.ts) into `usher-import`, each
 * once: every login checks Firebase's modified scrypt, then rehashes the password with Usher's KDF, handed to
 * waitUntil. Both of its measurements `settle` (./load.ts): a fixed number of requests, timed until the
 * worker is idle again, so whatever of a counted login's rehash runs after its answer is inside the window.
 *
 * Every scenario has a probe: one request whose answer is checked for content (not just status) before
 * any load is sent, so a benchmark can never measure fast failures (Better Auth answers a failed list with
 * `200 {"users":[]}` and an unknown session with `200 null`).
 */
import { encodeCursor } from '../../worker/users/listing'
import { createAdminClient, type RouterOutputs } from '../../tui/admin-client'
import type { EventSink } from './event-sink'
import { FIREBASE_PASSWORD, type FirebasePool } from './import-export'
import type { Operation } from './load'
import { loginableUsers, PEER_ADMIN_EMAIL, SEED_PASSWORD, seedEmail } from './seed'
import type { SystemName, WorkerName } from './workers'

export type ScenarioName =
  | 'login'
  | 'login-events'
  | 'register'
  | 'register-events'
  | 'refresh'
  | 'profile'
  | 'list-first'
  | 'list-deep'
  | 'search'
  | 'kdf-hash'
  | 'd1-read'
  | 'app-request'
  | 'app-jwks'
  | 'app-rpc'
  | 'app-peer'
  | 'app-bound'
  | 'firebase-login'
  | 'firebase-kdf'

/** kdf: one password hash per request; token: token-checked reads; admin: users.list pages. */
export type Kind = 'kdf' | 'token' | 'admin'

export interface Scenario {
  /** The Usher scenario this measurement belongs to (the row of the table). */
  group: ScenarioName
  name: ScenarioName
  system: SystemName
  /** The worker the load is sent to: the system's own, or the app worker calling it. */
  worker: WorkerName
  /**
   * Another configuration of the same system (`usher events`), measured right next to the measurement named
   * `of` in every round; `label` names it in round lines and tables.
   */
  variant?: { of: ScenarioName; label: string }
  operation: string
  kind: Kind
  op: Operation
  /**
   * Its requests leave work behind after their answer (a first login's rehash): measured as a fixed number of
   * requests, until its worker is idle again (./load.ts `settle`).
   */
  settles?: boolean
  /** One checked request; throws if the answer is not what the scenario claims to measure. */
  probe(): Promise<void>
}

export interface Targets {
  usher: { url: string; appId: string; adminKey: string }
  peer: { url: string }
  bound: { url: string }
  app: { url: string }
  /** Usher with events delivered to `sink` (when login or register is measured). */
  usherEvents?: EventsTarget
  /** Usher with the import phase's Firebase users, each to log in once (when `firebase-login` is measured). */
  firebase?: { url: string; appId: string; adminKey: string; pool: FirebasePool }
  users: number
  /** Sessions per system for the token scenarios (one per connection is plenty). */
  sessions: number
  /** Newest-first position of the deep page, and Usher's rows just before and at it. */
  deep: {
    offset: number
    before: { createdAt: number; id: string }
    first: { createdAt: number; id: string }
  }
  /** The email substring searched for (matches a handful of users, so the whole table is scanned). */
  needle: string
}

export interface EventsTarget {
  url: string
  adminKey: string
  sink: EventSink
  /** Logins and registrations the probes made on it (they are accounted for at the end of the run). */
  probed: { logins: number; registrations: number }
}

type UsherList = RouterOutputs['users']['list']
interface PeerList {
  users: { id: string; email: string }[]
  total: number
}

const json = { 'content-type': 'application/json' }
const LIST_PAGE = 50

async function expectJson<T>(
  response: Response,
  status: number,
  what: string,
  check: (body: T) => boolean,
): Promise<T> {
  const text = await response.text()
  let body: T | undefined
  try {
    body = JSON.parse(text) as T
  } catch {
    body = undefined
  }
  if (response.status !== status || body === undefined || !check(body)) {
    throw new Error(
      `probe ${what}: expected ${status} and a valid body, got ${response.status} ${text.slice(0, 300)}`,
    )
  }
  return body
}

/** Round-robin over a list. */
function cycle<T>(items: T[]): () => T {
  let i = 0
  return () => items[i++ % items.length]!
}

function peerCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('better-auth.session_token='))
  if (!cookie) throw new Error(`Better Auth sign-in set no session cookie (status ${response.status})`)
  return cookie.split(';')[0]!
}

/** Log in `count` seeded users on each system (the token scenarios' pool) and the peer's admin. */
async function openSessions(t: Targets) {
  const who = loginableUsers(t.sessions, t.users).map(seedEmail)
  const usher: { access: string; refresh: string }[] = []
  const peer: string[] = []
  for (const email of who) {
    const response = await fetch(
      `${t.usher.url}/api/client/v2.0/app/${t.usher.appId}/auth/providers/local-userpass/login`,
      {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: email, password: SEED_PASSWORD }),
      },
    )
    const body = await expectJson<{ access_token: string; refresh_token: string }>(
      response,
      200,
      'Usher login',
      (b) => Boolean(b.access_token && b.refresh_token),
    )
    usher.push({ access: body.access_token, refresh: body.refresh_token })
    peer.push(await peerSignIn(t, email))
  }
  return { usher, peer, peerAdmin: await peerSignIn(t, PEER_ADMIN_EMAIL) }
}

async function peerSignIn(t: Targets, email: string): Promise<string> {
  const response = await fetch(`${t.peer.url}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { ...json, origin: t.peer.url },
    body: JSON.stringify({ email, password: SEED_PASSWORD }),
  })
  await expectJson<{ token: string }>(response.clone(), 200, `Better Auth sign-in ${email}`, (b) =>
    Boolean(b.token),
  )
  return peerCookie(response)
}

export async function buildScenarios(t: Targets): Promise<Scenario[]> {
  const sessions = await openSessions(t)
  const app = `/api/client/v2.0/app/${t.usher.appId}/auth/providers/local-userpass`
  const loginEmails = cycle(loginableUsers(1000, t.users).map(seedEmail))
  const tag = Date.now().toString(36)
  let registered = 0
  const newEmail = () => `reg-${tag}-${++registered}@bench.test`
  // Offset pages move by one for every peer sign-up (newest first); keyset cursors do not move.
  let peerSignUps = 0
  const usherSession = cycle(sessions.usher)
  const peerSession = cycle(sessions.peer)
  const admin = { authorization: `Bearer ${t.usher.adminKey}` }
  const peerAdmin = { cookie: sessions.peerAdmin }
  const usherList = (input: Record<string, unknown>) =>
    `/admin/trpc/users.list?input=${encodeURIComponent(JSON.stringify({ status: 'all', limit: LIST_PAGE, ...input }))}`
  const peerList = (query: Record<string, string | number>) =>
    `/api/auth/admin/list-users?${new URLSearchParams({
      limit: String(LIST_PAGE),
      sortBy: 'createdAt',
      sortDirection: 'desc',
      ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
    })}`
  const deepEmail = seedEmail(t.users - t.deep.offset)
  const matches = (email: string) => email.includes(t.needle)
  let searchHits = -1

  const fetchOp = (origin: string, op: Operation) => {
    const varied = op.vary?.() ?? {}
    return fetch(`${origin}${varied.path ?? op.path}`, {
      method: op.method,
      headers: { ...op.headers, ...varied.headers },
      body: varied.body ?? op.body,
    })
  }
  const scenario = (
    s: Omit<Scenario, 'probe' | 'worker'> & { worker?: WorkerName },
    origin: string,
    status: number,
    check: (body: never) => boolean,
  ): Scenario => ({
    ...s,
    worker: s.worker ?? s.system,
    probe: async () => {
      const response = await fetchOp(origin, s.op)
      if (status === 201 && s.name === 'register' && s.system === 'usher') {
        // An App Services registration answers 201 with no body.
        if (response.status !== 201)
          throw new Error(`probe usher register: got ${response.status} ${await response.text()}`)
        return
      }
      await expectJson(response, status, `${s.system} ${s.name}`, check as (body: unknown) => boolean)
    },
  })

  const u = t.usher.url
  const p = t.peer.url
  const b = t.bound.url
  /** Better Auth has no access/refresh split: one session check stands for both token scenarios. */
  const peerGetSession = (group: 'refresh' | 'profile') =>
    scenario(
      {
        group,
        name: group,
        system: 'better-auth',
        kind: 'token',
        operation: 'GET /api/auth/get-session',
        op: {
          method: 'GET',
          path: '/api/auth/get-session',
          vary: () => ({ headers: { cookie: peerSession() } }),
        },
      },
      p,
      200,
      (body: { session?: unknown; user?: { email?: string } } | null) =>
        Boolean(body?.session && body.user?.email),
    )
  /**
   * An `app request` route: the app worker answers `{ userId }` for the caller. The checked routes are also
   * probed with a credential that must be refused (a token whose signature was altered, no cookie), so a
   * route that skipped its check could never be measured.
   */
  const appRoute = (
    name: 'app-jwks' | 'app-rpc' | 'app-peer' | 'app-bound',
    system: SystemName,
    operation: string,
    credential: () => Record<string, string>,
    refused: Record<string, string> | undefined,
    expectedUser: (userId: string) => boolean,
  ): Scenario => {
    const op: Operation = { method: 'GET', path: `/${name.slice(4)}`, vary: () => ({ headers: credential() }) }
    const checked = scenario(
      { group: 'app-request', name, system, worker: 'app', kind: 'token', operation, op },
      t.app.url,
      200,
      (body: { userId?: string }) => typeof body.userId === 'string' && expectedUser(body.userId),
    )
    return {
      ...checked,
      probe: async () => {
        await checked.probe()
        if (!refused) return
        const response = await fetch(`${t.app.url}${op.path}`, { headers: refused })
        const text = await response.text()
        if (response.status !== 401)
          throw new Error(`probe app ${name}: a bad credential got ${response.status} ${text.slice(0, 300)}`)
      },
    }
  }
  const usherUserId = (id: string) => /^[0-9a-f]{24}$/.test(id)
  const bearer = () => ({ authorization: `Bearer ${usherSession().access}` })
  const sample = sessions.usher[0]!.access
  const tampered = { authorization: `Bearer ${sample.slice(0, -4)}${sample.endsWith('AAAA') ? 'BBBB' : 'AAAA'}` }

  const usherLogin = scenario(
    {
      group: 'login',
      name: 'login',
      system: 'usher',
      kind: 'kdf',
      operation: `POST ${app}/login`,
      op: {
        method: 'POST',
        path: `${app}/login`,
        headers: json,
        vary: () => ({ body: JSON.stringify({ username: loginEmails(), password: SEED_PASSWORD }) }),
      },
    },
    u,
    200,
    (body: { access_token?: string; refresh_token?: string }) =>
      Boolean(body.access_token && body.refresh_token),
  )
  const usherRegister = scenario(
    {
      group: 'register',
      name: 'register',
      system: 'usher',
      kind: 'kdf',
      operation: `POST ${app}/register`,
      op: {
        method: 'POST',
        path: `${app}/register`,
        headers: json,
        vary: () => ({ body: JSON.stringify({ email: newEmail(), password: SEED_PASSWORD }) }),
      },
    },
    u,
    201,
    () => true,
  )

  /**
   * The same Usher operation on `usher events`. Its probe proves events are really on there: the worker names
   * the sink as its webhook, and a login's LOGIN event reaches the sink, signed (the register probe makes
   * one login too, so a register-only run proves it as well).
   */
  const e = t.usherEvents
  const probeEventsLogin = async () => {
    if (!e) throw new Error('no events-on Usher')
    const admin = createAdminClient({ url: e.url, adminKey: e.adminKey })
    const { sinks } = await admin.events.list.query({ limit: 1 })
    if (sinks.webhook !== e.sink.url)
      throw new Error(`probe usher events: its webhook is ${sinks.webhook}, not the sink ${e.sink.url}`)
    const response = await fetchOp(e.url, usherLogin.op)
    const body = await expectJson<{ access_token?: string; user_id?: string }>(
      response,
      200,
      'usher events login',
      (b) => Boolean(b.access_token && b.user_id),
    )
    e.probed.logins++
    await e.sink.waitFor('LOGIN', body.user_id!, 20_000)
    if (e.sink.stats().bad_signatures > 0)
      throw new Error('probe usher events: the sink received a webhook call without a valid signature')
  }
  const withEvents = (plain: Scenario): Scenario[] =>
    e
      ? [
          {
            ...plain,
            name: plain.name === 'login' ? 'login-events' : 'register-events',
            worker: 'usher-events',
            variant: { of: plain.name, label: 'events' },
            probe: async () => {
              if (plain.name === 'register') {
                const response = await fetchOp(e.url, plain.op)
                if (response.status !== 201) {
                  const text = await response.text()
                  throw new Error(`probe usher events register: got ${response.status} ${text}`)
                }
                e.probed.registrations++
              }
              await probeEventsLogin()
            },
          },
        ]
      : []

  /**
   * A first login against a Firebase hash. The probe logs in the pool's first user, the first in id order,
   * and waits for the rehash after the answer: the stored hash goes from `$firebase-scrypt$` to `$scrypt$`.
   */
  const f = t.firebase
  const firebaseLogin = (f: NonNullable<Targets['firebase']>): Scenario => {
    const path = `/api/client/v2.0/app/${f.appId}/auth/providers/local-userpass/login`
    const op: Operation = {
      method: 'POST',
      path,
      headers: json,
      vary: () => ({ body: JSON.stringify({ username: f.pool.next(), password: FIREBASE_PASSWORD }) }),
    }
    const admin = createAdminClient({ url: f.url, adminKey: f.adminKey })
    const first = async () => (await admin.users.export.query({ limit: 1 })).users[0]
    return {
      group: 'firebase-login',
      name: 'firebase-login',
      system: 'usher',
      worker: 'usher-import',
      kind: 'kdf',
      settles: true,
      operation: `POST ${path} (a Firebase user's first login: Firebase scrypt check, then the rehash)`,
      op,
      probe: async () => {
        const user = await first()
        if (!user?.passwordHash?.startsWith('$firebase-scrypt$'))
          throw new Error(`probe firebase login: the first imported user has no Firebase hash (${user?.id})`)
        const body = await expectJson<{ access_token?: string; user_id?: string }>(
          await fetchOp(f.url, op),
          200,
          'usher firebase login',
          (b) => Boolean(b.access_token) && b.user_id === user.id,
        )
        for (let waited = 0; waited < 10_000; waited += 100) {
          if ((await first())?.passwordHash?.startsWith('$scrypt$')) return
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        throw new Error(`probe firebase login: ${body.user_id}'s Firebase hash was not replaced within 10 s`)
      },
    }
  }

  return [
    // login
    usherLogin,
    ...withEvents(usherLogin),
    scenario(
      {
        group: 'login',
        name: 'login',
        system: 'better-auth',
        kind: 'kdf',
        operation: 'POST /api/auth/sign-in/email',
        op: {
          method: 'POST',
          path: '/api/auth/sign-in/email',
          headers: { ...json, origin: p },
          vary: () => ({ body: JSON.stringify({ email: loginEmails(), password: SEED_PASSWORD }) }),
        },
      },
      p,
      200,
      (body: { token?: string }) => Boolean(body.token),
    ),
    scenario(
      {
        group: 'login',
        name: 'kdf-hash',
        system: 'bound',
        kind: 'kdf',
        operation: 'one scrypt hash (POST /kdf)',
        op: { method: 'POST', path: '/kdf' },
      },
      b,
      200,
      (body: { key?: string }) => body.key?.length === 64,
    ),
    // register
    usherRegister,
    ...withEvents(usherRegister),
    scenario(
      {
        group: 'register',
        name: 'register',
        system: 'better-auth',
        kind: 'kdf',
        operation: 'POST /api/auth/sign-up/email',
        op: {
          method: 'POST',
          path: '/api/auth/sign-up/email',
          headers: { ...json, origin: p },
          vary: () => {
            peerSignUps++
            return { body: JSON.stringify({ email: newEmail(), password: SEED_PASSWORD, name: 'Bench' }) }
          },
        },
      },
      p,
      200,
      (body: { user?: { email?: string } }) => Boolean(body.user?.email?.startsWith('reg-')),
    ),
    // refresh
    scenario(
      {
        group: 'refresh',
        name: 'refresh',
        system: 'usher',
        kind: 'token',
        operation: 'POST /api/client/v2.0/auth/session',
        op: {
          method: 'POST',
          path: '/api/client/v2.0/auth/session',
          vary: () => ({ headers: { authorization: `Bearer ${usherSession().refresh}` } }),
        },
      },
      u,
      201,
      (body: { access_token?: string }) => Boolean(body.access_token),
    ),
    peerGetSession('refresh'),
    // profile
    scenario(
      {
        group: 'profile',
        name: 'profile',
        system: 'usher',
        kind: 'token',
        operation: 'GET /api/client/v2.0/auth/profile',
        op: {
          method: 'GET',
          path: '/api/client/v2.0/auth/profile',
          vary: () => ({ headers: { authorization: `Bearer ${usherSession().access}` } }),
        },
      },
      u,
      200,
      (body: { user_id?: string; data?: { email?: string } }) => Boolean(body.user_id && body.data?.email),
    ),
    peerGetSession('profile'),
    scenario(
      {
        group: 'profile',
        name: 'd1-read',
        system: 'bound',
        kind: 'token',
        operation: 'one D1 primary-key read (GET /d1)',
        op: { method: 'GET', path: '/d1' },
      },
      b,
      200,
      (body: { id?: string }) => Boolean(body.id),
    ),
    // app request: the same app worker, four ways of knowing who calls
    appRoute(
      'app-jwks',
      'usher',
      "GET /jwks: Usher's token verified offline (hono/jwk, JWKS cached in the isolate)",
      bearer,
      tampered,
      usherUserId,
    ),
    appRoute(
      'app-rpc',
      'usher',
      'GET /rpc: env.USHER.authenticate(token) (UsherService RPC, live session)',
      bearer,
      tampered,
      usherUserId,
    ),
    appRoute(
      'app-peer',
      'better-auth',
      'GET /peer: Better Auth get-session through a service binding (cookie forwarded)',
      () => ({ cookie: peerSession() }),
      {},
      (id) => id.length > 0 && id !== 'bound',
    ),
    appRoute(
      'app-bound',
      'bound',
      'GET /bound: the same answer, no check',
      () => ({}),
      undefined,
      (id) => id === 'bound',
    ),
    // firebase login: a first login against a Firebase hash, and the bound for exactly its password work
    ...(f
      ? [
          firebaseLogin(f),
          scenario(
            {
              group: 'firebase-login',
              name: 'firebase-kdf',
              system: 'bound',
              kind: 'kdf',
              settles: true,
              operation: 'Firebase scrypt check + one scrypt hash (POST /firebase)',
              op: { method: 'POST', path: '/firebase' },
            },
            b,
            200,
            (body: { verified?: boolean; key?: string }) => body.verified === true && body.key?.length === 64,
          ),
        ]
      : []),
    // users.list
    scenario(
      {
        group: 'list-first',
        name: 'list-first',
        system: 'usher',
        kind: 'admin',
        operation: `users.list {status:'all', limit:${LIST_PAGE}}`,
        op: { method: 'GET', path: usherList({}), headers: admin },
      },
      u,
      200,
      (body: { result: { data: UsherList } }) =>
        body.result.data.items.length === LIST_PAGE && body.result.data.counts.all >= t.users,
    ),
    scenario(
      {
        group: 'list-first',
        name: 'list-first',
        system: 'better-auth',
        kind: 'admin',
        operation: `GET /api/auth/admin/list-users?limit=${LIST_PAGE}&sortBy=createdAt&sortDirection=desc`,
        op: { method: 'GET', path: peerList({}), headers: peerAdmin },
      },
      p,
      200,
      (body: PeerList) => body.users.length === LIST_PAGE && body.total >= t.users,
    ),
    scenario(
      {
        group: 'list-deep',
        name: 'list-deep',
        system: 'usher',
        kind: 'admin',
        operation: `users.list {cursor at ${t.deep.offset.toLocaleString('en-US')}, limit:${LIST_PAGE}}`,
        op: { method: 'GET', path: usherList({ cursor: encodeCursor(t.deep.before) }), headers: admin },
      },
      u,
      200,
      (body: { result: { data: UsherList } }) =>
        body.result.data.items.length === LIST_PAGE &&
        body.result.data.items[0]?.id === t.deep.first.id &&
        body.result.data.items[0]?.email === deepEmail,
    ),
    scenario(
      {
        group: 'list-deep',
        name: 'list-deep',
        system: 'better-auth',
        kind: 'admin',
        operation: `list-users?offset=${t.deep.offset}&limit=${LIST_PAGE}&sortBy=createdAt&sortDirection=desc`,
        op: { method: 'GET', path: peerList({ offset: t.deep.offset }), headers: peerAdmin },
      },
      p,
      200,
      (body: PeerList) =>
        body.users.length === LIST_PAGE &&
        body.users[0]?.email === seedEmail(t.users - t.deep.offset + peerSignUps),
    ),
    scenario(
      {
        group: 'search',
        name: 'search',
        system: 'usher',
        kind: 'admin',
        operation: `users.list {search:'${t.needle}', limit:${LIST_PAGE}}`,
        op: { method: 'GET', path: usherList({ search: t.needle }), headers: admin },
      },
      u,
      200,
      (body: { result: { data: UsherList } }) => {
        const items = body.result.data.items
        searchHits = items.length
        return items.length > 0 && items.length < LIST_PAGE && items.every((i) => matches(i.email ?? ''))
      },
    ),
    scenario(
      {
        group: 'search',
        name: 'search',
        system: 'better-auth',
        kind: 'admin',
        operation: `list-users?searchValue=${t.needle}&searchField=email&searchOperator=contains&limit=${LIST_PAGE}`,
        op: {
          method: 'GET',
          path: peerList({ searchValue: t.needle, searchField: 'email', searchOperator: 'contains' }),
          headers: peerAdmin,
        },
      },
      p,
      200,
      // Probed after Usher's search: both must find the same users.
      (body: PeerList) => body.users.length === searchHits && body.users.every((user) => matches(user.email)),
    ),
  ]
}
