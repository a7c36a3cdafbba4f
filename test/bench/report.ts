/**
 * @module bench/report
 * From measurements to what people read: medians over rounds, the ratios the issues ask for (Usher ÷ other,
 * on requests per second, higher is better; each ratio also per round, since rounds interleave the systems
 * and the spread shows how much the machine's noise moved it), isolate CPU per request (from the CPU
 * profiles), the goals with pass/fail, the account of the events `usher events` delivered, the import
 * phase's figures and the account of `firebase login`'s rehashes, the console table, `results/latest.json`
 * and the markdown tables for the README.
 */
import type { CpuProfileSummary } from './cpu-profile'
import type { SinkStats } from './event-sink'
import type { ExportCheck } from './import-export'
import type { MachineInfo } from './machine'
import type { Measurement } from './load'
import type { Kind, Scenario, ScenarioName } from './scenarios'
import type { UsherRunCounts } from './seed'
import type { SystemName } from './workers'

export interface ResultRow {
  name: ScenarioName
  group: ScenarioName
  system: SystemName
  operation: string
  kind: Kind
  variant?: Scenario['variant']
  connections: number
  /** Medians over rounds. */
  rps: number
  p50_ms: number
  p99_ms: number
  failures: number
  other_cpu_pct: number | null
  runs: Measurement[]
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null)

export function summarize(
  scenario: Pick<Scenario, 'name' | 'group' | 'system' | 'operation' | 'kind' | 'variant'>,
  connections: number,
  runs: Measurement[],
): ResultRow {
  const cpu = runs.map((r) => r.other_cpu_pct).filter((c): c is number => c !== null)
  return {
    ...scenario,
    connections,
    rps: median(runs.map((r) => r.rps)),
    p50_ms: median(runs.map((r) => r.p50_ms)),
    p99_ms: median(runs.map((r) => r.p99_ms)),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    other_cpu_pct: cpu.length ? median(cpu) : null,
    runs,
  }
}

type RatioName =
  | 'login_vs_bound'
  | 'login_vs_peer'
  | 'refresh_vs_peer'
  | 'profile_vs_peer'
  | 'register_vs_peer'
  | 'list_first_vs_peer'
  | 'list_deep_vs_peer'
  | 'search_vs_peer'
  | 'profile_vs_d1_floor'
  | 'app_jwks_vs_bound'
  | 'app_jwks_vs_peer'
  | 'app_rpc_vs_peer'
  | 'login_events_vs_plain'
  | 'register_events_vs_plain'
  | 'firebase_login_vs_bound'

/**
 * Each ratio: an Usher measurement ÷ another system's, or ÷ Usher's own in its plain configuration (by
 * scenario name).
 */
const RATIOS: Record<RatioName, [ScenarioName, [SystemName, ScenarioName]]> = {
  login_vs_bound: ['login', ['bound', 'kdf-hash']],
  login_vs_peer: ['login', ['better-auth', 'login']],
  refresh_vs_peer: ['refresh', ['better-auth', 'refresh']],
  profile_vs_peer: ['profile', ['better-auth', 'profile']],
  register_vs_peer: ['register', ['better-auth', 'register']],
  list_first_vs_peer: ['list-first', ['better-auth', 'list-first']],
  list_deep_vs_peer: ['list-deep', ['better-auth', 'list-deep']],
  search_vs_peer: ['search', ['better-auth', 'search']],
  profile_vs_d1_floor: ['profile', ['bound', 'd1-read']],
  // app request: (a) JWKS and (b) RPC against (c) Better Auth through a binding and (d) no check at all
  app_jwks_vs_bound: ['app-jwks', ['bound', 'app-bound']],
  app_jwks_vs_peer: ['app-jwks', ['better-auth', 'app-peer']],
  app_rpc_vs_peer: ['app-rpc', ['better-auth', 'app-peer']],
  // events on (delivered to a webhook) ÷ events off (recorded only), same Usher, back to back
  login_events_vs_plain: ['login-events', ['usher', 'login']],
  register_events_vs_plain: ['register-events', ['usher', 'register']],
  // a first login against a Firebase hash (scrypt check + rehash) ÷ the bound doing exactly that work
  firebase_login_vs_bound: ['firebase-login', ['bound', 'firebase-kdf']],
}

