/**
 * @module client/token-scoped
 * Routes without an app id, where the bearer token says who is calling: `auth/profile` and `auth/delete`
 * (access token), `auth/session` and the user API keys (refresh token, as every Realm SDK sends it); and
 * `auth/callback`, where OAuth providers send the browser back (its `state` says which flow).
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import {
  createUserApiKey,
  deleteApiKey,
  getApiKey,
  listApiKeys,
  setApiKeyDisabled,
  type ApiKeyRow,
} from '../auth/api-keys'
import {
  authenticateAccess,
  authenticatedProfile,
  authenticateRefresh,
  endSession,
  refreshSession,
} from '../auth/sessions'
import { completeRedirect } from '../auth/providers/oauth-redirect'
import type { AppEnv } from '../env'
import { errors } from '../errors'
import { deleteUser } from '../users/state'
import { clientIp } from './rate-limits'
import { empty, readJson, str } from './respond'

const apiKeyView = (key: ApiKeyRow) => ({ _id: key.id, name: key.name, disabled: key.disabled })
const keyId = (id: string) => {
  if (!/^[0-9a-f]{24}$/.test(id)) throw errors.apiKeyNotFound()
  return id
}

/** The provider's callback of the OAuth redirect flow: a GET, or a form POST (Apple). */
async function oauthCallback(c: Context<AppEnv>) {
  let form: Record<string, unknown> = {}
  if (c.req.method === 'POST') {
    try {
      form = await c.req.parseBody()
    } catch {
      throw errors.badRequest('the callback form could not be read')
    }
  }
  const field = (name: string) => {
    const value = form[name] ?? c.req.query(name)
    return typeof value === 'string' ? value.slice(0, 16_384) : undefined
  }
  const target = await completeRedirect(
    c.var.usher,
    { state: field('state'), code: field('code'), error: field('error'), errorDescription: field('error_description'), user: field('user') },
    { ip: clientIp(c) },
  )
  return c.redirect(target, 302)
}

export const tokenScoped = new Hono<AppEnv>()
  .get('/auth/callback', oauthCallback)
  .post('/auth/callback', oauthCallback)
  .get('/auth/profile', async (c) => {
    const usher = c.var.usher
    return c.json(await authenticatedProfile(usher, c.req.header('authorization')))
  })
  .post('/auth/session', async (c) => c.json(await refreshSession(c.var.usher, c.req.header('authorization')), 201))
  .delete('/auth/session', async (c) => {
    await endSession(c.var.usher, c.req.header('authorization'))
    return empty()
  })
  .delete('/auth/delete', async (c) => {
    const usher = c.var.usher
    const { user } = await authenticateAccess(usher, c.req.header('authorization'))
    await deleteUser(usher, user.id, `user:${user.id}`)
    return empty()
  })
  .post('/auth/api_keys', async (c) => {
    const usher = c.var.usher
    const caller = await authenticateRefresh(usher, c.req.header('authorization'))
    const { name } = await readJson(c, z.strictObject({ name: str() }))
    const { row, key } = await createUserApiKey(usher, caller, name)
    return c.json({ ...apiKeyView(row), key }, 201)
  })
  .get('/auth/api_keys', async (c) => {
    const usher = c.var.usher
    const { user } = await authenticateRefresh(usher, c.req.header('authorization'))
    return c.json((await listApiKeys(usher, { kind: 'user', userId: user.id })).map(apiKeyView))
  })
  .get('/auth/api_keys/:id', async (c) => {
    const usher = c.var.usher
    const { user } = await authenticateRefresh(usher, c.req.header('authorization'))
    return c.json(apiKeyView(await getApiKey(usher, { kind: 'user', userId: user.id }, keyId(c.req.param('id')))))
  })
  .delete('/auth/api_keys/:id', async (c) => {
    const usher = c.var.usher
    const { user, session } = await authenticateRefresh(usher, c.req.header('authorization'))
    const scope = { kind: 'user', userId: user.id } as const
    await deleteApiKey(usher, scope, keyId(c.req.param('id')), `user:${user.id}`, session.apiKeyId)
    return empty()
  })
  .put('/auth/api_keys/:id/:action{enable|disable}', async (c) => {
    const usher = c.var.usher
    const { user, session } = await authenticateRefresh(usher, c.req.header('authorization'))
    const disabled = c.req.param('action') === 'disable'
    const scope = { kind: 'user', userId: user.id } as const
    await setApiKeyDisabled(usher, scope, keyId(c.req.param('id')), disabled, `user:${user.id}`, { currentSessionKeyId: session.apiKeyId })
    return empty()
  })
