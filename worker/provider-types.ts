/**
 * @module provider-types
 * Every App Services login provider, in App Services' names. Pure (no imports), so the schema, the import
 * records and the terminal tools share this one list.
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
