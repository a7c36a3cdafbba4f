/**
 * @module users/enumeration
 * Account enumeration protection (ENUMERATION_PROTECTION): which flows answer every email alike. Login
 * never reveals an email (auth/login.ts spends a dummy hash for unknown ones); these are the flows App
 * Services let reveal one, protected only when the switch is on.
 */
import type { Usher } from '../context'
import { UsherError } from '../errors'

/** Who a confirmation action is about: an email (client API) or a user id (admin API). */
export type Target = { email: string } | { userId: string }

/**
 * With ENUMERATION_PROTECTION=on, the client API's email-addressed routes answer every address alike and at
 * once: the lookup, the work and any refusal (unknown email, already confirmed) happen after the response,
 * so neither the answer nor its timing tells which emails have accounts. Admins (by user id) always get
 * the real outcome.
 */
export async function quietly(usher: Usher, target: Target, work: () => Promise<void>): Promise<void> {
  if (!usher.config.enumerationProtection || !('email' in target)) return work()
  usher.defer(
    work().catch((error: unknown) => {
      if (!(error instanceof UsherError && error.status < 500)) throw error
    }),
  )
}
