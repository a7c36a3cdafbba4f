/**
 * @module pages
 * The few HTML pages a deployment serves itself:
 * - `/confirm` and `/reset`, where the links in Usher's mails land when no CONFIRMATION_URL / RESET_URL of
 *   the app's own is configured. Opening a link changes nothing: mail scanners prefetch links, so the page
 *   asks for a click (and, for a reset, the new password) and POSTs it;
 * - `/errors`, the reference every error body's `link` points to;
 * - `/`, a line saying Usher runs here, with links (a newcomer opening the URL sees more than a JSON 404).
 * Pages never send a Referer (the token is in the URL) and allow no scripts.
 */
import { Hono, type Context } from 'hono'
import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { AppEnv } from './env'
import { IP_LIMIT_PERIOD_SECONDS } from './auth/ip-limits'
import { ipBudget } from './client/rate-limits'
import { ERROR_CODES, ERROR_DESCRIPTIONS, UsherError } from './errors'
import { confirmWithToken } from './users/registration'
import { resetWithToken } from './users/reset'

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
}

function page(c: Context<AppEnv>, title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>, status = 200) {
  const app = c.var.usher.config.appId
  return c.html(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>${title} · ${app}</title>
          <style>
            body { font: 16px/1.5 system-ui, sans-serif; max-width: 34rem; margin: 4rem auto; padding: 0 1rem; color: #222 }
            input, button { font: inherit; padding: .5rem .75rem; margin: .25rem 0 }
            input { width: 100%; box-sizing: border-box }
            .ok { color: #17692c } .fail { color: #a11 } code { background: #f3f3f3; padding: 0 .25rem }
            td { vertical-align: top; padding: .25rem .5rem } 
          </style>
        </head>
        <body>
          <h1>${title}</h1>
          ${body}
        </body>
      </html>`,
    status as 200,
    SECURITY_HEADERS,
  )
}

function tokenPair(c: Context<AppEnv>) {
  return { token: c.req.query('token') ?? '', tokenId: c.req.query('tokenId') ?? '' }
}

/** The posted form, or undefined when the body is not a readable form (a broken multipart body, say). */
async function formPair(c: Context<AppEnv>) {
  let form: Record<string, unknown>
  try {
    form = await c.req.parseBody()
  } catch {
    return undefined
  }
  const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '')
  return { token: field('token'), tokenId: field('tokenId'), password: field('password'), repeat: field('repeat') }
}

/** Posting a form spends the same per-IP budget as the client API's token checks (auth/ip-limits.ts). */
async function refusal(c: Context<AppEnv>, title: string) {
  if (!(await ipBudget(c, 'auth'))) {
    c.header('retry-after', String(IP_LIMIT_PERIOD_SECONDS))
    return page(c, title, html`<p class="fail">✗ Too many attempts from your network. Wait a minute and retry.</p>`, 429)
  }
  return undefined
}

const unreadable = (c: Context<AppEnv>, title: string) =>
  page(c, title, html`<p class="fail">✗ The form could not be read. Open the link from the mail again.</p>`, 400)

function failure(error: unknown): string {
  if (error instanceof UsherError && error.status < 500) return error.message
  throw error
}

export const pages = new Hono<AppEnv>()
  .get('/', (c) =>
    page(
      c,
      'Usher is running',
      html`<p>This is the Usher user service of <code>${c.var.usher.config.appId}</code>: point realm-web's
          <code>baseUrl</code> here. <a href="/health">Health</a> · <a href="/errors">error codes</a> ·
          <a href="/.well-known/openid-configuration">token discovery</a> · the README of your Usher checkout
          documents the rest.</p>`,
    ),
  )
  .get('/confirm', (c) => {
    const { token, tokenId } = tokenPair(c)
    return page(
      c,
      'Confirm your email address',
      html`<form method="post" action="/confirm">
        <input type="hidden" name="token" value="${token}" />
        <input type="hidden" name="tokenId" value="${tokenId}" />
        <p>One click and your account is ready to use.</p>
        <button type="submit">Confirm my email address</button>
      </form>`,
    )
  })
  .post('/confirm', async (c) => {
    const limited = await refusal(c, 'Confirmation failed')
    if (limited) return limited
    const form = await formPair(c)
    if (!form) return unreadable(c, 'Confirmation failed')
    const { token, tokenId } = form
    try {
      await confirmWithToken(c.var.usher, { token, tokenId })
      return page(c, 'Email address confirmed', html`<p class="ok">✓ Done. You can now log in to the app.</p>`)
    } catch (error) {
      return page(c, 'Confirmation failed', html`<p class="fail">✗ ${failure(error)}.</p>`, 400)
    }
  })
  .get('/reset', (c) => {
    const { token, tokenId } = tokenPair(c)
    const min = c.var.usher.config.password.minLength
    return page(
      c,
      'Choose a new password',
      html`<form method="post" action="/reset">
        <input type="hidden" name="token" value="${token}" />
        <input type="hidden" name="tokenId" value="${tokenId}" />
        <label>New password <input type="password" name="password" autocomplete="new-password" minlength="${min}" maxlength="128" required /></label>
        <label>Repeat it <input type="password" name="repeat" autocomplete="new-password" required /></label>
        <button type="submit">Set the new password</button>
      </form>`,
    )
  })
  .post('/reset', async (c) => {
    const limited = await refusal(c, 'Password not changed')
    if (limited) return limited
    const form = await formPair(c)
    if (!form) return unreadable(c, 'Password not changed')
    const { token, tokenId, password, repeat } = form
    if (password !== repeat) {
      return page(c, 'Password not changed', html`<p class="fail">✗ The two passwords differ. Go back and retry.</p>`, 400)
    }
    try {
      await resetWithToken(c.var.usher, { token, tokenId, password })
      return page(c, 'Password changed', html`<p class="ok">✓ Done. Log in with your new password; other sessions were ended.</p>`)
    } catch (error) {
      return page(c, 'Password not changed', html`<p class="fail">✗ ${failure(error)}.</p>`, 400)
    }
  })
  .get('/errors', (c) =>
    page(
      c,
      'Error codes',
      html`<p>Every client API error is <code>{"error", "error_code", "link"}</code>; <code>link</code> points here.</p>
        <table>
          ${ERROR_CODES.map(
            (code) => html`<tr id="${code}"><td><code>${code}</code></td><td>${ERROR_DESCRIPTIONS[code]}</td></tr>`,
          )}
        </table>`,
    ),
  )
