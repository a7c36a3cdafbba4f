/**
 * @module provider-types
 * Every App Services login provider, in App Services' names. Pure (no imports), so the schema, the import
 * records and the terminal tools share these lists.
 */
export const PROVIDER_TYPES = [
  'local-userpass',
  'anon-user',
  'api-key',
  'custom-token',
  'custom-function',
  'oauth2-google',
  'oauth2-apple',
  'oauth2-facebook',
] as const
export type ProviderType = (typeof PROVIDER_TYPES)[number]
/** Providers whose identities are someone else's account (an external id, verified at each login). */
export const EXTERNAL_PROVIDER_TYPES = ['custom-token', 'custom-function', 'oauth2-google', 'oauth2-apple', 'oauth2-facebook'] as const
export type ExternalProviderType = (typeof EXTERNAL_PROVIDER_TYPES)[number]

export function isExternalProvider(providerType: string): providerType is ExternalProviderType {
  return (EXTERNAL_PROVIDER_TYPES as readonly string[]).includes(providerType)
}
