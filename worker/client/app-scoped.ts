/**
 * @module client/app-scoped
 * Routes under `/api/client/v2.0/app/{appId}`: the location request, logins (and `?link=true`), and the
 * email/password flows, exactly as realm-web 2.x calls them.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { linkIdentity, logIn, type Credentials } from '../auth/login'
import { spendDummyVerification } from '../auth/passwords'
import { authenticateAccess, deviceIdFrom } from '../auth/sessions'
import type { AppEnv } from '../env'
import { errors, UsherError } from '../errors'
import { confirmWithToken, register, rerunConfirmation, resendConfirmationEmail } from '../users/registration'
import { callResetFunction, resetWithToken, sendPasswordResetEmail } from '../users/reset'
import { userpassLimits, withinIpLimit } from './rate-limits'
import { empty, readJson, str } from './respond'

const options = z.looseObject({ device: z.looseObject({}).optional() }).optional()
/** Each provider's login body; `provider` is taken from the URL. */
const loginBodies = {
  'local-userpass': z.strictObject({ username: str(), password: str(1024), options }),
  'anon-user': z.strictObject({ options }),
  'api-key': z.strictObject({ key: str(), options }),
} as const
type Provider = keyof typeof loginBodies
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
  .use('/app/:appId/auth/providers/local-userpass/*', userpassLimits)
  .get('/app/:appId/location', (c) => {
    const hostname = c.var.usher.origin
    return c.json({
      hostname,
      location: 'cloudflare',
      deployment_model: 'GLOBAL',
      ws_hostname: hostname.replace(/^http/, 'ws'),
    })
  })
  .post('/app/:appId/auth/providers/:provider/login', async (c) => {
    const usher = c.var.usher
    const provider = c.req.param('provider')
    if (!Object.hasOwn(loginBodies, provider)) throw errors.providerNotFound(provider.slice(0, 64))
    const { options: device, ...fields } = await readJson(c, loginBodies[provider as Provider])
    const credentials = { provider, ...fields } as Credentials
    // Anonymous logins create users, so they share the registration budget. An exhausted budget on a
    // credential check answers exactly like wrong credentials (same body, same hashing cost).
    if (!(await withinIpLimit(c, provider === 'anon-user' ? 'register' : 'auth'))) {
      if (credentials.provider === 'anon-user') throw errors.tooManyRequests()
      if (credentials.provider === 'local-userpass') {
        await spendDummyVerification(credentials.password, usher.config.kdf)
        throw errors.invalidCredentials()
      }
      throw errors.invalidApiKey()
    }
    if (c.req.query('link') === 'true') {
      const caller = await authenticateAccess(usher, c.req.header('authorization'))
      return c.json(await linkIdentity(usher, caller, credentials))
    }
    return c.json(await logIn(usher, credentials, deviceIdFrom(device, usher.now())))
  })
  .post('/app/:appId/auth/providers/local-userpass/register', async (c) => {
    const body = await readJson(c, z.strictObject({ email: str(1024), password: str(1024) }))
    await register(c.var.usher, body)
    return empty(201)
  })
  .post('/app/:appId/auth/providers/local-userpass/confirm', async (c) => {
    await confirmWithToken(c.var.usher, await readJson(c, tokenBody))
    return empty()
  })
  .post('/app/:appId/auth/providers/local-userpass/confirm/send', async (c) => {
    const { email } = await readJson(c, emailBody)
    await resendConfirmationEmail(c.var.usher, { email }, 'client')
    return empty()
  })
  .post('/app/:appId/auth/providers/local-userpass/confirm/call', async (c) => {
    const { email } = await readJson(c, emailBody)
    await rerunConfirmation(c.var.usher, { email }, 'client')
    return empty()
  })
  .post('/app/:appId/auth/providers/local-userpass/reset/send', async (c) => {
    const { email } = await readJson(c, emailBody)
    await sendPasswordResetEmail(c.var.usher, email)
    return empty()
  })
  .post('/app/:appId/auth/providers/local-userpass/reset', async (c) => {
    const body = await readJson(c, z.strictObject({ token: str(), tokenId: str(), password: str(1024) }))
    await resetWithToken(c.var.usher, body)
    return empty()
  })
  .post('/app/:appId/auth/providers/local-userpass/reset/call', async (c) => {
    const body = await readJson(
      c,
      z.strictObject({ email: str(1024), password: str(1024), arguments: z.array(z.unknown()).max(32).default([]) }),
    )
    await callResetFunction(c.var.usher, body)
    return empty()
  })
  .all('/app/:appId/functions/*', () => {
    throw new UsherError('FunctionNotFound', 'Usher does not run App Services functions: call your own backend', 404)
  })
