/**
 * @module webhook-signature
 * How Usher signs every webhook call (the confirmation, reset, custom-function and user-creation functions,
 * and the events webhook), so the receiver can trust it:
 * `X-Usher-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(FUNCTION_SECRET, "<t>.<raw body>")>`.
 */
import { createHmac } from 'node:crypto'

export function signPayload(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}
