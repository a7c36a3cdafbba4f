/**
 * @module users/custom-data
 * Custom user data (App Services' custom user data), and the user creation function that may set it first.
 *
 * One JSON object per user, at most 4 KB serialized (it rides in every access token, as the `user_data` claim
 * realm-web reads into `user.customData`; `refreshCustomData()` is a token refresh). Admins and the app's
 * backend set it through the admin API (`users.setCustomData`), audited.
 *
 * In the token it is canonical EJSON by default (CUSTOM_DATA_FORMAT=ejson), as App Services put it there:
 * `{"seats": 5}` reaches realm-web as `{seats: {$numberInt: "5"}}`, so apps written against App Services
 * (many call `EJSON.deserialize(user.customData)`) see exactly what they saw. CUSTOM_DATA_FORMAT=json puts it
 * in as stored: `{seats: 5}`. The admin API and the UsherService RPC always give plain JSON.
 *
 * The user creation function (USER_CREATION_FUNCTION_URL, a signed webhook like the confirmation function's,
 * or the USER_CREATION_FUNCTION binding) runs before any new user exists — registrations, anonymous and
 * external first logins, admin-created users — with the user object App Services passed, and answers
 * `{"customData": {…}}` (optional) to accept or `{"error": "…"}` to refuse; refusing, failing or timing out
 * (10 s) means no user is created.
 */
import { eq } from 'drizzle-orm'
import type { Actor, Usher } from '../context'
import { runBatch } from '../db/client'
import { users, type ProviderType } from '../db/schema'
import { describeFailure, errors } from '../errors'
import { auditIfChanged } from './audit'
import { CUSTOM_DATA_MAX_BYTES, customDataBytes, customDataProblem } from './custom-data-rule'

export { CUSTOM_DATA_MAX_BYTES, customDataBytes } from './custom-data-rule'

/** A custom data document, or a clear refusal: a JSON object of at most 4 KB. */
export function checkCustomData(data: unknown): Record<string, unknown> {
  const problem = customDataProblem(data)
  if (problem) throw errors.invalidParameter(problem.message, { data: [problem.field] })
  return data as Record<string, unknown>
}

/** Replace a user's custom data (admins, the app's backend); audited. Answers the data as stored. */
export async function setCustomData(usher: Usher, userId: string, data: unknown, actor: Actor): Promise<Record<string, unknown>> {
  const document = checkCustomData(data)
  const [updated] = await runBatch(usher.db, [
    usher.db.update(users).set({ customData: document }).where(eq(users.id, userId)),
    auditIfChanged(usher, {
      actor,
      action: 'user.custom-data-set',
      userId,
      detail: { bytes: customDataBytes(document) },
    }),
  ])
  // Nothing changed: there is no such user (the audit entry was not written either).
  if ((updated?.meta.changes ?? 0) === 0) throw errors.userNotFound()
  return document
}

/** Canonical EJSON of a JSON value (bson's `relaxed: false` for numbers; strings, booleans, null unchanged). */
function canonicalEjson(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return { $numberInt: String(value) }
    if (Number.isSafeInteger(value)) return { $numberLong: String(value) }
    return { $numberDouble: String(value) }
  }
  if (Array.isArray(value)) return value.map(canonicalEjson)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, canonicalEjson(inner)]))
  }
  return value
}

/** The `user_data` claim for a user's custom data, in the configured format. */
export function userDataClaim(usher: Usher, customData: Record<string, unknown>): Record<string, unknown> {
  return usher.config.customData.format === 'ejson' ? (canonicalEjson(customData) as Record<string, unknown>) : customData
}

/** A user about to be created, by whichever provider. */
export interface Newcomer {
  userId: string
  provider: ProviderType
  /** Their identity's id as App Services showed it (an external provider's own id for the user). */
  identityId: string
  /** Profile data (an email/password user's address). */
  data?: Record<string, unknown>
  /** What the provider said about them. */
  identityData?: Record<string, unknown>
}

/**
 * Run the user creation function, if one is configured, for a user about to be created, with the user object
 * App Services passed: its answer's `customData` (checked like any custom data), or a refusal; nothing
 * configured → empty custom data.
 */
export async function initialCustomData(usher: Usher, newcomer: Newcomer): Promise<Record<string, unknown>> {
  if (!usher.config.customData.creationFunction) return {}
  const user = {
    id: newcomer.userId,
    type: 'normal',
    data: newcomer.data ?? {},
    identities: [{ id: newcomer.identityId, provider_type: newcomer.provider, data: newcomer.identityData ?? {} }],
    custom_data: {},
  }
  let answer
  try {
    answer = await usher.functions.invoke('user-creation', { user })
  } catch (error) {
    throw errors.functionUnavailable(`the user creation function could not be reached (${describeFailure(error)}): no user was created`)
  }
  const body = answer.body as { customData?: unknown; error?: unknown } | undefined
  if (typeof body?.error === 'string') throw errors.userCreationRefused(body.error.slice(0, 500))
  if (answer.status < 200 || answer.status > 299 || body === undefined || typeof body !== 'object') {
    throw errors.functionUnavailable(`the user creation function answered HTTP ${answer.status} without {"customData"}: no user was created`)
  }
  if (body.customData === undefined) return {}
  try {
    return checkCustomData(body.customData)
  } catch {
    throw errors.functionUnavailable(`the user creation function's customData is not a JSON object of at most ${CUSTOM_DATA_MAX_BYTES} bytes: no user was created`)
  }
}
