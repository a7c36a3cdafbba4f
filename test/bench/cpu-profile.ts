/**
 * @module bench/cpu-profile
 * Where a worker's CPU goes per request, measured inside workerd: while autocannon drives one operation, the
 * V8 sampling profiler of the worker's isolate runs (through workerd's own inspector, the one `wrangler dev`
 * starts with `--inspector-addr`). Samples are attributed to source modules through the `// path` comments
 * wrangler's esbuild bundle keeps, so the summary reads "drizzle-orm 25%, hono 9%, worker/auth/jwt.ts 2%"
 * rather than bundle line numbers. The headline figure is isolate CPU per request (busy samples ÷
 * completed requests), which does not depend on how many cores the load generator left free. A request
 * that runs in more than one worker (an app worker asking Usher over RPC, or Better Auth through a
 * service binding) has every isolate it runs in profiled during the same load, and their times added.
 * This is a diagnosis tool: the profiler itself costs some throughput, so these runs are not results.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { measure, type LoadOptions, type Operation } from './load'
import { processGroupCpuMs } from './machine'
import { spin } from './spin'

export interface IsolateProfile {
  /** The worker whose isolate this is. */
  worker: string
  /** Isolate CPU per completed request: non-idle samples, each counting for at most two intervals. */
  cpu_ms_per_request: number
  /**
   * The same with every sample counting for its whole time delta, pauses included (what this file reported
   * before: it grows with waits and with the machine's load, not with the isolate's work).
   */
  uncapped_ms_per_request: number
  /** The sampling interval V8 achieved (asked: 100 µs). */
  sampling_interval_us: number
  /** Share of busy samples, by source module (self time). */
  by_module: { module: string; pct: number }[]
  /** Share of busy samples, by function (self time). */
  top_functions: { fn: string; pct: number }[]
}

export interface CpuProfileSummary {
  system: string
  scenario: string
  requests: number
  /**
   * CPU per completed request of every isolate the request runs in (an app worker's request that calls Usher
   * runs in both): the sum of `isolates`.
   */
  cpu_ms_per_request: number
  isolates: IsolateProfile[]
}

/** A worker to profile while the load runs: its process group, and its origin (to wake its inspector). */
export interface ProfileTarget {
  worker: string
  pgid: number
  origin: string
}

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; scriptId: string; lineNumber: number }
  children?: number[]
}

/**
 * The TCP ports the workerd processes of a process group listen on (from /proc: their socket inodes, matched
 * against /proc/net/tcp). wrangler starts workerd with `--inspector-addr=127.0.0.1:0`, so the inspector's
 * real port is only known to the listening socket itself.
 */
