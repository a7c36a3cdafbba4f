/**
 * @module dashboard/hooks/use-paged-list
 * A list that pages through the server by cursor, one page at a time: it never holds more than the page on
 * screen (plus the cursors that lead back to earlier pages), so 100,000 users cost one screen of rows.
 *
 * Moving past the last row fetches the next page, past the first row the previous one; PgDn/PgUp jump a page
 * (or a screen, for lists the server returns whole); `g` goes back to the newest rows. Reloads (`generation`)
 * keep the selected row by id, so a refresh never moves the highlight to someone else.
 */
import { useCallback, useEffect, useRef, useState } from 'react'

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export type Move = 'up' | 'down' | 'page-up' | 'page-down' | 'top' | 'bottom'

export interface PagedListOptions<T> {
  /** Which list this is (tab and search): a new key starts again from the first page. */
  listKey: string
  /**
   * Where the rows come from (the tab). While only the rest of the key changes (typing a search), the old
   * rows stay on screen until the new ones arrive, instead of flashing an empty list.
   */
  source: string
  load(cursor: string | undefined, limit: number): Promise<Page<T>>
  pageSize: number
  /** Rows on screen: lists longer than that scroll. */
  visibleRows: number
  /** Reload the current page whenever this changes. */
  generation: number
  /** Off while Usher is unreachable: nothing is requested. */
  enabled: boolean
  onError(error: unknown): void
}

export interface PagedList<T> {
  status: 'loading' | 'ready' | 'error'
  error: unknown
  items: T[]
  selectedIndex: number
  selected: T | undefined
  /** First row on screen. */
  offset: number
  /** 0-based page number, and the position of its first row in the whole list. */
  page: number
  pageStart: number
  hasNextPage: boolean
  move(to: Move): void
}

interface State<T> {
  listKey: string
  source: string
  /** `cursors[i]` fetched page `i`; the last one is the page on screen. */
  cursors: (string | undefined)[]
  /** `starts[i]`: position of page `i`'s first row in the whole list. */
  starts: number[]
  items: T[]
  nextCursor: string | null
  selectedIndex: number
  selectedId: string | undefined
  offset: number
  status: 'loading' | 'ready' | 'error'
  error: unknown
  /** Where the selection lands when the page being fetched arrives. */
  land: 'first' | 'last' | undefined
}

const fresh = <T>(listKey: string, source: string, previous?: State<T>): State<T> => ({
  listKey,
  source,
  cursors: [undefined],
  starts: [0],
  items: previous?.source === source ? previous.items : [],
  nextCursor: null,
  selectedIndex: 0,
  selectedId: undefined,
  offset: 0,
  status: 'loading',
  error: undefined,
  land: 'first',
})

function scrolled(offset: number, selected: number, visible: number, length: number): number {
  const rows = Math.max(1, visible)
  let next = Math.min(offset, Math.max(0, length - rows))
  if (selected < next) next = selected
  if (selected >= next + rows) next = selected - rows + 1
  return Math.max(0, next)
}

export function usePagedList<T extends { id: string }>(options: PagedListOptions<T>): PagedList<T> {
  const { listKey, pageSize, visibleRows, generation, enabled } = options
  const [state, setState] = useState<State<T>>(() => fresh(listKey, options.source))
  const latest = useRef(options)
  latest.current = options

  // A new tab or search: start over (during render, so the old list's cursor is never requested).
  let current = state
  if (state.listKey !== listKey) {
    current = fresh(listKey, options.source, state)
    setState(current)
  }

  const page = current.cursors.length - 1
  const cursor = current.cursors[page]
  const limit = Math.max(1, Math.min(100, pageSize))

  useEffect(() => {
    if (!enabled) return
    let cancelled = false
    setState((s) => (s.status === 'loading' ? s : { ...s, status: 'loading' }))
    latest.current.load(cursor, limit).then(
      (result) => {
        if (cancelled) return
        setState((s) => arrive(s, result, latest.current.visibleRows))
      },
      (error: unknown) => {
        if (cancelled) return
        setState((s) => ({ ...s, status: 'error', error, land: undefined }))
        latest.current.onError(error)
      },
    )
    return () => {
      cancelled = true
    }
  }, [listKey, page, cursor, limit, generation, enabled])

  const move = useCallback((to: Move) => {
    setState((s) => step(s, to, latest.current.visibleRows))
  }, [])

  const offset = scrolled(current.offset, current.selectedIndex, visibleRows, current.items.length)
  return {
    status: current.status,
    error: current.error,
    items: current.items,
    selectedIndex: current.selectedIndex,
    selected: current.items[current.selectedIndex],
    offset,
    page,
    pageStart: current.starts[page] ?? 0,
    hasNextPage: current.nextCursor !== null,
    move,
  }
}

