/**
 * @module bench/bound
 * The physical bound, measured inside the same workerd as Usher: each request does exactly one unit of the
 * work an auth request cannot avoid, and nothing else (no framework, no validation, no JSON parsing).
 * - `POST /kdf`: one scrypt hash with the configured parameters: the ceiling for logins and registrations;
 * - `POST /firebase`: the password work of a Firebase user's first login: one check of Firebase's modified
 *   scrypt (its published test vector, with Usher's own `verifyFirebaseScrypt`), then the same scrypt hash
 *   as `/kdf` (the rehash to the configured KDF): the ceiling for `firebase login`;
 * - `GET /d1`: one primary-key read of a random row out of 100,000: the floor for token-checked requests;
 * - `GET /spin?n=`: n rounds of a pure-JavaScript loop (../spin.ts), the known work the CPU profiler is
 *   checked against.
 * `GET /health` answers as Usher's does, so tui/local-worker.ts can start this worker unchanged.
 */
import { randomBytes } from 'node:crypto'
import { parseForeignHash, verifyFirebaseScrypt, type ForeignHash } from '../../../worker/auth/foreign-hashes'
import { firebaseScryptHash, firebaseScryptParametersId } from '../../../worker/users/import-record'
import { FIREBASE_SCRYPT_VECTOR as VECTOR } from '../../fixtures/firebase-scrypt-vector'
import { deriveScrypt, scryptParamsFrom } from '../scrypt'
import { spin } from '../spin'

export interface BoundEnv {
  DB: D1Database
  SCRYPT_N: string
  SCRYPT_R: string
  SCRYPT_P: string
  /** Rows in `bound_rows` (seeded by the benchmark), so the read picks an existing key. */
  ROWS: string
}

const PASSWORD = 'correct horse battery staple'

const b64 = (text: string) => Buffer.from(text, 'base64')
const { salt, passwordHash, password, ...firebaseProject } = VECTOR
const FIREBASE_PARAMETERS = { id: firebaseScryptParametersId(firebaseProject), ...firebaseProject }
/** The vector's hash as Usher reads a stored `$firebase-scrypt$` one (parsed once here, per login there). */
const FIREBASE_HASH = parseForeignHash(
  firebaseScryptHash(FIREBASE_PARAMETERS.id, b64(salt), b64(passwordHash)),
) as Extract<ForeignHash, { scheme: 'firebase-scrypt' }>

/** The same 24-hex id shape Usher uses for sessions and users (seconds prefix + counter). */
export function boundRowId(i: number): string {
  return `${(1_700_000_000).toString(16).padStart(8, '0')}${i.toString(16).padStart(16, '0')}`
}

export default {
  async fetch(request, env) {
    const { pathname, searchParams } = new URL(request.url)
    if (pathname === '/kdf' && request.method === 'POST') {
      const key = await deriveScrypt(PASSWORD, randomBytes(16), scryptParamsFrom(env))
      return Response.json({ key: key.toString('hex') })
    }
    if (pathname === '/firebase' && request.method === 'POST') {
      if (!(await verifyFirebaseScrypt(password, FIREBASE_HASH, FIREBASE_PARAMETERS)))
        return new Response('the Firebase test vector did not verify', { status: 500 })
      const key = await deriveScrypt(password, randomBytes(16), scryptParamsFrom(env))
      return Response.json({ verified: true, key: key.toString('hex') })
    }
    if (pathname === '/d1') {
      const id = boundRowId(Math.floor(Math.random() * Number(env.ROWS)))
      const row = await env.DB.prepare('SELECT id, value FROM bound_rows WHERE id = ?').bind(id).first()
      return row ? Response.json(row) : new Response('missing row', { status: 500 })
    }
    if (pathname === '/spin') return Response.json({ x: spin(Number(searchParams.get('n') ?? 0)) })
    if (pathname === '/health') return Response.json({ ok: true, appId: 'bound' })
    return new Response('not found', { status: 404 })
  },
} satisfies ExportedHandler<BoundEnv>
