/**
 * @module tui/connection
 * Where the terminal tools find Usher, in order: `--url` / `--admin-key` flags, then the `USHER_URL` /
 * `USHER_ADMIN_KEY` environment variables, then the local development setup (`ADMIN_API_KEY` from
 * `.dev.vars`, `http://127.0.0.1:8787`, or `PORT` if set).
 */
import { readDevVars } from './local-worker'

export interface Connection {
  url: string
  adminKey: string
  /** Where each value came from, for messages like "wrong admin key (from .dev.vars)". */
  source: { url: 'flag' | 'env' | 'local'; adminKey: 'flag' | 'env' | 'local' | 'missing' }
}

export function resolveConnection(
  flags: { url?: string; adminKey?: string },
  env: NodeJS.ProcessEnv = process.env,
  devVarsPath?: string,
): Connection {
  const url = flags.url ?? env.USHER_URL
  const adminKey = flags.adminKey ?? env.USHER_ADMIN_KEY
  const local = adminKey === undefined ? readDevVars(devVarsPath).ADMIN_API_KEY : undefined
  return {
    url: (url ?? `http://127.0.0.1:${env.PORT ?? 8787}`).replace(/\/+$/, ''),
    adminKey: adminKey ?? local ?? '',
    source: {
      url: flags.url ? 'flag' : env.USHER_URL ? 'env' : 'local',
      adminKey: flags.adminKey ? 'flag' : env.USHER_ADMIN_KEY ? 'env' : local ? 'local' : 'missing',
    },
  }
}
