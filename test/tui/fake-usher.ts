/**
 * An in-memory Usher behind the dashboard's client interface, for component tests only (the e2e and tmux
 * checks use the real worker). It keeps the lifecycle rules the dashboard relies on (only
 * pending-confirmation users can be confirmed, they cannot be disabled, emails only with the email method,
 * a rotation keeps the replaced signing key accepted unless it revokes it, admins reach a user's own API
 * keys only through that user), refuses actions that would change nothing in the server's words (an
 * already disabled user or API key, no failed logins to clear, no sessions before the first login), pages by cursor
 * like the server,
 * keeps each user's profile data and custom data (checked like the server: an object of at most 4096 bytes),
 * and lifecycle events with their counts, sinks and redelivery (refused without a sink or while pending),
 * records every call, and can fail on demand: one procedure with a server message, or everything as if the
 * worker were down or the key wrong.
 */
import { TRPCClientError } from '@trpc/client'
import type {
  AuditEntry,
  EventItem,
  EventsPage,
  OutboxMail,
  ServerKey,
  KeyRotation,
  SigningKey,
  UserDetails,
  UserItem,
} from '../../tui/admin-client'
import type { DashboardClient, DashboardConfig } from '../../tui/dashboard/client'

type User = UserDetails

const MINUTE = 60_000
let sequence = 0
const hexId = () => (++sequence).toString(16).padStart(24, '0')
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString()

export function serverError(message: string, code = 'CONFLICT'): TRPCClientError<never> {
  return TRPCClientError.from({ error: { code: -32600, message, data: { code, httpStatus: 409 } } })
}

/** What fetch throws when nothing listens: `fetch failed` caused by `ECONNREFUSED`. */
export function networkError(): TRPCClientError<never> {
  const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8787'), { code: 'ECONNREFUSED' })
  return new TRPCClientError('fetch failed', { cause: new TypeError('fetch failed', { cause: socket }) })
}

export interface UserSeed {
  /** Null for a user who logs in only with a provider that gives no address (an API key, Google…). */
  email: string | null
  status?: User['status']
  disabled?: boolean
  /** Minutes since registration (newer users list first). */
  age?: number
  /** For pending-confirmation users: minutes until (negative: since) the link expires. */
  linkExpiresIn?: number
  sessions?: number
  /** Their identities (default: one local-userpass identity), e.g. an oauth2-google one with Google's id. */
  identities?: User['identities']
  /** What their providers say about them (name, picture…). */
  data?: User['data']
  customData?: User['customData']
}

export interface EventSeed {
  type: EventItem['type']
  /** The user it is about: their address, or their id (a user without one). */
  user: string
  status?: EventItem['status']
  attempts?: number
  lastError?: string | null
  /** Minutes since it was recorded. */
  age?: number
}

export class FakeUsher {
  users: User[] = []
  keys: ServerKey[] = []
  audit: AuditEntry[] = []
  outbox: OutboxMail[] = []
  /** Oldest first (by `seq`); `events.list` answers newest first. */
  events: EventItem[] = []
  /** Where events go: none by default (they are only recorded, and redelivery is refused). */
  sinks: EventsPage['sinks'] = { queue: false, webhook: null }
  /** Newest first (`keys.list` lists current and next first); the first two are made on the first `keys.list`. */
  signingKeys: SigningKey[] = []
  config: DashboardConfig = {
    appId: 'fake-app',
    confirmation: { method: 'email', subject: 'Confirm your email address' },
    password: { minLength: 6, maxLength: 128 },
    warnings: [],
  }
  calls: { path: string; input: unknown }[] = []
  /** Every call fails this way while set. */
  outage: 'offline' | 'wrong-key' | undefined
  private failures = new Map<string, string>()
  private holds = new Map<string, Promise<void>>()

  addUser(seed: UserSeed): User {
    const status = seed.status ?? 'pending-confirmation'
    const user: User = {
      id: hexId(),
      email: seed.email,
      type: 'normal',
      status,
      disabled: seed.disabled ?? false,
      identities: seed.identities ?? [{ providerType: 'local-userpass', id: hexId() }],
      createdAt: iso((seed.age ?? this.users.length) * MINUTE),
      lastLoginAt: status === 'confirmed' ? iso(MINUTE) : null,
      confirmationExpiresAt:
        status === 'pending-confirmation' ? iso(-(seed.linkExpiresIn ?? 30) * MINUTE) : null,
      lockedUntil: null,
      sessionCount: seed.sessions ?? 0,
      lock: null,
      mail: null,
      customData: seed.customData ?? {},
      data: seed.data ?? {},
      apiKeys: [],
      recentAudit: [],
    }
    this.users.push(user)
    this.record('client', 'user.registered', user.id)
    return user
  }

