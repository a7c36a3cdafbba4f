/**
 * @module users/credentials
 * The rules for email addresses and passwords, shared by registration, admin creation and resets.
 *
 * Emails are matched case-insensitively through a canonical key (NFKC, lower case, final sigma folded) with a
 * UNIQUE index, so `Ann@x.com` and `ann@x.com` cannot become two accounts; addresses that only look like
 * another (invisible characters, compatibility forms) are refused; mail goes to the address as stored.
 * Passwords are counted in code points after NFKC, 6–128 by default (App Services parity; the minimum
 * is PASSWORD_MIN_LENGTH).
 */
import type { Config } from '../config'
import { passwordLength } from '../auth/passwords'
import { errors } from '../errors'

export const EMAIL_MAX_LENGTH = 254

export { canonicalEmail } from './email-key'

// local@domain: no whitespace, controls, quotes or brackets in the local part (64 at most); the domain is
// dot-separated labels of letters, digits and hyphens (any script: internationalized domains), 1–63 each.
const EMAIL_SHAPE =
  /^(?<local>[^\s@<>()[\]\\,;:"\p{C}]{1,64})@(?<domain>(?:[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?\.)+[\p{L}\p{M}\p{N}]{2,63})$/u

/**
 * Is this an address Usher can mail and match without ambiguity? Refused: anything not well-formed (lone
 * surrogates, no dot in the domain, spaces), format and control characters (zero-width joiners, bidi
 * overrides: addresses that display like another), and compatibility forms (a fullwidth `ＡＮＮ@example.com`
 * would otherwise squat `ann@example.com`). Mail goes to the address as given, which is then exactly the
 * form the user sees.
 */
export function emailProblem(email: string): string | undefined {
  if (email.length > EMAIL_MAX_LENGTH || !email.isWellFormed()) return 'must be an email address like name@example.com'
  if (/\p{Cf}|\p{Cc}|\p{Co}|\p{Cn}/u.test(email)) return 'must not contain invisible or control characters'
  if (email.normalize('NFKC') !== email) {
    return `must be written in its plain form (${email.normalize('NFKC')}), not with compatibility characters`
  }
  if (!EMAIL_SHAPE.test(email)) return 'must be an email address like name@example.com'
  return undefined
}

export function assertValidEmail(email: string): void {
  const problem = emailProblem(email)
  if (problem) throw errors.invalidParameter(`invalid email address: ${problem}`, { email: [problem] })
}

export function assertValidPassword(config: Config, password: string): void {
  const length = passwordLength(password)
  if (length < config.password.minLength || length > config.password.maxLength) {
    const message = `password must be between ${config.password.minLength} and ${config.password.maxLength} characters`
    throw errors.invalidParameter(message, { password: [message] })
  }
}
