/**
 * @module dashboard/layout
 * How the screen is divided. Fixed chrome (header, tabs, status line, banner, two footer lines, and the
 * deployment's warnings if it has any) around a bordered body; the list gets every remaining row, and one page from the server is exactly one screen of
 * rows. The details pane sits beside the list from 100 columns, and replaces it below that (80×24 works).
 */
import type { WindowSize } from 'ink'

export interface Layout {
  width: number
  height: number
  /** Rows of the bordered body. */
  bodyHeight: number
  /** List rows inside the body (below its column header). */
  listRows: number
  details: 'none' | 'beside' | 'instead'
  listWidth: number
  detailsWidth: number
}

const CHROME_ROWS = 7
const MOST_WARNING_LINES = 2
const MIN = { columns: 60, rows: 16 }
export const SIDE_BY_SIDE_COLUMNS = 100

/** `noticeRows`: lines under the header that stay (the deployment's configuration warnings). */
export function layoutFor(size: WindowSize, detailsOpen: boolean, noticeRows = 0): Layout {
  const width = Math.max(MIN.columns, size.columns)
  const height = Math.max(MIN.rows, size.rows)
  const bodyHeight = height - CHROME_ROWS - noticeRows
  const details = !detailsOpen ? 'none' : width >= SIDE_BY_SIDE_COLUMNS ? 'beside' : 'instead'
  const listWidth = details === 'beside' ? Math.floor(width / 2) : width
  return {
    width,
    height,
    bodyHeight,
    listRows: Math.max(1, bodyHeight - 3),
    details,
    listWidth,
    detailsWidth: details === 'beside' ? width - listWidth : width,
  }
}

/** The warning lines under the header, whose rows the body gives up: each warning, or the first and how many more. */
export function warningLines(warnings: readonly string[]): string[] {
  if (warnings.length <= MOST_WARNING_LINES) return [...warnings]
  return [warnings[0]!, `${warnings.length - 1} more warnings: \`usher config\` lists them all`]
}

/** Rows `text` takes in `width` columns, wrapped at spaces as Ink wraps it (a longer word is cut hard). */
export function wrappedRows(text: string, width: number): number {
  const room = Math.max(1, width)
  let rows = 1
  let column = 0
  for (const word of text.split(' ')) {
    let length = [...word].length
    if (column > 0 && column + 1 + length > room) {
      rows++
      column = 0
    } else if (column > 0) column++
    while (column + length > room) {
      length -= room - column
      rows++
      column = 0
    }
    column += length
  }
  return rows
}
