/**
 * @module tui/cli/retry
 * Calls that are safe to repeat (an import chunk: the rows it already wrote are skipped the second time; an
 * export page; a page of set-password mail: users already mailed have a valid link and are not mailed again)
 * are tried again when no answer came back (the network, a timeout, a proxy's error page) or the server failed
 * (5xx), and not when it refused (4xx: it would refuse again).
 */
import { TRPCClientError } from '@trpc/client'

/** Waits before the second and the third attempt. */
export const RETRY_DELAYS_MS = [1000, 3000] as const

const httpStatus = (error: TRPCClientError<never>) =>
  (error.data as { httpStatus?: number } | undefined)?.httpStatus

/** Whether trying again may succeed: no answer, or a server failure. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false
  const status = httpStatus(error)
  return status === undefined || status >= 500
}

/** A few words on why an attempt failed, for the "trying again" note (the final failure gets the full line). */
export function transientReason(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const status = httpStatus(error)
    if (status !== undefined) return `HTTP ${status}: ${error.message}`
  }
  for (let link = error; link; link = (link as { cause?: unknown }).cause) {
    const code = (link as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return error instanceof Error ? error.message : String(error)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * `attempt()`, tried again after each of `delays` while it fails transiently; `onRetry` hears about each retry
 * before its wait. The last failure (or the first that is not transient) is thrown as it is.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  onRetry: (error: unknown, delayMs: number) => void,
  delays: readonly number[] = RETRY_DELAYS_MS,
): Promise<T> {
  for (let tried = 0; ; tried++) {
    try {
      return await attempt()
    } catch (error) {
      const delay = delays[tried]
      if (delay === undefined || !isTransient(error)) throw error
      onRetry(error, delay)
      await sleep(delay)
    }
  }
}