  /** Many users on one tab, named user01@…, newest first. */
  addUsers(count: number, status: User['status'] = 'confirmed'): User[] {
    return Array.from({ length: count }, (_, index) =>
      this.addUser({ email: `user${String(index + 1).padStart(2, '0')}@example.com`, status, age: index }),
    )
  }

  addKey(name: string, disabled = false): ServerKey {
    const key: ServerKey = {
      id: hexId(),
      name,
      disabled,
      userId: hexId(),
      createdAt: iso(5 * MINUTE),
      lastUsedAt: null,
    }
    this.keys.push(key)
    return key
  }

  /** An API key the user made for themselves (as `POST auth/api_keys` does), newest first like the server. */
  addUserKey(email: string, name: string, disabled = false): UserDetails['apiKeys'][number] {
    const key = { id: hexId(), name, kind: 'user' as const, disabled, createdAt: iso(0), lastUsedAt: null }
    this.byEmail(email).apiKeys.unshift(key)
    return key
  }

  /** A lifecycle event about a user, with the payload sinks receive (App Services' trigger shape). */
  addEvent(seed: EventSeed): EventItem {
    const user = this.users.find((candidate) => candidate.id === seed.user) ?? this.byEmail(seed.user)
    const id = hexId()
    const createdAt = iso((seed.age ?? 0) * MINUTE)
    const status = seed.status ?? 'recorded'
    const event: EventItem = {
      id,
      seq: this.events.length + 1,
      type: seed.type,
      userId: user.id,
      status,
      attempts: seed.attempts ?? (status === 'recorded' ? 0 : 1),
      createdAt,
      nextAttemptAt: status === 'pending' ? iso(-MINUTE / 6) : null,
      deliveredAt: status === 'delivered' ? createdAt : null,
      deliveredTo: status === 'delivered' ? ['webhook'] : [],
      lastError: seed.lastError ?? (status === 'dead' ? 'webhook: webhook answered HTTP 500' : null),
      payload: {
        id,
        operationType: seed.type,
        providers: user.identities.map((identity) => identity.providerType),
        user: {
          id: user.id,
          type: user.type,
          data: user.email === null ? user.data : { ...user.data, email: user.email },
          custom_data: user.customData,
          identities: user.identities.map((identity) => ({ id: identity.id, provider_type: identity.providerType, data: {} })),
        },
        time: createdAt,
      },
    }
    this.events.push(event)
    return event
  }

  /** A mail with a link as long as the server's (a 43-character token and a 24-character token id). */
  addMail(to: string, subject = 'Confirm your email address'): OutboxMail {
    const token = `t${this.outbox.length}`.padEnd(43, 'Ab9_-')
    const link = `http://usher.test/confirm?token=${token}&tokenId=${hexId()}`
    const mail: OutboxMail = {
      id: this.outbox.length + 1,
      to,
      subject,
      text: `Open this link to confirm: ${link}`,
      link,
      createdAt: iso(MINUTE),
    }
    this.outbox.push(mail)
    return mail
  }

  /**
   * What `keys.rotate` does on the server: the next key (published ahead) becomes current; the one it
   * replaces stays accepted until its tokens expire (30 minutes and a margin here), and a new next key is
   * published. With `revokePrevious`, every key still published (previous, current and next) is revoked at
   * once and fresh current and next keys take over.
   */
  rotateSigningKey(revokePrevious = false): KeyRotation {
    this.firstSigningKey()
    const now = new Date().toISOString()
    const previous = this.signingKeys.find((key) => key.state === 'current')!
    const revoked: SigningKey[] = []
    if (revokePrevious) {
      for (const key of this.signingKeys) {
        if (key.state !== 'retired') {
          const rotatedAt = key.state === 'current' ? now : key.rotatedAt
          Object.assign(key, { state: 'retired', rotatedAt, retiresAt: null, revokedAt: now })
          revoked.push(key)
        }
      }
      this.signingKeys.unshift(this.newSigningKey('current'))
    } else {
      Object.assign(previous, { state: 'previous', rotatedAt: now, retiresAt: iso(-31 * MINUTE) })
      this.signingKeys.find((key) => key.state === 'next')!.state = 'current'
    }
    this.signingKeys.unshift(this.newSigningKey('next'))
    this.record('admin', 'signing-key.rotated', null)
    const keys = this.listedSigningKeys()
    return {
      current: keys.find((key) => key.state === 'current')!,
      previous: keys.find((key) => key.kid === previous.kid)!,
      next: keys.find((key) => key.state === 'next')!,
      revoked: structuredClone(revoked),
      keys,
    }
  }

