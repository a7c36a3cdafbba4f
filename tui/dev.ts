/**
 * `npm run dev`: Usher on a local workerd and local D1, headless, until Ctrl-C or SIGTERM.
 */
import { ensureDevVars, migrateLocalDatabase, portFromEnv, startLocalWorker, stopOnSignals } from './local-worker'

try {
  const added = ensureDevVars()
  if (added.length > 0) console.log(`Created fresh local secrets in .dev.vars: ${added.join(', ')}`)
  migrateLocalDatabase()
  const worker = await startLocalWorker({ port: portFromEnv() })
  stopOnSignals(worker)
  console.log(`\nUsher is running at ${worker.url}  (app id: ${worker.appId})`)
  console.log(`  realm-web:  new Realm.App({ id: "${worker.appId}", baseUrl: "${worker.url}" })`)
  console.log(`  admin key:  ADMIN_API_KEY in .dev.vars`)
  console.log('  Ctrl-C stops it.\n')
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
