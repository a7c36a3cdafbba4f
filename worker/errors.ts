/**
 * @module errors
 * The closed vocabulary of failures. Domain code throws `UsherError`s built by the factories below; the
 * client API renders them as App Services bodies `{error, error_code, link}` (worker/client/respond.ts) and
 * the admin API as tRPC errors (worker/admin/trpc.ts). Nothing else reaches the wire: unknown exceptions
 * become a bare 500 without a stack.
 *
 * Texts follow what Atlas App Services answered where that is known (`invalid username/password`,
 * `name already in use`, `invalid token data`, …) because apps match on them. One deliberate difference:
 * credential and linking failures never use 401 + `InvalidSession` / `unauthorized`, which make realm-web
 * refresh and retry forever.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export const ERROR_CODES = [
  'AccountNameInUse',
  'APIKeyAlreadyExists',
  'APIKeyNotFound',
  'AuthError',
  'AuthProviderNotFound',
  'BadRequest',
  'FunctionNotFound',
  'InternalServerError',
  'InvalidParameter',
  'InvalidPassword',
  'InvalidSession',
  'MissingParameter',
  'NotFound',
  'PasswordSetupRequired',
  'PayloadTooLarge',
  'ServiceUnavailable',
  'TooManyRequests',
  'UnsupportedMediaType',
  'UserAlreadyConfirmed',
  'UserDisabled',
  'UserNotFound',
  'UserpassTokenInvalid',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** What each code means, for people: served at /errors, where every error body's `link` points. */
export const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  AccountNameInUse: 'An account with this email address already exists (registered or pending confirmation).',
  APIKeyAlreadyExists: 'An API key with this name already exists for this owner.',
  APIKeyNotFound: 'No API key with this id belongs to the caller.',
  AuthError:
    'The credentials cannot be used: refused by their provider (a JWT, id token or function answer that does not verify), or valid but not usable this way (unconfirmed, linked elsewhere, in use).',
  AuthProviderNotFound: 'This login provider is not enabled on this deployment (AUTH_PROVIDERS).',
  BadRequest: 'The request is well-formed JSON but not acceptable: see the message and `fields`.',
  FunctionNotFound: 'Usher manages users only; App Services functions are not run here.',
  InternalServerError: 'Something failed on the server. Nothing was half-written; retry later.',
  InvalidParameter: 'A value is outside what is accepted: see the message and `fields`.',
  InvalidPassword: 'Wrong email/password or API key (deliberately the same answer for every such case).',
  InvalidSession: 'The token is missing, malformed, expired, or its session has ended: refresh or log in again.',
  MissingParameter: 'A required value is missing.',
  NotFound: 'No such route, or the client app id in the URL is not this deployment’s APP_ID.',
  PasswordSetupRequired:
    'The account was imported without a password Usher can check: it logs in after setting one, with the link an admin mails (or a password reset). Not answered with ENUMERATION_PROTECTION=on.',
  PayloadTooLarge: 'The request body is larger than 16 KB.',
  ServiceUnavailable: 'A service Usher depends on (mail provider, confirmation or reset function) failed.',
  TooManyRequests: 'Too many attempts: wait and retry.',
  UnsupportedMediaType: 'The body must be JSON, sent with Content-Type: application/json.',
  UserAlreadyConfirmed: 'The user is already confirmed: there is nothing to confirm or re-send.',
  UserDisabled: 'An administrator disabled this user.',
  UserNotFound: 'No user has this email address.',
  UserpassTokenInvalid: 'The confirmation or reset token is unknown, already used or older than 30 minutes.',
}

