/**
 * The OAuth redirect flow end to end in a real browser: headless Chromium (Debian's `chromium`, driven by
 * playwright-core) opens an app page that uses the unmodified realm-web bundle. "Sign in with Google" opens
 * realm-web's popup on Usher, which sends it to a real OpenID Provider (oidc-provider standing in for
 * Google) whose login form is filled in; the provider returns to Usher's callback, Usher to the app's
 * redirect page, where `Realm.handleAuthRedirect()` hands the result to the opener, which shows the user.
 * Then the same user links a second Google account through the redirect flow (the `x-baas-location`
 * handshake, a credentialed cross-origin fetch).
 *
 * `.ci/run` installs Debian's chromium; where it is missing locally the test says so and is skipped.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startUsher } from './harness'
import { loopbackServer, startOpenIdProvider } from './identity-providers'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`oauth-browser: ${CHROMIUM} is missing (apt-get install chromium); the browser test is skipped`)

const realmWebBundle = readFileSync(
  path.join(path.dirname(createRequire(import.meta.url).resolve('realm-web/package.json')), 'dist', 'bundle.iife.js'),
  'utf8',
)
const CLIENT = { id: 'browser-client.apps.googleusercontent.com', secret: 'browser-secret-7f6e5d4c3b2a' }

let usher: Awaited<ReturnType<typeof startUsher>>
let browser: Browser | undefined
const servers: Awaited<ReturnType<typeof loopbackServer>>[] = []

/** The app: a page with a sign-in button, and the redirect page realm-web needs (same origin). */
function appPages(appOrigin: string, usherOrigin: string) {
  const head = `<script src="/realm-web.js"></script>`
  const config = `const app = new Realm.App({ id: 'usher-local', baseUrl: ${JSON.stringify(usherOrigin)} }); const redirectUrl = ${JSON.stringify(`${appOrigin}/redirect`)};`
  return {
    '/': `<!doctype html><html><head>${head}</head><body>
      <button id="sign-in">Sign in with Google</button> <button id="link">Link another Google account</button>
      <p id="user"></p><p id="identities"></p><p id="error"></p>
      <script>${config}
        const show = (user) => { document.getElementById('user').textContent = 'logged in as ' + user.id + ' (' + user.profile.email + ')';
          document.getElementById('identities').textContent = user.identities.map((i) => i.providerType + ':' + i.id).join(' ') }
        document.getElementById('sign-in').onclick = () => app.logIn(Realm.Credentials.google({ redirectUrl })).then(show, (e) => { document.getElementById('error').textContent = String(e) })
        document.getElementById('link').onclick = () => app.currentUser.linkCredentials(Realm.Credentials.google({ redirectUrl }))
          .then(() => app.currentUser.refreshProfile()).then(() => show(app.currentUser), (e) => { document.getElementById('error').textContent = String(e) })
      </script></body></html>`,
    '/redirect': `<!doctype html><html><head>${head}</head><body><script>Realm.handleAuthRedirect()</script></body></html>`,
  }
}

beforeAll(async () => {
  if (!hasChromium) return
  const [op, app] = [await loopbackServer(), await loopbackServer()]
  servers.push(op, app)
  usher = await startUsher({
    AUTH_PROVIDERS: 'anon-user,oauth2-google',
    GOOGLE_CLIENT_ID: CLIENT.id,
    GOOGLE_CLIENT_SECRET: CLIENT.secret,
    GOOGLE_OPENID_ISSUER: op.origin,
    OAUTH_REDIRECT_URLS: `${app.origin}/redirect`,
    ALLOWED_ORIGINS: app.origin,
  })
  await startOpenIdProvider(op, {
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    redirectUris: [`${usher.origin}/api/client/v2.0/auth/callback`],
    accounts: { 'grace@example.com': { email: 'grace@example.com', name: 'Grace' }, 'work@example.com': { email: 'work@example.com' } },
    interactive: true,
  })
  const pages = appPages(app.origin, usher.origin)
  app.handle((req, res) => {
    const url = new URL(req.url ?? '/', app.origin)
    if (url.pathname === '/realm-web.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(realmWebBundle)
    const page = pages[url.pathname as keyof typeof pages]
    if (!page) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'text/html' }).end(page)
  })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await usher?.close()
  await Promise.all(servers.map((server) => server.close()))
})

/** The provider's login form in the popup: the account, any password, then submit. */
async function signInAtProvider(popup: import('playwright-core').Page, account: string) {
  await popup.waitForSelector('input[name="login"]', { timeout: 30_000 })
  await popup.fill('input[name="login"]', account)
  await popup.fill('input[name="password"]', 'anything')
  await popup.click('button[type="submit"]')
}

it.skipIf(!hasChromium)('a realm-web page signs in with Google through the popup, then links a second account', async () => {
  const page = await browser!.newPage()
  const origin = servers[1]!.origin
  await page.goto(origin)
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#sign-in')])
  await signInAtProvider(popup, 'grace@example.com')
  await page.waitForSelector('#user:has-text("logged in as")', { timeout: 30_000 })
  expect(await page.textContent('#user')).toMatch(/^logged in as [0-9a-f]{24} \(grace@example\.com\)$/)
  expect(await page.textContent('#identities')).toBe('oauth2-google:grace@example.com')
  const userId = /as ([0-9a-f]{24})/.exec((await page.textContent('#user'))!)![1]

  // The provider remembers Grace; forget its session so the second account signs in (localStorage stays).
  await page.context().clearCookies()
  const [linkPopup] = await Promise.all([page.waitForEvent('popup'), page.click('#link')])
  await signInAtProvider(linkPopup, 'work@example.com')
  await page.waitForSelector('#identities:has-text("work@example.com")', { timeout: 30_000 })
  expect(await page.textContent('#identities')).toBe('oauth2-google:grace@example.com oauth2-google:work@example.com')
  expect(await page.textContent('#user')).toContain(userId)
  expect(await page.textContent('#error')).toBe('')
}, 120_000)