type CpuName =
  | 'login'
  | 'refresh'
  | 'profile'
  | 'peer_get_session'
  | 'app_jwks'
  | 'app_rpc'
  | 'app_peer'
  | 'app_bound'
  | 'firebase_login'
  | 'firebase_bound'

/** Which CPU profile each `cpu_ms_per_request` entry comes from. */
const CPU_PROFILES: Record<CpuName, [SystemName, ScenarioName]> = {
  login: ['usher', 'login'],
  refresh: ['usher', 'refresh'],
  profile: ['usher', 'profile'],
  peer_get_session: ['better-auth', 'refresh'],
  app_jwks: ['usher', 'app-jwks'],
  app_rpc: ['usher', 'app-rpc'],
  app_peer: ['better-auth', 'app-peer'],
  app_bound: ['bound', 'app-bound'],
  firebase_login: ['usher', 'firebase-login'],
  firebase_bound: ['bound', 'firebase-kdf'],
}

export type CpuPerRequest = Partial<Record<CpuName, number | null>>

/**
 * Isolate CPU ms per request, by scenario: every isolate the request runs in, added up (app_rpc = the app
 * worker's + Usher's, app_peer = the app worker's + Better Auth's; the others run in one isolate).
 */
export function cpuPerRequest(cpu: CpuProfileSummary[]): CpuPerRequest {
  const result: CpuPerRequest = {}
  const entries = Object.entries(CPU_PROFILES) as [CpuName, [SystemName, ScenarioName]][]
  for (const [key, [system, name]] of entries) {
    const profile = cpu.find((c) => c.system === system && c.scenario === name)
    if (profile) result[key] = profile.cpu_ms_per_request
  }
  return result
}

export interface Ratios {
  /** Usher ÷ other, from the median requests per second. */
  ratios: Partial<Record<RatioName, number | null>>
  /** The same ratio in each round (rounds measure both systems back to back). */
  perRun: Partial<Record<RatioName, (number | null)[]>>
}

export function ratiosOf(rows: ResultRow[]): Ratios {
  const find = (system: SystemName, name: ScenarioName) =>
    rows.find((r) => r.system === system && r.name === name)
  const ratios: Ratios['ratios'] = {}
  const perRun: Ratios['perRun'] = {}
  for (const [key, [usherName, [system, name]]] of Object.entries(RATIOS) as [
    RatioName,
    (typeof RATIOS)[RatioName],
  ][]) {
    const usher = find('usher', usherName)
    const other = find(system, name)
    if (!usher || !other) continue
    ratios[key] = round(usher.rps / other.rps, 3)
    perRun[key] = usher.runs.map((run, i) => round(run.rps / (other.runs[i]?.rps ?? Number.NaN), 3))
  }
  return { ratios, perRun }
}

export interface Goal {
  goal: string
  target: string
  measured: string
  met: boolean | null
}

/** One round of the import phase: the CLI's import and export, timed, and the export checked. */
export interface ImportRound {
  import_s: number
  import_other_cpu_pct: number | null
  export_s: number
  export_other_cpu_pct: number | null
  waited_for_quiet_s: number
  check: ExportCheck
}

export interface ImportExport {
  users: number
  file_bytes: number
  /** Medians over rounds. */
  import: { seconds: number; users_per_s: number }
  export: { seconds: number; users_per_s: number }
  /** Problems of any round's export check (empty: every round trip held). */
  problems: string[]
  rounds: ImportRound[]
}

/** The import goals are set for this many users. */
export const IMPORT_GOAL_USERS = 100_000

