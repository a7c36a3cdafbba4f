/**
 * @module tui/cli/commands/password-setup
 * `usher users send-password-setup <id>` and `… --all [--rate <mails/s>]`: mail imported users who have no
 * password Usher can check (their login answers `PasswordSetupRequired`) the link to set one.
 *
 * `--all` asks `users.sendPasswordSetup({ all: true, limit })` for page after page, each page about a second's
 * worth of mail at `--rate`, and waits so that the mail leaves at most `--rate` per second on average. It stops at
 * the first mail that fails: users mailed before keep their valid link and are not mailed again, so running
 * the same command again resumes.
 */
import type { RouterOutputs } from '../../admin-client'
import { apiCommand, type RunContext } from '../command'
import { UsageError } from '../failure'
import { count, printable } from '../format'
import { startProgress } from '../progress'
import { sleep, transientReason, withRetries } from '../retry'
import { USER_ID, who } from './user-argument'

type SetupAnswer = RouterOutputs['users']['sendPasswordSetup']

/** `users.sendPasswordSetup`'s largest page (worker/users/password-setup.ts). */
const PAGE_MOST = 50
const DEFAULT_RATE = 2
const COMMAND = ['users', 'send-password-setup']

export interface SetupReport {
  sent: SetupAnswer['sent']
  failed: SetupAnswer['failed']
  /** Users still waiting for a link (null for one user). */
  remaining: number | null
}


function rateOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RATE
  const rate = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value) || !(rate > 0)) {
    throw new UsageError(`--rate must be a positive number of mails per second (got "${value}")`, COMMAND)
  }
  return rate
}

async function sendToAll(context: RunContext, rate: number): Promise<SetupReport> {
  const { client, stderr, flags } = context
  const limit = Math.min(PAGE_MOST, Math.max(1, Math.floor(rate)))
  const progress = startProgress(stderr, { label: 'mailing', unit: 'mail', quiet: flags.json === true })
  const sent: SetupAnswer['sent'] = []
  for (;;) {
    const started = Date.now()
    const page = await withRetries(
      () => client.users.sendPasswordSetup.mutate({ all: true, limit }),
      (error, delay) =>
        progress.note(
          `⚠ a page failed (${printable(transientReason(error))}); asking again in ${delay / 1000} s (users already mailed are not mailed twice)`,
        ),
    )
    sent.push(...page.sent)
    const remaining = page.remaining ?? 0
    progress.update(sent.length, sent.length + remaining)
    if (page.failed || remaining === 0 || page.sent.length === 0) {
      progress.finish()
      return { sent, failed: page.failed, remaining }
    }
    await sleep(Math.max(0, (page.sent.length / rate) * 1000 - (Date.now() - started)))
  }
}

function render(report: SetupReport): string {
  const lines = report.sent.map(
    (user) => `✓ sent a password setup link to ${who({ id: user.userId, email: user.email })}`,
  )
  if (report.remaining === null) return lines.join('\n')
  if (report.sent.length === 0 && !report.failed)
    return 'no imported user is waiting for a password setup link'
  const { failed, remaining } = report
  lines.push(
    failed
      ? `✗ the mail to ${who({ id: failed.userId, email: failed.email })} failed: ${printable(failed.reason)}\n${count(report.sent.length, 'link')} sent, ${count(remaining, 'user')} still waiting: run \`usher users send-password-setup --all\` again to resume (users already mailed are not mailed twice while their link is valid).`
      : `✓ ${count(report.sent.length, 'link')} sent; nobody else is waiting`,
  )
  return lines.join('\n')
}

export const sendPasswordSetup = apiCommand({
  summary: 'mail imported users without a password the link to set one',
  details:
    'For users imported without a password Usher can check (App Services never exported hashes): their login is refused with PasswordSetupRequired until they follow the link (valid PASSWORD_SETUP_TTL_HOURS, 72 by default), which also confirms their address. --all mails everyone waiting, paced at --rate, and stops at the first mail that fails; run it again to resume: users whose link is still valid are not mailed twice.',
  args: [{ ...USER_ID, optional: true }],
  options: {
    all: { type: 'boolean', description: 'every imported user waiting for a password (instead of one <id>)' },
    rate: {
      type: 'string',
      placeholder: 'mails/s',
      description: `with --all: at most this many mails per second (default ${DEFAULT_RATE}; your mail provider's limit)`,
    },
  },
  examples: [
    'usher users send-password-setup kYi4EvWQlQTKSfnJ3dRSP6IH3ed2',
    'usher users send-password-setup --all --rate 5',
  ],
  async run(context): Promise<SetupReport> {
    const { client, args, flags, options } = context
    const all = flags.all === true
    if (all === (args.id !== undefined)) throw new UsageError('give either one user <id> or --all', COMMAND)
    if (!all && options.rate !== undefined) throw new UsageError('--rate goes with --all', COMMAND)
    if (all) return sendToAll(context, rateOf(options.rate))
    return client.users.sendPasswordSetup.mutate({ userId: args.id! })
  },
  render,
  exitCode: (report) => (report.failed ? 1 : 0),
})
