// Fails when worker/db/schema.ts has changes that no migration in drizzle/ captures: runs drizzle-kit
// generate into a scratch copy of drizzle/ and requires its explicit "No schema changes" verdict (drizzle-kit
// exits 0 on some errors, so the exit code alone proves nothing).
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, rmSync } from 'node:fs'

// drizzle-kit mishandles absolute --out paths, so the scratch copy lives under the (git-ignored) .wrangler/.
const scratch = '.wrangler/drift-check'
function check() {
  cpSync('drizzle', scratch, { recursive: true })
  const output = execFileSync(
    'node_modules/.bin/drizzle-kit',
    ['generate', '--dialect', 'sqlite', '--schema', './worker/db/schema.ts', '--out', scratch, '--name', 'drift'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  )
  if (!output.includes('No schema changes')) {
    console.error(output)
    console.error('drizzle/ is out of date with worker/db/schema.ts: run `npm run db:generate -- --name <why>`')
    process.exitCode = 1
    return
  }
  console.log('Migrations are current with worker/db/schema.ts.')
}

rmSync(scratch, { recursive: true, force: true })
mkdirSync('.wrangler', { recursive: true })
try {
  check()
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
