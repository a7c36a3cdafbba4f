/**
 * @module client/app-scoped
 * Routes under `/api/client/v2.0/app/{appId}`: the location request, logins (and `?link=true`), and the
 * email/password flows, exactly as realm-web 2.x calls them.
 *
 * Every route is a static path (no `:provider` segment, no wildcard middleware under `providers/`): that
 * keeps Hono on its RegExpRouter; one ambiguous pattern makes it fall back to the slower TrieRouter for
 * every request (test/worker/routing.test.ts guards this).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { linkIdentity, logIn, type Credentials } from '../auth/login'
import { IP_LIMIT_PERIOD_SECONDS } from '../auth/ip-limits'
import { linkIdentityTo, loginWithIdentity, requireEnabled, verifyExternal } from '../auth/providers'
import { startRedirect } from '../auth/providers/oauth-redirect'
import { authenticateAccess, clientDeviceId, deviceIdFrom } from '../auth/sessions'
import type { ExternalProviderType } from '../db/schema'
import type { AppEnv } from '../env'
import { errors, UsherError } from '../errors'
import { confirmWithToken, register, rerunConfirmation, resendConfirmationEmail } from '../users/registration'
import { callResetFunction, resetWithToken, sendPasswordResetEmail } from '../users/reset'
import { clientIp, ipBudget, ipLimit } from './rate-limits'
import { empty, readJson, str } from './respond'

const deviceOptions = z.looseObject({ device: z.looseObject({}).optional() }).optional()
/** Each provider's login body; `provider` is taken from the URL. */
const loginBodies = {
  'local-userpass': z.strictObject({ username: str(), password: str(1024), options: deviceOptions }),
  'anon-user': z.strictObject({ options: deviceOptions }),
  'api-key': z.strictObject({ key: str(), options: deviceOptions }),
} as const
type Provider = keyof typeof loginBodies

/** Route middleware: the email/password flows exist only while local-userpass is enabled. */
const userpassEnabled: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireEnabled(c.var.usher, 'local-userpass')
  await next()
}

/** `POST …/auth/providers/{provider}/login`, with or without `?link=true`. */
const login = (provider: Provider) => async (c: Context<AppEnv>) => {
  const usher = c.var.usher
  requireEnabled(c.var.usher, provider)
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

/** `POST …/auth/providers/{external provider}/login`: verify with the provider, then log in or link. */
const externalLogin = (provider: ExternalProviderType) => async (c: Context<AppEnv>) => {
  const usher = c.var.usher
  requireEnabled(c.var.usher, provider)
  const { options, ...fields } = await readJson(c, z.looseObject({ options: deviceOptions }))
  if (!(await ipBudget(c, 'auth'))) throw errors.tooManyRequests(IP_LIMIT_PERIOD_SECONDS)
  // Linking checks the caller first: a stranger's token must not make Usher call the provider.
  const caller = c.req.query('link') === 'true' ? await authenticateAccess(usher, c.req.header('authorization')) : undefined
  const identity = await verifyExternal(usher, provider, fields)
  if (caller) return c.json(await linkIdentityTo(usher, caller, identity))
  const client = { ip: clientIp(c), deviceId: clientDeviceId(options) }
  return c.json(await loginWithIdentity(usher, identity, deviceIdFrom(options, usher.now()), client))
}

/**
 * `GET …/auth/providers/oauth2-{google,apple,facebook}/login`: realm-web's redirect flow. A login answers
 * 302 to the provider; a link (`link=true&providerRedirectHeader=true`, with the user's access token) answers
 * 200 with the provider URL in `x-baas-location`, which realm-web then opens.
 */
const redirectLogin = (provider: ExternalProviderType) => async (c: Context<AppEnv>) => {
  const usher = c.var.usher
  requireEnabled(c.var.usher, provider)
  if (!(await ipBudget(c, 'auth'))) throw errors.tooManyRequests(IP_LIMIT_PERIOD_SECONDS)
  const link = c.req.query('link') === 'true' ? await authenticateAccess(usher, c.req.header('authorization')) : undefined
  const target = await startRedirect(usher, {
    provider,
    appState: c.req.query('state'),
    redirectUrl: c.req.query('redirect'),
    device: c.req.query('device'),
    link,
  })
  if (c.req.query('providerRedirectHeader') === 'true') return new Response(null, { status: 200, headers: { 'x-baas-location': target.toString() } })
  return c.redirect(target.toString(), 302)
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
  .post('/app/:appId/auth/providers/custom-token/login', externalLogin('custom-token'))
  .post('/app/:appId/auth/providers/custom-function/login', externalLogin('custom-function'))
  .post('/app/:appId/auth/providers/oauth2-google/login', externalLogin('oauth2-google'))
  .post('/app/:appId/auth/providers/oauth2-apple/login', externalLogin('oauth2-apple'))
  .post('/app/:appId/auth/providers/oauth2-facebook/login', externalLogin('oauth2-facebook'))
  .get('/app/:appId/auth/providers/oauth2-google/login', redirectLogin('oauth2-google'))
  .get('/app/:appId/auth/providers/oauth2-apple/login', redirectLogin('oauth2-apple'))
  .get('/app/:appId/auth/providers/oauth2-facebook/login', redirectLogin('oauth2-facebook'))

  .post(`${USERPASS}/register`, userpassEnabled, ipLimit('register'), async (c) => {
    const body = await readJson(c, z.strictObject({ email: str(1024), password: str(1024) }))
    await register(c.var.usher, body)
    return empty(201)
  })
  .post(`${USERPASS}/confirm`, userpassEnabled, ipLimit('auth'), async (c) => {
    await confirmWithToken(c.var.usher, await readJson(c, tokenBody))
    return empty()
  })
  .post(`${USERPASS}/confirm/send`, userpassEnabled, ipLimit('auth'), async (c) => {
    const { email } = await readJson(c, emailBody)
    await resendConfirmationEmail(c.var.usher, { email }, 'client')
    return empty()
  })
  .post(`${USERPASS}/confirm/call`, userpassEnabled, ipLimit('auth'), async (c) => {
    const { email } = await readJson(c, emailBody)
    await rerunConfirmation(c.var.usher, { email }, 'client')
    return empty()
  })
  .post(`${USERPASS}/reset/send`, userpassEnabled, ipLimit('auth'), async (c) => {
    const { email } = await readJson(c, emailBody)
    await sendPasswordResetEmail(c.var.usher, email)
    return empty()
  })
  .post(`${USERPASS}/reset`, userpassEnabled, ipLimit('auth'), async (c) => {
    const body = await readJson(c, z.strictObject({ token: str(), tokenId: str(), password: str(1024) }))
    await resetWithToken(c.var.usher, body)
    return empty()
  })
  .post(`${USERPASS}/reset/call`, userpassEnabled, ipLimit('auth'), async (c) => {
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