export function importExportOf(rounds: ImportRound[], users: number, fileBytes: number): ImportExport {
  const figures = (seconds: number) => ({
    seconds: round(seconds, 2)!,
    users_per_s: Math.round(users / seconds),
  })
  return {
    users,
    file_bytes: fileBytes,
    import: figures(median(rounds.map((r) => r.import_s))),
    export: figures(median(rounds.map((r) => r.export_s))),
    problems: [...new Set(rounds.flatMap((r) => r.check.problems))],
    rounds,
  }
}

/** The line the console and latest.md show for the import phase. */
export function importLine(result: ImportExport, runs: number): string {
  const { users, import: imported, export: exported, problems } = result
  const sampled = result.rounds[0]?.check.sampled ?? 0
  return [
    `Firebase migration through the \`usher\` CLI, ${users.toLocaleString('en-US')} users `,
    `(${(result.file_bytes / 2 ** 20).toFixed(1)} MB \`auth:export\` file), `,
    `median of ${runs} round(s) into an empty D1: `,
    `import ${imported.seconds.toFixed(1)} s (${imported.users_per_s.toLocaleString('en-US')} users/s), `,
    `export ${exported.seconds.toFixed(1)} s (${exported.users_per_s.toLocaleString('en-US')} users/s); `,
    problems.length
      ? `✘ round trip: ${problems.join('; ')}`
      : `✔ the export has every user with their Firebase hash, and ${sampled} sampled users came back ` +
        'exactly as imported',
  ].join('')
}

/**
 * `firebase login`'s rehashes, read from `usher-import`'s database after it stopped: every committed login
 * (a session) must have replaced its user's Firebase hash with Usher's, and none may have been acknowledged
 * without committing.
 */
export interface FirebaseLoginAccount {
  pool: number
  /** Logins prepared by the load generator and the probe (an upper bound of those sent). */
  handed_out: number
  /** 2xx answers (warm-ups, the probe and the CPU profile's run included). */
  acknowledged: number
  /** Sessions in the database: the logins that committed. */
  committed: number
  /** Users whose hash is now Usher's `$scrypt$`. */
  rehashed: number
  /** Users still on their imported Firebase hash. */
  firebase_left: number
  problems: string[]
}

export function firebaseLoginAccount(input: Omit<FirebaseLoginAccount, 'problems'>): FirebaseLoginAccount {
  const problems: string[] = []
  if (input.acknowledged > input.committed)
    problems.push(`${input.acknowledged} logins acknowledged but ${input.committed} committed`)
  if (input.rehashed !== input.committed)
    problems.push(`${input.committed} logins committed but ${input.rehashed} users rehashed`)
  if (input.rehashed + input.firebase_left !== input.pool)
    problems.push(
      `${input.rehashed} rehashed + ${input.firebase_left} Firebase hashes ≠ ${input.pool} users`,
    )
  if (input.handed_out > input.pool) problems.push(`the pool ran out: raise BENCH_USERS`)
  return { ...input, problems }
}

export function firebaseLoginLine(account: FirebaseLoginAccount): string {
  const { acknowledged, committed, rehashed, firebase_left, problems } = account
  return [
    `${problems.length ? '✘' : '✔'} firebase login: `,
    `${acknowledged} first logins acknowledged, ${committed} committed, `,
    `${rehashed} Firebase hashes replaced by Usher's (${firebase_left.toLocaleString('en-US')} left)`,
    problems.length ? `. Problems: ${problems.join('; ')}` : '',
  ].join('')
}

