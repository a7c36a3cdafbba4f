/**
 * @module dashboard/components/DetailsPane
 * Everything about the selected row. For a user (loaded with `users.get`): status, identities, created,
 * last login, sessions, API keys and the most recent audit entries; for the other tabs, the row itself
 * (a mail's full text and link, an audit entry's detail, what a signing key's state means for its tokens).
 */
import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import type { SigningKey, UserDetails } from '../../admin-client'
import { ago, isStuck, keyLook, outcomeLook, signingKeyLook, stamp, userLook } from '../format'
import type { Row } from '../tabs'
import type { DetailsState } from '../hooks/use-user-details'

export interface DetailsPaneProps {
  row: Row | undefined
  user: DetailsState
  width: number
  height: number
  now: number
}

export function DetailsPane({ row, user, width, height, now }: DetailsPaneProps) {
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
      {row === undefined ? (
        <Text dimColor>Nothing selected.</Text>
      ) : row.kind === 'user' ? (
        user.status === 'error' ? (
          <Text color="red">✘ Could not load the details: {user.message}</Text>
        ) : (user.status === 'ready' || user.status === 'loading') && user.details ? (
          <UserDetailsView details={user.details} now={now} rows={height - 2} />
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
      ) : row.kind === 'audit' ? (
        <>
          <Title>{row.entry.action}</Title>
          <Field name="when">{`${stamp(row.entry.at)} (${ago(row.entry.at, now)})`}</Field>
          <Field name="actor">{row.entry.actor}</Field>
          <Field name="outcome">{`${outcomeLook(row.entry.outcome).glyph} ${row.entry.outcome}`}</Field>
          <Field name="user">{row.entry.userId ?? '—'}</Field>
          <Text dimColor>detail</Text>
          <Text wrap="wrap">{JSON.stringify(row.entry.detail, null, 1)}</Text>
        </>
      ) : (
        <>
          <Title>{row.mail.subject}</Title>
          <Field name="to">{row.mail.to}</Field>
          <Field name="sent">{`${stamp(row.mail.createdAt)} (${ago(row.mail.createdAt, now)})`}</Field>
          {row.mail.link && <Field name="link">{row.mail.link}</Field>}
          <Text wrap="wrap">{row.mail.text}</Text>
        </>
      )}
    </Box>
  )
}

function UserDetailsView({ details, now, rows }: { details: UserDetails; now: number; rows: number }) {
  const look = userLook(details, now)
  const stuck = isStuck(details, now)
  // What is left below the fixed fields goes to audit entries, newest first.
  const auditRoom = Math.max(
    1,
    rows - 11 - Math.max(1, details.apiKeys.length) - 2 * details.identities.length,
  )
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
      <Field name="id">{details.id}</Field>
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
        details.apiKeys.map((key, index) => (
          <Field key={key.id} name={index === 0 ? 'API keys' : ''}>
            {`${keyLook(key).glyph} ${key.name} · ${key.kind} · used ${ago(key.lastUsedAt, now)}`}
          </Field>
        ))
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
function Field({ name, children, wrap = false }: { name: string; children: ReactNode; wrap?: boolean }) {
  return (
    <Box>
      <Box width={11} flexShrink={0}>
        <Text dimColor>{name}</Text>
      </Box>
      <Text wrap={wrap ? 'wrap' : 'truncate-end'}>{children}</Text>
    </Box>
  )
}