function workerdListeningPorts(pgid: number): number[] {
  const inodes = new Set<string>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0]?.endsWith('workerd')) continue
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`))
        if (match) inodes.add(match[1]!)
      }
    } catch {
      // The process exited while we looked.
    }
  }
  const ports: number[] = []
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    // local_address is fields[1] (hex ip:port), st is fields[3] (0A = LISTEN), inode is fields[9].
    if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) ports.push(parseInt(fields[1]!.split(':')[1]!, 16))
  }
  return ports
}

async function userWorkerSocket(pgid: number): Promise<string> {
  for (const port of workerdListeningPorts(pgid)) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(2000) })
      const targets = (await response.json()) as { id?: string; webSocketDebuggerUrl?: string }[]
      const user = Array.isArray(targets)
        ? // The worker's own isolate, not wrangler's helpers beside it (trace collector, dev-registry proxy).
          targets.find(
            (t) =>
              t.id?.startsWith('core:user:') && !t.id.includes('miniflare') && !t.id.includes('dev-registry'),
          )
        : undefined
      if (user?.webSocketDebuggerUrl) return user.webSocketDebuggerUrl
    } catch {
      // Not the inspector (the worker's own port, miniflare's loopback…).
    }
  }
  throw new Error(`no workerd inspector with a user worker in process group ${pgid}`)
}

class Inspector {
  private next = 0
  private pending = new Map<number, (result: unknown) => void>()
  readonly scripts = new Map<string, string>()
  private constructor(
    private socket: WebSocket,
    private poke: () => void,
  ) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number
        method?: string
        result?: unknown
        params?: { scriptId: string; url: string }
      }
      if (message.method === 'Debugger.scriptParsed' && message.params) {
        this.scripts.set(message.params.scriptId, message.params.url)
      }
      // workerd answers some commands without a `result` (echoing the method): resolve on the id alone.
      if (message.id !== undefined && this.pending.has(message.id)) {
        this.pending.get(message.id)!(message.result)
        this.pending.delete(message.id)
      }
    })
  }

  static async connect(url: string, poke: () => void): Promise<Inspector> {
    // The inspector only accepts local origins (Node's WebSocket accepts extra headers as an undici option).
    const socket = new WebSocket(url, { headers: { origin: 'http://localhost' } } as unknown as string[])
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve())
      socket.addEventListener('error', () => reject(new Error(`cannot connect to the inspector at ${url}`)))
    })
    return new Inspector(socket, poke)
  }

  send<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    const id = ++this.next
    return new Promise<T>((resolve, reject) => {
      // workerd serves the inspector from the isolate's event loop: an idle worker may leave a command
      // unanswered until something wakes it, so send it a cheap request now and then while waiting.
      const wake = setInterval(this.poke, 250)
      const timer = setTimeout(() => {
        clearInterval(wake)
        this.pending.delete(id)
        reject(new Error(`the inspector did not answer ${method}`))
      }, timeoutMs)
      this.pending.set(id, (result) => {
        clearTimeout(timer)
        clearInterval(wake)
        resolve(result as T)
      })
      this.socket.send(JSON.stringify({ id, method, params }))
    })
  }

  close() {
    this.socket.close()
  }
}

/**
 * Connect and start the profiler. workerd's inspector sometimes leaves a fresh session's commands
 * unanswered (seen with workerd 2026-10-23, more often on an isolate that has been idle); such a session
 * is dropped and opened again.
 */
async function startProfiling(url: string, poke: () => void): Promise<Inspector> {
  for (let attempt = 1; ; attempt++) {
    const inspector = await Inspector.connect(url, poke)
    try {
      await inspector.send('Profiler.enable', {}, 3000)
      await inspector.send('Profiler.setSamplingInterval', { interval: 100 }, 3000)
      await inspector.send('Profiler.start', {}, 3000)
      return inspector
    } catch (error) {
      inspector.close()
      if (attempt === 5) throw error
    }
  }
}

/** Module of each line of an esbuild bundle (from its `// path/to/module.ts` comments). */
function moduleLines(source: string): (line: number) => string {
  const starts: [number, string][] = []
  source.split('\n').forEach((text, line) => {
    const match = /^\/\/ (\S+\.(?:ts|tsx|js|mjs|cjs))$/.exec(text)
    if (match) starts.push([line, match[1]!])
  })
  return (line) => {
    let lo = 0
    let hi = starts.length - 1
    let found = '(bundle)'
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (starts[mid]![0] <= line) {
        found = starts[mid]![1]
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }
}

/** node_modules/@scope/pkg/x.js → @scope/pkg; worker/auth/jwt.ts stays as it is. */
const packageOf = (module: string) => module.replace(/^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+).*$/, '$1')

/** Start profiling one worker's isolate; `stop` ends the profile and summarizes it over `requests`. */
async function profileIsolate(target: ProfileTarget) {
  const poke = () =>
    void fetch(`${target.origin}/health`).then(
      (r) => r.body?.cancel(),
      () => {},
    )
  const inspector = await startProfiling(await userWorkerSocket(target.pgid), poke)
  const stop = async (requests: number): Promise<IsolateProfile> => {
    const { profile } = await inspector.send<{
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }
    }>('Profiler.stop')
    await inspector.send('Profiler.disable')
    // Script URLs (the bundle's file) arrive as scriptParsed events once the debugger is on.
    await inspector.send('Debugger.enable')
    await inspector.send('Debugger.disable')

    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    const lineMaps = new Map<string, (line: number) => string>()
    const moduleOf = (frame: ProfileNode['callFrame']) => {
      const url = inspector.scripts.get(frame.scriptId) ?? frame.url
      if (!url.startsWith('file://')) return url || '(native)'
      let map = lineMaps.get(url)
      if (!map) lineMaps.set(url, (map = moduleLines(readFileSync(fileURLToPath(url), 'utf8'))))
      return packageOf(map(frame.lineNumber))
    }
    // V8 samples an isolate only while it holds the thread: the first sample after a pause (waiting for D1
    // or another worker, the thread serving another isolate, the OS running another process) carries the
    // whole pause in its time delta. So each sample counts for at most two sampling intervals, the interval
    // being the one actually achieved (the median of the deltas under 1 ms). `checkProfiler` tests this
    // against a loop of known cost on every run (README "Isolate CPU per request").
    const dense = profile.timeDeltas.filter((d) => d < 1000).sort((a, b) => a - b)
    const interval = dense[Math.floor(dense.length / 2)] ?? 100
    const byModule = new Map<string, number>()
    const byFunction = new Map<string, number>()
    let busy = 0
    let uncapped = 0
    profile.samples.forEach((sample, i) => {
      const frame = nodes.get(sample)!.callFrame
      const delta = profile.timeDeltas[i] ?? 0
      if (frame.functionName === '(idle)') return
      const micros = Math.min(delta, 2 * interval)
      busy += micros
      uncapped += delta
      const module = moduleOf(frame)
      byModule.set(module, (byModule.get(module) ?? 0) + micros)
      const fn = `${frame.functionName || '(anonymous)'} [${module}]`
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros)
    })
    const top = (map: Map<string, number>, n: number) =>
      [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([key, micros]) => [key, Math.round((1000 * micros) / busy) / 10] as const)
    const perRequest = (micros: number) => Math.round((micros / 1000 / Math.max(1, requests)) * 1000) / 1000
    return {
      worker: target.worker,
      cpu_ms_per_request: perRequest(busy),
      uncapped_ms_per_request: perRequest(uncapped),
      sampling_interval_us: interval,
      by_module: top(byModule, 15).map(([module, pct]) => ({ module, pct })),
      top_functions: top(byFunction, 20).map(([fn, pct]) => ({ fn, pct })),
    }
  }
  return { stop, close: () => inspector.close() }
}

