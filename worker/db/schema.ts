/**
 * @module db/schema
 * The D1 schema, as Drizzle tables. `npm run db:generate -- --name <why>` turns a change here into a
 * migration under `drizzle/`; never edit those by hand.
 *
 * Invariants the indexes enforce (not application code, so concurrent requests cannot race past them):
 * - one account per canonical email (`identities.email_key` is UNIQUE);
 * - one API key name per owner (`api_keys (user_id, name)` is UNIQUE);
 * - secrets (refresh tokens, API keys, confirmation/reset tokens) exist only as SHA-256 hashes;
 *   passwords only as salted KDF hashes with their parameters (PHC strings), or as imported hashes whose
 *   per-project parameters are stored once, encrypted (`password_hash_parameters`).
 * Times are Unix milliseconds.
 */
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { EVENT_STATUSES, EVENT_TYPES } from '../event-types'
import { EXTERNAL_PROVIDER_TYPES, PROVIDER_TYPES } from '../provider-types'

export const USER_STATUSES = ['pending-confirmation', 'pending-login', 'confirmed'] as const
export type UserStatus = (typeof USER_STATUSES)[number]
export const USER_TYPES = ['normal', 'server'] as const
export type UserType = (typeof USER_TYPES)[number]
/** Every App Services login provider; a deployment enables some of them (AUTH_PROVIDERS). */
export { PROVIDER_TYPES, type ProviderType } from '../provider-types'
/** Providers whose identities are someone else's account (an external id, verified at each login). */
export { EXTERNAL_PROVIDER_TYPES, type ExternalProviderType } from '../provider-types'

export const USER_TABS = ['pending', 'confirmed', 'disabled', 'server'] as const
export type UserTab = (typeof USER_TABS)[number]

/** An account. Email/password registrations are accounts too, in one of the two pending states. */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    type: text('type', { enum: USER_TYPES }).notNull(),
    status: text('status', { enum: USER_STATUSES }).notNull(),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    lastLoginAt: integer('last_login_at'),
    /**
     * Profile metadata from the user's providers (App Services' user `data`: name, first_name, picture…),
     * refreshed at each login with a provider that has some. The email of a local-userpass identity is added
     * when the profile is read.
     */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    /**
     * The user's custom data (App Services' custom user data): one JSON object, at most 4 KB serialized, set by
     * admins, the app's backend (admin API) or the user creation function; carried in every access token as
     * `user_data` (users/custom-data.ts).
     */
    customData: text('custom_data', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    /**
     * The admin list a user appears in, derived by SQLite (never written): server users (API keys) apart,
     * then disabled, confirmed, or pending (both pending states). One index range per tab.
     */
    tab: text('tab', { enum: USER_TABS }).generatedAlwaysAs(
      sql`CASE WHEN type = 'server' THEN 'server' WHEN disabled THEN 'disabled' WHEN status = 'confirmed' THEN 'confirmed' ELSE 'pending' END`,
      { mode: 'virtual' },
    ),
  },
  (t) => [
    // Newest-first keyset pages over everyone, and per tab; the tab index also serves the tab counts.
    index('users_created_idx').on(t.createdAt, t.id),
    index('users_tab_created_idx').on(t.tab, t.createdAt, t.id),
  ],
)

/**
 * A way to log in to an account. `local-userpass` identities carry the email (as given, for delivery and
 * display), its canonical form (for lookup and uniqueness) and the password hash. External providers'
 * identities carry the provider's id for the account (`external_id`: a JWT's `sub`, a function's answer,
 * Google's `sub`…), unique per provider, so one external account is always the same user; and the metadata
 * of its last login (`data`).
 */
export const identities = sqliteTable(
  'identities',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    providerType: text('provider_type', { enum: PROVIDER_TYPES }).notNull(),
    email: text('email'),
    emailKey: text('email_key'),
    passwordHash: text('password_hash'),
    externalId: text('external_id'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('identities_email_key_idx').on(t.emailKey),
    index('identities_user_idx').on(t.userId),
    uniqueIndex('identities_external_idx').on(t.providerType, t.externalId),
  ],
)

export const API_KEY_KINDS = ['user', 'server'] as const
export type ApiKeyKind = (typeof API_KEY_KINDS)[number]

