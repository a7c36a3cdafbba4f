/**
 * @module auth/providers
 * The external login providers, one module each, and this registry: adding one is a new module (a body
 * schema and a `verify` that turns the payload into a verified `ExternalIdentity`, plus `redirect` for OAuth
 * providers) and one line below. Everything after verification — finding or creating the user, linking,
 * the session — is shared (external-identities.ts); the built-in providers (email/password, anonymous, API
 * keys) live in auth/login.ts.
 */
import type { z } from 'zod'
import type { Usher } from '../../context'
import type { ExternalProviderType, ProviderType } from '../../db/schema'
import { errors } from '../../errors'
import * as apple from './apple'
import * as customFunction from './custom-function'
import * as customJwt from './custom-jwt'
import type { ExternalIdentity } from './external-identities'
import * as facebook from './facebook'
import * as google from './google'
import type { RedirectProvider } from './oauth-client'

interface ExternalProvider {
  /** The login payload's fields (without realm-web's `options`). */
  body: z.ZodType
  verify(usher: Usher, input: never): Promise<ExternalIdentity>
  /** OAuth providers: the browser redirect flow. */
  redirect?: RedirectProvider
}

/**
 * A provider that AUTH_PROVIDERS does not enable answers exactly as an unknown provider does: its routes, and a
 * redirect sign-in that was started before it was switched off.
 */
export function requireEnabled(usher: Usher, provider: ProviderType): void {
  if (!usher.config.providers.enabled.has(provider)) throw errors.providerNotFound(provider)
}

export const EXTERNAL_PROVIDERS: Record<ExternalProviderType, ExternalProvider> = {
  'custom-token': customJwt,
  'custom-function': customFunction,
  'oauth2-google': google,
  'oauth2-apple': apple,
  'oauth2-facebook': facebook,
}

/** Check the payload's shape, then the credentials with their provider. */
export async function verifyExternal(usher: Usher, provider: ExternalProviderType, fields: unknown): Promise<ExternalIdentity> {
  const { body, verify } = EXTERNAL_PROVIDERS[provider]
  const parsed = body.safeParse(fields)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
    throw errors.badRequest(`invalid request body: ${problems.join('; ')}`)
  }
  return verify(usher, parsed.data as never)
}

export { linkIdentityTo, loginWithIdentity, type ExternalIdentity } from './external-identities'