/**
 * Profile every isolate in `targets` (each in its own workerd) while one load of `operation` runs: the
 * worker that receives the requests and any worker it calls for them.
 */
export async function profileCpu(
  scenario: { system: string; scenario: string },
  targets: ProfileTarget[],
  operation: Operation,
  options: LoadOptions,
): Promise<CpuProfileSummary> {
  const isolates: Awaited<ReturnType<typeof profileIsolate>>[] = []
  try {
    for (const target of targets) isolates.push(await profileIsolate(target))
    const load = await measure(operation, { ...options, warmupSeconds: 0 })
    const profiles: IsolateProfile[] = []
    for (const isolate of isolates) profiles.push(await isolate.stop(load.requests))
    const total = profiles.reduce((sum, p) => sum + p.cpu_ms_per_request, 0)
    return {
      ...scenario,
      requests: load.requests,
      cpu_ms_per_request: Math.round(total * 1000) / 1000,
      isolates: profiles,
    }
  } finally {
    for (const isolate of isolates) isolate.close()
  }
}

export interface ProfilerCheck {
  /** Rounds of ./spin.ts per request. */
  rounds: number
  /** What those rounds cost in Node (CPU time, once compiled). */
  node_ms: number
  /**
   * What they added per request to the CPU time of the bound worker's processes (from /proc): the truth the
   * profile is checked against. Far above node_ms means workerd ran the loop unoptimized (V8's optimizing
   * compiler runs on a background thread, which a loaded machine starves).
   */
  workerd_ms: number
  /** What they added per request to the isolate CPU, as this file measures it. */
  profiled_ms: number
  /** The same difference with every sample's whole time delta counted (the method this file replaced). */
  uncapped_ms: number
}

const SPIN_ROUNDS = 500_000

/** CPU time of `spin(rounds)` in this Node process, per call, once the JIT has compiled it. */
function nodeSpinMs(rounds: number): number {
  for (let i = 0; i < 20; i++) spin(rounds)
  const calls = 100
  const before = process.cpuUsage()
  for (let i = 0; i < calls; i++) spin(rounds)
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000 / calls
}

/**
 * Check the profiler against known work: profile the bound worker's isolate under load with and without
 * SPIN_ROUNDS of ./spin.ts per request; the difference in isolate CPU should match the difference in its
 * processes' CPU time (and, when workerd's JIT kept up, what the loop costs in Node).
 */
export async function checkProfiler(target: ProfileTarget, options: LoadOptions): Promise<ProfilerCheck> {
  const measured = async (rounds: number) => {
    const op: Operation = { method: 'GET', path: `/spin?n=${rounds}` }
    // One round of load first, so the loop is compiled before it is measured, as in Node. The processes'
    // CPU time is taken without the profiler, whose sampling costs grow with the isolate's busy time.
    await measure(op, { ...options, durationSeconds: 2, warmupSeconds: 0 })
    const before = processGroupCpuMs(target.pgid)
    const plain = await measure(op, { ...options, warmupSeconds: 0 })
    const processMs = (processGroupCpuMs(target.pgid) - before) / Math.max(1, plain.requests)
    const profile = await profileCpu({ system: 'bound', scenario: 'spin' }, [target], op, options)
    return { isolate: profile.isolates[0]!, processMs }
  }
  const empty = await measured(0)
  const spinning = await measured(SPIN_ROUNDS)
  const ms = (value: number) => Math.round(value * 1000) / 1000
  return {
    rounds: SPIN_ROUNDS,
    node_ms: ms(nodeSpinMs(SPIN_ROUNDS)),
    workerd_ms: ms(spinning.processMs - empty.processMs),
    profiled_ms: ms(spinning.isolate.cpu_ms_per_request - empty.isolate.cpu_ms_per_request),
    uncapped_ms: ms(spinning.isolate.uncapped_ms_per_request - empty.isolate.uncapped_ms_per_request),
  }
}
