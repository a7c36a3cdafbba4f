/**
 * @module users/mailing
 * Sending a lifecycle mail (confirmation, reset, notices): through the configured Mailer, with a provider
 * failure audited and reported to the caller, never swallowed.
 */
import type { Usher } from '../context'
import { errors } from '../errors'
import { recordAudit } from './audit'

/** Send a mail; a provider failure is audited and reported, never swallowed. */
export async function deliver(usher: Usher, userId: string, mail: Parameters<Usher['mailer']['send']>[0]) {
  try {
    await usher.mailer.send(mail)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    await recordAudit(usher, {
      actor: 'system',
      action: 'mail.failed',
      userId,
      outcome: 'failed',
      detail: { subject: mail.subject, reason },
    })
    throw errors.mailFailed(`the email could not be sent (${reason}); try again later`)
  }
}
