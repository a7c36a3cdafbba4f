/**
 * @module dashboard/hooks/use-counts
 * How many users each tab holds, for the header, on every refresh (one one-row `users.list` request).
 */
import { useEffect, useRef, useState } from 'react'
import type { UserCounts } from '../../admin-client'
import type { DashboardClient } from '../client'

export function useCounts(
  client: DashboardClient,
  generation: number,
  enabled: boolean,
  onError: (error: unknown) => void,
): UserCounts | undefined {
  const [counts, setCounts] = useState<UserCounts | undefined>(undefined)
  const report = useRef(onError)
  report.current = onError
  useEffect(() => {
    if (!enabled) return
    let cancelled = false
    client.users.list.query({ status: 'all', limit: 1 }).then(
      (page) => {
        if (!cancelled) setCounts(page.counts)
      },
      (error: unknown) => {
        if (!cancelled) report.current(error)
      },
    )
    return () => {
      cancelled = true
    }
  }, [client, generation, enabled])
  return counts
}
