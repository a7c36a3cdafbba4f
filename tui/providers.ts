/**
 * @module tui/providers
 * The login providers a user's identities come from, in App Services' names, for `usher users list
 * --provider` and the dashboard's `p` filter: the worker's own list (worker/provider-types.ts, a module
 * without dependencies), and the build stops if the admin API ever accepts another.
 */
import type { RouterInputs } from './admin-client'
import { PROVIDER_TYPES } from '../worker/provider-types'

type ListInput = Exclude<RouterInputs['users']['list'], void | undefined>
export type ProviderType = Exclude<ListInput['provider'], undefined>

type Unlisted = Exclude<ProviderType, (typeof PROVIDER_TYPES)[number]>
// Compiles only while every provider the admin API accepts is listed.
true satisfies ([Unlisted] extends [never] ? true : { unlisted: Unlisted })

export { PROVIDER_TYPES }
