/**
 * @module dashboard/hooks/use-dashboard
 * The dashboard's behaviour in one place: it composes the data hooks (connection, counts, the open tab's
 * rows, the selected user's details), the banner, the action runner, row actions and the forms, routes
 * keys to them by mode, and hands the components a plain view of it all.
 */
import { useApp } from 'ink'
import { useCallback, useState } from 'react'
import type { ActionContext, Confirmation } from '../actions'
import type { DashboardClient } from '../client'
import type { Command, Hint } from '../keys'
import { layoutFor, type Layout } from '../layout'
import { classify, problemMessage } from '../problems'
import { browsingHints } from '../hints'
import { TABS, tabAt, type Row, type Tab, type TabId } from '../tabs'
import { useActionRunner } from './use-action-runner'
import { useBanner, type BannerHandle } from './use-banner'
import { useConnection, type ConnectionHandle } from './use-connection'
import { useCounts } from './use-counts'
import { useDashboardKeys, type Mode } from './use-dashboard-keys'
import { useDebouncedValue } from './use-debounced-value'
import { useCreateForms, type CreateForms } from './use-create-forms'
import type { PagedList } from './use-paged-list'
import { useRefresh } from './use-refresh'
import { useRowActions } from './use-row-actions'
import { useTabRows } from './use-tab-rows'
import { useTerminalSize } from './use-terminal-size'
import { useUserDetails, type DetailsState } from './use-user-details'

export interface DashboardOptions {
  client: DashboardClient
  /** Lists and counts reload this often (ms). */
  refreshMs: number
  /** While Usher cannot be reached, try again this often (ms). */
  retryMs: number
  /** Finished banners fade after this long (ms). */
  bannerMs: number
}

export type Overlay =
  | { type: 'none' }
  | { type: 'search' }
  | { type: 'help' }
  | { type: 'confirm'; confirmation: Confirmation; progress: string; work: () => Promise<string> }
  | { type: 'new-user' }
  | { type: 'new-key'; name: string; error: string | undefined }
  | { type: 'secret'; name: string; key: string }

export interface DashboardView extends CreateForms {
  layout: Layout
  tab: Tab
  tabIndex: number
  search: string
  connection: ConnectionHandle
  counts: ReturnType<typeof useCounts>
  refreshedAt: Date
  list: PagedList<Row>
  details: DetailsState
  detailsOpen: boolean
  overlay: Overlay
  banner: BannerHandle['banner']
  busy: string | undefined
  /** The footer while browsing. */
  hints: Hint[]
  setSearch(value: string): void
  keepSearch(): void
  answer(yes: boolean): void
}

export function useDashboard(options: DashboardOptions): DashboardView {
  const { client } = options
  const { exit } = useApp()
  const [detailsOpen, setDetailsOpen] = useState(false)
  const layout = layoutFor(useTerminalSize(), detailsOpen)
  const connection = useConnection(client, options.retryMs)
  const ready = connection.state.status === 'ready'
  const { generation, refresh, refreshedAt } = useRefresh(options.refreshMs, ready)

  const [tabIndex, setTabIndex] = useState(0)
  const tab = tabAt(tabIndex)
  const [searches, setSearches] = useState<Partial<Record<TabId, string>>>({})
  const search = searches[tab.id] ?? ''
  const query = useDebouncedValue(search, 150)
  // Stable and idempotent: @inkjs/ui text inputs call onChange again whenever its identity changes.
  const setSearch = useCallback(
    (value: string) =>
      setSearches((current) =>
        (current[tab.id] ?? '') === value ? current : { ...current, [tab.id]: value },
      ),
    [tab.id],
  )

  const counts = useCounts(client, generation, ready, connection.lost)
  const list = useTabRows({
    client,
    tab,
    search: query,
    visibleRows: layout.listRows,
    generation,
    enabled: ready,
    onError: connection.lost,
  })
  const selectedUser = list.selected?.kind === 'user' ? list.selected.user : undefined
  const details = useUserDetails(
    client,
    detailsOpen && ready ? selectedUser?.id : undefined,
    generation,
    connection.lost,
  )

  const [overlay, setOverlay] = useState<Overlay>({ type: 'none' })
  const close = useCallback(() => setOverlay({ type: 'none' }), [])
  const banner = useBanner(options.bannerMs)
  const runner = useActionRunner({ banner, refresh, lost: connection.lost })
  const forms = useCreateForms({ client, config: connection.config, runner, overlay, setOverlay })

  const context: ActionContext | undefined = connection.config && {
    config: connection.config,
    details: details.status === 'ready' ? details.details : undefined,
  }
  const action = useRowActions({
    client,
    tab,
    row: list.selected,
    context,
    banner,
    runner,
    confirm: (confirmation, progress, work) => setOverlay({ type: 'confirm', confirmation, progress, work }),
  })

  function command(chosen: Command) {
    switch (chosen.type) {
      case 'tab':
        return setTabIndex(chosen.index)
      case 'next-tab':
        return setTabIndex((index) => (index + 1) % TABS.length)
      case 'previous-tab':
        return setTabIndex((index) => (index + TABS.length - 1) % TABS.length)
      case 'move':
        return list.move(chosen.by)
      case 'search':
        return setOverlay({ type: 'search' })
      case 'details':
        return setDetailsOpen((open) => !open)
      case 'new':
        if (tab.kind === 'users') return forms.openNewUser()
        if (tab.kind === 'api-keys') return forms.openNewKey()
        if (tab.kind === 'signing-keys') {
          return banner.show('notice', 'New signing keys come from rotating: r publishes a new next key (R revokes every key)')
        }
        return banner.show(
          'notice',
          `n creates users on the user tabs (1–3) and API keys on tab 4; not on ${tab.title}`,
        )
      case 'help':
        return setOverlay({ type: 'help' })
      case 'quit':
        return exit()
    }
  }

  function back() {
    if (overlay.type === 'search') {
      setSearch('')
      return close()
    }
    if (overlay.type !== 'none') return close()
    if (search !== '') return setSearch('')
    if (detailsOpen) return setDetailsOpen(false)
    banner.clear()
  }

  const mode: Mode =
    !ready && overlay.type !== 'help' ? 'offline' : overlay.type === 'none' ? 'browse' : overlay.type
  useDashboardKeys(mode, {
    command,
    action,
    move: list.move,
    back,
    answer,
    otherField: forms.newUser.otherField,
    quit: () => exit(),
    toggleHelp: () =>
      setOverlay((current) => (current.type === 'help' ? { type: 'none' } : { type: 'help' })),
    failed: (error) => banner.show('failure', `That key failed: ${problemMessage(classify(error))}`),
  })

  function answer(yes: boolean) {
    if (overlay.type !== 'confirm') return
    close()
    if (yes) void runner.run(overlay.progress, overlay.work)
    else banner.show('notice', overlay.confirmation.declined)
  }

  return {
    layout,
    tab,
    tabIndex,
    search,
    connection,
    counts,
    refreshedAt,
    list,
    details,
    detailsOpen,
    overlay,
    banner: banner.banner,
    busy: runner.busy,
    hints: browsingHints(tab, list.selected, context, detailsOpen),
    setSearch,
    keepSearch: close,
    answer,
    ...forms,
  }
}
