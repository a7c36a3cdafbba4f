/**
 * @module dashboard/open
 * Puts the dashboard on the real terminal: the alternate screen (the shell's screen comes back on quit, as
 * with k9s or lazygit) and a safety net so that even an unexpected error ends with one sentence, never a
 * stack trace.
 */
import { render, type Instance } from 'ink'
import { Dashboard, type DashboardProps } from './Dashboard'

export interface OpenOptions extends DashboardProps {
  /** How to leave after an unexpected error (default: exit with its code). */
  exit?(code: number): void
}

export function openDashboard({ exit = (code) => process.exit(code), ...props }: OpenOptions): Instance {
  const instance = render(<Dashboard {...props} />, { alternateScreen: true })
  const crash = (error: unknown) => {
    instance.unmount()
    process.stderr.write(
      `✘ The dashboard stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    exit(1)
  }
  process.once('uncaughtException', crash)
  process.once('unhandledRejection', crash)
  return instance
}

/** The one-line refusal when there is no terminal to draw on (piped or scripted stdin/stdout). */
export function interactiveTerminalProblem(): string | undefined {
  if (process.stdin.isTTY && process.stdout.isTTY) return undefined
  return 'The dashboard needs an interactive terminal (stdin and stdout must be a TTY).'
}