export function goalsOf(
  rows: ResultRow[],
  { ratios }: Ratios,
  cpu: CpuPerRequest,
  importExport?: ImportExport,
): Goal[] {
  const usher = (name: ScenarioName) => rows.find((r) => r.system === 'usher' && r.name === name)
  const atLeast = (goal: string, key: RatioName, target: number): Goal => {
    const value = ratios[key]
    return {
      goal,
      target: `≥ ${target}`,
      measured: value == null ? 'not measured' : `${value.toFixed(2)}`,
      met: value == null ? null : value >= target,
    }
  }
  const p99 = (goal: string, name: ScenarioName): Goal => {
    const row = usher(name)
    return {
      goal,
      target: '≤ 50 ms',
      measured: row
        ? `${row.p99_ms.toFixed(1)} ms (p50 ${row.p50_ms.toFixed(1)} ms, ${row.connections} conn.)`
        : 'not measured',
      met: row ? row.p99_ms <= 50 : null,
    }
  }
  const cpuAtMost = (goal: string, key: CpuName, target: number): Goal => {
    const value = cpu[key]
    return {
      goal,
      target: `≤ ${target} ms`,
      measured: value == null ? 'not measured' : `${value.toFixed(2)} ms`,
      met: value == null ? null : value <= target,
    }
  }
  const within = (goal: string, which: 'import' | 'export', target: number): Goal => {
    const figures = importExport?.[which]
    const at = importExport?.users === IMPORT_GOAL_USERS
    return {
      goal,
      target: `≤ ${target} s`,
      measured: figures
        ? `${figures.seconds.toFixed(1)} s (${figures.users_per_s.toLocaleString('en-US')} users/s)` +
          (at ? '' : ` for ${importExport!.users.toLocaleString('en-US')} users`)
        : 'not measured',
      met: figures && at ? figures.seconds <= target && importExport!.problems.length === 0 : null,
    }
  }
  return [
    atLeast('login ÷ KDF bound', 'login_vs_bound', 0.9),
    atLeast('login ÷ Better Auth sign-in', 'login_vs_peer', 0.95),
    atLeast('refresh ÷ Better Auth get-session', 'refresh_vs_peer', 1.5),
    atLeast('profile ÷ Better Auth get-session', 'profile_vs_peer', 1.5),
    cpuAtMost('refresh isolate CPU per request', 'refresh', 1.5),
    cpuAtMost('profile isolate CPU per request', 'profile', 1.5),
    p99('users.list first page p99, 100k users', 'list-first'),
    p99('users.list deep page p99, 100k users', 'list-deep'),
    p99('users.list search p99, 100k users', 'search'),
    atLeast('app request: JWKS ÷ no check (bound)', 'app_jwks_vs_bound', 0.9),
    atLeast('app request: JWKS ÷ Better Auth get-session', 'app_jwks_vs_peer', 1.5),
    cpuAtMost('app request: JWKS isolate CPU per request', 'app_jwks', 0.5),
    atLeast('app request: UsherService RPC ÷ Better Auth get-session', 'app_rpc_vs_peer', 1.5),
    atLeast('login with events on (webhook) ÷ events off', 'login_events_vs_plain', 0.95),
    atLeast('register with events on (webhook) ÷ events off', 'register_events_vs_plain', 0.95),
    within('import 100,000 Firebase users through the CLI', 'import', 60),
    within('export 100,000 users through the CLI', 'export', 30),
    atLeast('first login against a Firebase hash ÷ its bound', 'firebase_login_vs_bound', 0.9),
  ]
}

/**
 * What `usher events` was asked, committed and delivered in a run. Counted: logins, each of which records a
 * LOGIN event in its own batch, and registrations, which record none (they are pending confirmation until a
 * link is followed, and App Services fires CREATE at a user's first login; the run does neither). A login
 * can commit without being acknowledged (a request still in flight when the load generator stops), never
 * the reverse: so acknowledged ≤ committed = LOGIN events recorded = LOGIN events the sink received.
 */
export interface EventsAccount {
  /** 2xx answers the load generator (warm-ups included) and the probes got from `usher events`. */
  acknowledged: { logins: number; registrations: number }
  /** Its database after the run: sessions opened, users registered, events by type and status. */
  committed: UsherRunCounts
  /** What the webhook sink received. */
  sink: SinkStats
  /** Seconds waited after the rounds for the last deliveries. */
  drain_s: number
  /** Empty when every acknowledged change's event arrived, signed, and nothing else did. */
  problems: string[]
}

