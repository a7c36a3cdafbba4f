/**
 * @module tui/providers
 * The login providers a user's identities come from, in App Services' names, for `usher users list
 * --provider` and the dashboard's `p` filter. The worker's own list reaches the terminal tools as a type only,
 * so the list is written out here, and the build stops if the two ever differ.
 */
import type { RouterInputs } from './admin-client'

type ListInput = Exclude<RouterInputs['users']['list'], void | undefined>
export type ProviderType = Exclude<ListInput['provider'], undefined>

export const PROVIDER_TYPES = [
  'local-userpass',
  'anon-user',
  'api-key',
  'custom-token',
  'custom-function',
  'oauth2-google',
  'oauth2-apple',
  'oauth2-facebook',
] as const satisfies readonly ProviderType[]

type Unlisted = Exclude<ProviderType, (typeof PROVIDER_TYPES)[number]>
// Compiles only while every provider the admin API accepts is listed above.
true satisfies ([Unlisted] extends [never] ? true : { unlisted: Unlisted })