function arrive<T extends { id: string }>(s: State<T>, result: Page<T>, visible: number): State<T> {
  const page = s.cursors.length - 1
  if (result.items.length === 0 && page > 0) {
    // Everything on this page went away (deleted, or moved to another tab): show the page before it.
    return { ...s, cursors: s.cursors.slice(0, -1), starts: s.starts.slice(0, -1), land: 'last' }
  }
  const items = result.items
  let selectedIndex: number
  if (s.land === 'first') selectedIndex = 0
  else if (s.land === 'last') selectedIndex = items.length - 1
  else {
    const kept = items.findIndex((item) => item.id === s.selectedId)
    selectedIndex = kept >= 0 ? kept : Math.min(s.selectedIndex, items.length - 1)
  }
  selectedIndex = Math.max(0, selectedIndex)
  return {
    ...s,
    items,
    nextCursor: result.nextCursor,
    selectedIndex,
    selectedId: items[selectedIndex]?.id,
    offset: scrolled(s.land === 'first' ? 0 : s.offset, selectedIndex, visible, items.length),
    status: 'ready',
    error: undefined,
    land: undefined,
  }
}

function step<T extends { id: string }>(s: State<T>, to: Move, visible: number): State<T> {
  const last = s.items.length - 1
  const page = s.cursors.length - 1
  // One page request at a time: holding PgDn must not queue the same cursor twice.
  const canTurn = s.status !== 'loading'
  const select = (index: number): State<T> => {
    const selectedIndex = Math.max(0, Math.min(index, last))
    return {
      ...s,
      selectedIndex,
      selectedId: s.items[selectedIndex]?.id,
      offset: scrolled(s.offset, selectedIndex, visible, s.items.length),
    }
  }
  const next = (): State<T> =>
    canTurn && s.nextCursor !== null
      ? {
          ...s,
          cursors: [...s.cursors, s.nextCursor],
          starts: [...s.starts, (s.starts[page] ?? 0) + s.items.length],
          land: 'first',
          status: 'loading',
        }
      : s
  const previous = (land: 'first' | 'last'): State<T> =>
    canTurn && page > 0
      ? { ...s, cursors: s.cursors.slice(0, -1), starts: s.starts.slice(0, -1), land, status: 'loading' }
      : s
  const rows = Math.max(1, visible)
  const offset = scrolled(s.offset, s.selectedIndex, visible, s.items.length)

  switch (to) {
    case 'down':
      return s.selectedIndex < last ? select(s.selectedIndex + 1) : next()
    case 'up':
      return s.selectedIndex > 0 ? select(s.selectedIndex - 1) : previous('last')
    case 'page-down':
      if (offset + rows <= last)
        return { ...select(s.selectedIndex + rows), offset: Math.min(offset + rows, last) }
      return s.nextCursor !== null ? next() : select(last)
    case 'page-up':
      if (offset > 0) return { ...select(s.selectedIndex - rows), offset: Math.max(0, offset - rows) }
      return page > 0 ? previous('first') : select(0)
    case 'top':
      return page > 0 && canTurn
        ? { ...s, cursors: [undefined], starts: [0], land: 'first', status: 'loading' }
        : select(0)
    case 'bottom':
      return select(last)
  }
}