/**
 * User API keys (owned by a normal user; names unique per user) and server API keys (each owned by its own
 * `server` user; names unique per app). The key is `<id>.<secret>`; only SHA-256(secret) is kept.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: API_KEY_KINDS }).notNull(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [
    uniqueIndex('api_keys_user_name_idx').on(t.userId, t.name),
    uniqueIndex('api_keys_server_name_idx')
      .on(t.name)
      .where(sql`${t.kind} = 'server'`),
  ],
)

/**
 * One login: the refresh token is `<id>.<secret>` and only SHA-256(secret) is kept. Deleting the row ends
 * the session on the very next request, access tokens included (they name their session and are checked).
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    identityId: text('identity_id').references(() => identities.id, { onDelete: 'cascade' }),
    apiKeyId: text('api_key_id').references(() => apiKeys.id, { onDelete: 'cascade' }),
    refreshHash: text('refresh_hash').notNull(),
    deviceId: text('device_id').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    index('sessions_user_idx').on(t.userId),
    index('sessions_identity_idx').on(t.identityId),
    index('sessions_api_key_idx').on(t.apiKeyId),
  ],
)

export const TOKEN_PURPOSES = ['confirm', 'reset', 'password-setup'] as const
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number]

/**
 * Email-confirmation, password-reset and password-setup (imported users) tokens: `tokenId` is the row id,
 * `token` the hashed secret.
 */
export const actionTokens = sqliteTable(
  'action_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: TOKEN_PURPOSES }).notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('action_tokens_user_idx').on(t.userId, t.purpose)],
)

/** The development mailbox: with MAIL_PROVIDER=outbox every mail lands here instead of being sent. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    link: text('link'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('outbox_to_idx').on(t.to, t.id)],
)

export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]

/**
 * Append-only trail of admin actions and lifecycle events. `user_id` is deliberately not a foreign key:
 * a deleted user's history (including the deletion itself, for later hooks) must outlive the user.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    userId: text('user_id'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
  },
  (t) => [index('audit_user_idx').on(t.userId, t.id)],
)

/**
 * Failed-login throttling per account, keyed by the canonical email (existing or not, so throttling cannot
 * reveal which emails have accounts). Backoff from the 5th consecutive failure; at most 100 failures per
 * hourly window. Updated only by one atomic upsert per failure (see auth/throttle.ts).
 */
export const loginThrottle = sqliteTable('login_throttle', {
  subject: text('subject').primaryKey(),
  failures: integer('failures').notNull(),
  windowStart: integer('window_start').notNull(),
  windowFailures: integer('window_failures').notNull(),
  lockedUntil: integer('locked_until').notNull(),
  lastFailureAt: integer('last_failure_at').notNull(),
})

/** Users per admin tab, maintained by triggers on `users` (drizzle/0004_user_tab_count_triggers.sql). */
export const userTabCounts = sqliteTable('user_tab_counts', {
  tab: text('tab', { enum: USER_TABS }).primaryKey(),
  n: integer('n').notNull(),
})

export const SIGNING_ALGORITHMS = ['ES256', 'EdDSA'] as const
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number]

export const SIGNING_KEY_SLOTS = ['current', 'next'] as const

/**
 * The asymmetric keys access tokens are signed with (published at /.well-known/jwks.json). One key is current
 * (`slot = 'current'`): it signs. One is next (`slot = 'next'`): published ahead, so verifiers already hold it
 * when a rotation makes it current. Slots are UNIQUE. A rotated key stops signing (`rotated_at`) and its
 * private part is erased at once; it stays published until `retires_at`, when every token it signed has
 * expired. `revoked_at` (emergency rotation) stops publishing and accepting it immediately. Private parts are
 * stored only encrypted (AES-256-GCM under KEY_ENCRYPTION_KEY, see auth/key-encryption.ts).
 */
