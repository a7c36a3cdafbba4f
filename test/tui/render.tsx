/**
 * The one way tests render the dashboard: ink-testing-library at a fixed terminal size (100×30 unless told),
 * with helpers to press keys and wait for what a user would see. Frames carry no colour, so assertions read
 * glyphs and words. Everything rendered is unmounted after each test.
 */
import { cleanup, render } from 'ink-testing-library'
import { afterEach, vi } from 'vitest'
import type { DashboardClient } from '../../tui/dashboard/client'
import { Dashboard, type DashboardProps } from '../../tui/dashboard/Dashboard'
import { TerminalSizeContext } from '../../tui/dashboard/hooks/use-terminal-size'

afterEach(() => cleanup())
// Other suites share these two cores: give slow moments room rather than flaking.
vi.setConfig({ testTimeout: 30_000 })

/** What terminals send for the keys the dashboard reads. */
export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
} as const

export interface RenderOptions extends Partial<Omit<DashboardProps, 'client'>> {
  client: DashboardClient
  columns?: number
  rows?: number
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function renderDashboard({ client, columns = 100, rows = 30, ...props }: RenderOptions) {
  const app = render(
    <TerminalSizeContext.Provider value={{ columns, rows }}>
      <Dashboard
        client={client}
        connection={
          props.connection ?? { url: 'http://usher.test', source: { url: 'flag', adminKey: 'flag' } }
        }
        // Tests that are not about the interval refresh should not race it.
        refreshMs={props.refreshMs ?? 600_000}
        retryMs={props.retryMs ?? 50}
        bannerMs={props.bannerMs ?? 600_000}
        // No test opens the developer's own editor: `false` fails at once unless a test brings its own.
        env={props.env ?? { ...process.env, VISUAL: undefined, EDITOR: 'false' }}
      />
    </TerminalSizeContext.Provider>,
  )
  const frame = () => app.lastFrame() ?? ''

  /** Wait until the screen shows `expected` (a string, or a test of the whole frame). */
  async function waitFor(expected: string | RegExp | ((frame: string) => boolean), timeoutMs = 10_000) {
    const matches = () =>
      typeof expected === 'function'
        ? expected(frame())
        : typeof expected === 'string'
          ? frame().includes(expected)
          : expected.test(frame())
    const deadline = Date.now() + timeoutMs
    while (!matches()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${String(expected)}; the screen shows:\n${frame()}`)
      await pause(10)
    }
    return frame()
  }

  /** The banner's text (it may wrap onto its second line), right above the two footer lines. */
  const banner = () =>
    frame()
      .split('\n')
      .slice(-4, -2)
      .map((line) => line.trim())
      .filter(Boolean)
      .join(' ')

  return {
    frame,
    waitFor,
    banner,
    /** The footer's two lines, as one: the keys offered right now. */
    footer: () => frame().split('\n').slice(-2).join(' '),
    /** Wait until the banner reads `expected` (whole, however it wraps). */
    waitForBanner: (expected: string) => waitFor(() => banner().includes(expected)),
    /** Press keys one at a time, letting the dashboard react to each. */
    async press(...keys: string[]) {
      for (const key of keys) {
        app.stdin.write(key)
        await pause(20)
      }
    },
    /** Type text into the focused field, one character per key press. */
    async type(text: string) {
      for (const char of text) {
        app.stdin.write(char)
        await pause(5)
      }
      await pause(20)
    },
    /** Paste text: a terminal delivers it as one chunk. */
    async paste(text: string) {
      app.stdin.write(text)
      await pause(20)
    },
    /** The line of the screen that contains `text`. */
    line(text: string): string {
      return (
        frame()
          .split('\n')
          .find((candidate) => candidate.includes(text)) ?? ''
      )
    },
    unmount: app.unmount,
  }
}

export type Rendered = ReturnType<typeof renderDashboard>
