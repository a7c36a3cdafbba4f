/**
 * @module dashboard/hooks/use-dashboard
 * The dashboard's behaviour in one place: it composes the data hooks (connection, counts, the open tab's
 * rows, the selected user's details and their API keys), the banner, the action runner, row actions and the
 * forms, routes keys to them by mode, and hands the components a plain view of it all.
 */
import { useApp } from 'ink'
import { useCallback, useEffect, useState } from 'react'
import { userName, type ActionContext, type Confirmation, type Consent } from '../actions'
import { PROVIDER_TYPES, type ProviderType } from '../../providers'
import type { DashboardClient } from '../client'
import type { Command, Hint } from '../keys'
import { layoutFor, warningLines, type Layout } from '../layout'
import { classify, problemMessage } from '../problems'
import { browsingHints, userKeysHints } from '../hints'
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
import { useUserKeys } from './use-user-keys'

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
  | { type: 'confirm'; confirmation: Confirmation; proceed(consent: Consent): void }
  | { type: 'new-user' }
  | { type: 'new-key'; name: string; error: string | undefined }
  | { type: 'secret'; name: string; key: string }

export interface DashboardView extends CreateForms {
  layout: Layout
  tab: Tab
  tabIndex: number
  search: string
  /** The login provider the user tabs are filtered by (undefined: all providers). */
  provider: ProviderType | undefined
  connection: ConnectionHandle
  counts: ReturnType<typeof useCounts>
  refreshedAt: Date
  list: PagedList<Row>
  details: DetailsState
  detailsOpen: boolean
  /** The chosen key's position while the admin is in the selected user's API keys (after `a`). */
  userKeyIndex: number | undefined
  overlay: Overlay
  banner: BannerHandle['banner']
  busy: string | undefined
  /** The footer while browsing. */
  hints: Hint[]
  setSearch(value: string): void
  keepSearch(): void
  answer(consent: Consent | undefined): void
}

export function useDashboard(options: DashboardOptions): DashboardView {
  const { client } = options
  const { exit } = useApp()
  const [detailsOpen, setDetailsOpen] = useState(false)
  const connection = useConnection(client, options.retryMs)
  const layout = layoutFor(useTerminalSize(), detailsOpen, warningLines(connection.config?.warnings ?? []).length)
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

  // One login-provider filter for the three user tabs (`p` / `P` cycle it; Esc clears it after the search).
  const [provider, setProvider] = useState<ProviderType | undefined>(undefined)

  const counts = useCounts(client, generation, ready, connection.lost)
  const list = useTabRows({
    client,
    tab,
    search: query,
    provider,
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

  const loaded = details.status === 'ready' || details.status === 'loading' ? details.details : undefined
  const userKeys = useUserKeys(selectedUser, loaded, detailsOpen)

  const [overlay, setOverlay] = useState<Overlay>({ type: 'none' })
  const close = useCallback(() => setOverlay({ type: 'none' }), [])
  const banner = useBanner(options.bannerMs)
  // A banner speaks of the list on screen: another tab, search or provider leaves it behind (a running
  // action's stays).
  const { dismiss } = banner
  useEffect(dismiss, [tab.id, search, provider, dismiss])
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
    userKey: userKeys.active ? userKeys.selected : undefined,
    confirm: (confirmation, proceed) => setOverlay({ type: 'confirm', confirmation, proceed }),
  })

  function command(chosen: Command) {
    switch (chosen.type) {
      case 'tab':
        userKeys.leave()
        return setTabIndex(chosen.index)
      case 'next-tab':
        userKeys.leave()
        return setTabIndex((index) => (index + 1) % TABS.length)
      case 'previous-tab':
        userKeys.leave()
        return setTabIndex((index) => (index + TABS.length - 1) % TABS.length)
      case 'move':
        return list.move(chosen.by)
      case 'search':
        return setOverlay({ type: 'search' })
      case 'provider':
        if (tab.kind !== 'users') {
          return banner.show('notice', `p filters users by login provider on the user tabs (1–3); not on ${tab.title}`)
        }
        return setProvider((current) => cycle(current, chosen.by))
      case 'details':
        userKeys.leave()
        return setDetailsOpen((open) => !open)
      case 'user-keys':
        return enterUserKeys()
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

  /** `a`: into the selected user's API keys, opening their details (the keys are listed there). */
  function enterUserKeys() {
    if (tab.kind !== 'users') {
      return banner.show('notice', `a opens a user's API keys on the user tabs (1–3); not on ${tab.title}`)
    }
    if (!selectedUser) return banner.show('notice', 'Nothing selected to show the API keys of')
    if (loaded?.id === selectedUser.id && loaded.apiKeys.length === 0) {
      return banner.show('notice', `${userName(selectedUser)} has no API keys`)
    }
    setDetailsOpen(true)
    userKeys.enter()
  }

  function back() {
    if (overlay.type === 'search') {
      setSearch('')
      return close()
    }
    if (overlay.type !== 'none') return close()
    if (search !== '') return setSearch('')
    if (provider && tab.kind === 'users') return setProvider(undefined)
    if (detailsOpen) return setDetailsOpen(false)
    banner.clear()
  }

  const mode: Mode =
    !ready && overlay.type !== 'help'
      ? 'offline'
      : overlay.type !== 'none'
        ? overlay.type
        : userKeys.active
          ? 'user-keys'
          : 'browse'
  useDashboardKeys(mode, {
    command,
    action: action.onRow,
    move: list.move,
    keyAction: action.onUserKey,
    moveKey: userKeys.move,
    leaveKeys: userKeys.leave,
    back,
    answer,
    alternativeKey: overlay.type === 'confirm' ? overlay.confirmation.alternative?.key : undefined,
    otherField: forms.newUser.otherField,
    quit: () => exit(),
    toggleHelp: () =>
      setOverlay((current) => (current.type === 'help' ? { type: 'none' } : { type: 'help' })),
    failed: (error) => banner.show('failure', `That key failed: ${problemMessage(classify(error))}`),
  })

  function answer(consent: Consent | undefined) {
    if (overlay.type !== 'confirm') return
    close()
    if (consent) overlay.proceed(consent)
    else banner.show('notice', overlay.confirmation.declined)
  }

  return {
    layout,
    tab,
    tabIndex,
    search,
    provider,
    connection,
    counts,
    refreshedAt,
    list,
    details,
    detailsOpen,
    userKeyIndex: userKeys.index,
    overlay,
    banner: banner.banner,
    busy: runner.busy,
    hints: userKeys.active
      ? userKeysHints(userKeys.selected, context)
      : browsingHints(tab, list.selected, context, detailsOpen),
    setSearch,
    keepSearch: close,
    answer,
    ...forms,
  }
}

/** The next filter after `current` in `p` order (all providers, then each provider), or the one before. */
function cycle(current: ProviderType | undefined, by: 1 | -1): ProviderType | undefined {
  const order = [undefined, ...PROVIDER_TYPES]
  return order[(order.indexOf(current) + by + order.length) % order.length]
}