export function eventsAccount(input: Omit<EventsAccount, 'problems'>): EventsAccount {
  const { acknowledged, committed, sink } = input
  const recorded = (type: string) =>
    Object.values(committed.events[type] ?? {}).reduce((sum, n) => sum + n, 0)
  const problems: string[] = []
  const fewer = (what: string, asked: number, done: number) => {
    if (done < asked) problems.push(`${asked} ${what} acknowledged but ${done} committed`)
  }
  fewer('logins', acknowledged.logins, committed.logins)
  fewer('registrations', acknowledged.registrations, committed.registrations)
  if (recorded('LOGIN') !== committed.logins)
    problems.push(`${committed.logins} logins committed but ${recorded('LOGIN')} LOGIN events recorded`)
  const received = sink.by_type.LOGIN ?? 0
  if (received !== recorded('LOGIN'))
    problems.push(`${recorded('LOGIN')} LOGIN events recorded but ${received} received by the sink`)
  const others = [
    ...new Set([...Object.keys(committed.events), ...Object.keys(sink.by_type)].filter((t) => t !== 'LOGIN')),
  ]
  if (others.length) problems.push(`events no login or registration should make: ${others.join(', ')}`)
  for (const [type, statuses] of Object.entries(committed.events)) {
    const undelivered = Object.fromEntries(Object.entries(statuses).filter(([status]) => status !== 'delivered'))
    if (Object.keys(undelivered).length)
      problems.push(`${type} events not delivered: ${JSON.stringify(undelivered)}`)
  }
  if (sink.bad_signatures) problems.push(`${sink.bad_signatures} webhook calls without a valid signature`)
  if (sink.malformed) problems.push(`${sink.malformed} webhook calls whose body was not events`)
  return { ...input, problems }
}

/** One line: what was acknowledged, committed, recorded and received, and whether it adds up. */
export function eventsLine({ acknowledged, committed, sink, problems }: EventsAccount): string {
  const logins = Object.values(committed.events.LOGIN ?? {}).reduce((sum, n) => sum + n, 0)
  return [
    `${problems.length ? '✘' : '✔'} usher events: `,
    `${acknowledged.logins} logins acknowledged, ${committed.logins} committed, `,
    `${logins} LOGIN events recorded, ${sink.by_type.LOGIN ?? 0} received by the webhook sink `,
    `(${sink.requests} signed calls${sink.duplicates ? `, ${sink.duplicates} events re-sent` : ''}); `,
    `${acknowledged.registrations} registrations acknowledged, ${committed.registrations} committed, `,
    'no event (pending confirmation: CREATE comes at the first login)',
    problems.length ? `. Problems: ${problems.join('; ')}` : '',
  ].join('')
}

export function list100k(rows: ResultRow[], users: number) {
  const row = (name: ScenarioName) => rows.find((r) => r.system === 'usher' && r.name === name)
  const first = row('list-first')
  const deep = row('list-deep')
  const search = row('search')
  const pages = [first, deep].filter((r): r is ResultRow => r !== undefined)
  const page = (r: ResultRow | undefined) =>
    r && { p50_ms: round(r.p50_ms, 2), p99_ms: round(r.p99_ms, 2), rps: round(r.rps) }
  return {
    users,
    connections: (first ?? deep ?? search)?.connections ?? null,
    // The worse of the first and the deep page: the goal is per page, any page.
    p50_ms: pages.length ? round(Math.max(...pages.map((r) => r.p50_ms)), 2) : null,
    p99_ms: pages.length ? round(Math.max(...pages.map((r) => r.p99_ms)), 2) : null,
    search_p50_ms: search ? round(search.p50_ms, 2) : null,
    search_p99_ms: search ? round(search.p99_ms, 2) : null,
    pages: { first: page(first), deep: page(deep), search: page(search) },
  }
}

const SYSTEM_LABEL: Record<SystemName, string> = {
  usher: 'Usher',
  'better-auth': 'Better Auth',
  bound: 'bound',
}

