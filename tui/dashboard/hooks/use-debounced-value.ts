/**
 * @module dashboard/hooks/use-debounced-value
 * The value once it has stopped changing for `delayMs`: search sends one request per pause in typing, not
 * one per keystroke.
 */
import { useEffect, useState } from 'react'

export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs)
    return () => clearTimeout(timer)
  }, [value, delayMs])
  return settled
}
