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
 */
import autocannon, { type AutocannonRequest } from 'autocannon'
import { cpuSample, otherCpuShare } from './machine'

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

async function fire(operation: Operation, options: LoadOptions, durationSeconds: number) {
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
    duration: durationSeconds,
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
  await new Promise((resolve) => setTimeout(resolve, Math.min(5000, Math.max(0, ...latencies.slice(-50)))))
  return { result, latencies, seconds }
}

/** Warm up, then measure `operation` once. */
export async function measure(operation: Operation, options: LoadOptions): Promise<Measurement> {
  if (options.warmupSeconds > 0) await fire(operation, options, options.warmupSeconds)
  const before = cpuSample(options.pgids)
  const { result, latencies, seconds } = await fire(operation, options, options.durationSeconds)
  const after = cpuSample(options.pgids)
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