  /** What the server does when it needs keys and has none: the first current key, then a next one. */
  firstSigningKey() {
    if (this.signingKeys.length > 0) return
    this.signingKeys.unshift(this.newSigningKey('current'))
    this.signingKeys.unshift(this.newSigningKey('next'))
  }

  /** In `keys.list` order: current, next, then previous and retired keys newest first. */
  private listedSigningKeys(): SigningKey[] {
    const order = { current: 0, next: 1, previous: 2, retired: 2 }
    return structuredClone(this.signingKeys).sort((a, b) => order[a.state] - order[b.state])
  }

  private newSigningKey(state: 'current' | 'next'): SigningKey {
    return {
      // Shaped like an RFC 7638 thumbprint (43 base64url characters), told apart by its first ones.
      kid: `kid${String(this.signingKeys.length + 1).padStart(2, '0')}`.padEnd(43, '_x'),
      algorithm: 'ES256',
      state,
      createdAt: new Date().toISOString(),
      rotatedAt: null,
      retiresAt: null,
      revokedAt: null,
    }
  }

  /** The next call to `path` (e.g. `users.confirm`) fails with `message`, as the server would say it. */
  failNext(path: string, message: string) {
    this.failures.set(path, message)
  }

  /** The next call to `path` waits (a slow server) until the returned function is called. */
  holdNext(path: string): () => void {
    let release = () => {}
    this.holds.set(path, new Promise<void>((resolve) => (release = resolve)))
    return () => release()
  }

  /** What five failed logins do on the server: the account is locked for a while. */
  lockOut(email: string) {
    const user = this.byEmail(email)
    const lockedUntil = new Date(Date.now() + 60_000).toISOString()
    user.lockedUntil = lockedUntil
    user.lock = { locked: true, lockedUntil, consecutiveFailures: 5, failuresThisHour: 5, lastFailureAt: iso(0) }
  }

  /** Failed logins below the lockout: on record (clear-lock has something to clear) but not locked. */
  failLogins(email: string, count: number) {
    const user = this.byEmail(email)
    user.lock = { locked: false, lockedUntil: null, consecutiveFailures: count, failuresThisHour: count, lastFailureAt: iso(0) }
  }

  /** What a user's first login does on the server: pending-login → confirmed. */
  firstLogin(email: string) {
    const user = this.byEmail(email)
    user.status = 'confirmed'
    user.lastLoginAt = new Date().toISOString()
    user.sessionCount += 1
  }

  byEmail(email: string): User {
    const user = this.users.find((candidate) => candidate.email === email)
    if (!user) throw new Error(`no fake user ${email}`)
    return user
  }

  callsTo(path: string) {
    return this.calls.filter((call) => call.path === path)
  }

  private record(
    actor: string,
    action: string,
    userId: string | null,
    outcome: AuditEntry['outcome'] = 'ok',
  ) {
    const user = this.users.find((candidate) => candidate.id === userId)
    const entry: AuditEntry = {
      id: this.audit.length + 1,
      at: new Date().toISOString(),
      actor,
      action,
      userId,
      // audit.list names the user the entry is about by their address.
      email: user?.email ?? null,
      detail: {},
      outcome,
    }
    this.audit.push(entry)
    user?.recentAudit.unshift(entry)
  }

  private async call<T>(path: string, input: unknown, work: () => T): Promise<T> {
    this.calls.push({ path, input })
    await Promise.resolve()
    const hold = this.holds.get(path)
    this.holds.delete(path)
    await hold
    if (this.outage === 'offline') throw networkError()
    if (this.outage === 'wrong-key') {
      throw TRPCClientError.from({
        error: {
          code: -32001,
          message: 'a valid admin key is required',
          data: { code: 'UNAUTHORIZED', httpStatus: 401 },
        },
      })
    }
    const failure = this.failures.get(path)
    if (failure !== undefined) {
      this.failures.delete(path)
      throw serverError(failure, 'BAD_GATEWAY')
    }
    return work()
  }

