/**
 * Helpers for worker tests: they call the real worker (inside workerd, on the real local D1) and read D1
 * directly only to look at what a user could not see otherwise (the dev outbox, row counts).
 */
import { env, exports } from 'cloudflare:workers'
import { expect } from 'vitest'
import app from '../../worker/index'
import type { Bindings } from '../../worker/context'

export const ORIGIN = 'https://usher.test'
export const APP = `${ORIGIN}/api/client/v2.0/app/usher-local`
export const API = `${ORIGIN}/api/client/v2.0`

export interface CallOptions {
  body?: unknown
  token?: string
  headers?: Record<string, string>
}

type Fetch = (request: Request) => Promise<Response>

/** The deployed worker, as configured by wrangler.toml + test bindings. */
const deployed: Fetch = (request) => exports.default.fetch(request)

/** The same worker with some bindings changed (another confirmation method, a function binding…). */
export function configured(overrides: Record<string, unknown>): Fetch {
  const bindings = { ...env, ...overrides } as unknown as Bindings
  return async (request) => app.fetch(request, bindings, { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext)
}

export function request(url: string, method: string, options: CallOptions = {}): Request {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: string | undefined
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json'
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
  }
  return new Request(url, { method, headers, body })
}

export function client(fetcher: Fetch = deployed) {
  const call = (method: string, url: string, options?: CallOptions) => fetcher(request(url, method, options))
  const userpass = (action: string, body: unknown) => call('POST', `${APP}/auth/providers/local-userpass/${action}`, { body })
  return {
    call,
    userpass,
    register: (email: string, password = 'password1') => userpass('register', { email, password }),
    login: (username: string, password = 'password1') =>
      call('POST', `${APP}/auth/providers/local-userpass/login`, { body: { username, password } }),
    anonymous: () => call('POST', `${APP}/auth/providers/anon-user/login`, { body: {} }),
    profile: (token: string) => call('GET', `${API}/auth/profile`, { token }),
    refresh: (refreshToken: string) => call('POST', `${API}/auth/session`, { token: refreshToken }),
    logout: (refreshToken: string) => call('DELETE', `${API}/auth/session`, { token: refreshToken }),
  }
}

export const api = client()

export interface Tokens {
  access_token: string
  refresh_token: string
  user_id: string
  device_id: string
}

/** The latest mail to `to` in the dev outbox, with its token pair parsed from the link. */
export async function lastMail(to: string) {
  const row = await env.DB.prepare('SELECT * FROM outbox WHERE "to" = ? ORDER BY id DESC LIMIT 1')
    .bind(to)
    .first<{ subject: string; text: string; link: string | null }>()
  if (!row) throw new Error(`no mail to ${to}`)
  const link = row.link ? new URL(row.link) : undefined
  return {
    ...row,
    token: link?.searchParams.get('token') ?? '',
    tokenId: link?.searchParams.get('tokenId') ?? '',
  }
}

export async function mailCount(to: string): Promise<number> {
  const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM outbox WHERE "to" = ?').bind(to).first<{ n: number }>()
  return row?.n ?? 0
}

let sequence = 0
/** A fresh email address for each test (files share one database). */
export function uniqueEmail(label = 'user'): string {
  sequence += 1
  return `${label}-${sequence}-${crypto.randomUUID().slice(0, 8)}@example.com`
}

/** Register, confirm through the mailed link, and log in: a confirmed user with a session. */
export async function confirmedUser(email = uniqueEmail(), password = 'password1'): Promise<Tokens & { email: string }> {
  expect((await api.register(email, password)).status).toBe(201)
  const mail = await lastMail(email)
  expect((await api.userpass('confirm', { token: mail.token, tokenId: mail.tokenId })).status).toBe(204)
  const res = await api.login(email, password)
  expect(res.status).toBe(200)
  return { ...((await res.json()) as Tokens), email }
}

export async function expectError(res: Response, status: number, code: string, message?: string | RegExp) {
  expect(res.status, await res.clone().text()).toBe(status)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  const body = (await res.json()) as { error: string; error_code: string; link: string }
  expect(body.error_code).toBe(code)
  expect(typeof body.link).toBe('string')
  expect(body.error).not.toMatch(/\n\s+at /)
  if (message !== undefined) expect(body.error).toMatch(message)
  return body
}

/**
 * One of the app's functions as a service binding (confirmation, reset, user creation, custom-function login):
 * keeps each JSON body it is sent, in order, and answers what `answer` makes of it (and of the request).
 */
export function appBinding<Body = Record<string, unknown>>(answer: (body: Body, request: Request) => Response | Promise<Response>) {
  const calls: Body[] = []
  return {
    calls,
    binding: {
      async fetch(input: RequestInfo, init?: RequestInit) {
        const request = new Request(input, init)
        const body = (await request.json()) as Body
        calls.push(body)
        return answer(body, request)
      },
    },
  }
}

export interface Counts {
  roundTrips: number
  statements: number
}

/**
 * The real D1, with every call counted on its way through (round trips: each `first`/`all`/`run`/`raw` and
 * each `batch`; statements: each one sent). It only counts: every call reaches the real database.
 */
export function countingD1(db: D1Database, counts: Counts): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>()
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, key) {
        if (key === 'bind') return (...values: unknown[]) => wrap(target.bind(...values))
        if (key === 'first' || key === 'all' || key === 'run' || key === 'raw') {
          return (...args: unknown[]) => {
            counts.roundTrips++
            counts.statements++
            return (target[key] as (...a: unknown[]) => unknown).apply(target, args)
          }
        }
        const value = Reflect.get(target, key, target) as unknown
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    real.set(proxy, statement)
    return proxy
  }
  return new Proxy(db, {
    get(target, key) {
      if (key === 'prepare') return (query: string) => wrap(target.prepare(query))
      if (key === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counts.roundTrips++
          counts.statements += statements.length
          return target.batch(statements.map((s) => real.get(s) ?? s))
        }
      }
      const value = Reflect.get(target, key, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

export async function count(table: string, where = '1', ...params: unknown[]): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`)
    .bind(...params)
    .first<{ n: number }>()
  return row!.n
}

export async function userStatus(userId: string) {
  return env.DB.prepare('SELECT status, disabled FROM users WHERE id = ?').bind(userId).first<{ status: string; disabled: number }>()
}
