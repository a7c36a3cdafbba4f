/**
 * The outside services the login providers talk to, on loopback ports, for the end-to-end tests:
 * - a real OpenID Provider (`oidc-provider`, a certified implementation) as "Google" or "Apple": discovery,
 *   JWKS, authorization code + PKCE + nonce, and logins chosen by `login_hint` with no form to fill (or the
 *   package's own login form, for the browser test);
 * - a Graph-compatible endpoint for Facebook (`debug_token`, `me`, the login dialog and the code exchange):
 *   Facebook's cloud cannot be reached from the tests, so this stands in for it (README says so);
 * - a JWKS server for the custom JWT provider, which can also hang or answer garbage;
 * - the app's authentication function as a webhook that checks Usher's signature.
 * Ports are chosen first so Usher can be configured with them; providers are built once Usher's own URL
 * (its OAuth callback) is known.
 */
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose'
import Provider, { type Configuration } from 'oidc-provider'
import { freePort } from './harness'

/** A server on a free loopback port whose handler is set later. */
export async function loopbackServer() {
  const port = await freePort()
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end()
  const server: Server = createServer((req, res) => handler(req, res))
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${port}`,
    handle(next: typeof handler) {
      handler = next
    },
    // Requests a test left hanging (a JWKS that never answers) must not keep the server, and the suite, open.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

export interface Account {
  email?: string
  name?: string
  given_name?: string
  family_name?: string
  picture?: string
}

export interface OpenIdOptions {
  clientId: string
  clientSecret: string
  redirectUris: string[]
  accounts: Record<string, Account>
  /** Let people fill the package's own login form (browser tests) instead of logging in by login_hint. */
  interactive?: boolean
  /** Apple: the client authenticates with an ES256 JWT signed by this key instead of the secret. */
  appleClientKey?: CryptoKey
  /**
   * Redirect URIs whose codes come without PKCE (Google's own code client, whose codes an app forwards as
   * `{authCode}`); every other authorization request must use PKCE.
   */
  pkceExempt?: string[]
}

/** A running OpenID Provider on `server`, and helpers to get id tokens and codes from it without a browser. */
export async function startOpenIdProvider(server: Awaited<ReturnType<typeof loopbackServer>>, options: OpenIdOptions) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), use: 'sig', alg: 'RS256', kid: `op-${randomUUID().slice(0, 8)}` }
  const configuration: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: (ctx) => !(options.pkceExempt ?? []).includes(String(ctx.oidc.params?.redirect_uri)) },
    jwks: { keys: [jwk] },
    cookies: { keys: [randomUUID()] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'picture'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: options.interactive === true } },
    ...(options.interactive ? {} : { interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` } }),
    async loadExistingGrant(ctx) {
      const id = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId)
      if (id) return ctx.oidc.provider.Grant.find(id)
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId })
      grant.addOIDCScope('openid email profile')
      await grant.save()
      return grant
    },
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, ...(options.accounts[sub] ?? {}) }) }
    },
  }
  const provider = new Provider(server.origin, configuration)
  if (!options.interactive) {
    // No form: the account is the authorization request's login_hint (else the first account).
    provider.use(async (ctx, next) => {
      if (!/^\/interaction\/[^/]+$/.test(ctx.path)) return next()
      const { params } = await provider.interactionDetails(ctx.req, ctx.res)
      const accountId = typeof params.login_hint === 'string' ? params.login_hint : Object.keys(options.accounts)[0]!
      return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId } }, { mergeWithLastSubmission: false })
    })
  }
  if (options.appleClientKey) {
    // Apple authenticates clients with an ES256 JWT; check it as Apple would, then let the provider compare
    // its own static secret.
    provider.use(async (ctx, next) => {
      if (ctx.path !== '/token' || ctx.method !== 'POST') return next()
      const text = await new Promise<string>((resolve) => {
        let data = ''
        ctx.req.on('data', (chunk: Buffer) => (data += chunk.toString()))
        ctx.req.on('end', () => resolve(data))
      })
      const body = Object.fromEntries(new URLSearchParams(text))
      const { jwtVerify } = await import('jose')
      try {
        await jwtVerify(body.client_secret ?? '', options.appleClientKey!, { audience: server.origin, subject: options.clientId, algorithms: ['ES256'] })
        body.client_secret = options.clientSecret
      } catch {
        body.client_secret = 'refused'
      }
      ;(ctx.req as unknown as { body: unknown }).body = body
      return next()
    })
  }
  server.handle(provider.callback())
  const signingKey = await importJWK(jwk, 'RS256')
  return {
    issuer: server.origin,
    /** An id token as this provider would issue it (for the `{id_token}` logins). */
    idToken(sub: string, claims: JWTPayload = {}) {
      const iat = Math.floor(Date.now() / 1000)
      return new SignJWT({ iss: server.origin, aud: options.clientId, sub, iat, exp: iat + 300, ...options.accounts[sub], ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
        .sign(signingKey)
    },
    /**
     * Follow a provider URL through the automatic login; returns where the provider sends the browser back:
     * a URL to GET, or (form_post, as Apple answers) a URL and the form a browser would POST there.
     */
    async authorize(url: string, loginHint?: string): Promise<{ url: URL; form?: Record<string, string> }> {
      const jar = new Map<string, string>()
      let next = new URL(url)
      if (loginHint) next.searchParams.set('login_hint', loginHint)
      for (let hop = 0; hop < 10; hop++) {
        if (next.origin !== server.origin) return { url: next }
        const res = await fetch(next, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } })
        for (const cookie of res.headers.getSetCookie()) {
          const [pair] = cookie.split(';')
          const [name, ...value] = pair!.split('=')
          jar.set(name!, value.join('='))
        }
        const location = res.headers.get('location')
        if (!location) {
          const page = await res.text()
          const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1]
          if (res.status === 200 && action) {
            const form = Object.fromEntries([...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&')]))
            return { url: new URL(action.replaceAll('&amp;', '&')), form }
          }
          throw new Error(`the provider answered ${res.status} without a redirect: ${page}`)
        }
        next = new URL(location, next)
      }
      throw new Error('too many redirects at the provider')
    },
  }
}

