/** The terminal tools' check of custom data before sending: the server's rules and sentences. */
import { describe, expect, it } from 'vitest'
import { checkCustomData, CUSTOM_DATA_MAX_BYTES } from '../../tui/custom-data'

/** A document of exactly `bytes` bytes as compact JSON: `{"k":"xxx…"}`. */
const sized = (bytes: number) => JSON.stringify({ k: 'x'.repeat(bytes - 8) })

describe('checkCustomData', () => {
  it('accepts an object of at most 4096 bytes, counting UTF-8 bytes of its compact JSON', () => {
    expect(checkCustomData('{ "plan": "pro",\n  "seats": 5 }\n')).toEqual({
      ok: true,
      data: { plan: 'pro', seats: 5 },
      bytes: 24,
    })
    expect(checkCustomData(sized(CUSTOM_DATA_MAX_BYTES))).toMatchObject({ ok: true, bytes: 4096 })
    expect(checkCustomData(sized(CUSTOM_DATA_MAX_BYTES + 1))).toEqual({
      ok: false,
      problem: 'custom data is 4097 bytes: at most 4096 (it is carried in every access token)',
    })
    // 2,100 characters, 4,200 bytes.
    expect(checkCustomData(JSON.stringify({ k: 'é'.repeat(2100) }))).toMatchObject({ ok: false })
    expect(checkCustomData('{}')).toEqual({ ok: true, data: {}, bytes: 2 })
  })

  it('refuses what is not JSON, and JSON that is not an object', () => {
    expect(checkCustomData('{"plan": }')).toMatchObject({ ok: false, problem: expect.stringMatching(/^not valid JSON: /) })
    expect(checkCustomData('')).toMatchObject({ ok: false, problem: expect.stringMatching(/^not valid JSON: /) })
    for (const text of ['[]', 'null', '"pro"', '42', 'true']) {
      expect(checkCustomData(text)).toEqual({ ok: false, problem: 'custom data must be a JSON object' })
    }
  })
})
