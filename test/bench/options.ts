/**
 * @module bench/options
 * The benchmark's knobs, from environment variables (so `npm run bench` stays one command). Defaults make
 * a full run last about thirteen minutes on 2 cores (three of them the import phase and firebase login);
 * short values are for checking the harness end to end:
 *
 *   BENCH_DURATION=5          seconds per token/admin measurement
 *   BENCH_KDF_DURATION=10     seconds per login/register/hash measurement (each request costs ~150 ms)
 *   BENCH_WARMUP=1            seconds of discarded load before each measurement
 *   BENCH_RUNS=3              rounds; every figure is the median over rounds
 *   BENCH_CONNECTIONS=10      concurrent connections (login, register, refresh, profile, bound)
 *   BENCH_ADMIN_CONNECTIONS=1 concurrent connections for users.list pages and search (one operator)
 *   BENCH_USERS=100000        seeded users per system, and Firebase users the import phase imports
 *   BENCH_ONLY=login,profile  only these scenario groups (development): login, register, refresh, profile,
 *                             list-first, list-deep, search, app-request, firebase-login (login and register
 *                             also run `usher events`, Usher delivering its lifecycle events to a webhook),
 *                             and import (the import phase: `usher import` and `usher export` through the
 *                             CLI), which firebase-login also runs, for its users
 *   BENCH_QUIET=10            before each measurement, wait until other processes use under 10% of the CPU…
 *   BENCH_QUIET_WAIT=20       …for at most this many seconds (BENCH_QUIET=0: never wait)
 *   BENCH_PROFILE=0           skip the users.list query profile
 *   BENCH_CPU_PROFILE=0       skip the isolate CPU profiles (Usher login/refresh/profile, peer get-session,
 *                             the four app requests) and the profiler's check against a known loop
 *   BENCH_USHER_CONFIG=…/wrangler.toml  measure a copy of Usher with candidate changes instead of this
 *                             checkout (its .dev.vars must hold this checkout's ADMIN_API_KEY; own database)
 *
 * e.g. `BENCH_DURATION=1 BENCH_KDF_DURATION=2 BENCH_RUNS=1 npm run bench` checks everything in about a minute.
 */
import type { ScenarioName } from './scenarios'

/** What BENCH_ONLY names: scenario groups, and `import` (the import phase, ./import-export.ts). */
export type GroupName = ScenarioName | 'import'

export interface BenchOptions {
  durationSeconds: number
  kdfDurationSeconds: number
  warmupSeconds: number
  runs: number
  connections: number
  adminConnections: number
  users: number
  only: GroupName[] | undefined
  /** Start a measurement once other processes use less than this share of the CPU (percent; 0: never wait). */
  quietBelowPct: number
  /** …or after this many seconds of waiting. */
  quietMaxSeconds: number
  profile: boolean
  cpuProfile: boolean
}

function number(name: string, fallback: number, { min = 0, integer = false } = {}): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${raw}"`)
  }
  return value
}

export function readOptions(): BenchOptions {
  const durationSeconds = number('BENCH_DURATION', 5, { min: 1, integer: true })
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) as GroupName[] | undefined
  return {
    durationSeconds,
    kdfDurationSeconds: number('BENCH_KDF_DURATION', durationSeconds * 2, { min: 1, integer: true }),
    warmupSeconds: number('BENCH_WARMUP', 1, { integer: true }),
    runs: number('BENCH_RUNS', 3, { min: 1, integer: true }),
    connections: number('BENCH_CONNECTIONS', 10, { min: 1, integer: true }),
    adminConnections: number('BENCH_ADMIN_CONNECTIONS', 1, { min: 1, integer: true }),
    users: number('BENCH_USERS', 100_000, { min: 1000, integer: true }),
    only: only?.length ? only : undefined,
    quietBelowPct: number('BENCH_QUIET', 10),
    quietMaxSeconds: number('BENCH_QUIET_WAIT', 20),
    profile: process.env.BENCH_PROFILE !== '0',
    cpuProfile: process.env.BENCH_CPU_PROFILE !== '0',
  }
}
