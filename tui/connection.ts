/**
 * @module tui/connection
 * Where the terminal tools (the CLI and the dashboard alike) find Usher, in order: the `--url` /
 * `--admin-key` flags, then a saved profile (`--profile <name>`, else `$USHER_PROFILE`; see tui/profiles.ts),
 * then the `USHER_URL` / `USHER_ADMIN_KEY` environment variables, then the local development setup
 * (`ADMIN_API_KEY` from `.dev.vars`, `http://127.0.0.1:8787`, or `PORT` if set).
 *
 * A chosen profile names a deployment, so the local `.dev.vars` key is never sent to it.
 */
import { readDevVars } from './local-worker'
import { getProfile, profilesPath, type Environment, type Profile } from './profiles'

type Source = 'flag' | 'profile' | 'env' | 'local'

export interface Connection {
  url: string
  adminKey: string
  /** Where each value came from, for messages like "wrong admin key (from .dev.vars)". */
  source: { url: Source; adminKey: Source | 'missing' }
  /** The profile in use, if any: its name and the file it was read from. */
  profile?: { name: string; file: string }
}

export interface ConnectionFlags {
  url?: string
  adminKey?: string
  profile?: string
}

/** Resolve the connection; throws `ProfileError` when the chosen profile is missing or unreadable. */
export function resolveConnection(
  flags: ConnectionFlags,
  env: Environment = process.env,
  devVarsPath?: string,
): Connection {
  const profileName = flags.profile ?? (env.USHER_PROFILE || undefined)
  const file = profilesPath(env)
  const profile: Profile | undefined = profileName === undefined ? undefined : getProfile(profileName, file)

  const [url, urlSource] =
    flags.url !== undefined
      ? [flags.url, 'flag' as const]
      : profile
        ? [profile.url, 'profile' as const]
        : env.USHER_URL
          ? [env.USHER_URL, 'env' as const]
          : [`http://127.0.0.1:${env.PORT ?? 8787}`, 'local' as const]
  const local = profile ? undefined : readDevVars(devVarsPath).ADMIN_API_KEY
  const [adminKey, keySource] =
    flags.adminKey !== undefined
      ? [flags.adminKey, 'flag' as const]
      : profile?.adminKey
        ? [profile.adminKey, 'profile' as const]
        : env.USHER_ADMIN_KEY
          ? [env.USHER_ADMIN_KEY, 'env' as const]
          : local
            ? [local, 'local' as const]
            : ['', 'missing' as const]
  return {
    url: url.replace(/\/+$/, ''),
    adminKey,
    source: { url: urlSource, adminKey: keySource },
    ...(profileName !== undefined && { profile: { name: profileName, file } }),
  }
}

const profileText = (connection: Pick<Connection, 'profile'>) =>
  connection.profile ? `profile "${connection.profile.name}" in ${connection.profile.file}` : 'a profile'

/** Where the admin key came from, for messages: `from --admin-key`, `from profile "production" in …`. */
export function keyOrigin(connection: Pick<Connection, 'source' | 'profile'>): string {
  switch (connection.source.adminKey) {
    case 'flag':
      return 'from --admin-key'
    case 'profile':
      return `from ${profileText(connection)}`
    case 'env':
      return 'from USHER_ADMIN_KEY'
    case 'local':
      return 'ADMIN_API_KEY from ./.dev.vars'
    case 'missing':
      return 'none given'
  }
}

/** Where the URL came from, as the thing to correct: `--url`, `USHER_URL`, or the profile. */
export function urlOrigin(connection: Pick<Connection, 'source' | 'profile'>): string {
  switch (connection.source.url) {
    case 'flag':
      return '--url'
    case 'profile':
      return `the url of ${profileText(connection)}`
    default:
      return 'USHER_URL'
  }
}
