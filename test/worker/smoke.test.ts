import { exports } from 'cloudflare:workers'
import { expect, it } from 'vitest'

it('answers the location request', async () => {
  const res = await exports.default.fetch('https://usher.test/api/client/v2.0/app/usher-local/location')
  expect(res.status).toBe(200)
  expect(await res.json()).toMatchObject({ hostname: 'https://usher.test' })
})
