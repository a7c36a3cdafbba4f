/**
 * @module dashboard/components/DetailsPane
 * Everything about the selected row. For a user (loaded with `users.get`): status, identities, created,
 * last login, sessions, mail against the per-recipient limits, API keys (one of them chosen while the admin
 * is in them, after `a`), the profile their providers gave, their custom data (as much as fits, `e` edits it)
 * and the most recent audit entries; for the other tabs, the row itself (a mail's full text, whose link is
 * also below the list, borderless, to copy; an audit entry's detail, what a signing key's state means for its
 * tokens, an event's delivery and its payload as sinks receive it).
 */
import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import type { EventItem, SigningKey, UserDetails } from '../../admin-client'
import { prettyJson } from '../../custom-data'
import { eventUser } from '../../events'
import { ago, auditUser, eventLook, isStuck, keyLook, outcomeLook, signingKeyLook, stamp, userLook } from '../format'
import { wrappedRows } from '../layout'
import type { Row } from '../tabs'
import type { DetailsState } from '../hooks/use-user-details'

export interface DetailsPaneProps {
  row: Row | undefined
  user: DetailsState
  /** The chosen API key's position while the admin is in the user's keys (after `a`). */
  keyIndex?: number
  width: number
  height: number
  now: number
}

export function DetailsPane({ row, user, keyIndex, width, height, now }: DetailsPaneProps) {
  return (
    <Box
      width={width}
      height={height}
      borderStyle="round"
      borderColor="cyan"
      flexDirection="column"
      paddingX={1}
      overflow="hidden"
    >
      {/* Never squeezed: a pane too short for its content (a question open below) cuts the bottom off. */}
      <Box flexDirection="column" flexShrink={0}>
        {row === undefined ? (
          <Text dimColor>Nothing selected.</Text>
        ) : row.kind === 'user' ? (
          user.status === 'error' ? (
            <Text color="red">✘ Could not load the details: {user.message}</Text>
          ) : (user.status === 'ready' || user.status === 'loading') && user.details ? (
            <UserDetailsView
              details={user.details}
              keyIndex={keyIndex}
              now={now}
              rows={height - 2}
              columns={width - 4}
            />
          ) : (
            <Text dimColor>loading {row.user.email ?? row.user.id}…</Text>
          )
        ) : row.kind === 'api-key' ? (
          <>
            <Title>API key {row.key.name}</Title>
            <Field name="id">{row.key.id}</Field>
            <Field name="state">{`${keyLook(row.key).glyph} ${keyLook(row.key).label}`}</Field>
            <Field name="user">{row.key.userId}</Field>
            <Field name="created">{`${stamp(row.key.createdAt)} (${ago(row.key.createdAt, now)})`}</Field>
            <Field name="last used">
              {row.key.lastUsedAt ? `${stamp(row.key.lastUsedAt)} (${ago(row.key.lastUsedAt, now)})` : 'never'}
            </Field>
          </>
        ) : row.kind === 'signing-key' ? (
          <SigningKeyView signingKey={row.key} now={now} />
        ) : row.kind === 'event' ? (
          <EventView event={row.event} now={now} rows={height - 2} columns={width - 4} />
        ) : row.kind === 'audit' ? (
          <>
            <Title>{row.entry.action}</Title>
            <Field name="when">{`${stamp(row.entry.at)} (${ago(row.entry.at, now)})`}</Field>
            <Field name="actor">{row.entry.actor}</Field>
            <Field name="outcome">{`${outcomeLook(row.entry.outcome).glyph} ${row.entry.outcome}`}</Field>
            <Field name="user">{auditUser(row.entry)}</Field>
            {row.entry.email && row.entry.userId && (
              <Field name="user id" wrap>
                {row.entry.userId}
              </Field>
            )}
            <Text dimColor>detail</Text>
            <Text wrap="wrap">{JSON.stringify(row.entry.detail, null, 1)}</Text>
          </>
        ) : (
          <>
            <Title>{row.mail.subject}</Title>
            <Field name="to">{row.mail.to}</Field>
            <Field name="sent">{`${stamp(row.mail.createdAt)} (${ago(row.mail.createdAt, now)})`}</Field>
            <Text wrap="wrap">{row.mail.text}</Text>
          </>
        )}
      </Box>
    </Box>
  )
}

