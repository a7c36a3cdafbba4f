/**
 * @module bench/machine
 * What the numbers were measured on, and how noisy it was: CPU model, cores, memory, OS, Node and workerd
 * versions, and, per measurement, the share of the machine's CPU that processes *outside* the benchmark used
 * (from /proc: all busy time minus the load generator's and the three workers' process groups). On a
 * shared machine that share is the first thing to read before trusting a ratio.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'

const require = createRequire(import.meta.url)

export interface MachineInfo {
  cpu: string
  cores: number
  memory_gb: number
  os: string
  node: string
  workerd: string
  wrangler: string
  load_average: number[]
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** An installed package's version (found from its entry point: not every package exports package.json). */
export function packageVersion(name: string): string {
  try {
    let dir = path.dirname(require.resolve(name))
    while (dir !== path.dirname(dir)) {
      const manifest = readText(path.join(dir, 'package.json'))
      const parsed = manifest ? (JSON.parse(manifest) as { name?: string; version?: string }) : undefined
      if (parsed?.name === name && parsed.version) return parsed.version
      dir = path.dirname(dir)
    }
  } catch {
    // Not installed.
  }
  return 'unknown'
}

/** workerd's own `--version` (the binary wrangler runs), else the npm package version. */
function workerdVersion(): string {
  try {
    const bin = path.join(path.dirname(require.resolve('workerd')), '..', 'bin', 'workerd')
    return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    return `workerd ${packageVersion('workerd')}`
  }
}

export function machineInfo(): MachineInfo {
  const release = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readText('/etc/os-release') ?? '')?.[1]
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${release ?? os.type()} (${os.type()} ${os.release()} ${os.arch()})`,
    node: process.version,
    workerd: workerdVersion(),
    wrangler: packageVersion('wrangler'),
    load_average: os.loadavg().map((l) => Math.round(l * 100) / 100),
  }
}

export interface CpuSample {
  /** Jiffies over all CPUs: total and idle (incl. iowait). */
  total: number
  idle: number
  /** Jiffies used by this process and by every process in the given process groups. */
  ours: number
}

/**
 * /proc/<pid>/stat fields after the command: state is [0], pgrp [2], utime [11], stime [12], and the CPU of
 * its children it has waited for, cutime [13] and cstime [14].
 */
function procStat(pid: string | number): { pgrp: number; cpu: number; reaped: number } | undefined {
  const text = readText(`/proc/${pid}/stat`)
  if (!text) return undefined
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return {
    pgrp: Number(fields[2]),
    cpu: Number(fields[11]) + Number(fields[12]),
    reaped: Number(fields[13]) + Number(fields[14]),
  }
}

export function cpuSample(pgids: number[]): CpuSample | undefined {
  const cpu = readText('/proc/stat')?.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number)
  if (!cpu || cpu.length < 5) return undefined
  const groups = new Set(pgids)
  let ours = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = procStat(entry)
    // This process counts with the children it has reaped (the `usher` CLI runs the import phase spawns).
    if (stat && Number(entry) === process.pid) ours += stat.cpu + stat.reaped
    else if (stat && groups.has(stat.pgrp)) ours += stat.cpu
  }
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = cpu.slice(0, 8).reduce((sum, n) => sum + n, 0)
  return { total, idle: cpu[3]! + cpu[4]!, ours }
}

/** Percent of all CPUs busy with other people's work between two samples (null where /proc is missing). */
export function otherCpuShare(before: CpuSample | undefined, after: CpuSample | undefined): number | null {
  if (!before || !after || after.total <= before.total) return null
  const busy = after.total - after.idle - (before.total - before.idle)
  const other = Math.max(0, busy - (after.ours - before.ours))
  return Math.round((1000 * other) / (after.total - before.total)) / 10
}

/**
 * Wait until processes outside the benchmark use less than `belowPct` of the machine over one second, for at
 * most `maxSeconds`; the seconds waited. On a shared machine (other agents running test suites) a
 * measurement then starts in a lull instead of in the middle of someone's burst.
 */
export async function waitForQuiet(pgids: number[], belowPct: number, maxSeconds: number): Promise<number> {
  const started = performance.now()
  for (;;) {
    const before = cpuSample(pgids)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const other = otherCpuShare(before, cpuSample(pgids))
    const waited = (performance.now() - started) / 1000
    if (other === null || other < belowPct || waited >= maxSeconds) return Math.round(waited)
  }
}

/** The live processes of a process group. */
export function processGroupPids(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && procStat(entry)?.pgrp === pgid)
    .map(Number)
}

/** CPU time (user + system, in ms) used so far by these processes (those still alive). */
export function processesCpuMs(pids: number[]): number {
  // Linux reports CPU time in clock ticks of 10 ms (USER_HZ = 100).
  return pids.reduce((sum, pid) => sum + (procStat(pid)?.cpu ?? 0), 0) * 10
}

/** CPU time (user + system, in ms) used so far by the live processes of a process group. */
export function processGroupCpuMs(pgid: number): number {
  return processesCpuMs(processGroupPids(pgid))
}

/** The workerd processes of a process group (wrangler dev replaces the worker's when sources change). */
export function workerdPids(pgid: number): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = procStat(entry)
    if (stat?.pgrp !== pgid) continue
    if ((readText(`/proc/${entry}/cmdline`) ?? '').split('\0')[0]?.endsWith('workerd'))
      pids.push(Number(entry))
  }
  return pids.sort((a, b) => a - b)
}

/**
 * Process groups led by this process's own children: the `wrangler dev`s it started (each detached into
 * its own group), including one still starting up when a signal arrives.
 */
export function childProcessGroups(): number[] {
  const groups: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const text = readText(`/proc/${entry}/stat`)
    if (!text) continue
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    // fields: state [0], ppid [1], pgrp [2]
    if (Number(fields[1]) === process.pid && Number(fields[2]) === Number(entry)) groups.push(Number(entry))
  }
  return groups
}

/**
 * What is measured: the commit, the tree of the worker, its migrations and its config at that commit (so
 * unrelated commits during a run do not count as a change), and any uncommitted changes to them.
 */
export function codeState(): { commit: string; tree: string; uncommitted: string[] } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      return ''
    }
  }
  const measured = ['worker', 'drizzle', 'wrangler.toml', 'package-lock.json']
  return {
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    tree: git(['rev-parse', ...measured.map((p) => `HEAD:${p}`)])
      .split('\n')
      .map((hash) => hash.slice(0, 10))
      .join(' '),
    uncommitted: git(['status', '--porcelain', '--', ...measured])
      .split('\n')
      .filter(Boolean),
  }
}
