/**
 * @module tui/start
 * `npm start`: Usher on the local workerd and D1, as `npm run dev` runs it, with the dashboard on top.
 * Wrangler writes to `.wrangler/usher-dev.log` (never over the screen). Quitting the dashboard, Ctrl-C or
 * SIGTERM stops the worker; if the worker cannot start, one line says why and where the log is.
 */
import './dashboard/no-color'
import { Spinner } from '@inkjs/ui'
import { appendFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { render, Text, type Instance } from 'ink'
import { createAdminClient } from './admin-client'
import { interactiveTerminalProblem, openDashboard } from './dashboard/open'
import {
  ensureDevVars,
  migrateLocalDatabase,
  portFromEnv,
  startLocalWorker,
  stopEverything,
  type LocalWorker,
} from './local-worker'

const LOG = path.join('.wrangler', 'usher-dev.log')

/** One line on the terminal (replacing the spinner, if one runs), the whole story in the log; exit 1. */
function fail(what: string, error: unknown, spinner?: Instance): never {
  const detail = error instanceof Error ? error.message : String(error)
  appendFileSync(LOG, `\n[npm start] ${what}: ${detail}\n`)
  const line = `✘ ${what}: ${detail.split('\n')[0]!.replace(/;? see \S+$/, '')}`
  if (spinner) {
    spinner.rerender(<Text color="red">{line}</Text>)
    spinner.unmount()
  } else {
    process.stderr.write(`${line}\n`)
  }
  process.stderr.write(`  See ${LOG}\n`)
  process.exit(1)
}

const noTerminal = interactiveTerminalProblem()
if (noTerminal) {
  process.stderr.write(`${noTerminal} \`npm run dev\` runs Usher without the dashboard.\n`)
  process.exit(1)
}

mkdirSync(path.dirname(LOG), { recursive: true })
let port: number
try {
  port = portFromEnv()
} catch (error) {
  fail('Cannot start Usher', error)
}
try {
  const added = ensureDevVars()
  if (added.length > 0)
    process.stdout.write(`Created fresh local secrets in .dev.vars: ${added.join(', ')}\n`)
  migrateLocalDatabase({ quiet: true })
} catch (error) {
  fail('Could not prepare the local database', error)
}

// Signals that arrive while wrangler starts stop it at once (it runs in its own process group: leaving
// without stopping it would orphan it).
let progress: Instance | undefined
let stoppingWhileStarting = false
const stopWhileStarting = () => {
  stoppingWhileStarting = true
  progress?.rerender(<Spinner label="Stopping the local worker…" />)
  void stopEverything().then(() => {
    progress?.unmount()
    process.stdout.write('Stopped the local worker.\n')
    process.exit(0)
  })
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stopWhileStarting)

const url = `http://127.0.0.1:${port}`
progress = render(<Spinner label={`Starting Usher at ${url} (wrangler's log: ${LOG})…`} />)
let worker: LocalWorker
try {
  worker = await startLocalWorker({ port, logFile: LOG })
} catch (error) {
  if (stoppingWhileStarting) await new Promise(() => {}) // stopWhileStarting exits
  fail('Usher did not start', error, progress)
}
progress.rerender(
  <Text color="green">
    ✔ Usher is running at {url} (app id: {worker.appId})
  </Text>,
)
progress.unmount()
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, stopWhileStarting)

let stopping = false
async function shutdown(code: number, message?: string) {
  if (stopping) return
  stopping = true
  dashboard.unmount()
  if (message) process.stderr.write(`${message}\n`)
  await worker.stop()
  if (!message) process.stdout.write('Stopped the local worker.\n')
  process.exit(code)
}

const dashboard = openDashboard({
  client: createAdminClient({ url: worker.url, adminKey: worker.adminKey }),
  connection: { url: worker.url, source: { url: 'local', adminKey: 'local' } },
  exit: (code) => void shutdown(code),
})
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0))
worker.child.on('exit', (code) =>
  shutdown(1, `✘ The local worker stopped unexpectedly (exit code ${code}). See ${LOG}`),
)
await dashboard.waitUntilExit()
await shutdown(0)