export const signingKeys = sqliteTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    algorithm: text('algorithm', { enum: SIGNING_ALGORITHMS }).notNull(),
    publicJwk: text('public_jwk', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    privateKey: text('private_key'),
    slot: text('slot', { enum: SIGNING_KEY_SLOTS }),
    createdAt: integer('created_at').notNull(),
    rotatedAt: integer('rotated_at'),
    retiresAt: integer('retires_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('signing_keys_slot_idx').on(t.slot)],
)

/**
 * Clients (a device id realm-web sends, else an IP) that logged in to an account successfully, for the lockout
 * policy: an account locked by a stranger's failures still lets its owner in from a client it knows
 * (auth/throttle.ts). Written in the login's own batch; forgotten after 30 days by the daily maintenance.
 */
export const knownClients = sqliteTable(
  'known_clients',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    clientKey: text('client_key').notNull(),
    lastLoginAt: integer('last_login_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clientKey] })],
)

/**
 * Mail sent per recipient (canonical address), for the per-recipient limits (users/mail-quota.ts): a minute
 * window and a day window of mails sent, and the mails dropped over the limits (never sent, never told to the
 * caller, counted for admins).
 */
export const mailQuota = sqliteTable('mail_quota', {
  recipient: text('recipient').primaryKey(),
  minuteStart: integer('minute_start').notNull(),
  minuteSent: integer('minute_sent').notNull(),
  dayStart: integer('day_start').notNull(),
  daySent: integer('day_sent').notNull(),
  dropped: integer('dropped').notNull(),
  lastDroppedAt: integer('last_dropped_at'),
  /** 'sent' or 'dropped': what the last reservation decided (read back with RETURNING). */
  lastOutcome: text('last_outcome', { enum: ['sent', 'dropped'] }).notNull(),
})

/**
 * OAuth 2.0 redirect flows in progress (realm-web's `Credentials.google({ redirectUrl })` and friends): the
 * `state` sent to the provider is `<id>.<secret>` and only SHA-256(secret) is kept; the PKCE verifier is
 * stored encrypted. A row is consumed by its callback (at most once) or expires after 10 minutes.
 */
export const oauthFlows = sqliteTable('oauth_flows', {
  id: text('id').primaryKey(),
  secretHash: text('secret_hash').notNull(),
  provider: text('provider', { enum: EXTERNAL_PROVIDER_TYPES }).notNull(),
  /** The app's own `state` (realm-web matches the result to it) and where to send the result. */
  appState: text('app_state').notNull(),
  redirectUrl: text('redirect_url').notNull(),
  deviceId: text('device_id').notNull(),
  /** Sealed PKCE code verifier (auth/key-encryption.ts). */
  codeVerifier: text('code_verifier').notNull(),
  nonce: text('nonce').notNull(),
  /** Linking: the user and session that asked (null for a login). */
  linkUserId: text('link_user_id'),
  linkSessionId: text('link_session_id'),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
})

export const HASH_PARAMETER_SCHEMES = ['firebase-scrypt'] as const

/**
 * Per-project parameters of imported password hashes, named by the hashes that need them
 * (`$firebase-scrypt$p=<id>$…`) rather than repeated in each: Firebase's signer key is a pepper, so it exists
 * only here, sealed under KEY_ENCRYPTION_KEY with the row's id as associated data (auth/hash-parameters.ts).
 * The id is derived from the parameters; rows never change.
 */
export const passwordHashParameters = sqliteTable('password_hash_parameters', {
  id: text('id').primaryKey(),
  scheme: text('scheme', { enum: HASH_PARAMETER_SCHEMES }).notNull(),
  sealed: text('sealed').notNull(),
  createdAt: integer('created_at').notNull(),
})

export { EVENT_STATUSES, EVENT_TYPES, type EventStatus, type EventType } from '../event-types'

/**
 * The transactional outbox of lifecycle events (App Services' authentication triggers, and more): each row is
 * written in the same D1 batch as the change it describes, so neither exists without the other
 * (events/outbox.ts), and delivered at least once to each configured sink (events/delivery.ts). `seq` is the
 * commit order; `payload` is the event as sinks receive it. `recorded`: no sink was configured; `pending`:
 * to deliver (`next_attempt_at`); `delivered`; `dead`: every attempt failed (redeliverable by an admin).
 */
export const events = sqliteTable(
  'events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    type: text('type', { enum: EVENT_TYPES }).notNull(),
    userId: text('user_id').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: EVENT_STATUSES }).notNull(),
    createdAt: integer('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    /** Sinks that already have it ("queue", "webhook"), so a retry goes only where it failed. */
    deliveredTo: text('delivered_to', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    lastError: text('last_error'),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    uniqueIndex('events_id_idx').on(t.id),
    index('events_due_idx').on(t.status, t.nextAttemptAt),
    index('events_user_idx').on(t.userId, t.seq),
  ],
)
