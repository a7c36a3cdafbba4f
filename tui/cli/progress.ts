/**
 * @module tui/cli/progress
 * How far a long command (`usher import`, `usher export`, `usher users send-password-setup --all`) has got,
 * on stderr so stdout stays the command's result: a bar redrawn in place with the count, the rate and the time
 * left when stderr is a terminal; a plain line every few seconds when it is a file or a pipe (a CI log); nothing
 * with `--json`.
 *
 *     const progress = startProgress(stderr, { label: 'importing', unit: 'user' })
 *     progress.update(500, 10_000)   // ▕████░░░░▏ 500/10,000 users · 2,310 users/s · 4 s left
 *     progress.note('retrying …')    // a line that stays above the bar
 *     progress.finish()              // the bar is cleared; what follows is the result
 */

export interface ProgressOptions {
  /** What is being done, as a word: `importing`, `exporting`, `mailing`. */
  label: string
  /** What is counted, singular: `user`, `mail`. */
  unit: string
  /** Show nothing (`--json`). */
  quiet?: boolean
  /** Between two plain lines (not a terminal); default 5 s. */
  plainEveryMs?: number
  now?: () => number
}

export interface Progress {
  /** `done` so far, of `total` when it is known. */
  update(done: number, total?: number): void
  /** A line that stays (a retry, a warning), above the bar. */
  note(line: string): void
  /** Clears the bar: what follows is the command's result. */
  finish(): void
}

export interface ProgressState {
  label: string
  unit: string
  done: number
  total?: number
  elapsedMs: number
}

const BAR_WIDTH = 24
const MIN_BAR_WIDTH = 6
/** Redraws of the bar at most this often (a fast import updates thousands of times a second). */
const TERMINAL_EVERY_MS = 100

const number = (n: number) => n.toLocaleString('en-US')
const plural = (n: number, unit: string) => `${unit}${n === 1 ? '' : 's'}`

/** `<1 s`, `42 s`, `3 min 20 s`, `2 h 5 min`. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 1) return '<1 s'
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`
  return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${Math.floor(minutes / 60)} h`
}

/** The parts after the count: the rate, and the time left when the total is known (none in the first half second). */
function pace({ unit, done, total, elapsedMs }: ProgressState): string[] {
  if (elapsedMs < 500 || done === 0) return []
  const perSecond = (done * 1000) / elapsedMs
  const rate = `${perSecond >= 10 ? number(Math.round(perSecond)) : perSecond.toFixed(1)} ${unit}s/s`
  return total === undefined || done >= total
    ? [rate]
    : [rate, `${duration(((total - done) / perSecond) * 1000)} left`]
}

const counted = ({ unit, done, total }: ProgressState) =>
  total === undefined
    ? `${number(done)} ${plural(done, unit)}`
    : `${number(done)}/${number(total)} ${plural(total, unit)}`

/**
 * The line a terminal shows: the bar (when the total is known) gets the room the words leave, up to 24 cells
 * and none under 6; the line never reaches the last column (the cursor would wrap).
 */
export function progressBar(state: ProgressState, columns = 80): string {
  const words = [counted(state), ...pace(state)].join(' · ')
  const room = columns - 1 - [...state.label].length - [...words].length - 4
  const cells = state.total === undefined || room < MIN_BAR_WIDTH ? 0 : Math.min(BAR_WIDTH, room)
  const filled = Math.round(Math.min(1, state.done / (state.total || 1)) * cells)
  const bar = cells === 0 ? '' : ` ▕${'█'.repeat(filled)}${'░'.repeat(cells - filled)}▏`
  return [...`${state.label}${bar} ${words}`].slice(0, Math.max(1, columns - 1)).join('')
}

/** A line for a log: `importing: 4,500/10,000 users (2,310 users/s, 3 s left)`. */
export function progressLine(state: ProgressState): string {
  const parts = pace(state)
  return `${state.label}: ${counted(state)}${parts.length ? ` (${parts.join(', ')})` : ''}`
}

export function startProgress(stream: NodeJS.WritableStream, options: ProgressOptions): Progress {
  const now = options.now ?? Date.now
  const started = now()
  const terminal = (stream as { isTTY?: boolean }).isTTY === true
  const every = terminal ? TERMINAL_EVERY_MS : (options.plainEveryMs ?? 5000)
  let last: ProgressState | undefined
  let shownAt = terminal ? 0 : started
  let drawn = false

  const state = (done: number, total?: number): ProgressState => ({
    label: options.label,
    unit: options.unit,
    done,
    total,
    elapsedMs: now() - started,
  })
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K')
    drawn = false
  }
  const draw = (current: ProgressState) => {
    // A terminal that does not say its width (0 under some pseudo-terminals) gets 80 columns.
    stream.write(`\r\x1b[2K${progressBar(current, (stream as { columns?: number }).columns || 80)}`)
    drawn = true
  }

  if (options.quiet) return { update() {}, note() {}, finish() {} }
  return {
    update(done, total) {
      last = state(done, total)
      if (now() - shownAt < every) return
      shownAt = now()
      if (terminal) draw(last)
      else stream.write(`${progressLine(last)}\n`)
    },
    note(line) {
      clear()
      stream.write(`${line}\n`)
      if (terminal && last) draw(last)
    },
    finish() {
      clear()
    },
  }
}