/** Apple's `.p8` key for the redirect flow's client secret, as PEM, and the public key the provider checks with. */
export async function appleTeamKey() {
  const pair = await generateKeyPair('ES256', { extractable: true })
  const { exportPKCS8 } = await import('jose')
  return { pem: await exportPKCS8(pair.privateKey), publicKey: pair.publicKey }
}

export interface GraphUser {
  id: string
  name?: string
  first_name?: string
  last_name?: string
  email?: string
  picture?: string
  age_range?: { min?: number; max?: number }
}

/**
 * Facebook's Graph API as far as Usher uses it. Tokens are `token-<user id>` (valid) or anything else
 * (invalid); `foreign-<id>` is a valid token issued to another app. The dialog logs in the user named by
 * `login_hint` and sends the browser back with a code.
 */
export function startGraph(server: Awaited<ReturnType<typeof loopbackServer>>, app: { id: string; secret: string }, users: GraphUser[]) {
  const codes = new Map<string, string>()
  const requests: URL[] = []
  server.handle((req, res) => {
    const url = new URL(req.url ?? '/', server.origin)
    requests.push(url)
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    const userOf = (token: string | null) => users.find((u) => token === `token-${u.id}` || token === `foreign-${u.id}`)
    if (url.pathname === '/v25.0/debug_token') {
      if (url.searchParams.get('access_token') !== `${app.id}|${app.secret}`) return json(400, { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } })
      const token = url.searchParams.get('input_token')
      const user = userOf(token)
      if (!user) return json(200, { data: { is_valid: false, error: { code: 190, message: 'Malformed access token' } } })
      return json(200, { data: { app_id: token!.startsWith('foreign-') ? '999' : app.id, type: 'USER', is_valid: true, expires_at: 0, user_id: user.id, scopes: ['email', 'public_profile'] } })
    }
    if (url.pathname === '/v25.0/me') {
      const token = url.searchParams.get('access_token')!
      const user = userOf(token)
      const proof = createHmac('sha256', app.secret).update(token).digest('hex')
      if (!user || url.searchParams.get('appsecret_proof') !== proof) return json(400, { error: { message: 'Invalid appsecret_proof', code: 100 } })
      const { picture, ...rest } = user
      return json(200, { ...rest, ...(picture ? { picture: { data: { url: picture, width: 50, height: 50 } } } : {}) })
    }
    if (url.pathname === '/v25.0/dialog/oauth') {
      const user = users.find((u) => u.id === url.searchParams.get('login_hint')) ?? users[0]!
      const code = randomUUID()
      codes.set(code, user.id)
      const back = new URL(url.searchParams.get('redirect_uri')!)
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state')! }).toString()
      return res.writeHead(302, { location: back.toString() }).end()
    }
    if (url.pathname === '/v25.0/oauth/access_token') {
      const id = codes.get(url.searchParams.get('code') ?? '')
      codes.delete(url.searchParams.get('code') ?? '')
      if (!id || url.searchParams.get('client_secret') !== app.secret) return json(400, { error: { message: 'Invalid verification code format.', code: 100 } })
      return json(200, { access_token: `token-${id}`, token_type: 'bearer', expires_in: 5183944 })
    }
    json(404, { error: { message: 'Unknown path', code: 803 } })
  })
  return { graphUrl: `${server.origin}/v25.0`, dialogUrl: `${server.origin}/v25.0/dialog/oauth`, requests }
}

/** A JWKS for the custom JWT provider, whose behaviour a test can switch. */
export async function startJwks(server: Awaited<ReturnType<typeof loopbackServer>>) {
  const pair = await generateKeyPair('RS256', { extractable: true })
  const kid = `app-${randomUUID().slice(0, 8)}`
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' }
  const state = { mode: 'ok' as 'ok' | 'hang' | 'garbage' }
  server.handle((_req, res) => {
    if (state.mode === 'hang') return // never answers
    if (state.mode === 'garbage') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": "not a list"')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }))
  })
  return {
    url: `${server.origin}/jwks.json`,
    state,
    sign: (claims: JWTPayload, header: Record<string, unknown> = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, ...header }).sign(pair.privateKey),
  }
}

/** The app's authentication function as a webhook: checks Usher's signature, then answers `answer(payload)`. */
export function startAuthFunction(server: Awaited<ReturnType<typeof loopbackServer>>, secret: string) {
  const state = {
    answer: (payload: Record<string, unknown>): unknown => payload.userId,
    hang: false,
    received: [] as Record<string, unknown>[],
  }
  server.handle((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      if (state.hang) return
      const header = String(req.headers['x-usher-signature'] ?? '')
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? []
      const expected = t && createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
      if (!expected || expected !== v1) return res.writeHead(401).end('{"error":"bad signature"}')
      const payload = JSON.parse(body) as Record<string, unknown>
      state.received.push(payload)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.answer(payload)))
    })
  })
  return { url: `${server.origin}/auth`, state }
}
