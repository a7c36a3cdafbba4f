/**
 * @module dashboard/Dashboard
 * The Usher dashboard: the App Services console's Users page as a keyboard-driven terminal app. All state
 * and keys live in `useDashboard`; this component only lays the screen out.
 *
 * @example
 * ```tsx
 * const client = createAdminClient({ url, adminKey })
 * render(<Dashboard client={client} connection={resolveConnection({}, process.env)} />)
 * ```
 */
import { Box } from 'ink'
import type { Connection } from '../connection'
import type { DashboardClient } from './client'
import { BannerLine } from './components/BannerLine'
import { ConfirmPrompt, confirmPromptHeight } from './components/ConfirmPrompt'
import { ConnectionPanel } from './components/ConnectionPanel'
import { DataProblemPrompt, dataProblemHeight } from './components/DataProblemPrompt'
import { DetailsPane } from './components/DetailsPane'
import { ErrorBoundary } from './components/ErrorBoundary'
import { Footer } from './components/Footer'
import { Header } from './components/Header'
import { HelpOverlay } from './components/HelpOverlay'
import { ListPane } from './components/ListPane'
import { MailLink, mailLinkHeight } from './components/MailLink'
import { OneFieldForm } from './components/OneFieldForm'
import { NewUserForm } from './components/NewUserForm'
import { SecretPanel } from './components/SecretPanel'
import { StatusLine } from './components/StatusLine'
import { TabBar } from './components/TabBar'
import type { Environment } from './editor'
import { useDashboard, type DashboardView } from './hooks/use-dashboard'
import type { EventSummary } from './hooks/use-tab-rows'
import { explainConnectionProblem, classify, problemMessage } from './problems'
import { OFFLINE_HINTS, overlayHints } from './hints'
import { sinkNames } from '../events'
import { TABS, type Tab } from './tabs'

export interface DashboardProps {
  client: DashboardClient
  /** Where the client points, for the header and for plain-language connection problems. */
  connection: Pick<Connection, 'url' | 'source' | 'profile'>
  /** Lists and counts reload this often (ms); default 5 s. */
  refreshMs?: number
  /** While Usher cannot be reached, retry this often (ms); default 3 s. */
  retryMs?: number
  /** Finished banners fade after this long (ms); default 8 s. */
  bannerMs?: number
  /** Where `e` reads $VISUAL and $EDITOR, and the editor's environment; default `process.env`. */
  env?: Environment
}

export function Dashboard(props: DashboardProps) {
  return (
    <ErrorBoundary>
      <Screen {...props} />
    </ErrorBoundary>
  )
}

function Screen(props: DashboardProps) {
  const { client, connection, refreshMs = 5000, retryMs = 3000, bannerMs = 8000, env = process.env } = props
  const view = useDashboard({ client, refreshMs, retryMs, bannerMs, env })
  const { layout, list, tab } = view
  const state = view.connection.state
  const status = state.status === 'ready' ? 'live' : state.status === 'down' ? 'down' : 'connecting'
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <Header
        appId={view.connection.config?.appId}
        url={connection.url}
        counts={status === 'down' ? undefined : view.counts}
        warnings={view.connection.config?.warnings ?? []}
        width={layout.width}
      />
      <TabBar
        tabs={TABS}
        activeIndex={view.tabIndex}
        status={status}
        refreshedAt={view.refreshedAt}
        width={layout.width}
      />
      <StatusLine
        width={layout.width}
        searching={view.overlay.type === 'search'}
        search={view.search}
        filter={view.filter}
        caption={view.overlay.type === 'help' ? HELP_CAPTION : caption(tab, list.eventSummary)}
        position={position(view)}
        hasNextPage={list.hasNextPage}
        loading={list.status === 'loading' && status === 'live'}
        onSearchChange={view.setSearch}
        onSearchSubmit={view.keepSearch}
      />
      {state.status !== 'ready' && view.overlay.type !== 'help' ? (
        <ConnectionPanel
          width={layout.width}
          height={layout.bodyHeight}
          url={connection.url}
          problem={state.status === 'down' ? explainConnectionProblem(state.problem, connection) : undefined}
          attempt={state.status === 'down' ? state.attempt : 1}
          retryMs={retryMs}
        />
      ) : (
        <Body view={view} />
      )}
      <BannerLine banner={view.banner} width={layout.width} />
      <Footer
        hints={
          view.overlay.type !== 'none'
            ? overlayHints(view.overlay)
            : state.status === 'ready'
              ? view.hints
              : OFFLINE_HINTS
        }
        width={layout.width}
      />
    </Box>
  )
}

