import { env } from 'cloudflare:workers'
import { expect, it } from 'vitest'
import { app } from '../../worker/index'

it("every route is one Hono's RegExpRouter accepts (one ambiguous pattern slows every request)", async () => {
  await app.request('/health', {}, env)
  expect(app.router.name).toBe('SmartRouter + RegExpRouter')
})