/** The four ways the app worker checks its caller (`app request`). */
const APP_CHECK: Partial<Record<ScenarioName, string>> = {
  'app-jwks': '(a) Usher JWKS',
  'app-rpc': '(b) Usher RPC',
  'app-peer': '(c) Better Auth',
  'app-bound': '(d) no check',
}

/** How each check is made, for the README table. */
const APP_OPERATION: Partial<Record<ScenarioName, string>> = {
  'app-jwks': 'access token verified offline (`hono/jwk`, JWKS cached in the isolate)',
  'app-rpc': '`env.USHER.authenticate(token)` (service binding, live session)',
  'app-peer': '`get-session` through a service binding (cookie forwarded)',
  'app-bound': 'the same answer without any check',
}

const systemLabel = (r: ResultRow) =>
  APP_CHECK[r.name] ??
  SYSTEM_LABEL[r.system] +
    (r.system === 'bound' ? ` (${r.name})` : '') +
    (r.variant ? ` ${r.variant.label}` : '')

/** The CPU profile of a row (Better Auth's get-session is profiled once, for both token rows). */
function cpuOf(cpu: CpuProfileSummary[], row: Pick<ResultRow, 'system' | 'name'>) {
  const name = row.system === 'better-auth' && row.name === 'profile' ? 'refresh' : row.name
  return cpu.find((c) => c.system === row.system && c.scenario === name)
}

/** "1.23 (app 0.31 + usher 0.92)": the total and, when the request runs in several isolates, each one. */
function cpuCell(profile: CpuProfileSummary | undefined): string {
  if (!profile) return '—'
  const total = profile.cpu_ms_per_request.toFixed(2)
  if (profile.isolates.length < 2) return total
  const parts = profile.isolates.map((i) => `${i.worker} ${i.cpu_ms_per_request.toFixed(2)}`)
  return `${total} (${parts.join(' + ')})`
}

export function machineLine(machine: MachineInfo, otherCpu: number | null): string {
  const loaded =
    otherCpu !== null && otherCpu >= 5 ? ' (shared, loaded machine: absolute numbers are noisy)' : ''
  const noise =
    otherCpu === null
      ? ''
      : `; other processes used a median ${otherCpu.toFixed(0)}% of the CPU during measurements${loaded}`
  const { cpu, cores, memory_gb, os, node, workerd } = machine
  return `${cpu}, ${cores} cores, ${memory_gb} GB, ${os}, Node ${node}, ${workerd}${noise}`
}

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—')

/**
 * The console table: one line per measurement, grouped by scenario; `isolate CPU ms` is per request, from
 * the CPU profiles (all isolates the request runs in).
 */
export function consoleTable(rows: ResultRow[], cpu: CpuProfileSummary[]): string {
  const header = [
    'scenario',
    'system',
    'conn',
    'req/s',
    'p50 ms',
    'p99 ms',
    'rounds req/s',
    'other CPU',
    'isolate CPU ms',
    'operation',
  ]
  const lines = rows.map((r) => [
    r.group,
    systemLabel(r),
    String(r.connections),
    fmt(r.rps),
    fmt(r.p50_ms),
    fmt(r.p99_ms),
    r.runs.map((m) => fmt(m.rps, 0)).join(' '),
    r.other_cpu_pct === null ? '—' : `${r.other_cpu_pct.toFixed(0)}%`,
    cpuCell(cpuOf(cpu, r)),
    r.operation + (r.failures ? `  ⚠ ${r.failures} failed` : ''),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const right = new Set([2, 3, 4, 5, 7, 8])
  const render = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!),
      )
      .join('  ')
  return [render(header), widths.map((w) => '─'.repeat(w)).join('  '), ...lines.map(render)].join('\n')
}

export function goalsTable(goals: Goal[]): string {
  const width = Math.max(...goals.map((g) => g.goal.length))
  return goals
    .map(
      (g) =>
        `${g.met === null ? '·' : g.met ? '✔' : '✘'} ${g.goal.padEnd(width)}  ${g.target.padEnd(8)}  ${g.measured}`,
    )
    .join('\n')
}

