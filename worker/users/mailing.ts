/**
 * @module users/mailing
 * Sending a lifecycle mail (confirmation, reset, notices): through the configured Mailer, with a provider
 * failure audited and reported to the caller, never swallowed; and where the links in those mails point.
 */
import type { Usher } from '../context'
import { errors } from '../errors'
import { MailError, type Mail } from '../mail/mailer'
import { recordAudit } from './audit'

/** Waits between attempts at one mail (a third attempt is the last). */
export const MAIL_RETRY_DELAYS_MS = [250, 1000]

/**
 * Send a mail: a transient provider failure (rate limit, outage) is retried twice with backoff, under one
 * idempotency key; a failure that remains is audited (`mail.failed`, with the provider's code and the number
 * of attempts) and reported to the caller, never swallowed.
 */
export async function deliver(usher: Usher, userId: string, mail: Mail) {
  const idempotencyKey = crypto.randomUUID()
  for (let attempt = 1; ; attempt++) {
    try {
      await usher.mailer.send(mail, idempotencyKey)
      return
    } catch (error) {
      const failure = error instanceof MailError ? error : new MailError(error instanceof Error ? error.message : String(error), false)
      const delay = MAIL_RETRY_DELAYS_MS[attempt - 1]
      if (failure.transient && delay !== undefined) {
        await scheduler.wait(delay)
        continue
      }
      await recordAudit(usher, {
        actor: 'system',
        action: 'mail.failed',
        userId,
        outcome: 'failed',
        detail: { subject: mail.subject, reason: failure.message, code: failure.code ?? null, attempts: attempt },
      })
      throw errors.mailFailed(`the email could not be sent (${failure.message}); try again later`)
    }
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
