/**
 * @module dashboard/hooks/use-terminal-size
 * The terminal's size, following resizes. A `TerminalSizeContext` provider fixes it instead: tests render at
 * exact sizes (80×24, 100×30) whatever terminal runs them.
 */
import { useWindowSize, type WindowSize } from 'ink'
import { createContext, useContext } from 'react'

export const TerminalSizeContext = createContext<WindowSize | undefined>(undefined)

export function useTerminalSize(): WindowSize {
  const fixed = useContext(TerminalSizeContext)
  const window = useWindowSize()
  return fixed ?? window
}
