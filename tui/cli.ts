/**
 * @module tui/cli
 * The `usher` command line (see tui/bin/usher.js and `usher --help`): scriptable admin of an Usher
 * deployment over the typed admin API. The work is in tui/cli/; this file only binds it to the process.
 */
import { main } from './cli/main'

// `usher … | head` closes the pipe early; that is the reader's choice, not an error to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw error
})

process.exitCode = await main(process.argv.slice(2))
