/** The real tRPC admin client, its fetch routed into the worker under test. */
import { exports } from 'cloudflare:workers'
import { createAdminClient } from '../../tui/admin-client'
import { TEST_ADMIN_KEY } from '../bindings'

export function admin(adminKey = TEST_ADMIN_KEY, fetcher?: typeof fetch) {
  return createAdminClient({
    url: 'https://usher.test',
    adminKey,
    fetch: fetcher ?? ((input, init) => exports.default.fetch(new Request(input, init))),
  })
}