interface UserDetailsViewProps {
  details: UserDetails
  keyIndex: number | undefined
  now: number
  /** Inside the border and padding. */
  rows: number
  columns: number
}

function UserDetailsView({ details, keyIndex, now, rows, columns }: UserDetailsViewProps) {
  const look = userLook(details, now)
  const stuck = isStuck(details, now)
  const mail = details.mail && mailText(details.mail, now)
  const wrapped = (text: string) => wrappedRows(text, columns - FIELD_NAME_WIDTH)
  const profile = profileText(details.data, (columns - FIELD_NAME_WIDTH) * PROFILE_ROWS)
  const fixedRows =
    7 + // title, status, created, last login, sessions, "custom data", "recent activity"
    wrapped(details.id) + // 24 hex fit beside the list; an imported id (a UUID, up to 128 characters) wraps
    (details.status === 'pending-confirmation' && details.confirmationExpiresAt ? 1 : 0) +
    details.identities.reduce((sum, identity) => sum + wrapped(`${identity.providerType} ${identity.id}`), 0) +
    (mail ? wrapped(mail.text) : 0) +
    (details.lock?.locked ? 1 : 0) +
    (details.lock ? 1 : 0) +
    wrapped(profile)
  // The custom data first (as much as leaves one key and one audit entry), then the keys what is left but one
  // audit entry; the audit entries, newest first, what the keys leave.
  const left = rows - fixedRows
  const dataLines = Object.keys(details.customData).length === 0 ? [] : prettyJson(details.customData).split('\n')
  const dataRoom = Math.max(1, Math.min(dataLines.length, left - 2))
  const keys = keyWindow(details.apiKeys.length, Math.max(1, left - dataRoom - 1), keyIndex)
  const auditRoom = Math.max(1, left - dataRoom - keys.rows)
  return (
    <>
      <Title>{details.email ?? details.id}</Title>
      <Field name="status">
        <Text color={look.tone}>
          {look.glyph} {details.disabled ? `disabled (${details.status})` : describeStatus(details.status)}
        </Text>
      </Field>
      {details.status === 'pending-confirmation' && details.confirmationExpiresAt && (
        <Field name="link" wrap>
          {stuck ? (
            <Text color="yellow">
              ⚠ expired {ago(details.confirmationExpiresAt, now)}: stuck (r re-runs)
            </Text>
          ) : (
            <Text>expires {ago(details.confirmationExpiresAt, now)}</Text>
          )}
        </Field>
      )}
      <Field name="id" wrap>
        {details.id}
      </Field>
      {details.identities.map((identity, index) => (
        <Field key={identity.id} name={index === 0 ? 'identities' : ''} wrap>
          {`${identity.providerType} ${identity.id}`}
        </Field>
      ))}
      <Field name="created">{`${stamp(details.createdAt)} (${ago(details.createdAt, now)})`}</Field>
      <Field name="last login">
        {details.lastLoginAt ? `${stamp(details.lastLoginAt)} (${ago(details.lastLoginAt, now)})` : 'never'}
      </Field>
      <Field name="sessions">{String(details.sessionCount)}</Field>
      {mail && (
        <Field name="mail" wrap>
          <Text color={mail.tone}>{mail.text}</Text>
        </Field>
      )}
      {details.lock?.locked && (
        <Field name="login">
          <Text color="yellow">⚠ locked until {stamp(details.lock.lockedUntil!).slice(-5)} (l unlocks)</Text>
        </Field>
      )}
      {details.lock && (
        <Field name="failures">
          {`${details.lock.consecutiveFailures} in a row, ${details.lock.failuresThisHour} this hour`}
        </Field>
      )}
      {details.apiKeys.length === 0 ? (
        <Field name="API keys">none</Field>
      ) : (
        details.apiKeys.slice(keys.start, keys.end).map((key, offset) => (
          <ApiKeyLine
            key={key.id}
            apiKey={key}
            first={offset === 0}
            chosen={keyIndex === undefined ? undefined : keys.start + offset === keyIndex}
            now={now}
          />
        ))
      )}
      {keys.hidden > 0 && (
        <Field name="">
          <Text dimColor>{`… ${keys.hidden} more (${keyIndex === undefined ? 'a, then ' : ''}↑↓)`}</Text>
        </Field>
      )}
      <Field name="profile" wrap>
        {profile}
      </Field>
      {dataLines.length === 0 ? (
        <Text dimColor>
          custom data <Text>none</Text> (e sets it)
        </Text>
      ) : (
        <>
          <Text dimColor>custom data (e edits it)</Text>
          <JsonLines lines={dataLines} room={dataRoom} more="e opens it all in your editor" />
        </>
      )}
      <Text dimColor>recent activity</Text>
      {details.recentAudit.length === 0 ? (
        <Text dimColor> none</Text>
      ) : (
        details.recentAudit.slice(0, auditRoom).map((entry) => (
          <Text key={entry.id} wrap="truncate-end">
            {outcomeLook(entry.outcome).glyph} {ago(entry.at, now).padEnd(9)} {entry.actor.padEnd(6)}{' '}
            {entry.action}
          </Text>
        ))
      )}
    </>
  )
}

