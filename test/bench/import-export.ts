/**
 * @module bench/import-export
 * The import phase: what a Firebase team's migration costs, through the real `usher` CLI as people run it.
 *
 * 1. `writeFirebaseExport`: a `firebase auth:export` file (`{"users": [...]}`, firebase-tools'
 *    accountExporter shape: string epoch-millisecond times, no providerUserInfo for password users) of
 *    BENCH_USERS users with unique uids (28 characters, like Firebase's, and in id order) and emails. Every
 *    user carries the salt and hash of Firebase's published test vector
 *    (test/fixtures/firebase-scrypt-vector.ts), so every password is `user1password`: computing 100,000 real
 *    Firebase hashes would cost tens of minutes of scrypt and change nothing the import does (it stores a
 *    hash, it never checks one).
 * 2. `runCli`: `node --import tsx tui/cli.ts import <file> --from firebase --hash-key … --json`, then
 *    `… export --out <file> --json`, as child processes given the worker's URL and admin key (USHER_URL,
 *    USHER_ADMIN_KEY), timed on the wall clock from spawn to exit (Node and tsx starting included).
 * 3. `checkExport`: the export has one line per user, each with its `$firebase-scrypt$` hash, and a sample
 *    of users (first, last, and a hundred between) comes back exactly as the CLI's Firebase parser read them.
 *
 * The imported users are also the pool of the `firebase login` scenario (`FirebasePool`): each can make one
 * first login against a Firebase hash (the login rehashes it), so the pool hands every user out once.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { parseFirebase } from '../../tui/import/firebase'
import { parseUsher } from '../../tui/import/usher'
import {
  FIREBASE_SCRYPT_VECTOR as VECTOR,
  FIREBASE_SCRYPT_VECTOR_OPTIONS,
} from '../fixtures/firebase-scrypt-vector'
import { cpuSample, otherCpuShare } from './machine'

export const FIREBASE_DOMAIN = 'firebase.bench.test'
export const FIREBASE_PASSWORD = VECTOR.password
/** Created-at of Firebase user i: one minute apart, last signed in an hour after. */
const BASE_MS = 1_600_000_000_000

/** Firebase uids are 28 letters and digits; these sort in user order, so the export's line i is user i. */
export const firebaseUid = (i: number) => `fbBench${String(i).padStart(21, '0')}`
export const firebaseEmail = (i: number) => `fb${i}@${FIREBASE_DOMAIN}`

/** User i as `firebase auth:export` writes an email/password user. */
function firebaseUser(i: number) {
  const created = BASE_MS + i * 60_000
  return {
    localId: firebaseUid(i),
    email: firebaseEmail(i),
    emailVerified: true,
    passwordHash: VECTOR.passwordHash,
    salt: VECTOR.salt,
    displayName: `Firebase user ${i}`,
    lastSignedInAt: String(created + 3_600_000),
    createdAt: String(created),
    providerUserInfo: [],
  }
}

/** Write the export of users 1…`users`; its size in bytes. */
export function writeFirebaseExport(file: string, users: number): number {
  const lines: string[] = []
  for (let i = 1; i <= users; i++) lines.push(JSON.stringify(firebaseUser(i)))
  const text = `{"users": [\n${lines.join(',\n')}\n]}\n`
  writeFileSync(file, text)
  return Buffer.byteLength(text)
}

export interface CliRun {
  seconds: number
  /** Share of the machine used by processes outside the benchmark (the CLI counts as the benchmark's). */
  other_cpu_pct: number | null
  stdout: string
}

/**
 * One `usher` command against `target`, as a child process; its wall-clock time. Fails unless it exits 0.
 * `pgids`: the benchmark's workers, whose CPU is not noise (nor is the CLI's, reaped by this process).
 */
export async function runCli(
  args: string[],
  target: { url: string; adminKey: string },
  pgids: number[],
): Promise<CliRun> {
  const { USHER_PROFILE: _profile, USHER_DEBUG: _debug, ...inherited } = process.env
  const env = { ...inherited, USHER_URL: target.url, USHER_ADMIN_KEY: target.adminKey }
  const before = cpuSample(pgids)
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'tui/cli.ts', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  const seconds = (performance.now() - started) / 1000
  const other = otherCpuShare(before, cpuSample(pgids))
  if (code !== 0) {
    throw new Error(`usher ${args.slice(0, 2).join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`)
  }
  return { seconds, other_cpu_pct: other, stdout }
}

