/**
 * @module users/credentials
 * The rules for email addresses and passwords, shared by registration, admin creation and resets.
 *
 * Emails are matched case-insensitively through a canonical key (NFKC, lower case) with a UNIQUE index,
 * so `Ann@x.com` and `ann@x.com` cannot become two accounts; mail always goes to the address as stored.
 * Passwords are counted in code points after NFKC, 6–128 by default (App Services parity; the minimum
 * is PASSWORD_MIN_LENGTH).
 */
import type { Config } from '../config'
import { passwordLength } from '../auth/passwords'
import { errors } from '../errors'

export const EMAIL_MAX_LENGTH = 254

export function canonicalEmail(email: string): string {
  return email.normalize('NFKC').toLowerCase()
}

// One @, something on both sides, no whitespace or control characters or angle brackets.
const EMAIL_SHAPE = /^[^\s@<>()[\]\\,;:"\p{Cc}]+@[^\s@<>()[\]\\,;:"\p{Cc}]+$/u

export function assertValidEmail(email: string): void {
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL_SHAPE.test(email)) {
    throw errors.invalidParameter('invalid email address', { email: ['must be an email address like name@example.com'] })
  }
}

export function assertValidPassword(config: Config, password: string): void {
  const length = passwordLength(password)
  if (length < config.password.minLength || length > config.password.maxLength) {
    const message = `password must be between ${config.password.minLength} and ${config.password.maxLength} characters`
    throw errors.invalidParameter(message, { password: [message] })
  }
}
