/**
 * @module dashboard/hooks/use-dashboard
 * The dashboard's behaviour in one place: it composes the data hooks (connection, counts, the open tab's
 * rows, the selected user's details and their API keys), the banner, the action runner, row actions and the
 * forms, routes keys to them by mode, and hands the components a plain view of it all.
 */
import { useApp } from 'ink'
import { useCallback, useEffect, useState } from 'react'
import { userName, type ActionContext, type Consent } from '../actions'
import { EVENT_STATUSES, type EventStatus } from '../../events'
import { PROVIDER_TYPES, type ProviderType } from '../../providers'
import type { DashboardClient } from '../client'
import type { Environment } from '../editor'
import type { Command, Hint } from '../keys'
import { layoutFor, warningLines, type Layout } from '../layout'
import { classify, problemMessage } from '../problems'
import { browsingHints, userKeysHints } from '../hints'
import { TABS, tabAt, type ListFilter, type Tab, type TabId } from '../tabs'
import { useActionRunner } from './use-action-runner'
import { useBanner, type BannerHandle } from './use-banner'
import { useConnection, type ConnectionHandle } from './use-connection'
import { useCounts } from './use-counts'
import { useDashboardKeys, type Mode } from './use-dashboard-keys'
import { useDebouncedValue } from './use-debounced-value'
import { useCreateForms, type CreateForms } from './use-create-forms'
import { useCustomDataEditor } from './use-custom-data-editor'
import { useChangeEmail, type ChangeEmailForm } from './use-change-email'
import type { Overlay } from '../overlay'
import { useRefresh } from './use-refresh'
import { useRowActions } from './use-row-actions'
import { useTabRows, type TabRows } from './use-tab-rows'
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
  /** Where $VISUAL and $EDITOR are read (`e`), and the editor's environment. */
  env: Environment
}


export interface DashboardView extends CreateForms {
  layout: Layout
  tab: Tab
  tabIndex: number
  search: string
  /** The open tab's filter: the login provider on the user tabs, the status on the Events tab. */
  filter: ListFilter | undefined
  connection: ConnectionHandle
  counts: ReturnType<typeof useCounts>
  refreshedAt: Date
  list: TabRows
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
  /** After an edit that could not be saved: back into the editor (the text kept), or discard it. */
  editAgain(): void
  discardEdit(): void
  /** `E`: the form for a user's new email address. */
  changeEmail: ChangeEmailForm
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

  // One login-provider filter for the three user tabs (`p` / `P` cycle it; Esc clears it after the search),
  // and the Events tab's status filter (`f` / `F`).
  const [provider, setProvider] = useState<ProviderType | undefined>(undefined)
  const [eventStatus, setEventStatus] = useState<EventStatus | undefined>(undefined)
  const filter: ListFilter | undefined =
    tab.kind === 'users' && provider
      ? { value: provider, keys: 'p P' }
      : tab.kind === 'events' && eventStatus
        ? { value: eventStatus, keys: 'f F' }
        : undefined

  const counts = useCounts(client, generation, ready, connection.lost)
  const list = useTabRows({
    client,
    tab,
    search: query,
    provider,
    eventStatus,
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
  useEffect(dismiss, [tab.id, search, provider, eventStatus, dismiss])
  const runner = useActionRunner({ banner, refresh, lost: connection.lost })
  const forms = useCreateForms({ client, config: connection.config, runner, overlay, setOverlay })

  const context: ActionContext | undefined = connection.config && {
    config: connection.config,
    details: details.status === 'ready' ? details.details : undefined,
    sinks: list.eventSummary?.sinks,
  }
  const dataEditor = useCustomDataEditor({ client, env: options.env, context, runner, banner, overlay, setOverlay })
  const changeEmail = useChangeEmail({ client, runner, banner, overlay, setOverlay })
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
        return setProvider((current) => cycle(PROVIDER_TYPES, current, chosen.by))
      case 'event-status':
        if (tab.kind !== 'events') {
          return banner.show('notice', `f filters events by status on the Events tab (${tabNumber('events')}); not on ${tab.title}`)
        }
        return setEventStatus((current) => cycle(EVENT_FILTER_ORDER, current, chosen.by))
      case 'edit-data':
        return editData()
      case 'change-email':
        if (tab.kind !== 'users') {
          return banner.show('notice', `E changes a user's email on the user tabs (1–3); not on ${tab.title}`)
        }
        if (!selectedUser) return banner.show('notice', 'Nothing selected to change the email of')
        return changeEmail.open(selectedUser)
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

  /** `e`: the selected user's custom data in the admin's editor. */
  function editData() {
    if (tab.kind !== 'users') {
      return banner.show('notice', `e edits a user's custom data on the user tabs (1–3); not on ${tab.title}`)
    }
    if (!selectedUser) return banner.show('notice', 'Nothing selected to edit the custom data of')
    dataEditor.edit(selectedUser)
  }

  function back() {
    if (overlay.type === 'search') {
      setSearch('')
      return close()
    }
    if (overlay.type === 'data-problem') return dataEditor.discard()
    if (overlay.type !== 'none') return close()
    if (search !== '') return setSearch('')
    if (provider && tab.kind === 'users') return setProvider(undefined)
    if (eventStatus && tab.kind === 'events') return setEventStatus(undefined)
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
    editAgain: dataEditor.again,
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
    filter,
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
    editAgain: dataEditor.again,
    discardEdit: dataEditor.discard,
    changeEmail,
    ...forms,
  }
}

/** `f` order after "all": what needs an admin first. */
const EVENT_FILTER_ORDER = ['pending', 'dead', 'delivered', 'recorded'] as const satisfies readonly EventStatus[]
true satisfies (typeof EVENT_STATUSES)[number] extends (typeof EVENT_FILTER_ORDER)[number] ? true : never

const tabNumber = (id: TabId) => TABS.findIndex((tab) => tab.id === id) + 1

/** The next filter after `current` (all, then each value in order), or the one before. */
function cycle<Value extends string>(values: readonly Value[], current: Value | undefined, by: 1 | -1): Value | undefined {
  const order = [undefined, ...values]
  return order[(order.indexOf(current) + by + order.length) % order.length]
}