function Body({ view }: { view: DashboardView }) {
  const { layout, list, tab, overlay } = view
  const now = Date.now()
  if (overlay.type === 'help') return <HelpOverlay width={layout.width} height={layout.bodyHeight} />
  if (overlay.type === 'secret') {
    return (
      <Box height={layout.bodyHeight}>
        <SecretPanel name={overlay.name} secret={overlay.key} width={layout.width} />
      </Box>
    )
  }
  const link = list.selected?.kind === 'mail' ? list.selected.mail.link : null
  const formRows = formHeight(overlay, layout.width) + (link ? mailLinkHeight(link, layout.width) : 0)
  const listError =
    list.status === 'error' && list.items.length === 0
      ? `Could not load ${tab.title}: ${problemMessage(classify(list.error))}`
      : undefined
  const pane =
    layout.details === 'instead' ? null : (
      <ListPane
        tab={tab}
        rows={list.items}
        selectedIndex={list.selectedIndex}
        offset={list.offset}
        visibleRows={layout.listRows - formRows}
        width={layout.listWidth}
        height={layout.bodyHeight - formRows}
        search={view.search}
        filter={view.filter}
        loaded={list.status !== 'loading'}
        error={listError}
        now={now}
      />
    )
  return (
    <Box flexDirection="column" height={layout.bodyHeight}>
      <Box>
        {pane}
        {layout.details !== 'none' && (
          <DetailsPane
            row={list.selected}
            user={view.details}
            keyIndex={view.userKeyIndex}
            width={layout.detailsWidth}
            height={layout.bodyHeight - formRows}
            now={now}
          />
        )}
      </Box>
      {link && <MailLink link={link} width={layout.width} />}
      <Overlay view={view} />
    </Box>
  )
}

/** Forms, the confirmation question and a mail's link open below the list, which gives up their rows. */
function formHeight(overlay: DashboardView['overlay'], width: number): number {
  switch (overlay.type) {
    case 'new-user':
      return 7
    case 'new-key':
    case 'change-email':
      return 6
    case 'confirm':
      return confirmPromptHeight({ ...overlay.confirmation, width })
    case 'data-problem':
      return dataProblemHeight(overlay.problem, width)
    default:
      return 0
  }
}

function Overlay({ view }: { view: DashboardView }) {
  const { overlay, layout } = view
  switch (overlay.type) {
    case 'confirm':
      return (
        <ConfirmPrompt {...overlay.confirmation} width={layout.width} onAnswer={view.answer} />
      )
    case 'new-user':
      return (
        <NewUserForm
          width={layout.width}
          field={view.newUser.field}
          error={view.newUser.error}
          passwordLimits={view.connection.config?.password ?? { minLength: 6, maxLength: 128 }}
          busy={view.busy !== undefined}
          onEmailChange={view.newUser.changeEmail}
          onPasswordChange={view.newUser.changePassword}
          onEmailSubmit={() => view.newUser.focus('password')}
          onPasswordSubmit={view.submitNewUser}
        />
      )
    case 'data-problem':
      return <DataProblemPrompt problem={overlay.problem} width={layout.width} />
    case 'new-key':
      return (
        <OneFieldForm
          width={layout.width}
          title="New server API key"
          label="name"
          placeholder="e.g. backend-prod"
          submit="create"
          error={overlay.error}
          busy={view.busy !== undefined}
          onChange={view.setKeyName}
          onSubmit={view.submitNewKey}
        />
      )
    case 'change-email':
      return (
        <OneFieldForm
          width={layout.width}
          title={`New email address for ${overlay.user.email}`}
          label="email"
          placeholder="e.g. ada@new.example.com"
          defaultValue={overlay.user.email ?? ''}
          submit="change it (the old address is told)"
          error={overlay.error}
          busy={view.busy !== undefined}
          onChange={view.changeEmail.setEmail}
          onSubmit={view.changeEmail.submit}
        />
      )
    default:
      return null
  }
}

function position(view: DashboardView): string | undefined {
  const { list } = view
  if (list.items.length === 0) return undefined
  const first = list.pageStart + list.offset + 1
  const last = list.pageStart + Math.min(list.items.length, list.offset + view.layout.listRows)
  return `page ${list.page + 1} · rows ${first}–${last}`
}

const CAPTIONS: Record<Tab['id'], string> = {
  pending: '○ unconfirmed  ⚠ stuck: link expired  ◐ awaits first login',
  confirmed: 'Confirmed users (●), newest first',
  disabled: 'Disabled users (⊘): logins refused until enabled (u)',
  'api-keys': 'Server API keys (n creates one; its key is shown once)',
  'signing-keys': '◌ next  ● signs  ◐ still accepted  ○ retired  ⊘ revoked',
  audit: 'Audit trail, newest first (search filters this page)',
  outbox: 'Dev outbox: the newest 100 mails (Enter shows one in full)',
  events: 'Lifecycle events, newest first',
}

/** Above the help overlay: how to close it, and what the footer offers. */
const HELP_CAPTION = 'Keys · ? or Esc closes · the footer offers only what the rules allow for the selected row'

/** What the tab shows; on the Events tab, how many are dead or on their way, and where they go. */
function caption(tab: Tab, events: EventSummary | undefined): string {
  if (tab.kind !== 'events' || !events) return CAPTIONS[tab.id]
  const { counts, sinks } = events
  const where = sinkNames(sinks)
  return [
    `✘ ${counts.dead} dead`,
    `◐ ${counts.pending} pending`,
    where ? `to ${where}` : 'no sink: events only recorded',
  ].join(' · ')
}
