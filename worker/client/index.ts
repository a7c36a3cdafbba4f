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
      origin: (origin, c) => {
        const allowed = (c.var as AppEnv['Variables']).usher.config.allowedOrigins
        return allowed === '*' ? '*' : allowed.includes(origin) ? origin : null
      },
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