/** At most this many rows of profile data (name, picture, an address…): the rest is cut with an ellipsis. */
const PROFILE_ROWS = 2

/** `name Ada Lovelace · picture https://…` in at most `most` characters; `none` without profile data. */
function profileText(data: UserDetails['data'], most: number): string {
  const entries = Object.entries(data).map(
    ([name, value]) => `${name} ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  )
  if (entries.length === 0) return 'none'
  const text = entries.join(' · ')
  const chars = [...text]
  return chars.length <= most ? text : `${chars.slice(0, Math.max(1, most - 1)).join('')}…`
}

/** JSON, one line a row, in `room` rows: when it does not fit, the last row says how much more there is. */
function JsonLines({ lines, room, more }: { lines: string[]; room: number; more: string }) {
  const fits = lines.length <= room
  const shown = fits ? lines : lines.slice(0, Math.max(0, room - 1))
  return (
    <>
      {shown.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {!fits && <Text dimColor wrap="truncate-end">{`… ${lines.length - shown.length} more lines: ${more}`}</Text>}
    </>
  )
}

/** An event: its delivery (attempts, when, where, the last error) and its payload as the sinks receive it. */
function EventView({ event, now, rows, columns }: { event: EventItem; now: number; rows: number; columns: number }) {
  const look = eventLook(event)
  const when = (iso: string) => `${stamp(iso)} (${ago(iso, now)})`
  const delivered = event.deliveredAt && `${when(event.deliveredAt)}${event.deliveredTo.length ? ` to ${event.deliveredTo.join(', ')}` : ''}`
  const wrapped = (text: string) => wrappedRows(text, columns - FIELD_NAME_WIDTH)
  const payload = prettyJson(event.payload).split('\n')
  const fixedRows =
    6 + // title, id, status, attempts, created, "payload"
    (event.nextAttemptAt ? 1 : 0) +
    (delivered ? wrapped(delivered) : 0) +
    (event.lastError ? wrapped(event.lastError) : 0)
  return (
    <>
      <Title>
        {event.type} of {eventUser(event)}
      </Title>
      <Field name="id">{event.id}</Field>
      <Field name="status">
        <Text color={look.tone} bold={event.status === 'dead'}>
          {look.glyph} {look.label}
          {event.status === 'dead' ? ' (r redelivers)' : event.status === 'recorded' ? ' (no sink then)' : ''}
        </Text>
      </Field>
      <Field name="attempts">{String(event.attempts)}</Field>
      <Field name="created">{when(event.createdAt)}</Field>
      {event.nextAttemptAt && <Field name="next try">{when(event.nextAttemptAt)}</Field>}
      {delivered && (
        <Field name="delivered" wrap>
          {delivered}
        </Field>
      )}
      {event.lastError && (
        <Field name="last error" wrap>
          <Text color="red">{event.lastError}</Text>
        </Field>
      )}
      <Text dimColor>payload (as the sinks receive it)</Text>
      <JsonLines lines={payload} room={Math.max(1, rows - fixedRows)} more="usher events list --json" />
    </>
  )
}

/**
 * One API key: `● laptop · used 5m ago`, `⊘ old-phone · disabled · used never` (short: the pane is 35 columns
 * wide beside the list). While the admin is in the keys (`chosen` defined), every line has a marker column
 * and the chosen one is `›` in inverse video, like a list row.
 */
function ApiKeyLine(props: {
  apiKey: UserDetails['apiKeys'][number]
  first: boolean
  chosen: boolean | undefined
  now: number
}) {
  const { apiKey: key, chosen, now } = props
  const look = keyLook(key)
  const notes = [key.disabled && look.label, key.kind === 'server' && 'server key'].filter(Boolean)
  return (
    <Field name={props.first ? 'API keys' : ''}>
      <Text inverse={chosen} bold={chosen}>
        {chosen === undefined ? '' : chosen ? '› ' : '  '}
        <Text color={look.tone}>{look.glyph}</Text>{' '}
        {[key.name, ...notes, `used ${ago(key.lastUsedAt, now)}`].join(' · ')}
      </Text>
    </Field>
  )
}

/** Which of `count` keys fit in `room` rows, the chosen one in view; a last row says how many are not shown. */
function keyWindow(count: number, room: number, chosen: number | undefined) {
  if (count <= room) return { start: 0, end: count, hidden: 0, rows: Math.max(1, count) }
  const shown = Math.max(1, room - 1)
  const start = Math.min(Math.max(0, (chosen ?? 0) - shown + 1), count - shown)
  return { start, end: start + shown, hidden: count - shown, rows: shown + 1 }
}

/** Mail to the user's address: sent in the last day, and what the per-recipient limits dropped (silently). */
function mailText(mail: NonNullable<UserDetails['mail']>, now: number) {
  return mail.dropped === 0
    ? { text: `${mail.sentToday} sent today, none dropped`, tone: undefined }
    : {
        text: `${mail.sentToday} sent today · ⚠ ${mail.dropped} dropped over the limits, last ${ago(mail.lastDroppedAt, now)}`,
        tone: 'yellow' as const,
      }
}

function SigningKeyView({ signingKey: key, now }: { signingKey: SigningKey; now: number }) {
  const look = signingKeyLook(key)
  const when = (iso: string) => `${stamp(iso)} (${ago(iso, now)})`
  return (
    <>
      <Title>Signing key</Title>
      <Field name="kid" wrap>
        {key.kid}
      </Field>
      <Field name="state">
        <Text color={look.tone}>
          {look.glyph} {look.label}
        </Text>
      </Field>
      <Field name="algorithm">{key.algorithm}</Field>
      <Field name="created">{when(key.createdAt)}</Field>
      {key.rotatedAt && <Field name="rotated">{when(key.rotatedAt)}</Field>}
      {key.retiresAt && <Field name="retires">{when(key.retiresAt)}</Field>}
      {key.revokedAt && <Field name="revoked">{when(key.revokedAt)}</Field>}
      <Text> </Text>
      <Text wrap="wrap">{signingKeyMeaning(key)}</Text>
    </>
  )
}

function signingKeyMeaning(key: SigningKey): string {
  if (key.revokedAt !== null) {
    return 'Revoked by an emergency rotation: tokens it signed are refused, and apps refresh onto the new key.'
  }
  switch (key.state) {
    case 'next':
      return 'Published ahead so verifiers already hold it; the next rotation (r) makes it sign. It has not signed yet.'
    case 'current':
      return 'Signs every new access token; published at /.well-known/jwks.json. r hands over to the next key (R if it leaked).'
    case 'previous':
      return 'No longer signs. Published and accepted until the tokens it signed expire; R revokes it at once.'
    case 'retired':
      return 'Neither published nor accepted: every token it signed has expired.'
  }
}

function describeStatus(status: UserDetails['status']): string {
  switch (status) {
    case 'pending-confirmation':
      return 'awaits confirmation'
    case 'pending-login':
      return 'confirmed, awaits first login'
    case 'confirmed':
      return 'confirmed'
  }
}

function Title({ children }: { children: ReactNode }) {
  return (
    <Text bold color="cyan" wrap="truncate-end">
      {children}
    </Text>
  )
}

/** `name  value`; long values (ids, explanations) may `wrap` onto the next lines instead of being cut. */
const FIELD_NAME_WIDTH = 11

function Field({ name, children, wrap = false }: { name: string; children: ReactNode; wrap?: boolean }) {
  return (
    <Box>
      <Box width={FIELD_NAME_WIDTH} flexShrink={0}>
        <Text dimColor>{name}</Text>
      </Box>
      <Text wrap={wrap ? 'wrap' : 'truncate-end'}>{children}</Text>
    </Box>
  )
}
