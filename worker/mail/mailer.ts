/**
 * @module mail/mailer
 * One small interface for every mail Usher sends, and its three implementations, chosen by MAIL_PROVIDER:
 * - `outbox` (default, for local use): the mail is stored in the D1 `outbox` table, readable through the
 *   admin API, the dashboard and `usher outbox`;
 * - `cloudflare`: Cloudflare Email Service through the `send_email` binding (`SEND_EMAIL`), which reaches any
 *   recipient once the sending domain is onboarded (README "Mail that reaches real users");
 * - `resend`: the Resend HTTP API (https://resend.com/docs/api-reference/emails/send-email), or any API
 *   speaking its format at MAIL_API_URL.
 * Mail is always addressed to the stored address of the account, never to what a caller typed. Providers say
 * whether a failure is worth a retry (`MailError.transient`); users/mailing.ts retries and audits.
 */
import type { Config } from '../config'
import type { Db } from '../db/client'
import { outbox } from '../db/schema'

export interface Mail {
  to: string
  subject: string
  text: string
  /** The action link inside the mail (confirmation or reset), kept separately for the dev outbox. */
  link?: string
}

export interface Mailer {
  /** Send once. `idempotencyKey` is the same for every retry of one mail (providers that support it dedupe). */
  send(mail: Mail, idempotencyKey: string): Promise<void>
}

/** A send that failed: `transient` ones are worth retrying (rate limits, provider outages), others are not. */
export class MailError extends Error {
  override readonly name = 'MailError'
  constructor(
    message: string,
    readonly transient: boolean,
    readonly code?: string,
  ) {
    super(message)
  }
}

/**
 * Cloudflare Email Service's error codes (thrown as `Error` with a string `code`): which are worth a retry.
 * Permanent ones are configuration (sender not verified, domain not onboarded), the recipient (suppressed
 * after bounces), or the request itself.
 */
const CLOUDFLARE_TRANSIENT = new Set(['E_RATE_LIMIT_EXCEEDED', 'E_INTERNAL_SERVER_ERROR', 'E_DELIVERY_FAILED'])

export class OutboxMailer implements Mailer {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}
  async send(mail: Mail) {
    await this.db.insert(outbox).values({ ...mail, link: mail.link ?? null, createdAt: this.now() })
  }
}

export class CloudflareMailer implements Mailer {
  constructor(
    private readonly binding: SendEmail,
    private readonly from: string,
  ) {}
  async send(mail: Mail) {
    try {
      await this.binding.send({ from: parseAddress(this.from), to: mail.to, subject: mail.subject, text: mail.text })
    } catch (error) {
      const code = (error as { code?: unknown }).code
      const message = error instanceof Error ? error.message : String(error)
      if (typeof code === 'string') throw new MailError(`${code}: ${message}`, CLOUDFLARE_TRANSIENT.has(code), code)
      // No code: the binding's own refusal (an unverified destination), a bad argument, or the RPC failing.
      const permanent = error instanceof TypeError || /not allowed|not a verified address/i.test(message)
      throw new MailError(message, !permanent)
    }
  }
}

export class ResendMailer implements Mailer {
  constructor(
    private readonly apiKey: string,
    private readonly from: string,
    private readonly endpoint: string,
  ) {}
  async send(mail: Mail, idempotencyKey: string) {
    let response: Response
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify({ from: this.from, to: [mail.to], subject: mail.subject, text: mail.text }),
        signal: AbortSignal.timeout(10_000),
      })
    } catch (error) {
      throw new MailError(`mail provider could not be reached: ${error instanceof Error ? error.message : String(error)}`, true)
    }
    if (response.ok) return
    const text = (await response.text()).slice(0, 200)
    // Resend: 429 rate_limit_exceeded and 5xx pass; 429 daily/monthly quota and other 4xx do not.
    const quota = /daily_quota_exceeded|monthly_quota_exceeded/.test(text)
    const transient = response.status >= 500 || response.status === 409 || (response.status === 429 && !quota)
    throw new MailError(`mail provider answered ${response.status}: ${text}`, transient, String(response.status))
  }
}

/** `Name <address>` or a bare address → the binding's `{name, email}` form. */
export function parseAddress(from: string): string | { name: string; email: string } {
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from)
  return match ? { name: match[1]!.replace(/^"|"$/g, ''), email: match[2]! } : from.trim()
}

export interface MailBindings {
  SEND_EMAIL?: SendEmail
}

export function createMailer(config: Config, db: Db, bindings: MailBindings, now: () => number): Mailer {
  switch (config.mail.provider) {
    case 'outbox':
      return new OutboxMailer(db, now)
    case 'cloudflare':
      return new CloudflareMailer(bindings.SEND_EMAIL!, config.mail.from)
    case 'resend':
      return new ResendMailer(config.secrets.mailApiKey!, config.mail.from, config.mail.apiUrl)
  }
}
