/**
 * @module client/app-scoped
 * Routes under `/api/client/v2.0/app/{appId}`: the location request, logins (and `?link=true`), and the
 * email/password flows, exactly as realm-web 2.x calls them.
 *
 * Every route is a static path (no `:provider` segment, no wildcard middleware under `providers/`): that
 * keeps Hono on its RegExpRouter; one ambiguous pattern makes it fall back to the slower TrieRouter for
 * every request (test/worker/routing.test.ts guards this).
 */
import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { linkIdentity, logIn, type Credentials } from '../auth/login'
import { IP_LIMIT_PERIOD_SECONDS } from '../auth/ip-limits'
import { authenticateAccess, clientDeviceId, deviceIdFrom } from '../auth/sessions'
import type { AppEnv } from '../env'
import { errors, UsherError } from '../errors'
import { confirmWithToken, register, rerunConfirmation, resendConfirmationEmail } from '../users/registration'
import { callResetFunction, resetWithToken, sendPasswordResetEmail } from '../users/reset'
import { clientIp, ipBudget, ipLimit } from './rate-limits'
import { empty, readJson, str } from './respond'

const options = z.looseObject({ device: z.looseObject({}).optional() }).optional()
/** Each provider's login body; `provider` is taken from the URL. */
const loginBodies = {
  'local-userpass': z.strictObject({ username: str(), password: str(1024), options }),
  'anon-user': z.strictObject({ options }),
  'api-key': z.strictObject({ key: str(), options }),
} as const
type Provider = keyof typeof loginBodies

/** `POST …/auth/providers/{provider}/login`, with or without `?link=true`. */
const login = (provider: Provider) => async (c: Context<AppEnv>) => {
  const usher = c.var.usher
  const { options, ...fields } = await readJson(c, loginBodies[provider])
  const credentials = { provider, ...fields } as Credentials
  // Anonymous logins create users, so they share the registration budget. Over the budget, the answer is a
  // plain 429 before any password is hashed: it is about this IP, not about any account, so it reveals
  // nothing, and the per-IP limit bounds the CPU one address can spend on hashing.
  if (!(await ipBudget(c, provider === 'anon-user' ? 'register' : 'auth'))) {
    throw errors.tooManyRequests(IP_LIMIT_PERIOD_SECONDS)
  }
  const client = { ip: clientIp(c), deviceId: clientDeviceId(options) }
  if (c.req.query('link') === 'true') {
    const caller = await authenticateAccess(usher, c.req.header('authorization'))
    return c.json(await linkIdentity(usher, caller, credentials, client))
  }
  return c.json(await logIn(usher, credentials, deviceIdFrom(options, usher.now()), client))
}

const USERPASS = '/app/:appId/auth/providers/local-userpass'
// Lengths here only bound the work; the lifecycle's own rules (254-character emails…) give the precise errors.
const emailBody = z.strictObject({ email: str(1024) })
const tokenBody = z.strictObject({ token: str(), tokenId: str() })

export const appScoped = new Hono<AppEnv>()
  .use('/app/:appId/*', async (c, next) => {
    const appId = c.req.param('appId')
    if (appId !== c.var.usher.config.appId) {
      throw new UsherError('NotFound', `cannot find app using Client App ID '${appId.slice(0, 64)}'`, 404)
    }
    await next()
  })
  .get('/app/:appId/location', (c) => {
    const hostname = c.var.usher.origin
    return c.json({
      hostname,
      location: 'cloudflare',
      deployment_model: 'GLOBAL',
      ws_hostname: hostname.replace(/^http/, 'ws'),
    })
  })
  .post(`${USERPASS}/login`, login('local-userpass'))
  .post('/app/:appId/auth/providers/anon-user/login', login('anon-user'))
  .post('/app/:appId/auth/providers/api-key/login', login('api-key'))
  .post(`${USERPASS}/register`, ipLimit('register'), async (c) => {
    const body = await readJson(c, z.strictObject({ email: str(1024), password: str(1024) }))
    await register(c.var.usher, body)
    return empty(201)
  })
  .post(`${USERPASS}/confirm`, ipLimit('auth'), async (c) => {
    await confirmWithToken(c.var.usher, await readJson(c, tokenBody))
    return empty()
  })
  .post(`${USERPASS}/confirm/send`, ipLimit('auth'), async (c) => {
    const { email } = await readJson(c, emailBody)
    await resendConfirmationEmail(c.var.usher, { email }, 'client')
    return empty()
  })
  .post(`${USERPASS}/confirm/call`, ipLimit('auth'), async (c) => {
    const { email } = await readJson(c, emailBody)
    await rerunConfirmation(c.var.usher, { email }, 'client')
    return empty()
  })
  .post(`${USERPASS}/reset/send`, ipLimit('auth'), async (c) => {
    const { email } = await readJson(c, emailBody)
    await sendPasswordResetEmail(c.var.usher, email)
    return empty()
  })
  .post(`${USERPASS}/reset`, ipLimit('auth'), async (c) => {
    const body = await readJson(c, z.strictObject({ token: str(), tokenId: str(), password: str(1024) }))
    await resetWithToken(c.var.usher, body)
    return empty()
  })
  .post(`${USERPASS}/reset/call`, ipLimit('auth'), async (c) => {
    const body = await readJson(
      c,
      z.strictObject({ email: str(1024), password: str(1024), arguments: z.array(z.unknown()).max(32).default([]) }),
    )
    await callResetFunction(c.var.usher, body)
    return empty()
  })
  // Any other provider (a wildcard, not a `:provider` route: see the module comment).
  .all('/app/:appId/auth/providers/*', (c) => {
    throw errors.providerNotFound((c.req.path.split('/auth/providers/')[1] ?? '').split('/')[0]!.slice(0, 64))
  })
  .all('/app/:appId/functions/*', () => {
    throw new UsherError('FunctionNotFound', 'Usher does not run App Services functions: call your own backend', 404)
  })