  private user(userId: string): User {
    const user = this.users.find((candidate) => candidate.id === userId)
    if (!user) throw serverError('user not found', 'NOT_FOUND')
    return user
  }

  /** One of the user's own keys (never a server user's server key), as the admin API addresses them. */
  private userKey(userId: string, keyId: string) {
    const key = this.user(userId).apiKeys.find((candidate) => candidate.id === keyId && candidate.kind === 'user')
    if (!key) throw serverError('API key not found', 'NOT_FOUND')
    return key
  }

  /** `users.enableApiKey` / `users.disableApiKey`: answered with the key as the admin API shows it. */
  private switchUserKey(path: string, input: { userId: string; keyId: string }, disabled: boolean) {
    return this.call(path, input, () => {
      this.refuseKeyNoOp(this.userKey(input.userId, input.keyId), disabled)
      const { kind: _kind, ...key } = Object.assign(this.userKey(input.userId, input.keyId), { disabled })
      this.record('admin', disabled ? 'api-key.disabled' : 'api-key.enabled', input.userId)
      return { ...key, userId: input.userId }
    })
  }

  /** Admins are told when a key already is in the asked state (the server's sentences). */
  private refuseKeyNoOp(key: { disabled: boolean }, disabled: boolean) {
    if (key.disabled === disabled) {
      throw serverError(disabled ? 'this API key is already disabled' : 'this API key is not disabled')
    }
  }

  private key(keyId: string): ServerKey {
    const key = this.keys.find((candidate) => candidate.id === keyId)
    if (!key) throw serverError('API key not found', 'NOT_FOUND')
    return key
  }

  private tabOf(user: User) {
    return user.disabled ? 'disabled' : user.status === 'confirmed' ? 'confirmed' : 'pending'
  }

  private item(user: User): UserItem {
    const { sessionCount: _sessions, apiKeys: _keys, recentAudit: _audit, lock: _lock, mail: _mail, ...item } = user
    return item
  }

  private counts() {
    const count = (tab: string) => this.users.filter((user) => this.tabOf(user) === tab).length
    return {
      pending: count('pending'),
      confirmed: count('confirmed'),
      disabled: count('disabled'),
      all: this.users.length,
    }
  }

  private event(id: string): EventItem {
    const event = this.events.find((candidate) => candidate.id === id)
    if (!event) throw serverError(`no event with id ${id}`, 'NOT_FOUND')
    return event
  }

  private newestFirst(users: User[]): User[] {
    return [...users].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
  }

