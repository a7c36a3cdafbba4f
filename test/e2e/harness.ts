/**
 * The real Usher worker for Node-side end-to-end tests: wrangler's test harness runs worker/index.ts from
 * wrangler.toml on workerd, with a fresh local D1 (migrated here) and a real HTTP port.
 */
import { createServer } from 'node:net'
import { createTestHarness } from 'wrangler'
import { TEST_BINDINGS } from '../bindings'

export const ADMIN_KEY = TEST_BINDINGS.ADMIN_API_KEY

// Offline machines: no attempt to fetch Cloudflare's Request.cf data (it only prints a warning).
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'

export async function startUsher(vars: Record<string, string> = {}) {
  const { ADMIN_API_KEY, KEY_ENCRYPTION_KEY, FUNCTION_SECRET, ...testVars } = TEST_BINDINGS
  const server = createTestHarness({
    workers: [
      {
        configPath: './wrangler.toml',
        vars: { ...testVars, ...vars },
        secrets: { ADMIN_API_KEY, KEY_ENCRYPTION_KEY, FUNCTION_SECRET },
      },
    ],
  })
  const { url } = await server.listen()
  await server.getWorker().applyD1Migrations('DB')
  const db = (await server.getWorker<{ DB: D1Database }>().getEnv()).DB
  return {
    server,
    origin: url.origin,
    db,
    /** The latest mail to `to` in the dev outbox, with the token pair from its link. */
    async lastMail(to: string) {
      const row = await db
        .prepare('SELECT subject, text, link FROM outbox WHERE "to" = ? ORDER BY id DESC LIMIT 1')
        .bind(to)
        .first<{ subject: string; text: string; link: string }>()
      if (!row) throw new Error(`no mail to ${to}`)
      const link = new URL(row.link)
      return { ...row, token: link.searchParams.get('token')!, tokenId: link.searchParams.get('tokenId')! }
    },
    close: () => server.close(),
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
