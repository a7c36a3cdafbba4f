/**
 * @module users/audit
 * The audit trail. A change and its entry are written in the same D1 batch, so neither exists without the
 * other; `auditIfChanged` writes the entry only if the statement just before it changed a row, which is how
 * a lost race (say, two confirmations of one token) leaves exactly one entry.
 */
import { sql, type SQL } from 'drizzle-orm'
import type { Actor, Usher } from '../context'
import { rawStatement, runBatch, type Statement } from '../db/client'
import { auditLog, type AuditOutcome } from '../db/schema'

export type AuditAction =
  | 'user.registered'
  | 'user.registration-rejected'
  | 'user.registration-replaced'
  | 'user.created'
  | 'user.confirmation-sent'
  | 'user.confirmation-rerun'
  | 'user.confirmed'
  | 'user.first-login'
  | 'user.login'
  | 'user.custom-data-set'
  | 'user.password-setup-sent'
  | 'user.imported'
  | 'user.identity-linked'
  | 'user.password-reset-requested'
  | 'user.password-reset'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.sessions-revoked'
  | 'user.login-locked'
  | 'user.lock-cleared'
  | 'user.deleted'
  | 'user.email-changed'
  | 'api-key.created'
  | 'api-key.enabled'
  | 'api-key.disabled'
  | 'api-key.deleted'
  | 'mail.failed'
  | 'signing-key.created'
  | 'signing-key.rotated'
  /** Written by the daily maintenance in SQL (maintenance.ts). */
  | 'hash-parameters.deleted'
  /** An admin action a rule refused (the procedure path follows the dot). */
  | `admin.${string}`

export interface AuditEntry {
  actor: Actor
  action: AuditAction
  userId?: string | null
  detail?: Record<string, unknown>
  outcome?: AuditOutcome
}

export function auditStatement(usher: Usher, entry: AuditEntry): Statement {
  return usher.db.insert(auditLog).values({
    at: usher.now(),
    actor: entry.actor,
    action: entry.action,
    userId: entry.userId ?? null,
    detail: entry.detail ?? {},
    outcome: entry.outcome ?? 'ok',
  })
}

/**
 * An audit entry that is written only if the previous statement of the batch changed at least one row, or
 * only if `when` holds as the batch reaches it.
 */
export function auditIfChanged(usher: Usher, entry: AuditEntry, when: SQL = sql`changes() > 0`): Statement {
  return rawStatement(sql`
    INSERT INTO ${auditLog} (at, actor, action, user_id, detail, outcome)
    SELECT ${usher.now()}, ${entry.actor}, ${entry.action}, ${entry.userId ?? null},
           ${JSON.stringify(entry.detail ?? {})}, ${entry.outcome ?? 'ok'}
    WHERE ${when}`)
}

/** Record an entry on its own, for refusals and failures that change nothing else. */
export async function recordAudit(usher: Usher, entry: AuditEntry): Promise<void> {
  await runBatch(usher.db, [auditStatement(usher, entry)])
}
