/**
 * @module users/mailing
 * Sending a lifecycle mail (confirmation, reset, notices): through the configured Mailer, with a provider
 * failure audited and reported to the caller, never swallowed; and where the links in those mails point.
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

/**
 * Where a mailed link lands: the app's own page (CONFIRMATION_URL / RESET_URL), else Usher's page on its
 * public origin. Resolve it before changing anything: with PUBLIC_URL empty and a request that did not come
 * to a loopback address there is no trustworthy origin (the Host header is the caller's to choose), and the
 * flow must refuse before it writes, not after.
 */
export function linkBase(usher: Usher, page: 'confirm' | 'reset'): string {
  const configured = page === 'confirm' ? usher.config.confirmation.url : usher.config.reset.url
  return configured ?? `${usher.origin}/${page}`
}
