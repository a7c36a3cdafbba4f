/**
 * @module bench/load
 * One measurement: autocannon at a fixed concurrency for a fixed duration against one operation, after a
 * short warm-up (JIT, isolate and SQLite page cache), with statistics computed from every response:
 * - throughput: successful responses divided by the time from the start to the last response. Dividing by
 *   the nominal duration would also charge the requests still in flight when autocannon stops (their
 *   answers are dropped), which costs a KDF-bound run (10 connections, ~1 s per request) several percent;
 * - latency percentiles from autocannon's own per-response times (sub-millisecond resolution; its histogram
 *   rounds to whole milliseconds).
 * Any non-2xx answer or connection error is counted and reported: a benchmark of failing requests is void.
 * After each burst the harness waits for the requests autocannon left queued in the worker to finish.
 *
 * Requests that leave work behind after their answer (`settle`: a first login's rehash, deferred with
 * waitUntil) are measured differently, since the time to the last answer would leave the last requests'
 * deferred work out: a fixed number of requests (none left in flight), and the clock stops once the worker's
 * processes are idle again (`settledAt`).
 */
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon'
import { cpuSample, otherCpuShare, processesCpuMs, processGroupPids, type CpuSample } from './machine'

export interface Operation {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
  /** Per-request variation (unique emails, a pool of users or tokens). */
  vary?: () => Partial<Pick<AutocannonRequest, 'path' | 'headers' | 'body'>>
}

export interface LoadOptions {
  origin: string
  connections: number
  durationSeconds: number
  warmupSeconds: number
  /** Process groups of the bench's own workers, so their CPU is not counted as noise. */
  pgids: number[]
  /** Called for every 2xx answer, warm-up included (what the client was told succeeded). */
  onAcknowledged?: () => void
  /**
   * The process group of a worker whose requests leave work behind after their answer (in waitUntil). The
   * warm-up is then one request per connection, which also gives the rate; the measurement sends
   * `requests` (default: `durationSeconds` at that rate), and lasts until the last answer *and* the end of
   * the work the requests left behind (`settledAt`).
   */
  settle?: { pgid: number; requests?: number }
}

export interface Measurement {
  requests: number
  rps: number
  p50_ms: number
  p99_ms: number
  mean_ms: number
  failures: number
  statuses: Record<string, number>
  /** Share of the machine's CPU used by processes outside the benchmark during the measurement. */
  other_cpu_pct: number | null
  /** wrangler dev restarted a worker during the measurement (its sources changed on disk). */
  worker_restarted?: boolean
  /** Seconds waited before the measurement for other processes to quiet down (BENCH_QUIET). */
  waited_for_quiet_s?: number
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

/** A burst: for a duration, or a fixed number of requests (all answered when it ends). */
type Burst = { durationSeconds: number } | { requests: number }

async function fire(operation: Operation, options: LoadOptions, burst: Burst) {
  const request: AutocannonRequest = {
    method: operation.method,
    path: operation.path,
    headers: operation.headers,
    body: operation.body,
  }
  if (operation.vary) {
    const vary = operation.vary
    request.setupRequest = (req) => {
      const changes = vary()
      return { ...req, ...changes, headers: { ...req.headers, ...changes.headers } }
    }
  }
  const latencies: number[] = []
  let last = Number.NaN
  const started = performance.now()
  const instance = autocannon({
    url: options.origin,
    connections: options.connections,
    ...('requests' in burst ? { amount: burst.requests } : { duration: burst.durationSeconds }),
    timeout: 30,
    requests: [request],
  })
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) {
      options.onAcknowledged?.()
      latencies.push(responseTime)
      last = performance.now()
    }
  })
  const result = await instance
  const seconds = (last - started) / 1000
  // autocannon stops with requests still queued in the worker, which keeps serving them (a password hash
  // cannot be interrupted). Let them drain, about one latency, so they do not eat into the next measurement.
  if (!('requests' in burst))
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, Math.max(0, ...latencies.slice(-50)))))
  return { result, latencies, seconds, started, last }
}

const SETTLE_POLL_MS = 25
/** Polls without a single CPU tick (10 ms) in the group before it counts as idle. */
const SETTLE_IDLE_POLLS = 4
const SETTLE_MAX_MS = 60_000

/**
 * When the processes of a worker's group stopped working (a performance.now() time): the end of the last
 * poll in which they used CPU, once SETTLE_IDLE_POLLS polls in a row saw none. Called right after a burst's
 * last answer, so what it waits for is the work the requests left behind.
 */
export async function settledAt(pgid: number): Promise<number> {
  const pids = processGroupPids(pgid)
  const began = performance.now()
  let busyUntil = began
  let cpu = processesCpuMs(pids)
  for (let idle = 0; idle < SETTLE_IDLE_POLLS; ) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS))
    const now = performance.now()
    const next = processesCpuMs(pids)
    if (next > cpu) {
      busyUntil = now
      idle = 0
    } else {
      idle++
    }
    cpu = next
    if (now - began > SETTLE_MAX_MS)
      throw new Error(`process group ${pgid} was still busy ${SETTLE_MAX_MS / 1000} s after the last answer`)
  }
  return busyUntil
}

/**
 * A fixed number of requests whose work goes on after their answers (see `LoadOptions.settle`): throughput
 * is answers ÷ the time from the first request to the end of the last one's work.
 */
async function measureSettled(
  operation: Operation,
  options: LoadOptions,
  settle: NonNullable<LoadOptions['settle']>,
): Promise<Measurement> {
  let requests = settle.requests
  if (options.warmupSeconds > 0 || requests === undefined) {
    const warm = await fire(operation, options, { requests: options.connections })
    const seconds = (Math.max(warm.last, await settledAt(settle.pgid)) - warm.started) / 1000
    requests ??= Math.max(
      2 * options.connections,
      Math.round((warm.latencies.length / seconds) * options.durationSeconds),
    )
  }
  const before = cpuSample(options.pgids)
  const run = await fire(operation, options, { requests })
  const done = Math.max(run.last, await settledAt(settle.pgid))
  const after = cpuSample(options.pgids)
  return statistics(run.result, run.latencies, (done - run.started) / 1000, before, after)
}

/** Warm up, then measure `operation` once. */
export async function measure(operation: Operation, options: LoadOptions): Promise<Measurement> {
  if (options.settle) return measureSettled(operation, options, options.settle)
  if (options.warmupSeconds > 0) await fire(operation, options, { durationSeconds: options.warmupSeconds })
  const before = cpuSample(options.pgids)
  const { result, latencies, seconds } = await fire(operation, options, {
    durationSeconds: options.durationSeconds,
  })
  const after = cpuSample(options.pgids)
  return statistics(result, latencies, seconds, before, after)
}

function statistics(
  result: AutocannonResult,
  latencies: number[],
  seconds: number,
  before: CpuSample | undefined,
  after: CpuSample | undefined,
): Measurement {
  latencies.sort((a, b) => a - b)
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]),
  )
  return {
    requests: latencies.length,
    rps: latencies.length > 0 ? latencies.length / seconds : 0,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    mean_ms: latencies.reduce((sum, l) => sum + l, 0) / Math.max(1, latencies.length),
    failures: result.non2xx + result.errors,
    statuses,
    other_cpu_pct: otherCpuShare(before, after),
  }
}
