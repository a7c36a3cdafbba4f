/**
 * @module mail/mailer
 * One small interface for every mail Usher sends, and its three implementations, chosen by MAIL_PROVIDER:
 * - `outbox` (default, for local use): the mail is stored in the D1 `outbox` table, readable through the
 *   admin API, the dashboard and `usher outbox`;
 * - `cloudflare`: Cloudflare Email Routing's `send_email` binding (`SEND_EMAIL`);
 * - `resend`: the Resend HTTP API (https://resend.com/docs/api-reference/emails/send-email), or any API
 *   speaking its format at MAIL_API_URL.
 * Mail is always addressed to the stored address of the account, never to what a caller typed.
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
  send(mail: Mail): Promise<void>
}

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
    await this.binding.send({ from: parseAddress(this.from), to: mail.to, subject: mail.subject, text: mail.text })
  }
}

export class ResendMailer implements Mailer {
  constructor(
    private readonly apiKey: string,
    private readonly from: string,
    private readonly endpoint: string,
  ) {}
  async send(mail: Mail) {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: this.from, to: [mail.to], subject: mail.subject, text: mail.text }),
    })
    if (!response.ok) {
      throw new Error(`mail provider answered ${response.status}: ${(await response.text()).slice(0, 200)}`)
    }
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