/** The README table. */
export function markdown(input: {
  rows: ResultRow[]
  ratios: Ratios
  cpu: CpuProfileSummary[]
  goals: Goal[]
  machine: MachineInfo
  otherCpu: number | null
  kdf: string
  settings: string
  peerVersion: string
  date: string
  events?: EventsAccount
  runs: number
  importExport?: ImportExport
  firebase?: FirebaseLoginAccount
}): string {
  const find = (system: SystemName, name: ScenarioName) =>
    input.rows.find((r) => r.system === system && r.name === name)
  const cell = (r: ResultRow | undefined) =>
    r ? `${fmt(r.rps)} | ${fmt(r.p50_ms)} / ${fmt(r.p99_ms)}` : '— | —'
  const ratio = (name: ScenarioName) => {
    const u = find('usher', name)
    const p = find('better-auth', name)
    return u && p ? `**${(u.rps / p.rps).toFixed(2)}×**` : '—'
  }
  const labels: [ScenarioName, string][] = [
    ['login', 'login'],
    ['register', 'register'],
    ['refresh', 'refresh (`POST auth/session`)'],
    ['profile', 'profile (`GET auth/profile`)'],
    ['list-first', '`users.list` first page'],
    ['list-deep', '`users.list` page at 90%'],
    ['search', '`users.list` email search'],
  ]
  const lines = [
    `Measured ${input.date} on ${machineLine(input.machine, input.otherCpu)}.`,
    `KDF: ${input.kdf}. ${input.settings}`,
    '',
    `| Scenario | Usher req/s | Usher p50 / p99 ms | Better Auth ${input.peerVersion} req/s | Better Auth p50 / p99 ms | Usher ÷ Better Auth |`,
    '|---|---:|---:|---:|---:|---:|',
    ...labels
      .filter(([name]) => find('usher', name) || find('better-auth', name))
      .map(
        ([name, label]) =>
          `| ${label} | ${cell(find('usher', name))} | ${cell(find('better-auth', name))} | ${ratio(name)} |`,
      ),
  ]
  const kdf = find('bound', 'kdf-hash')
  const d1 = find('bound', 'd1-read')
  if (kdf || d1) {
    lines.push(
      '',
      `Physical bound in the same workerd: ${[
        kdf && `one scrypt hash ${fmt(kdf.rps)} req/s (p50 ${fmt(kdf.p50_ms)} ms)`,
        d1 && `one D1 primary-key read ${fmt(d1.rps)} req/s (p50 ${fmt(d1.p50_ms)} ms)`,
      ]
        .filter(Boolean)
        .join('; ')}.`,
    )
  }
  const withEvents = (['login', 'register'] as const)
    .map((name) => [find('usher', name), find('usher', `${name}-events`)] as const)
    .filter((pair): pair is readonly [ResultRow, ResultRow] => pair.every(Boolean))
  if (withEvents.length) {
    lines.push(
      '',
      'Events on: the same Usher delivering its lifecycle events to a signed webhook (`usher events`; the sink ' +
        'runs in the benchmark process and answers 200 at once), measured back to back with the plain Usher ' +
        '(no sink: each event is only recorded, in the same batch) in every round.',
      '',
      '| Scenario | Usher req/s | Usher p50 / p99 ms | Usher events req/s | Usher events p50 / p99 ms | ' +
        'events on ÷ off (per round) |',
      '|---|---:|---:|---:|---:|---:|',
      ...withEvents.map(([plain, events]) => {
        const rounds = events.runs.map((m, i) => fmt(m.rps / (plain.runs[i]?.rps ?? Number.NaN), 2))
        const ratio = `**${fmt(events.rps / plain.rps, 2)}×** (${rounds.join(' ')})`
        return `| ${plain.name} | ${cell(plain)} | ${cell(events)} | ${ratio} |`
      }),
    )
    if (input.events) lines.push('', eventsLine(input.events))
  }
  const firebase = [find('usher', 'firebase-login'), find('bound', 'firebase-kdf')] as const
  if (input.importExport || firebase.some(Boolean)) {
    lines.push('', '### Migrating from Firebase')
    if (input.importExport) lines.push('', importLine(input.importExport, input.runs))
    const [usher, bound] = firebase
    if (usher || bound) {
      const perRound =
        usher && bound ? usher.runs.map((m, i) => fmt(m.rps / (bound.runs[i]?.rps ?? Number.NaN), 2)) : []
      lines.push(
        '',
        "A first login of an imported Firebase user (Firebase's scrypt checked, then the password rehashed with " +
          "Usher's KDF, the rehash handed to waitUntil), against the bound doing exactly that password work per " +
          'request; each a fixed number of requests timed until the worker is idle again, so work left after ' +
          'the answers is counted.',
        '',
        '| First login against a Firebase hash | req/s | p50 / p99 ms | isolate CPU ms per request |',
        '|---|---:|---:|---:|',
        ...[usher, bound]
          .filter((r): r is ResultRow => r !== undefined)
          .map((r) => `| ${systemLabel(r)}: ${r.operation} | ${cell(r)} | ${cpuCell(cpuOf(input.cpu, r))} |`),
      )
      if (usher && bound)
        lines.push('', `Usher ÷ bound: **${fmt(usher.rps / bound.rps, 2)}×** (per round ${perRound.join(' ')}).`)
    }
    if (input.firebase) lines.push('', firebaseLoginLine(input.firebase))
  }
  const tokenCpu = [
    ['Usher refresh', cpuOf(input.cpu, { system: 'usher', name: 'refresh' })],
    ['Usher profile', cpuOf(input.cpu, { system: 'usher', name: 'profile' })],
    ['Better Auth get-session', cpuOf(input.cpu, { system: 'better-auth', name: 'refresh' })],
  ] as const
  if (tokenCpu.some(([, profile]) => profile)) {
    lines.push(
      '',
      `Isolate CPU per request (V8 profiler in workerd, one isolate each): ${tokenCpu
        .filter(([, profile]) => profile)
        .map(([label, profile]) => `${label} ${cpuCell(profile)} ms`)
        .join(', ')}.`,
    )
  }
  const app = (['app-jwks', 'app-rpc', 'app-peer', 'app-bound'] as const)
    .map((name) => input.rows.find((r) => r.name === name))
    .filter((r): r is ResultRow => r !== undefined)
  if (app.length) {
    const peer = find('better-auth', 'app-peer')
    const bound = find('bound', 'app-bound')
    const versus = (r: ResultRow, other: ResultRow | undefined) =>
      other ? `${(r.rps / other.rps).toFixed(2)}×` : '—'
    lines.push(
      '',
      'App request: an app Worker (`test/bench/app`) answering `{ userId }` for a signed-in user, ' +
        'checking the caller four ways. Isolate CPU counts every isolate the request runs in: ' +
        "the app worker's, plus Usher's for (b) and Better Auth's for (c).",
      '',
      '| App request check | req/s | p50 / p99 ms | isolate CPU ms per request | ÷ (c) Better Auth | ÷ (d) no check |',
      '|---|---:|---:|---:|---:|---:|',
      ...app.map((r) => {
        const check = `${APP_CHECK[r.name]}: ${APP_OPERATION[r.name]}`
        const cpu = cpuCell(cpuOf(input.cpu, r))
        return `| ${check} | ${cell(r)} | ${cpu} | ${versus(r, peer)} | ${versus(r, bound)} |`
      }),
    )
  }
  lines.push('', '| Goal | Target | Measured | Met |', '|---|---|---|---|')
  for (const g of input.goals)
    lines.push(
      `| ${g.goal} | ${g.target} | ${g.measured} | ${g.met === null ? '—' : g.met ? 'yes' : '**no**'} |`,
    )
  return `${lines.join('\n')}\n`
}
