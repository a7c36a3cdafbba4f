/**
 * @module client
 * The Atlas App Services client API (`/api/client/v2.0`), as the unmodified realm-web 2.x SDK speaks it.
 * Point an app's `baseUrl` at a Usher deployment and its users register, confirm, log in, refresh, reset,
 * link, manage API keys and delete themselves here.
 */
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { AppEnv } from '../env'
import { appScoped } from './app-scoped'
import { tokenScoped } from './token-scoped'

export const clientApi = new Hono<AppEnv>()
  .use(
    cors({
      // realm-web's OAuth link handshake fetches with `credentials: "include"`, which browsers only accept
      // with the origin echoed and Allow-Credentials. Usher authenticates by bearer tokens, never cookies, so
      // credentialed CORS grants a page nothing it could not do without: the allow-list still decides.
      origin: (origin, c) => {
        const allowed = (c.var as AppEnv['Variables']).usher.config.allowedOrigins
        if (allowed === '*') return origin || '*'
        return allowed.includes(origin) ? origin : null
      },
      credentials: true,
      allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Accept'],
      exposeHeaders: ['X-Baas-Location'],
      maxAge: 86_400,
    }),
  )
  // Tokens and personal data: no shared or browser cache may keep any answer (login, auth/session, profile,
  // API keys, and errors alike).
  .use(async (c, next) => {
    await next()
    c.res.headers.set('cache-control', 'no-store')
  })
  .route('/', appScoped)
  .route('/', tokenScoped)
