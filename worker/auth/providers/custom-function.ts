/**
 * @module auth/providers/custom-function
 * `custom-function`: the app's own function decides who the caller is, from whatever the app sent. Usher
 * POSTs the login payload (every top-level field realm-web sent, as canonical EJSON, without realm-web's
 * `options` device block) to CUSTOM_FUNCTION_URL — signed like the confirmation function's calls
 * (`X-Usher-Signature`), 10 s limit — or to the CUSTOM_FUNCTION service binding. The function answers 200
 * with the caller's external id: a JSON string, `{"id": "…"}` or `{"id": "…", "name": "…"}`. Anything else —
 * `{"error": "…"}`, another status, a timeout, no answer — refuses the login: 401 `AuthError`
 * `error executing auth function: {"message": "…", "name": "Error"}`, App Services' text.
 *
 * @example realm-web: `app.logIn(Realm.Credentials.function({ username: 'ann', pin: '1234' }))`
 */
import { z } from 'zod'
import type { Usher } from '../../context'
import { describeFailure, errors } from '../../errors'
import { EXTERNAL_ID_MAX, type ExternalIdentity } from './external-identities'

/** Any fields; realm-web adds `options` (the device), which is not the function's business. */
export const body = z.record(z.string(), z.unknown())

const answer = z.union([
  z.string().min(1).max(EXTERNAL_ID_MAX),
  z.looseObject({ id: z.string().min(1).max(EXTERNAL_ID_MAX), name: z.string().max(256).optional() }),
])

const refused = (message: string) =>
  errors.providerRefused(`error executing auth function: ${JSON.stringify({ message, name: 'Error' })}`)

export async function verify(usher: Usher, input: z.infer<typeof body>): Promise<ExternalIdentity> {
  const { options: _device, ...payload } = input
  let reply
  try {
    reply = await usher.functions.invoke('authentication', payload)
  } catch (error) {
    throw refused(`the authentication function could not be reached: ${describeFailure(error)}`)
  }
  const error = (reply.body as { error?: unknown } | undefined)?.error
  if (typeof error === 'string') throw refused(error.slice(0, 500))
  if (reply.status < 200 || reply.status > 299) throw refused(`the authentication function answered HTTP ${reply.status}`)
  const parsed = answer.safeParse(reply.body)
  if (!parsed.success) {
    throw refused('the authentication function must answer an id: "…", {"id": "…"} or {"id": "…", "name": "…"}')
  }
  const id = typeof parsed.data === 'string' ? parsed.data : parsed.data.id
  const name = typeof parsed.data === 'string' ? undefined : parsed.data.name
  return { provider: 'custom-function', externalId: id, metadata: name ? { name } : {} }
}