/** `usher import <file> --from firebase` with the vector's project parameters; every user must be created. */
export async function importFirebase(
  file: string,
  users: number,
  target: { url: string; adminKey: string },
  pgids: number[],
): Promise<CliRun> {
  const run = await runCli(
    ['import', file, '--from', 'firebase', ...FIREBASE_SCRYPT_VECTOR_OPTIONS, '--json'],
    target,
    pgids,
  )
  const report = JSON.parse(run.stdout) as { counts: Record<string, number>; problems: unknown[] }
  const { created, ...others } = report.counts
  if (created !== users || Object.values(others).some((n) => n > 0) || report.problems.length > 0) {
    throw new Error(`usher import created ${created} of ${users} users: ${run.stdout.slice(0, 1000)}`)
  }
  return run
}

/** `usher export --out <file>`; checks it says it exported every user. */
export async function exportUsers(
  file: string,
  users: number,
  target: { url: string; adminKey: string },
  pgids: number[],
): Promise<CliRun> {
  const run = await runCli(['export', '--out', file, '--force', '--json'], target, pgids)
  const { exported } = JSON.parse(run.stdout) as { exported: number }
  if (exported !== users) throw new Error(`usher export exported ${exported} of ${users} users`)
  return run
}

export interface ExportCheck {
  lines: number
  /** Lines whose password hash is the imported `$firebase-scrypt$` one. */
  firebase_hashes: number
  /** Users compared field by field with what the CLI's Firebase parser read from the import file. */
  sampled: number
  /** What did not come back as it went in (empty: the round trip holds). */
  problems: string[]
}

/** The users compared: the first, the last, and about a hundred spread between. */
function sample(users: number): number[] {
  const step = Math.max(1, Math.floor(users / 100))
  const picked = new Set<number>([1, users])
  for (let i = step; i < users; i += step) picked.add(i)
  return [...picked].sort((a, b) => a - b)
}

/** The export file against the import: every user, each hash, and a sample field by field. */
export function checkExport(file: string, users: number): ExportCheck {
  const text = readFileSync(file, 'utf8')
  const exported = parseUsher([{ name: file, text }])
  const problems = exported.problems.slice(0, 5).map((p) => `line ${p.line}: ${p.reason}`)
  const lines = exported.users.length + exported.problems.length
  if (lines !== users) problems.push(`${lines} lines for ${users} users`)
  const hash = (user: { passwordHash?: string }) => user.passwordHash?.startsWith('$firebase-scrypt$p=')
  const firebaseHashes = exported.users.filter(hash).length
  if (firebaseHashes !== users) problems.push(`${firebaseHashes} of ${users} users kept their Firebase hash`)
  // What the CLI sent for the sampled users: its own parser, on just those rows.
  const picked = sample(users)
  const sent = parseFirebase(JSON.stringify({ users: picked.map(firebaseUser) }), {
    hashKey: VECTOR.signerKey,
    saltSeparator: VECTOR.saltSeparator,
    rounds: VECTOR.rounds,
    memCost: VECTOR.memCost,
  }).users
  const byId = new Map(exported.users.map((user) => [user.id, user]))
  for (const user of sent) {
    const back = byId.get(user.id)
    if (!back) problems.push(`${user.id} is not in the export`)
    else if (canonical(back) !== canonical(user))
      problems.push(`${user.id} came back as ${canonical(back)}, imported as ${canonical(user)}`)
  }
  return { lines, firebase_hashes: firebaseHashes, sampled: sent.length, problems }
}

/** JSON with sorted keys, for comparing records field by field. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  )
}

/**
 * The imported users, each handed out once: a `firebase login` is a first login against a Firebase hash, and
 * the login replaces that hash with Usher's. Past the last user it hands out an address nobody has, so an
 * exhausted pool shows as failed logins (never as logins against already-rehashed users).
 */
export class FirebasePool {
  private handed = 0
  constructor(readonly size: number) {}
  next(): string {
    this.handed++
    return this.handed <= this.size
      ? firebaseEmail(this.handed)
      : `exhausted-${this.handed}@${FIREBASE_DOMAIN}`
  }
  /** Users handed out so far (requests prepared; some may never have been sent). */
  get handedOut(): number {
    return this.handed
  }
}