export class UsherError extends Error {
  override readonly name = 'UsherError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: ContentfulStatusCode,
    /** Field-level problems, for validation failures. */
    readonly fields?: Record<string, string[]>,
    /** For 429s: when to retry, in seconds (sent as `Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }
}

const fail = (code: ErrorCode, status: ContentfulStatusCode) => (message: string) =>
  new UsherError(code, message, status)

/** Session and token problems: realm-web refreshes on these (access token) or logs out (refresh token). */
export const invalidSession = fail('InvalidSession', 401)
export const errors = {
  invalidSession,
  accessTokenExpired: () => invalidSession('invalid session: access token expired'),
  refreshTokenNotFound: () => invalidSession('invalid session: failed to find refresh token'),
  wrongTokenType: () => invalidSession('invalid refresh token: incorrect token type'),
  missingAuth: () => new UsherError('InvalidSession', 'must authenticate first', 401),

  /** Wrong email/password, unknown email, throttled login: deliberately one indistinguishable answer. */
  invalidCredentials: () => new UsherError('InvalidPassword', 'invalid username/password', 401),
  invalidApiKey: () => new UsherError('InvalidPassword', 'invalid API key', 401),
  apiKeyDisabled: () => new UsherError('InvalidPassword', 'API key disabled', 401),
  /** An external provider's credentials were refused (App Services' `AuthError` texts where known). */
  providerRefused: (message: string) => new UsherError('AuthError', message, 401),
  confirmationRequired: () =>
    new UsherError('AuthError', 'confirmation required: confirm the email address before logging in', 401),
  userDisabled: () => new UsherError('UserDisabled', 'user disabled', 401),
  passwordSetupRequired: () =>
    new UsherError('PasswordSetupRequired', 'password setup required: set a password with the link mailed to you, or reset your password', 401),

  accountNameInUse: () => new UsherError('AccountNameInUse', 'name already in use', 409),
  identityBelongsToAnotherUser: () =>
    new UsherError('AuthError', 'a user already exists with the specified provider', 409),
  cannotLink: (why: string) => new UsherError('InvalidParameter', why, 400),

  userNotFound: () => new UsherError('UserNotFound', 'user not found', 404),
  tokenInvalid: () => new UsherError('UserpassTokenInvalid', 'invalid token data', 400),
  /** App Services' text, which realm-web's own integration tests assert. */
  alreadyConfirmed: () => new UsherError('UserAlreadyConfirmed', 'already confirmed', 400),
  notConfirmedYet: () =>
    new UsherError(
      'BadRequest',
      'the email address is not confirmed yet: confirm it first (a new confirmation email can be requested)',
      400,
    ),
  wrongMethod: (message: string) => new UsherError('BadRequest', message, 400),
  functionFailed: (message: string) => new UsherError('BadRequest', message, 400),
  functionUnavailable: (message: string) => new UsherError('ServiceUnavailable', message, 502),
  mailFailed: (message: string) => new UsherError('ServiceUnavailable', message, 502),
  /** The app's user creation function answered `{"error": …}`: no user was created. */
  userCreationRefused: (message: string) => new UsherError('BadRequest', `user creation refused: ${message}`, 400),

  apiKeyNotFound: () => new UsherError('APIKeyNotFound', 'API key not found', 404),
  apiKeyNameInUse: () =>
    new UsherError('APIKeyAlreadyExists', 'an API key with this name already exists', 409),
  apiKeyLimit: (max: number) =>
    new UsherError('BadRequest', `maximum of ${max} API keys reached: delete one first`, 400),
  apiKeyInUse: () =>
    new UsherError('AuthError', 'cannot delete the API key this session logged in with', 403),
  apiKeySessionCannotCreateKeys: () =>
    new UsherError('AuthError', 'a session opened with an API key cannot create API keys: log in with your credentials', 403),
  anonymousApiKeys: () =>
    new UsherError('AuthError', 'anonymous users cannot create API keys: link an identity first', 403),

  /** A lifecycle rule refuses the action in the user's current state (admin and client alike). */
  refused: (message: string) => new UsherError('BadRequest', message, 409),
  badRequest: (message: string, fields?: Record<string, string[]>) =>
    new UsherError('BadRequest', message, 400, fields),
  invalidParameter: (message: string, fields?: Record<string, string[]>) =>
    new UsherError('InvalidParameter', message, 400, fields),
  providerNotFound: (provider: string) =>
    new UsherError('AuthProviderNotFound', `authentication provider not found: ${provider}`, 404),
  notFound: (message = 'not found') => new UsherError('NotFound', message, 404),
  payloadTooLarge: (limit: number) =>
    new UsherError('PayloadTooLarge', `request body larger than ${limit} bytes`, 413),
  unsupportedMediaType: () =>
    new UsherError('UnsupportedMediaType', 'expected a JSON body (Content-Type: application/json)', 415),
  /** Per-client-IP limits (Workers Rate Limiting, 60-second periods). */
  tooManyRequests: (retryAfterSeconds = 60) =>
    new UsherError('TooManyRequests', 'too many requests: slow down and retry later', 429, undefined, retryAfterSeconds),
  internal: () => new UsherError('InternalServerError', 'internal server error', 500),
  kdfBudget: (budget: number) =>
    new UsherError(
      'TooManyRequests',
      `this request already spent its password-hashing budget (${budget} hashes): send at most ${budget} password operations (e.g. users.create) per request`,
      429,
      undefined,
      1,
    ),
  /** Only someone holding the right password ever gets this answer (auth/throttle.ts). */
  accountLocked: (retryAfterSeconds: number) =>
    new UsherError(
      'TooManyRequests',
      `temporarily locked after too many failed logins: reset your password, or wait ${Math.max(1, Math.ceil(retryAfterSeconds / 60))} minute${retryAfterSeconds > 60 ? 's' : ''}`,
      429,
      undefined,
      retryAfterSeconds,
    ),
  /** PUBLIC_URL empty and the request not on a loopback address: no trustworthy origin for links. */
  publicUrlRequired: () =>
    new UsherError(
      'InternalServerError',
      'this deployment has no PUBLIC_URL: set it to the public origin (https://auth.example.com); links and the location answer are never built from a request\'s Host header',
      500,
    ),
} satisfies Record<string, (...args: never[]) => UsherError>

/**
 * Why a call to something outside Usher failed (an app's function, a webhook, a provider), in a few words for
 * an error message or the audit trail: a timeout as `timedOut` says, anything else by its message.
 */
export function describeFailure(error: unknown, timedOut = 'timed out after 10 s'): string {
  if (error instanceof Error) return error.name === 'TimeoutError' ? timedOut : error.message
  return String(error)
}
