/**
 * @module users/mail-quota
 * Per-recipient mail limits: at most MAIL_RECIPIENT_LIMIT_PER_MINUTE mails a minute and
 * MAIL_RECIPIENT_LIMIT_PER_DAY a day to one address (defaults 1 and 10; 0 = no limit), whoever asks and from
 * however many IPs. Over a limit a mail is dropped silently: the request is answered exactly as if it had been
 * sent, so the limit reveals nothing, and the drop is counted for admins (`users.get` → `mail`).
 *
 * A flow reserves its mail before it changes anything (a resend that is dropped must not retire the link the
 * user already has). Mails an admin asks for are counted but never dropped.
 */
import { eq, sql } from 'drizzle-orm'
import type { Actor, Usher } from '../context'
import { rawStatement, runBatch } from '../db/client'
import { mailQuota } from '../db/schema'
import { canonicalEmail } from './credentials'

const MINUTE_MS = 60_000
const DAY_MS = 24 * 60 * MINUTE_MS

/** Count one mail to `address` if the limits allow it; false means: drop it, answer as if it was sent. */
export async function reserveMail(usher: Usher, address: string, actor: Actor): Promise<boolean> {
  const { perRecipientPerMinute: perMinute, perRecipientPerDay: perDay } = usher.config.mail
  const now = usher.now()
  const minuteOpen = sql`minute_start > ${now - MINUTE_MS}`
  const dayOpen = sql`day_start > ${now - DAY_MS}`
  const minuteSent = sql`(CASE WHEN ${minuteOpen} THEN minute_sent ELSE 0 END)`
  const daySent = sql`(CASE WHEN ${dayOpen} THEN day_sent ELSE 0 END)`
  const allowed =
    actor === 'admin'
      ? sql`1`
      : sql`((${perMinute} = 0 OR ${minuteSent} < ${perMinute}) AND (${perDay} = 0 OR ${daySent} < ${perDay}))`
  // One atomic upsert: every SET expression reads the old row, so concurrent requests cannot both get the
  // last slot; RETURNING tells this request what was decided.
  const [result] = await runBatch(usher.db, [
    rawStatement(sql`
      INSERT INTO ${mailQuota} (recipient, minute_start, minute_sent, day_start, day_sent, dropped, last_dropped_at, last_outcome)
      VALUES (${canonicalEmail(address)}, ${now}, 1, ${now}, 1, 0, NULL, 'sent')
      ON CONFLICT (recipient) DO UPDATE SET
        minute_start = CASE WHEN ${minuteOpen} THEN minute_start ELSE ${now} END,
        minute_sent = ${minuteSent} + CASE WHEN ${allowed} THEN 1 ELSE 0 END,
        day_start = CASE WHEN ${dayOpen} THEN day_start ELSE ${now} END,
        day_sent = ${daySent} + CASE WHEN ${allowed} THEN 1 ELSE 0 END,
        dropped = dropped + CASE WHEN ${allowed} THEN 0 ELSE 1 END,
        last_dropped_at = CASE WHEN ${allowed} THEN last_dropped_at ELSE ${now} END,
        last_outcome = CASE WHEN ${allowed} THEN 'sent' ELSE 'dropped' END
      RETURNING last_outcome`),
  ])
  return (result?.results[0] as { last_outcome?: string } | undefined)?.last_outcome === 'sent'
}

/** What admins see for one address: mails sent today, and every mail dropped over the limits. */
export async function mailQuotaOf(usher: Usher, address: string) {
  const row = await usher.db.select().from(mailQuota).where(eq(mailQuota.recipient, canonicalEmail(address))).get()
  if (!row) return null
  const now = usher.now()
  return {
    sentToday: row.dayStart > now - DAY_MS ? row.daySent : 0,
    dropped: row.dropped,
    lastDroppedAt: row.lastDroppedAt === null ? null : new Date(row.lastDroppedAt).toISOString(),
  }
}
