/**
 * @module bench/run
 * `npm run bench`: Usher against Better Auth (the peer) and against the physical bound, in one run, on the
 * same workerd and the same kind of local D1, seeded with 100,000 users each.
 *
 * 1. Check that the four workers share Usher's compatibility date and flags, and copy Usher's KDF
 *    parameters (wrangler.toml) to the peer and the bound.
 * 2. Migrate and seed the three bench databases under test/bench/.state/ (reused between runs), and clean
 *    what earlier runs left; optionally profile Usher's users.list statements on a snapshot (./profile.ts).
 *    When login or register is measured, copy Usher's database for `usher events`.
 * 3. Start the workers (Usher with RATE_LIMITS=off, so one load-generator IP is not throttled; `usher events`,
 *    the same with EVENTS_WEBHOOK_URL pointing at a webhook sink in this process (./event-sink.ts); then the
 *    app worker, bound to Usher and Better Auth), check that the running Usher reports the same KDF.
 *    When `import` or `firebase login` is measured, the import phase (./import-export.ts): in each round an
 *    Usher on an empty database (`usher-import`), `usher import --from firebase` of BENCH_USERS users and
 *    `usher export` of them, timed and checked; the last round's users are `firebase login`'s pool.
 *    Then open sessions, and probe every scenario once.
 * 4. Run the rounds: in each, every scenario group measures its systems back to back, in an order that
 *    rotates between rounds (`usher events` right next to Usher); report medians over rounds. Then let
 *    `usher events` deliver what is left, and account for its events: every acknowledged login's LOGIN
 *    event must have reached the sink (./report.ts `eventsAccount`).
 * 5. Print the tables and write results/latest.json and results/latest.md (results/candidate.* for a copy
 *    measured through BENCH_USHER_CONFIG, results/partial.* for a BENCH_ONLY run, so neither replaces the
 *    full results). Workers and the sink are always stopped, including on failure and Ctrl-C.
 * Knobs (durations, rounds, connections…): ./options.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createAdminClient } from '../../tui/admin-client'
import { ensureDevVars, readDevVars } from '../../tui/local-worker'
import { startEventSink, type EventSink } from './event-sink'
import {
  checkExport,
  exportUsers,
  FirebasePool,
  importFirebase,
  writeFirebaseExport,
} from './import-export'
import { measure, type LoadOptions, type Measurement } from './load'
import {
  checkProfiler,
  profileCpu,
  type CpuProfileSummary,
  type ProfilerCheck,
  type ProfileTarget,
} from './cpu-profile'
import {
  childProcessGroups,
  codeState,
  machineInfo,
  packageVersion,
  waitForQuiet,
  workerdPids,
} from './machine'
import { readOptions, type BenchOptions } from './options'
import { profileUsherLists, type ListProfile } from './profile'
import {
  consoleTable,
  cpuPerRequest,
  eventsAccount,
  eventsLine,
  firebaseLoginAccount,
  firebaseLoginLine,
  goalsOf,
  goalsTable,
  importExportOf,
  importLine,
  IMPORT_GOAL_USERS,
  list100k,
  machineLine,
  markdown,
  median,
  ratiosOf,
  summarize,
  type EventsAccount,
  type FirebaseLoginAccount,
  type ImportExport,
  type ImportRound,
  type ResultRow,
} from './report'
import { buildScenarios, type EventsTarget, type Scenario, type ScenarioName } from './scenarios'
import {
  checkPeerSchema,
  firebaseHashCounts,
  seedBound,
  seedPeer,
  seedUsher,
  usherRowsAt,
  usherRunCounts,
} from './seed'
import {
  BENCH_DIR,
  compatibilityOf,
  copyState,
  freshState,
  migrate,
  randomSecret,
  SPECS,
  start,
  STATE_DIR,
  usherVars,
  type RunningWorker,
  type SystemName,
  type WorkerName,
} from './workers'

const RESULTS_DIR = path.join(BENCH_DIR, 'results')
/** The import phase's files: the Firebase export it imports and the export it writes back. */
const IMPORT_DIR = path.join(STATE_DIR, 'import')
/** Usher runs with per-IP rate limits off: the load generator is one IP. Per-account throttling stays on. */
const USHER_VARS = { RATE_LIMITS: 'off' }
const DEEP_FRACTION = 0.9
/**
 * Profiled after the rounds (./cpu-profile.ts): the KDF-bound login, the token checks on both sides, and the
 * app requests, with every isolate each one runs in (the app worker's, and the auth worker's it calls).
 */
