/**
 * @module dashboard/hooks/use-banner
 * The one-line banner under the list, as in the App Services console: green after a success, red with the
 * server's message after a failure, yellow when the rules forbid an action, a spinner while one runs.
 * Finished banners fade after `timeoutMs`, or as soon as the list they spoke of is left (`dismiss`).
 */
import { useCallback, useEffect, useState } from 'react'

export type BannerTone = 'success' | 'failure' | 'notice' | 'progress'

export interface Banner {
  tone: BannerTone
  text: string
}

export interface BannerHandle {
  banner: Banner | undefined
  show(tone: BannerTone, text: string): void
  clear(): void
  /** Clear a finished banner; a spinner stays, since its action's result is still to come. */
  dismiss(): void
}

export function useBanner(timeoutMs: number): BannerHandle {
  const [banner, setBanner] = useState<Banner | undefined>(undefined)
  useEffect(() => {
    if (!banner || banner.tone === 'progress') return
    const timer = setTimeout(() => setBanner(undefined), timeoutMs)
    return () => clearTimeout(timer)
  }, [banner, timeoutMs])
  const show = useCallback((tone: BannerTone, text: string) => setBanner({ tone, text }), [])
  const clear = useCallback(() => setBanner(undefined), [])
  const dismiss = useCallback(() => setBanner((current) => (current?.tone === 'progress' ? current : undefined)), [])
  return { banner, show, clear, dismiss }
}