  readonly client: DashboardClient = {
    config: { get: { query: () => this.call('config.get', undefined, () => this.config) } },
    users: {
      list: {
        query: (input) =>
          this.call('users.list', input, () => {
            const status = input.status ?? 'all'
            const matching = this.newestFirst(this.users).filter(
              (user) =>
                (status === 'all' || this.tabOf(user) === status) &&
                (!input.provider || user.identities.some((identity) => identity.providerType === input.provider)) &&
                (!input.search || (user.email ?? '').includes(input.search.toLowerCase())),
            )
            const start = input.cursor ? matching.findIndex((user) => user.id === input.cursor) + 1 : 0
            const limit = input.limit ?? 50
            const page = matching.slice(start, start + limit)
            const more = start + limit < matching.length
            return {
              items: page.map((user) => this.item(user)),
              nextCursor: more ? page[page.length - 1]!.id : null,
              counts: this.counts(),
            }
          }),
      },
      get: {
        query: ({ userId }) => this.call('users.get', { userId }, () => structuredClone(this.user(userId))),
      },
      create: {
        mutate: (input) =>
          this.call('users.create', input, () => {
            if (this.users.some((user) => user.email === input.email)) {
              throw serverError(`an account with the email ${input.email} already exists`)
            }
            const user = this.addUser({ email: input.email, status: 'confirmed', age: 0 })
            user.lastLoginAt = null
            return this.item(user)
          }),
      },
      confirm: {
        mutate: ({ userId }) =>
          this.call('users.confirm', { userId }, () => {
            const user = this.user(userId)
            if (user.status !== 'pending-confirmation') throw serverError('already confirmed', 'BAD_REQUEST')
            user.status = 'pending-login'
            user.confirmationExpiresAt = null
            this.record('admin', 'user.confirmed', userId)
            return this.item(user)
          }),
      },
      rerunConfirmation: {
        mutate: ({ userId }) =>
          this.call('users.rerunConfirmation', { userId }, () => {
            const user = this.user(userId)
            if (user.status !== 'pending-confirmation') throw serverError('already confirmed', 'BAD_REQUEST')
            user.confirmationExpiresAt = iso(-30 * MINUTE)
            this.record('admin', 'user.confirmation-rerun', userId)
            return this.item(user)
          }),
      },
      sendConfirmationEmail: {
        mutate: ({ userId }) =>
          this.call('users.sendConfirmationEmail', { userId }, () => {
            const user = this.user(userId)
            if (this.config.confirmation.method !== 'email') {
              throw serverError('confirmation emails are not used', 'BAD_REQUEST')
            }
            user.confirmationExpiresAt = iso(-30 * MINUTE)
            this.addMail(user.email ?? '')
            return this.item(user)
          }),
      },
      disable: {
        mutate: ({ userId }) =>
          this.call('users.disable', { userId }, () => {
            const user = this.user(userId)
            if (user.status === 'pending-confirmation') {
              throw serverError('unconfirmed users cannot be disabled, only deleted')
            }
            if (user.disabled) throw serverError('this user is already disabled')
            user.disabled = true
            user.sessionCount = 0
            return this.item(user)
          }),
      },
      enable: {
        mutate: ({ userId }) =>
          this.call('users.enable', { userId }, () => {
            const user = this.user(userId)
            if (!user.disabled) throw serverError('this user is not disabled')
            user.disabled = false
            return this.item(user)
          }),
      },
      revokeSessions: {
        mutate: (input) =>
          this.call('users.revokeSessions', input, () => {
            const user = this.user(input.userId)
            if (user.lastLoginAt === null) {
              throw serverError('this user has not logged in yet: there are no sessions to revoke')
            }
            const revoked = user.sessionCount
            user.sessionCount = 0
            this.record('admin', 'user.sessions-revoked', user.id)
            let apiKeysDisabled = 0
            if (input.disableApiKeys) {
              const enabled = user.apiKeys.filter((key) => key.kind === 'user' && !key.disabled)
              for (const key of enabled) key.disabled = true
              apiKeysDisabled = enabled.length
              if (enabled.length > 0) this.record('admin', 'api-key.disabled', user.id)
            }
            return { revoked, apiKeysDisabled, userId: user.id, email: user.email }
          }),
      },
      clearLock: {
        mutate: ({ userId }) =>
          this.call('users.clearLock', { userId }, () => {
            const user = this.user(userId)
            if (!user.lock) throw serverError('this user has no failed logins to clear')
            user.lockedUntil = null
            user.lock = null
            return this.item(user)
          }),
      },
      enableApiKey: { mutate: (input) => this.switchUserKey('users.enableApiKey', input, false) },
      disableApiKey: { mutate: (input) => this.switchUserKey('users.disableApiKey', input, true) },
      deleteApiKey: {
        mutate: (input) =>
          this.call('users.deleteApiKey', input, () => {
            const user = this.user(input.userId)
            const key = this.userKey(input.userId, input.keyId)
            user.apiKeys = user.apiKeys.filter((candidate) => candidate !== key)
            this.record('admin', 'api-key.deleted', input.userId)
            return { deleted: true as const, keyId: key.id, name: key.name }
          }),
      },
      setCustomData: {
        mutate: (input) =>
          this.call('users.setCustomData', input, () => {
            const user = this.user(input.userId)
            const bytes = Buffer.byteLength(JSON.stringify(input.data))
            if (bytes > 4096) {
              throw serverError(`custom data is ${bytes} bytes: at most 4096 (it is carried in every access token)`, 'BAD_REQUEST')
            }
            user.customData = structuredClone(input.data)
            this.record('admin', 'user.custom-data-set', user.id)
            return { userId: user.id, customData: structuredClone(input.data) }
          }),
      },
      changeEmail: {
        mutate: (input) =>
          this.call('users.changeEmail', input, () => {
            const user = this.user(input.userId)
            if (user.email === null) throw serverError('this user has no email/password identity')
            if (input.email === user.email) throw serverError(`${input.email} is already this user's email`)
            if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) throw serverError(`invalid email address: not an address`, 'BAD_REQUEST')
            const key = input.email.toLowerCase()
            if (this.users.some((other) => other.id !== user.id && other.email?.toLowerCase() === key)) {
              throw serverError(`an account with the email ${input.email} already exists`)
            }
            const previousEmail = user.email
            user.email = input.email
            this.record('admin', 'user.email-changed', user.id)
            return { ...this.item(user), previousEmail }
          }),
      },
      delete: {
        mutate: ({ userId }) =>
          this.call('users.delete', { userId }, () => {
            const { email } = this.user(userId)
            this.users = this.users.filter((user) => user.id !== userId)
            return { deleted: true as const, userId, email }
          }),
      },
    },
    apiKeys: {
      list: {
        query: () => this.call('apiKeys.list', undefined, () => ({ items: [...this.keys].reverse() })),
      },
      create: {
        mutate: ({ name }) =>
          this.call('apiKeys.create', { name }, () => {
            if (this.keys.some((key) => key.name === name)) {
              throw serverError('an API key with this name already exists')
            }
            const key = this.addKey(name)
            return { ...key, key: `${key.id}.secret-for-${name}` }
          }),
      },
      enable: {
        mutate: ({ keyId }) =>
          this.call('apiKeys.enable', { keyId }, () => {
            this.refuseKeyNoOp(this.key(keyId), false)
            return Object.assign(this.key(keyId), { disabled: false })
          }),
      },
      disable: {
        mutate: ({ keyId }) =>
          this.call('apiKeys.disable', { keyId }, () => {
            this.refuseKeyNoOp(this.key(keyId), true)
            return Object.assign(this.key(keyId), { disabled: true })
          }),
      },
      delete: {
        mutate: ({ keyId }) =>
          this.call('apiKeys.delete', { keyId }, () => {
            this.key(keyId)
            this.keys = this.keys.filter((key) => key.id !== keyId)
            return { deleted: true as const, keyId }
          }),
      },
    },
    keys: {
      list: {
        query: () =>
          this.call('keys.list', undefined, () => {
            this.firstSigningKey()
            return { items: this.listedSigningKeys() }
          }),
      },
      rotate: {
        mutate: (input) =>
          this.call('keys.rotate', input, () => this.rotateSigningKey(input.revokePrevious ?? false)),
      },
    },
    audit: {
      list: {
        query: (input) =>
          this.call('audit.list', input, () => {
            const newest = [...this.audit].reverse()
            const start = input.cursor
              ? newest.findIndex((entry) => String(entry.id) === input.cursor) + 1
              : 0
            const limit = input.limit ?? 50
            const page = newest.slice(start, start + limit)
            return {
              items: page,
              nextCursor: start + limit < newest.length ? String(page[page.length - 1]!.id) : null,
            }
          }),
      },
    },
    outbox: {
      list: {
        query: (input) =>
          this.call('outbox.list', input, () => ({
            items: [...this.outbox].reverse().slice(0, input.limit ?? 20),
          })),
      },
    },
    events: {
      list: {
        query: (input) =>
          this.call('events.list', input, () => {
            const status = input.status ?? 'all'
            const matching = [...this.events]
              .reverse()
              .filter(
                (event) =>
                  (status === 'all' || event.status === status) &&
                  (!input.type || event.type === input.type) &&
                  (!input.userId || event.userId === input.userId) &&
                  (!input.cursor || event.seq < Number(input.cursor)),
              )
            const limit = input.limit ?? 50
            const page = matching.slice(0, limit)
            const count = (wanted: EventItem['status']) => this.events.filter((event) => event.status === wanted).length
            return {
              items: structuredClone(page),
              nextCursor: matching.length > limit ? String(page[page.length - 1]!.seq) : null,
              counts: { recorded: count('recorded'), pending: count('pending'), delivered: count('delivered'), dead: count('dead') },
              sinks: { ...this.sinks },
            }
          }),
      },
      redeliver: {
        mutate: ({ id }) =>
          this.call('events.redeliver', { id }, () => {
            const event = this.event(id)
            if (!this.sinks.queue && this.sinks.webhook === null) {
              throw serverError('no event sink is configured (EVENTS_QUEUE or EVENTS_WEBHOOK_URL): there is nowhere to deliver it')
            }
            if (event.status === 'pending') throw serverError('this event is already waiting for delivery')
            Object.assign(event, { status: 'pending', attempts: 0, nextAttemptAt: new Date().toISOString(), deliveredTo: [], lastError: null })
            return structuredClone(event)
          }),
      },
    },
  }
}