const CPU_PROFILED: { system: SystemName; name: ScenarioName; isolates: WorkerName[] }[] = [
  { system: 'usher', name: 'login', isolates: ['usher'] },
  { system: 'usher', name: 'refresh', isolates: ['usher'] },
  { system: 'usher', name: 'profile', isolates: ['usher'] },
  { system: 'better-auth', name: 'refresh', isolates: ['better-auth'] },
  { system: 'usher', name: 'app-jwks', isolates: ['app'] },
  { system: 'usher', name: 'app-rpc', isolates: ['app', 'usher'] },
  { system: 'better-auth', name: 'app-peer', isolates: ['app', 'better-auth'] },
  { system: 'bound', name: 'app-bound', isolates: ['app'] },
  { system: 'usher', name: 'firebase-login', isolates: ['usher-import'] },
  { system: 'bound', name: 'firebase-kdf', isolates: ['bound'] },
]
const SEARCH_NEEDLE = 'user4242'
/** The groups also measured on `usher events` (Usher delivering its lifecycle events to a webhook). */
const EVENTS_GROUPS: ScenarioName[] = ['login', 'register']
/** How long the rounds' last events may take to reach the sink (a request sweeps at most every 30 s). */
const EVENTS_DRAIN_MAX_S = 120

const running = new Set<RunningWorker>()
let sink: EventSink | undefined
async function stopAll() {
  await Promise.all([...running].map((w) => w.stop()))
  running.clear()
  await sink?.close()
  // A worker interrupted while starting is not in `running` yet: stop its group too (ours, by group id).
  for (const pgid of childProcessGroups()) {
    try {
      process.kill(-pgid, 'SIGTERM')
    } catch {
      // Already gone.
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the benchmark workers…`)
    void stopAll().finally(() => process.exit(130))
  })
}

const log = (message: string) => console.log(message)
const seconds = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`

function checkSameRuntime() {
  const usher = compatibilityOf('wrangler.toml')
  const configured = [SPECS.usher, SPECS['better-auth'], SPECS.bound, SPECS.app].filter((s) => s.configPath)
  for (const spec of configured) {
    const other = compatibilityOf(spec.configPath!)
    if (other !== usher) {
      throw new Error(
        `${spec.configPath} has compatibility "${other}" but Usher has "${usher}": make them equal`,
      )
    }
  }
  return usher
}

function usherKdf() {
  const vars = usherVars()
  if ((vars.PASSWORD_KDF ?? 'scrypt') !== 'scrypt') {
    throw new Error(
      `the benchmark expects Usher's default KDF (scrypt); wrangler.toml has PASSWORD_KDF=${vars.PASSWORD_KDF}`,
    )
  }
  const kdf = {
    N: Number(vars.SCRYPT_N ?? 16384),
    r: Number(vars.SCRYPT_R ?? 8),
    p: Number(vars.SCRYPT_P ?? 5),
  }
  return { kdf, vars: { SCRYPT_N: String(kdf.N), SCRYPT_R: String(kdf.r), SCRYPT_P: String(kdf.p) } }
}

/**
 * One after the other: wrangler picks its inspector and internal ports as it starts, and concurrent starts
 * race for the same one ("Address already in use").
 */
async function startWorkers(users: number, kdfVars: Record<string, string>, sinkUrl: string | undefined) {
  const started = async (worker: Promise<RunningWorker>) => {
    const w = await worker
    running.add(w)
    return w
  }
  const usher = await started(start(SPECS.usher, () => USHER_VARS))
  const usherEvents = sinkUrl
    ? await started(start(SPECS['usher-events'], () => ({ ...USHER_VARS, EVENTS_WEBHOOK_URL: sinkUrl })))
    : undefined
  const peer = await started(
    start(SPECS['better-auth'], (port) => ({
      ...kdfVars,
      BASE_URL: `http://127.0.0.1:${port}`,
      BETTER_AUTH_SECRET: randomSecret(),
    })),
  )
  const bound = await started(start(SPECS.bound, () => ({ ...kdfVars, ROWS: String(users) })))
  // Last: its service bindings find Usher and Better Auth in the dev registry once they are up.
  const app = await started(
    start(SPECS.app, () => ({ USHER_ORIGIN: usher.url, APP_ID: usher.appId, PEER_ORIGIN: peer.url })),
  )
  return { usher, usherEvents, peer, bound, app }
}

/**
 * The secret `usher events` signs its webhook calls with: FUNCTION_SECRET from the .dev.vars next to its
 * wrangler.toml (ensureDevVars makes one for this checkout; a candidate copy must have its own).
 */
function functionSecret(): string {
  const file = path.join(path.dirname(SPECS['usher-events'].configPath ?? 'wrangler.toml'), '.dev.vars')
  const secret = readDevVars(file).FUNCTION_SECRET
  if (!secret) throw new Error(`${file} has no FUNCTION_SECRET: usher events cannot sign its webhook calls`)
  return secret
}

/**
 * After the rounds, let `usher events` deliver what is still pending (an event waits while an earlier one of
 * the same user is in flight; requests sweep at most every 30 s): ask for the pending count until none is
 * left, each ask being a request that may sweep. The seconds waited.
 */
async function drainEvents(target: EventsTarget): Promise<number> {
  const began = performance.now()
  const admin = createAdminClient({ url: target.url, adminKey: target.adminKey })
  for (;;) {
    const { counts } = await admin.events.list.query({ status: 'pending', limit: 1 })
    const waited = (performance.now() - began) / 1000
    if (counts.pending === 0) return Number(waited.toFixed(1))
    if (waited > EVENTS_DRAIN_MAX_S) {
      log(`  ⚠ ${counts.pending} events still pending after ${EVENTS_DRAIN_MAX_S} s`)
      return Number(waited.toFixed(1))
    }
    await new Promise((resolve) => setTimeout(resolve, 2000))
  }
}

/** BENCH_QUIET: let other processes' bursts pass before measuring; the seconds waited. */
function quiet(options: BenchOptions, pgids: number[]): Promise<number> {
  if (options.quietBelowPct <= 0) return Promise.resolve(0)
  return waitForQuiet(pgids, options.quietBelowPct, options.quietMaxSeconds)
}

function connectionsFor(scenario: Scenario, options: BenchOptions) {
  return scenario.kind === 'admin' ? options.adminConnections : options.connections
}

/** 2xx answers per measured scenario name, warm-ups and CPU profile runs included (for the accounts). */
const acknowledged = new Map<ScenarioName, number>()

/**
 * A group's order in round `run`: its systems rotate, so a drift in machine load does not always favour the
 * same one; a variant (`usher events`) goes right next to the measurement it is compared with, before it in
 * one round and after it in the next.
 */
function roundOrder(members: Scenario[], run: number): Scenario[] {
  const rotating = members.filter((s) => !s.variant)
  return rotating
    .map((_, i) => rotating[(i + run) % rotating.length]!)
    .flatMap((s) => {
      const variants = members.filter((v) => v.variant?.of === s.name && v.system === s.system)
      return run % 2 ? [...variants, s] : [s, ...variants]
    })
}

async function runRounds(scenarios: Scenario[], options: BenchOptions, pgids: number[]) {
  const measurements = new Map<Scenario, Measurement[]>(scenarios.map((s) => [s, []]))
  const groups = [...new Set(scenarios.map((s) => s.group))]
  const perRound = scenarios.reduce(
    (sum, s) =>
      sum + options.warmupSeconds + (s.kind === 'kdf' ? options.kdfDurationSeconds : options.durationSeconds),
    0,
  )
  log(
    `\n${options.runs} round(s) of ${scenarios.length} measurements, about ${Math.ceil((options.runs * perRound) / 60)} min.`,
  )
  for (let run = 0; run < options.runs; run++) {
    for (const group of groups) {
      const members = scenarios.filter((s) => s.group === group)
      for (const scenario of roundOrder(members, run)) {
        const waited = await quiet(options, pgids)
        const before = pgids.map(workerdPids).join(';')
        const m = await measure(scenario.op, {
          origin: workerOf(scenario.worker).url,
          connections: connectionsFor(scenario, options),
          durationSeconds: scenario.kind === 'kdf' ? options.kdfDurationSeconds : options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
          pgids,
          onAcknowledged: () => acknowledged.set(scenario.name, (acknowledged.get(scenario.name) ?? 0) + 1),
          settle: settleOf(scenario),
        })
        m.worker_restarted = pgids.map(workerdPids).join(';') !== before
        m.waited_for_quiet_s = waited
        measurements.get(scenario)!.push(m)
        const connections = connectionsFor(scenario, options)
        const warn = [
          m.failures ? `⚠ ${m.failures} non-2xx/errors ${JSON.stringify(m.statuses)}` : '',
          m.requests < 2 * connections
            ? `⚠ only ${m.requests} responses: lengthen BENCH_${scenario.kind === 'kdf' ? 'KDF_' : ''}DURATION`
            : '',
          waited ? `(waited ${waited} s for a quieter machine)` : '',
          m.worker_restarted ? '⚠ wrangler restarted a worker (sources changed on disk)' : '',
        ]
          .filter(Boolean)
          .map((w) => `  ${w}`)
          .join('')
        // Several measurements of a group can come from one system (app request, usher events): name them.
        const who = scenario.variant
          ? `${scenario.system} ${scenario.variant.label}`
          : scenario.name === group
            ? scenario.system
            : `${scenario.system} ${scenario.name}`
        log(
          [
            `  round ${run + 1}  ${group.padEnd(14)} ${who.padEnd(20)}`,
            `${m.rps.toFixed(1).padStart(8)} req/s`,
            `p50 ${m.p50_ms.toFixed(1).padStart(6)} ms`,
            `p99 ${m.p99_ms.toFixed(1).padStart(7)} ms`,
            `other CPU ${m.other_cpu_pct ?? '—'}%${warn}`,
          ].join('  '),
        )
      }
    }
  }
  return measurements
}

async function profileScenarios(
  scenarios: Scenario[],
  measurements: Map<Scenario, Measurement[]>,
  options: BenchOptions,
  pgids: number[],
): Promise<CpuProfileSummary[]> {
  const summaries: CpuProfileSummary[] = []
  for (const { system, name, isolates } of CPU_PROFILED) {
    const scenario = scenarios.find((s) => s.system === system && s.name === name)
    if (!scenario) continue
    const targets: ProfileTarget[] = isolates.map((worker) => ({
      worker,
      pgid: workerOf(worker).pgid,
      origin: workerOf(worker).url,
    }))
    try {
      await quiet(options, pgids)
      summaries.push(
        await profileCpu({ system, scenario: name }, targets, scenario.op, {
          origin: workerOf(scenario.worker).url,
          connections: connectionsFor(scenario, options),
          durationSeconds: scenario.kind === 'kdf' ? options.kdfDurationSeconds : options.durationSeconds,
          warmupSeconds: 0,
          pgids,
          onAcknowledged: () => acknowledged.set(name, (acknowledged.get(name) ?? 0) + 1),
          // As many requests as its last round sent: none for calibrating while the profiler runs.
          settle: settleOf(scenario, measurements.get(scenario)?.at(-1)?.requests),
        }),
      )
    } catch (error) {
      log(
        `  cpu profile of ${system} ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
  }
  return summaries
}

let workerOf: (worker: WorkerName) => RunningWorker = () => {
  throw new Error('workers not started')
}

/** How a scenario whose requests leave work behind is timed: until its worker is idle again (./load.ts). */
function settleOf(scenario: Scenario, requests?: number): LoadOptions['settle'] {
  return scenario.settles ? { pgid: workerOf(scenario.worker).pgid, requests } : undefined
}

/**
 * The import phase (./import-export.ts). In each round: an empty database for `usher-import`, a fresh
 * worker on it, then the CLI's import of the Firebase export and its export back, each started once the
 * machine is quiet, timed, and checked. The last round's worker stays up: its users are `firebase login`'s.
 */
async function importPhase(options: BenchOptions, pgids: number[]) {
  mkdirSync(IMPORT_DIR, { recursive: true })
  const source = path.join(IMPORT_DIR, 'firebase-users.json')
  const backup = path.join(IMPORT_DIR, 'usher-export.jsonl')
  const fileBytes = writeFirebaseExport(source, options.users)
  const spec = SPECS['usher-import']
  const rounds: ImportRound[] = []
  let worker: RunningWorker | undefined
  for (let run = 0; run < options.runs; run++) {
    if (worker) {
      await worker.stop()
      running.delete(worker)
    }
    freshState(spec)
    worker = await start(spec, () => USHER_VARS)
    running.add(worker)
    const ours = [...pgids, worker.pgid]
    const waited = await quiet(options, ours)
    const imported = await importFirebase(source, options.users, worker, ours)
    const waitedAgain = await quiet(options, ours)
    const exported = await exportUsers(backup, options.users, worker, ours)
    const check = checkExport(backup, options.users)
    rounds.push({
      import_s: round(imported.seconds, 2)!,
      import_other_cpu_pct: imported.other_cpu_pct,
      export_s: round(exported.seconds, 2)!,
      export_other_cpu_pct: exported.other_cpu_pct,
      waited_for_quiet_s: waited + waitedAgain,
      check,
    })
    const rate = (seconds: number) => Math.round(options.users / seconds).toLocaleString('en-US')
    log(
      [
        `  round ${run + 1}  import ${imported.seconds.toFixed(1)} s (${rate(imported.seconds)} users/s)`,
        `export ${exported.seconds.toFixed(1)} s (${rate(exported.seconds)} users/s)`,
        `other CPU ${imported.other_cpu_pct ?? '—'}% / ${exported.other_cpu_pct ?? '—'}%`,
        check.problems.length ? `✘ ${check.problems.join('; ')}` : `✔ ${check.sampled} sampled users round-trip`,
        waited + waitedAgain ? `(waited ${waited + waitedAgain} s for a quieter machine)` : '',
      ].join('  '),
    )
  }
  return { result: importExportOf(rounds, options.users, fileBytes), worker: worker! }
}

async function main() {
  const began = performance.now()
  const options = readOptions()
  const machine = machineInfo()
  const compatibility = checkSameRuntime()
  const { kdf, vars: kdfVars } = usherKdf()
  const peerVersion = packageVersion('better-auth')
  ensureDevVars()
  log(`Usher benchmark: ${options.users.toLocaleString('en-US')} users per system, ${options.runs} round(s)`)
  if (SPECS.usher.configPath)
    log(`Usher from ${SPECS.usher.configPath} (BENCH_USHER_CONFIG), database ${SPECS.usher.persistTo}`)
  log(`machine: ${machineLine(machine, null)}; load average ${machine.load_average.join(' ')}`)
  log(`runtime: workerd ${machine.workerd}, compatibility ${compatibility}, wrangler ${machine.wrangler}`)
  log(
    `KDF (all three workers): scrypt N=${kdf.N} r=${kdf.r} p=${kdf.p}, 32-byte key, 16-byte salt, node:crypto`,
  )
  log(`Usher runs with RATE_LIMITS=off (per-IP limits would throttle the single load-generator IP).`)

  let phase = performance.now()
  await checkPeerSchema()
  for (const spec of [SPECS.usher, SPECS['better-auth'], SPECS.bound]) migrate(spec)
  const seeds = [
    await seedUsher(SPECS.usher, options.users, kdf),
    await seedPeer(SPECS['better-auth'], options.users, kdf),
    seedBound(SPECS.bound, options.users),
  ]
  for (const s of seeds)
    log(
      `  ${s.system}: ${s.seeded ? 'seeded' : 'reused'} ${s.users.toLocaleString('en-US')} rows (${s.seconds.toFixed(1)} s)`,
    )
  const deepOffset = Math.floor(options.users * DEEP_FRACTION)
  const [before, first] = usherRowsAt(SPECS.usher, deepOffset - 1, 2) as [
    { createdAt: number; id: string },
    { createdAt: number; id: string },
  ]
  let profile: ListProfile | undefined
  if (options.profile && SPECS.usher.configPath) {
    log("  users.list profile skipped: it runs this checkout's listUsers, not the candidate's")
  } else if (options.profile) {
    profile = await profileUsherLists(SPECS.usher, { before, needle: SEARCH_NEEDLE })
    log(`  profiled users.list statements on a snapshot (${profile.statements.length} statements)`)
  }
  // The events-on Usher starts from Usher's seeded, cleaned database (a copy: never one SQLite file for two).
  const measuresEvents =
    !options.only || options.only.some((group) => group !== 'import' && EVENTS_GROUPS.includes(group))
  if (measuresEvents) copyState(SPECS.usher, SPECS['usher-events'])
  log(`databases ready in ${seconds(phase)}`)

  phase = performance.now()
  let rows: ResultRow[] = []
  let cpu: CpuProfileSummary[] = []
  let profilerCheck: ProfilerCheck | undefined
  let eventsTarget: EventsTarget | undefined
  let drainSeconds = 0
  let importExport: ImportExport | undefined
  let pool: FirebasePool | undefined
  const measuresImport = !options.only || options.only.some((g) => g === 'import' || g === 'firebase-login')
  const scenarioGroups = options.only?.filter((g): g is ScenarioName => g !== 'import')
  const codeBefore = codeState()
  try {
    if (measuresEvents) sink = await startEventSink(functionSecret())
    const { usher, usherEvents, peer, bound, app } = await startWorkers(options.users, kdfVars, sink?.url)
    const withEvents = usherEvents ? `, Usher with events ${usherEvents.url} (webhook sink ${sink!.url})` : ''
    log(
      `workers up in ${seconds(phase)}: Usher ${usher.url}, Better Auth ${peer.url}, bound ${bound.url}, app ${app.url}` +
        withEvents,
    )
    const live = (await createAdminClient({ url: usher.url, adminKey: usher.adminKey }).config.get.query())
      .kdf
    if (live.algorithm !== 'scrypt' || live.N !== kdf.N || live.r !== kdf.r || live.p !== kdf.p) {
      throw new Error(
        `the running Usher reports KDF ${JSON.stringify(live)}, not the one given to the peer and bound`,
      )
    }
    let usherImport: RunningWorker | undefined
    if (measuresImport) {
      phase = performance.now()
      log(
        `\nImport phase: ${options.runs} round(s) of \`usher import --from firebase\` of ` +
          `${options.users.toLocaleString('en-US')} users into an empty D1, then \`usher export\``,
      )
      const imported = await importPhase(
        options,
        [...running].map((w) => w.pgid),
      )
      importExport = imported.result
      usherImport = imported.worker
      pool = new FirebasePool(options.users)
      log(`import phase done in ${seconds(phase)}; Usher with the imported users ${usherImport.url}`)
    }
    const workers = {
      usher,
      'usher-events': usherEvents,
      'usher-import': usherImport,
      'better-auth': peer,
      bound,
      app,
    }
    workerOf = (name) => {
      const worker = workers[name]
      if (!worker) throw new Error(`${name} is not running`)
      return worker
    }
    eventsTarget = usherEvents && {
      url: usherEvents.url,
      adminKey: usherEvents.adminKey,
      sink: sink!,
      probed: { logins: 0, registrations: 0 },
    }

    // A run of the import phase alone (BENCH_ONLY=import) opens no sessions and measures no scenario.
    let scenarios =
      scenarioGroups?.length === 0
        ? []
        : await buildScenarios({
            usher: { url: usher.url, appId: usher.appId, adminKey: usher.adminKey },
            peer: { url: peer.url },
            bound: { url: bound.url },
            app: { url: app.url },
            usherEvents: eventsTarget,
            firebase: usherImport && pool && { ...usherImport, pool },
            users: options.users,
            sessions: options.connections,
            deep: { offset: deepOffset, before, first },
            needle: SEARCH_NEEDLE,
          })
    if (scenarioGroups) scenarios = scenarios.filter((s) => scenarioGroups.includes(s.group))
    for (const scenario of scenarios) await scenario.probe()
    if (scenarios.some((s) => s.name === 'firebase-login')) acknowledged.set('firebase-login', 1)
    log(`probed ${scenarios.length} scenarios: every answer has the expected status and content`)

    const pgids = [...running].map((w) => w.pgid)
    const measurements = scenarios.length ? await runRounds(scenarios, options, pgids) : new Map()
    rows = scenarios.map((s) => summarize(s, connectionsFor(s, options), measurements.get(s)!))
    if (eventsTarget) drainSeconds = await drainEvents(eventsTarget)
    if (options.cpuProfile && cpuProfiled(scenarios)) {
      cpu = await profileScenarios(scenarios, measurements, options, pgids)
      await quiet(options, pgids)
      profilerCheck = await checkProfiler(
        { worker: 'bound', pgid: bound.pgid, origin: bound.url },
        {
          origin: bound.url,
          connections: options.connections,
          durationSeconds: options.durationSeconds,
          warmupSeconds: 0,
          pgids,
        },
      ).catch((error: unknown) => {
        log(`  profiler check failed: ${error instanceof Error ? error.message : String(error)}`)
        return undefined
      })
    }
  } finally {
    await stopAll()
  }

  // Counted once its worker has stopped (its database is then read by wrangler alone).
  const events: EventsAccount | undefined =
    eventsTarget &&
    eventsAccount({
      acknowledged: {
        logins: eventsTarget.probed.logins + (acknowledged.get('login-events') ?? 0),
        registrations: eventsTarget.probed.registrations + (acknowledged.get('register-events') ?? 0),
      },
      committed: usherRunCounts(SPECS['usher-events'], options.users),
      sink: eventsTarget.sink.stats(),
      drain_s: drainSeconds,
    })
  // Likewise: every committed first login must have replaced its user's Firebase hash.
  const firebase: FirebaseLoginAccount | undefined =
    pool && rows.some((r) => r.name === 'firebase-login')
      ? firebaseLoginAccount({
          pool: pool.size,
          handed_out: pool.handedOut,
          acknowledged: acknowledged.get('firebase-login') ?? 0,
          ...firebaseHashCounts(SPECS['usher-import']),
        })
      : undefined
  const codeAfter = codeState()
  const ratios = ratiosOf(rows)
  const cpuMs = cpuPerRequest(cpu)
  const goals = goalsOf(rows, ratios, cpuMs, importExport)
  const others = [
    ...rows.flatMap((r) => r.runs.map((m) => m.other_cpu_pct)),
    ...(importExport?.rounds ?? []).flatMap((r) => [r.import_other_cpu_pct, r.export_other_cpu_pct]),
  ].filter((c): c is number => c !== null)
  const otherCpu = others.length ? median(others) : null
  const end = machineInfo()
  const kdfText =
    `scrypt N=${kdf.N} r=${kdf.r} p=${kdf.p}, 32-byte key, 16-byte salt ` +
    '(node:crypto in workerd, all three workers)'
  const settings =
    `Medians of ${options.runs} rounds; ${options.connections} connections (users.list: ${options.adminConnections}), ` +
    `${options.durationSeconds} s per measurement (KDF-bound: ${options.kdfDurationSeconds} s) ` +
    `after ${options.warmupSeconds} s warm-up` +
    (options.quietBelowPct > 0
      ? `, each started once other processes used under ${options.quietBelowPct}% of the CPU ` +
        `(or after ${options.quietMaxSeconds} s); `
      : '; ') +
    `${options.users.toLocaleString('en-US')} users per system; Usher with RATE_LIMITS=off. ` +
    `Better Auth ${peerVersion} is the newest release this machine's registry mirror could install.`
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC'

  const results = {
    generated_at: new Date().toISOString(),
    machine: { ...machine, load_average_end: end.load_average },
    noise: {
      other_cpu_pct_median: otherCpu,
      other_cpu_pct_max: others.length ? Math.max(...others) : null,
      note: 'Share of all CPUs used by processes outside the benchmark during measurements (from /proc).',
    },
    kdf: {
      algorithm: 'scrypt',
      N: kdf.N,
      r: kdf.r,
      p: kdf.p,
      key_bytes: 32,
      salt_bytes: 16,
      implementation: 'node:crypto scrypt inside workerd',
    },
    settings: {
      runs: options.runs,
      duration_s: options.durationSeconds,
      kdf_duration_s: options.kdfDurationSeconds,
      warmup_s: options.warmupSeconds,
      quiet_below_pct: options.quietBelowPct,
      quiet_max_wait_s: options.quietMaxSeconds,
      connections: options.connections,
      admin_connections: options.adminConnections,
      users: options.users,
      compatibility,
      usher_vars: USHER_VARS,
      usher_config: SPECS.usher.configPath ?? 'wrangler.toml',
      peer:
        `better-auth ${peerVersion} (email/password + admin plugin, Kysely D1 dialect, cookie cache off, ` +
        `rate limit off, same scrypt); the newest version this machine's npm registry mirror can install`,
      deep_page_offset: deepOffset,
      search_needle: SEARCH_NEEDLE,
    },
    mapping: rows
      .filter((r) => r.system === 'usher' && !r.variant)
      .map((u) => ({
        scenario: u.group,
        usher: u.operation,
        'better-auth': rows.find((r) => r.group === u.group && r.system === 'better-auth')?.operation ?? null,
        bound: rows.find((r) => r.group === u.group && r.system === 'bound')?.operation ?? null,
      })),
    results: rows.map(({ runs, ...row }) => ({
      ...row,
      rps: round(row.rps),
      p50_ms: round(row.p50_ms, 2),
      p99_ms: round(row.p99_ms, 2),
      runs: runs.map((m) => ({
        ...m,
        rps: round(m.rps),
        p50_ms: round(m.p50_ms, 2),
        p99_ms: round(m.p99_ms, 2),
        mean_ms: round(m.mean_ms, 2),
      })),
    })),
    ratios: ratios.ratios,
    ratios_per_run: ratios.perRun,
    // Isolate CPU per request from the profiles below; app_rpc and app_peer add the app worker's isolate and
    // the auth worker's (Usher's, Better Auth's), since both run for each request.
    cpu_ms_per_request: cpuMs,
    // The profiler against known work: a loop should add profiled_ms ≈ workerd_ms (the processes' CPU).
    cpu_profile_check: profilerCheck ?? null,
    goals,
    list_100k: list100k(rows, options.users),
    // The figures, for exactly 100,000 users (null in a run with another BENCH_USERS: see import_export).
    import_100k:
      importExport?.users === IMPORT_GOAL_USERS
        ? { seconds: importExport.import.seconds, users_per_s: importExport.import.users_per_s }
        : null,
    export_100k: importExport?.users === IMPORT_GOAL_USERS ? { seconds: importExport.export.seconds } : null,
    // The import phase: `usher import --from firebase` and `usher export` through the CLI, each round.
    import_export: importExport ?? null,
    // `firebase login`'s account: committed first logins = Firebase hashes replaced by Usher's.
    firebase_login: firebase ?? null,
    // The commit of this checkout; a candidate copy (BENCH_USHER_CONFIG) is named instead.
    code: SPECS.usher.configPath
      ? { candidate: SPECS.usher.configPath, checkout: codeBefore }
      : { before: codeBefore, after: codeAfter },
    profile,
    cpu_profile: cpu,
    // Better Auth's isolate time per get-session ÷ Usher's per request: the share of the cost each
    // implementation controls, without the fixed per-request cost of the local runtime (see the bound).
    cpu_ratios: {
      refresh_vs_peer: cpuRatio(cpu, 'refresh'),
      profile_vs_peer: cpuRatio(cpu, 'profile'),
    },
    // `usher events` (login-events, register-events): the same Usher with EVENTS_WEBHOOK_URL at the bench's
    // sink; what it acknowledged, committed, recorded and delivered (ratios: *_events_vs_plain).
    events: events && {
      usher_vars: { ...USHER_VARS, EVENTS_WEBHOOK_URL: 'http://127.0.0.1:<port>/events (the sink)' },
      ...events,
    },
  }
  mkdirSync(RESULTS_DIR, { recursive: true })
  // A trial of a candidate copy, or a run of only some scenarios, never replaces the full results.
  const base = SPECS.usher.configPath ? 'candidate' : options.only ? 'partial' : 'latest'
  writeFileSync(path.join(RESULTS_DIR, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`)
  const md = markdown({
    rows,
    ratios,
    cpu,
    goals,
    machine,
    otherCpu,
    kdf: kdfText,
    settings,
    peerVersion,
    date,
    events,
    runs: options.runs,
    importExport,
    firebase,
  })
  writeFileSync(path.join(RESULTS_DIR, `${base}.md`), md)

  if (rows.length) log(`\n${consoleTable(rows, cpu)}\n`)
  log(
    `Ratios (Usher ÷ other, or Usher events on ÷ off; req/s, higher is better): ${JSON.stringify(ratios.ratios)}`,
  )
  if (events) log(`\n${eventsLine(events)}`)
  if (importExport) log(`\n${importLine(importExport, options.runs)}`)
  if (firebase) log(`${importExport ? '' : '\n'}${firebaseLoginLine(firebase)}`)
  log(`\nGoals:\n${goalsTable(goals)}\n`)
  log(`machine: ${machineLine(machine, otherCpu)}`)
  for (const c of cpu) {
    for (const isolate of c.isolates) {
      const modules = isolate.by_module
        .slice(0, 6)
        .map((m) => `${m.module} ${m.pct}%`)
        .join(', ')
      const what = `cpu ${c.system} ${c.scenario}, ${isolate.worker}'s isolate`
      log(`${what}: ${isolate.cpu_ms_per_request} ms per request (${modules})`)
    }
    if (c.isolates.length > 1)
      log(`cpu ${c.system} ${c.scenario}: ${c.cpu_ms_per_request} ms per request in all its isolates`)
  }
  if (profilerCheck) {
    const { rounds, node_ms, workerd_ms, profiled_ms, uncapped_ms } = profilerCheck
    log(
      `profiler check: ${rounds.toLocaleString('en-US')} rounds of a JS loop (${node_ms} ms in Node) added ` +
        `${workerd_ms} ms per request to the bound worker's processes and ${profiled_ms} ms to its isolate ` +
        `as profiled (uncapped deltas: ${uncapped_ms} ms)`,
    )
  }
  if (cpu.length) {
    const refresh = cpuRatio(cpu, 'refresh')
    const profile = cpuRatio(cpu, 'profile')
    log(
      `isolate time, Better Auth get-session ÷ Usher: refresh ${refresh ?? '—'}×, profile ${profile ?? '—'}×`,
    )
  }
  const changed = (a: typeof codeBefore, b: typeof codeAfter) =>
    a.tree !== b.tree || a.uncommitted.join() !== b.uncommitted.join()
  if (!SPECS.usher.configPath && changed(codeBefore, codeAfter)) {
    log(
      `⚠ the measured code changed during the run: ${JSON.stringify(codeBefore)} → ${JSON.stringify(codeAfter)}`,
    )
  }
  if (rows.some((r) => r.runs.some((m) => m.worker_restarted)))
    log('⚠ a worker restarted during a measurement (see worker_restarted).')
  if (rows.some((r) => r.failures > 0))
    log('⚠ some requests failed: see "failures" in the results; those rows are not trustworthy.')
  log(`wrote ${path.join(RESULTS_DIR, base)}.json and .md (${seconds(began)} in all)`)
}

/** Whether any scenario of this run is one the CPU profiles cover. */
function cpuProfiled(scenarios: Scenario[]): boolean {
  return CPU_PROFILED.some(({ system, name }) => scenarios.some((s) => s.system === system && s.name === name))
}

function cpuRatio(cpu: CpuProfileSummary[], scenario: ScenarioName): number | null {
  const peer = cpu.find((c) => c.system === 'better-auth' && c.scenario === 'refresh')
  const usher = cpu.find((c) => c.system === 'usher' && c.scenario === scenario)
  return peer && usher ? round(peer.cpu_ms_per_request / usher.cpu_ms_per_request, 2) : null
}

function round(value: number, digits = 1) {
  return Number.isFinite(value) ? Number(value.toFixed(digits)) : null
}

main().catch(async (error: unknown) => {
  await stopAll()
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
