/**
 * @module tui/index
 * `npm run tui` (and `usher dashboard`): the dashboard against any Usher deployment.
 * Connection, in order: `--url` / `--admin-key`, then the profile (`--profile`, else `USHER_PROFILE`), then
 * `USHER_URL` / `USHER_ADMIN_KEY`, then the local development setup (`.dev.vars`, http://127.0.0.1:8787).
 * See tui/connection.ts: the CLI resolves it the same way.
 */
import './dashboard/no-color'
import { parseArgs } from 'node:util'
import { createAdminClient } from './admin-client'
import { resolveConnection } from './connection'
import { interactiveTerminalProblem, openDashboard } from './dashboard/open'
import { ProfileError } from './profiles'

const USAGE = `Usage: npm run tui -- [--profile <name>] [--url <origin>] [--admin-key <key>]
       usher dashboard [--profile <name>] [--url <origin>] [--admin-key <key>]

The Usher dashboard: pending and confirmed users, API keys, the audit trail and the dev outbox.

Options:
  --profile <name>   a saved deployment (\`usher profiles list\`; default: $USHER_PROFILE)
  --url <origin>     Usher's origin (default: the profile's, else $USHER_URL, else http://127.0.0.1:$PORT or :8787)
  --admin-key <key>  the admin API key (default: the profile's, else $USHER_ADMIN_KEY, else ADMIN_API_KEY from .dev.vars)
  -h, --help         show this help

Inside, press ? for every key; q quits.`

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        'admin-key': { type: 'string' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`)
    process.exit(2)
  }
}

const flags = parse(process.argv.slice(2))
if (flags.help) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}

function connect() {
  try {
    return resolveConnection(
      { url: flags.url, adminKey: flags['admin-key'], profile: flags.profile },
      process.env,
    )
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
}

const connection = connect()
if (!URL.canParse(connection.url)) {
  process.stderr.write(
    `"${connection.url}" is not a URL: pass the deployment's origin, e.g. https://usher.example.com\n`,
  )
  process.exit(2)
}
const noTerminal = interactiveTerminalProblem()
if (noTerminal) {
  process.stderr.write(`${noTerminal}\n`)
  process.exit(1)
}

const dashboard = openDashboard({ client: createAdminClient(connection), connection })
await dashboard.waitUntilExit()
// Keep-alive sockets to Usher would hold the process open for a few seconds more.
process.exit(0)
