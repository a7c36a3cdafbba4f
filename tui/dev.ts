/**
 * `npm run dev`: Usher on a local workerd and local D1, headless, until Ctrl-C or SIGTERM.
 */
import { ensureDevVars, exitIfWorkerDies, migrateLocalDatabase, portFromEnv, startLocalWorker, stopOnSignals } from './local-worker'

// Before anything starts: a Ctrl-C during startup must stop what is already running.
const signals = stopOnSignals()
try {
  const added = ensureDevVars()
  if (added.length > 0) console.log(`Created fresh local secrets in .dev.vars: ${added.join(', ')}`)
  migrateLocalDatabase()
  const worker = await startLocalWorker({ port: portFromEnv() })
  exitIfWorkerDies(worker, signals)
  console.log(`\nUsher is running at ${worker.url}  (app id: ${worker.appId})`)
  console.log(`  realm-web:  new Realm.App({ id: "${worker.appId}", baseUrl: "${worker.url}" })`)
  console.log(`  admin key:  ADMIN_API_KEY in .dev.vars`)
  console.log('  Ctrl-C stops it.\n')
} catch (error) {
  if (signals.stopping) await new Promise(() => {}) // a signal is stopping everything; it exits
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
