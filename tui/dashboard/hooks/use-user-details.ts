/**
 * @module dashboard/hooks/use-user-details
 * The selected user in full (sessions, API keys, recent audit entries) while the details pane is open. It
 * waits for the selection to settle, so holding ↓ does not send a request per row.
 */
import { useEffect, useRef, useState } from 'react'
import type { UserDetails } from '../../admin-client'
import type { DashboardClient } from '../client'
import { classify, problemMessage } from '../problems'

export type DetailsState =
  | { status: 'idle' }
  | { status: 'loading'; details: UserDetails | undefined }
  | { status: 'ready'; details: UserDetails }
  | { status: 'error'; message: string }

const SETTLE_MS = 120

export function useUserDetails(
  client: DashboardClient,
  userId: string | undefined,
  generation: number,
  onError: (error: unknown) => void,
): DetailsState {
  const [state, setState] = useState<DetailsState>({ status: 'idle' })
  const report = useRef(onError)
  report.current = onError
  useEffect(() => {
    if (userId === undefined) {
      setState({ status: 'idle' })
      return
    }
    let cancelled = false
    setState((s) => ({
      status: 'loading',
      // Keep showing the same user's details while they reload; never another user's.
      details:
        (s.status === 'ready' || s.status === 'loading') && s.details?.id === userId ? s.details : undefined,
    }))
    const timer = setTimeout(() => {
      client.users.get.query({ userId }).then(
        (details) => {
          if (!cancelled) setState({ status: 'ready', details })
        },
        (error: unknown) => {
          if (cancelled) return
          setState({ status: 'error', message: problemMessage(classify(error)) })
          report.current(error)
        },
      )
    }, SETTLE_MS)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [client, userId, generation])
  return state
}
