/**
 * @module dashboard/client
 * The slice of the admin API the dashboard calls, as an interface: the real `AdminClient` (tui/admin-client.ts)
 * satisfies it as is, and component tests pass an in-memory fake instead of a server.
 *
 * @example
 * ```tsx
 * const client: DashboardClient = createAdminClient({ url, adminKey })
 * render(<Dashboard client={client} connection={{ url, source }} />)
 * ```
 */
import type { RouterInputs, RouterOutputs } from '../admin-client'

interface Query<Input, Output> {
  query(input: Input): Promise<Output>
}
interface Mutation<Input, Output> {
  mutate(input: Input): Promise<Output>
}

type In = RouterInputs
type Out = RouterOutputs
type UserId = In['users']['confirm']
/** A procedure's input when it is given one (inputs with defaults are optional, i.e. `void`). */
type Given<T> = Exclude<T, void | undefined>
type KeyId = In['apiKeys']['disable']
type UserKeyId = In['users']['disableApiKey']

/**
 * What the dashboard reads from the configuration: who it is, how users confirm, password limits, and what
 * the deployment warns about (production: ALLOWED_ORIGINS=*, APP_ID=usher-local).
 */
export type DashboardConfig = Pick<Out['config']['get'], 'appId' | 'confirmation' | 'password' | 'warnings'>

export interface DashboardClient {
  config: { get: { query(): Promise<DashboardConfig> } }
  users: {
    list: Query<Given<In['users']['list']>, Out['users']['list']>
    get: Query<UserId, Out['users']['get']>
    create: Mutation<In['users']['create'], Out['users']['create']>
    confirm: Mutation<UserId, Out['users']['confirm']>
    rerunConfirmation: Mutation<UserId, Out['users']['rerunConfirmation']>
    sendConfirmationEmail: Mutation<UserId, Out['users']['sendConfirmationEmail']>
    disable: Mutation<UserId, Out['users']['disable']>
    enable: Mutation<UserId, Out['users']['enable']>
    revokeSessions: Mutation<In['users']['revokeSessions'], Out['users']['revokeSessions']>
    clearLock: Mutation<UserId, Out['users']['clearLock']>
    delete: Mutation<UserId, Out['users']['delete']>
    enableApiKey: Mutation<UserKeyId, Out['users']['enableApiKey']>
    disableApiKey: Mutation<UserKeyId, Out['users']['disableApiKey']>
    deleteApiKey: Mutation<UserKeyId, Out['users']['deleteApiKey']>
    setCustomData: Mutation<In['users']['setCustomData'], Out['users']['setCustomData']>
    changeEmail: Mutation<In['users']['changeEmail'], Out['users']['changeEmail']>
  }
  apiKeys: {
    list: { query(): Promise<Out['apiKeys']['list']> }
    create: Mutation<In['apiKeys']['create'], Out['apiKeys']['create']>
    enable: Mutation<KeyId, Out['apiKeys']['enable']>
    disable: Mutation<KeyId, Out['apiKeys']['disable']>
    delete: Mutation<KeyId, Out['apiKeys']['delete']>
  }
  keys: {
    list: { query(): Promise<Out['keys']['list']> }
    rotate: Mutation<Given<In['keys']['rotate']>, Out['keys']['rotate']>
  }
  audit: { list: Query<Given<In['audit']['list']>, Out['audit']['list']> }
  outbox: { list: Query<Given<In['outbox']['list']>, Out['outbox']['list']> }
  events: {
    list: Query<Given<In['events']['list']>, Out['events']['list']>
    redeliver: Mutation<In['events']['redeliver'], Out['events']['redeliver']>
  }
}
