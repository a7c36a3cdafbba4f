/**
 * @module dashboard/hooks/use-refresh
 * A generation number that every data hook reloads on: it ticks every `intervalMs` while `active` (so a
 * pending user moves to Confirmed after their first login without a restart) and whenever `refresh()` is
 * called (after each action).
 */
import { useCallback, useEffect, useState } from 'react'

export interface Refresh {
  generation: number
  refresh(): void
  /** When the last tick happened. */
  refreshedAt: Date
}

export function useRefresh(intervalMs: number, active: boolean): Refresh {
  const [state, setState] = useState({ generation: 0, refreshedAt: new Date() })
  const refresh = useCallback(
    () => setState((current) => ({ generation: current.generation + 1, refreshedAt: new Date() })),
    [],
  )
  useEffect(() => {
    if (!active) return
    const timer = setInterval(refresh, intervalMs)
    return () => clearInterval(timer)
  }, [active, intervalMs, refresh])
  return { ...state, refresh }
}
