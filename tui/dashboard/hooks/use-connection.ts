/**
 * @module dashboard/hooks/use-connection
 * Whether the dashboard can talk to Usher. It starts by reading the configuration (app id, confirmation
 * method, password limits); while that fails, or after any request fails for connection reasons (nothing
 * answers, the key is refused, the URL is not Usher), it retries every `retryMs` until Usher answers again.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { DashboardClient, DashboardConfig } from '../client'
import { classify, isConnectionProblem, type Problem } from '../problems'

export type ConnectionState =
  | { status: 'connecting'; attempt: number }
  | { status: 'ready'; config: DashboardConfig }
  | { status: 'down'; problem: Problem; attempt: number }

export interface ConnectionHandle {
  state: ConnectionState
  /** The configuration from the last successful read (kept while down, for the header). */
  config: DashboardConfig | undefined
  /**
   * Report a failed request. Connection problems take the dashboard down (and start retrying); returns
   * whether it was one, so callers show other failures themselves.
   */
  lost(error: unknown): boolean
}

export function useConnection(client: DashboardClient, retryMs: number): ConnectionHandle {
  const [state, setState] = useState<ConnectionState>({ status: 'connecting', attempt: 1 })
  const [attempt, setAttempt] = useState(1)
  const config = useRef<DashboardConfig | undefined>(undefined)

  useEffect(() => {
    let cancelled = false
    let retry: NodeJS.Timeout | undefined
    client.config.get.query().then(
      (loaded) => {
        if (cancelled) return
        config.current = loaded
        setState({ status: 'ready', config: loaded })
      },
      (error: unknown) => {
        if (cancelled) return
        setState({ status: 'down', problem: classify(error), attempt })
        retry = setTimeout(() => setAttempt((n) => n + 1), retryMs)
      },
    )
    return () => {
      cancelled = true
      clearTimeout(retry)
    }
  }, [client, attempt, retryMs])

  const lost = useCallback((error: unknown) => {
    const problem = classify(error)
    if (!isConnectionProblem(problem)) return false
    setState((current) => (current.status === 'ready' ? { status: 'down', problem, attempt: 0 } : current))
    // Reading the configuration again is the retry; the effect above keeps retrying until it succeeds.
    setAttempt((n) => n + 1)
    return true
  }, [])

  return { state, config: state.status === 'ready' ? state.config : config.current, lost }
}
