/**
 * Which failures the long CLI commands send again (tui/cli/retry.ts): no answer at all or a server failure
 * (5xx), never a refusal (4xx), and only a few times.
 */
import { TRPCClientError } from '@trpc/client'
import { describe, expect, it } from 'vitest'
import { isTransient, transientReason, withRetries } from '../../tui/cli/retry'

const answered = (httpStatus: number, code: string) =>
  new TRPCClientError<never>('refused', {
    result: { error: { message: 'refused', code: -32600, data: { code, httpStatus } } } as never,
  })
const unanswered = () =>
  TRPCClientError.from(
    new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
  )

describe('retries', () => {
  it('are for no answer and for server failures only', () => {
    expect(isTransient(unanswered())).toBe(true)
    expect(transientReason(unanswered())).toBe('ECONNREFUSED')
    expect(isTransient(answered(503, 'INTERNAL_SERVER_ERROR'))).toBe(true)
    expect(transientReason(answered(500, 'INTERNAL_SERVER_ERROR'))).toBe('HTTP 500: refused')
    expect(isTransient(answered(400, 'BAD_REQUEST'))).toBe(false)
    expect(isTransient(answered(401, 'UNAUTHORIZED'))).toBe(false)
    expect(isTransient(new Error('a bug'))).toBe(false)
  })

  it('try again after each delay, then give up with the last failure', async () => {
    const heard: number[] = []
    let calls = 0
    const flaky = () => (++calls < 3 ? Promise.reject(unanswered()) : Promise.resolve('done'))
    expect(await withRetries(flaky, (_, delay) => heard.push(delay), [1, 2])).toBe('done')
    expect(heard).toEqual([1, 2])

    calls = -10
    await expect(withRetries(flaky, () => {}, [1, 1])).rejects.toThrow(TRPCClientError)
    expect(calls).toBe(-7)

    calls = 0
    const refused = () => (++calls, Promise.reject(answered(409, 'CONFLICT')))
    await expect(withRetries(refused, () => {}, [1, 1])).rejects.toThrow('refused')
    expect(calls).toBe(1)
  })
})
