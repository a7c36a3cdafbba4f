/**
 * @module bench/report
 * From measurements to what people read: medians over rounds, the ratios the issue asks for (Usher ÷ other,
 * on requests per second, higher is better; each ratio also per round, since rounds interleave the systems
 * and the spread shows how much the machine's noise moved it), the goals with pass/fail, the console
 * table, `results/latest.json` and the markdown table for the README.
 */
import type { MachineInfo } from './machine'
import type { Measurement } from './load'
import type { Kind, ScenarioName } from './scenarios'
import type { SystemName } from './workers'

export interface ResultRow {
  name: ScenarioName
  group: ScenarioName
  system: SystemName
  operation: string
  kind: Kind
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
  scenario: { name: ScenarioName; group: ScenarioName; system: SystemName; operation: string; kind: Kind },
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

export function goalsOf(rows: ResultRow[], { ratios }: Ratios): Goal[] {
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
  return [
    atLeast('login ÷ KDF bound', 'login_vs_bound', 0.9),
    atLeast('login ÷ Better Auth sign-in', 'login_vs_peer', 0.95),
    atLeast('refresh ÷ Better Auth get-session', 'refresh_vs_peer', 1.5),
    atLeast('profile ÷ Better Auth get-session', 'profile_vs_peer', 1.5),
    p99('users.list first page p99, 100k users', 'list-first'),
    p99('users.list deep page p99, 100k users', 'list-deep'),
    p99('users.list search p99, 100k users', 'search'),
  ]
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

/** The console table: one line per measurement, grouped by scenario. */
export function consoleTable(rows: ResultRow[]): string {
  const header = [
    'scenario',
    'system',
    'conn',
    'req/s',
    'p50 ms',
    'p99 ms',
    'rounds req/s',
    'other CPU',
    'operation',
  ]
  const lines = rows.map((r) => [
    r.group,
    SYSTEM_LABEL[r.system] + (r.system === 'bound' ? ` (${r.name})` : ''),
    String(r.connections),
    fmt(r.rps),
    fmt(r.p50_ms),
    fmt(r.p99_ms),
    r.runs.map((m) => fmt(m.rps, 0)).join(' '),
    r.other_cpu_pct === null ? '—' : `${r.other_cpu_pct.toFixed(0)}%`,
    r.operation + (r.failures ? `  ⚠ ${r.failures} failed` : ''),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const right = new Set([2, 3, 4, 5, 7])
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
  goals: Goal[]
  machine: MachineInfo
  otherCpu: number | null
  kdf: string
  settings: string
  peerVersion: string
  date: string
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
  lines.push('', '| Goal (issue 5) | Target | Measured | Met |', '|---|---|---|---|')
  for (const g of input.goals)
    lines.push(
      `| ${g.goal} | ${g.target} | ${g.measured} | ${g.met === null ? '—' : g.met ? 'yes' : '**no**'} |`,
    )
  return `${lines.join('\n')}\n`
}
