/**
 * @module dashboard/hooks/use-action-runner
 * Runs one admin action at a time: a spinner banner while it runs, then green with the success sentence or
 * red with the server's own message, then a refresh so every list and count shows the new state.
 */
import { useCallback, useRef, useState } from 'react'
import { classify, problemMessage } from '../problems'
import type { BannerHandle } from './use-banner'

export interface ActionRunner {
  /** What is running, if anything. */
  busy: string | undefined
  /**
   * Run `work` (which resolves to the success sentence) with `progress` as the spinner's label. Resolves to
   * whether it succeeded; never rejects.
   */
  run(progress: string, work: () => Promise<string>): Promise<boolean>
}

export function useActionRunner(options: {
  banner: BannerHandle
  refresh(): void
  lost(error: unknown): boolean
}): ActionRunner {
  const [busy, setBusy] = useState<string | undefined>(undefined)
  const running = useRef(false)
  const latest = useRef(options)
  latest.current = options

  const run = useCallback(async (progress: string, work: () => Promise<string>) => {
    const { banner } = latest.current
    if (running.current) {
      banner.show('notice', 'One action at a time: wait for the one running to finish')
      return false
    }
    running.current = true
    setBusy(progress)
    banner.show('progress', `${progress}…`)
    try {
      const done = await work()
      latest.current.banner.show('success', done)
      return true
    } catch (error) {
      latest.current.lost(error)
      latest.current.banner.show('failure', `${progress} failed: ${problemMessage(classify(error))}`)
      return false
    } finally {
      running.current = false
      setBusy(undefined)
      latest.current.refresh()
    }
  }, [])

  return { busy, run }
}
