/**
 * Tokens an app's backend can trust: asymmetric signing keys in D1 (private parts encrypted), published as a
 * JWKS with discovery, rotated without downtime or revoked in an emergency, and three ways to check a user —
 * offline against the JWKS (with jose, as any backend would), the UsherService RPC, and the admin's
 * `users.verifyToken`. Every bad token is a 401 InvalidSession, never a 500.
 */
import { env, exports } from 'cloudflare:workers'
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
} from 'jose'
import { describe, expect, it } from 'vitest'
import { openSecret } from '../../worker/auth/key-encryption'
import type { UsherService } from '../../worker/service'
import { admin } from './admin-helpers'
import { api, client, configured, confirmedUser, expectError, ORIGIN, type Tokens } from './helpers'

const jwks = async () => {
  const res = await api.call('GET', `${ORIGIN}/.well-known/jwks.json`)
  expect(res.status).toBe(200)
  return { res, body: (await res.json()) as JSONWebKeySet }
}
const kidOf = (token: string) => decodeProtectedHeader(token).kid!
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const service = () => (exports as unknown as { UsherService: Service<UsherService> }).UsherService

describe('published keys', () => {
  it('the JWKS publishes the current public key, cacheable, never private material', async () => {
    const user = await confirmedUser()
    const { res, body } = await jwks()
    expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/)
    const key = body.keys.find((k) => k.kid === kidOf(user.access_token))
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    for (const k of body.keys) expect(Object.keys(k)).not.toContain('d')
  })

  it('discovery names the issuer, the JWKS and the algorithms', async () => {
    const res = await api.call('GET', `${ORIGIN}/.well-known/openid-configuration`)
    expect(await res.json()).toMatchObject({
      issuer: ORIGIN,
      jwks_uri: `${ORIGIN}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256', 'EdDSA'],
    })
  })

  it('a backend verifies a token offline with jose against the JWKS: issuer, audience, subject', async () => {
    const user = await confirmedUser()
    const { body } = await jwks()
    const { payload, protectedHeader } = await jwtVerify(user.access_token, createLocalJWKSet(body), {
      issuer: ORIGIN,
      audience: 'usher-local',
    })
    expect(protectedHeader.alg).toBe('ES256')
    expect(payload).toMatchObject({ sub: user.user_id, typ: 'access', user_data: {}, baas_device_id: user.device_id })
  })

  it('the private part is stored only encrypted, and decrypts only under KEY_ENCRYPTION_KEY for its own row', async () => {
    await confirmedUser()
    const row = await env.DB.prepare("SELECT kid, private_key, public_jwk FROM signing_keys WHERE slot = 'current'").first<{
      kid: string
      private_key: string
      public_jwk: string
    }>()
    expect(row!.private_key).toMatch(/^v1\.[\w-]+\.[\w-]+$/)
    expect(() => JSON.parse(row!.private_key)).toThrow()
    const privateJwk = JSON.parse(await openSecret(env.KEY_ENCRYPTION_KEY, row!.private_key, row!.kid)) as { d: string }
    expect(privateJwk.d).toMatch(/^[\w-]{43}$/)
    expect(row!.public_jwk).not.toContain(privateJwk.d)
    await expect(openSecret('another-key-encryption-key-0123456789abcdef', row!.private_key, row!.kid)).rejects.toThrow()
    await expect(openSecret(env.KEY_ENCRYPTION_KEY, row!.private_key, 'another-kid')).rejects.toThrow()
  })
})

describe('rotation', () => {
  it('a rotation signs new tokens with the new key while tokens of the previous key keep working', async () => {
    const before = await confirmedUser()
    const oldKid = kidOf(before.access_token)
    const next = (await admin().keys.list.query()).items.find((k) => k.state === 'next')!
    // Published before it signs: verifiers caching the JWKS already hold the key a rotation makes current.
    expect((await jwks()).body.keys.map((k) => k.kid)).toContain(next.kid)
    const { current, keys } = await admin().keys.rotate.mutate()
    expect(current.kid).toBe(next.kid)
    expect(keys.filter((k) => k.state === 'next')).toHaveLength(1)
    expect(keys.find((k) => k.kid === oldKid)).toMatchObject({ state: 'previous', retiresAt: expect.any(String) })
    expect((await api.profile(before.access_token)).status).toBe(200)
    const refreshed = (await (await api.refresh(before.refresh_token)).json()) as { access_token: string }
    expect(kidOf(refreshed.access_token)).toBe(current.kid)
    const published = (await jwks()).body.keys.map((k) => k.kid)
    expect(published).toEqual(expect.arrayContaining([oldKid, current.kid]))
    // The previous key's private part is gone: only the current key can sign.
    const stored = await env.DB.prepare('SELECT private_key FROM signing_keys WHERE kid = ?').bind(oldKid).first<{ private_key: string | null }>()
    expect(stored!.private_key).toBeNull()
    const audit = await admin().audit.list.query({ limit: 5 })
    expect(audit.items.find((e) => e.action === 'signing-key.rotated')?.detail).toMatchObject({ kid: current.kid, previousKid: oldKid })
  })

  it('a previous key retires on its own once its tokens have expired: unpublished and refused', async () => {
    const before = await confirmedUser()
    const oldKid = kidOf(before.access_token)
    await admin().keys.rotate.mutate({})
    await env.DB.prepare('UPDATE signing_keys SET retires_at = ? WHERE kid = ?').bind(Date.now() - 1, oldKid).run()
    expect((await admin().keys.list.query()).items.find((k) => k.kid === oldKid)?.state).toBe('retired')
    expect((await jwks()).body.keys.map((k) => k.kid)).not.toContain(oldKid)
    await expectError(await api.profile(before.access_token), 401, 'InvalidSession')
  })

  it('an emergency rotation (revokePrevious) stops publishing and accepting every earlier key at once', async () => {
    const before = await confirmedUser()
    const oldKid = kidOf(before.access_token)
    const nextBefore = (await admin().keys.list.query()).items.find((k) => k.state === 'next')!
    // Accepted once already: a token this isolate has verified is refused all the same.
    expect((await api.profile(before.access_token)).status).toBe(200)
    const { current, keys } = await admin().keys.rotate.mutate({ revokePrevious: true })
    expect(keys.find((k) => k.kid === oldKid)).toMatchObject({ state: 'retired', revokedAt: expect.any(String) })
    // The pre-published next key was stored alongside the suspect one: it is retired too, never promoted.
    expect(keys.find((k) => k.kid === nextBefore.kid)).toMatchObject({ state: 'retired', revokedAt: expect.any(String) })
    const nextAfter = keys.find((k) => k.state === 'next')!
    expect((await jwks()).body.keys.map((k) => k.kid).sort()).toEqual([current.kid, nextAfter.kid].sort())
    await expectError(await api.profile(before.access_token), 401, 'InvalidSession', 'revoked key')
    // Nobody is logged out: the refresh token is not signed, and buys a token from the new key.
    const refreshed = (await (await api.refresh(before.refresh_token)).json()) as { access_token: string }
    expect(kidOf(refreshed.access_token)).toBe(current.kid)
    expect((await api.profile(refreshed.access_token)).status).toBe(200)
  })

  it('TOKEN_SIGNING_ALGORITHM=EdDSA makes the next key Ed25519', async () => {
    const eddsa = configured({ TOKEN_SIGNING_ALGORITHM: 'EdDSA', CONFIRMATION_METHOD: 'auto' })
    const adminEdDSA = admin(undefined, (input, init) => eddsa(new Request(input, init)))
    const { current } = await adminEdDSA.keys.rotate.mutate()
    expect(current.algorithm).toBe('EdDSA')
    const app = client(eddsa)
    const email = `eddsa-${crypto.randomUUID().slice(0, 8)}@example.com`
    await app.register(email)
    const tokens = (await (await app.login(email)).json()) as Tokens
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'EdDSA', kid: current.kid })
    const key = (await jwks()).body.keys.find((k) => k.kid === current.kid)
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' })
    await jwtVerify(tokens.access_token, createLocalJWKSet((await jwks()).body), { audience: 'usher-local' })
    expect((await app.profile(tokens.access_token)).status).toBe(200)
    // Back to ES256 for the rest of the file.
    await admin().keys.rotate.mutate()
  })
})

describe('bad tokens are 401 InvalidSession, never a 500', () => {
  it('alg none, HS256, unknown kid, another deployment’s key, a key in the header, a non-canonical signature', async () => {
    const user = await confirmedUser()
    const [header, payload, signature] = user.access_token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
    const kid = kidOf(user.access_token)
    const published = (await jwks()).body.keys.find((k) => k.kid === kid)!
    const attacker = await generateKeyPair('ES256', { extractable: true })
    const attackerJwk = await exportJWK(attacker.publicKey)
    const signWith = (protectedHeader: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...protectedHeader }).sign(attacker.privateKey)
    // HS256 "signed" with the public key's bytes: the classic algorithm-confusion attack.
    const hmacKey = new TextEncoder().encode(JSON.stringify(published))
    const lastChar = signature.at(-1)!
    const sibling = 'AQgw'.includes(lastChar) ? String.fromCharCode(lastChar.charCodeAt(0) + 1) : 'A'
    const forged = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `${b64({ alg: 'none', kid, typ: 'JWT' })}.${payload}.${signature}`,
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).sign(hmacKey),
      await signWith({ kid: 'no-such-key' }),
      await signWith({ kid }),
      await signWith({ kid, jwk: attackerJwk }),
      await signWith({ kid, jku: 'https://attacker.example/jwks.json' }),
      await signWith({ kid, x5u: 'https://attacker.example/cert.pem' }),
      `${header}.${payload}.${signature.slice(0, -1)}${sibling}`,
      `${header}.${b64({ ...claims, sub: '0'.repeat(24) })}.${signature}`,
    ]
    for (const token of forged) {
      await expectError(await api.profile(token), 401, 'InvalidSession')
      expect((await service().authenticate(token)).ok).toBe(false)
    }
    expect((await api.profile(user.access_token)).status).toBe(200)
  })
})

describe('UsherService.authenticate (the RPC an app Worker binds)', () => {
  it('answers who is calling, and refuses on the very next call after a revocation', async () => {
    const user = await confirmedUser()
    const result = await service().authenticate(user.access_token)
    expect(result).toMatchObject({
      ok: true,
      userId: user.user_id,
      type: 'normal',
      identities: [{ providerType: 'local-userpass', id: expect.any(String) }],
      customData: {},
      sessionId: user.refresh_token.split('.')[0],
      expiresAt: expect.any(String),
    })
    await admin().users.revokeSessions.mutate({ userId: user.user_id })
    expect(await service().authenticate(user.access_token)).toEqual({
      ok: false,
      reason: 'revoked',
      message: 'invalid session: the session has ended',
    })
    expect(await service().authenticate('garbage')).toMatchObject({ ok: false, reason: 'invalid' })
    expect(await service().authenticate(42 as unknown as string)).toMatchObject({ ok: false, reason: 'invalid' })
  })
})

describe('users.verifyToken (App Services verify_token)', () => {
  it('decodes a live token, and says expired, revoked or invalid otherwise', async () => {
    const user = await confirmedUser()
    const live = await admin().users.verifyToken.mutate({ token: user.access_token })
    expect(live).toMatchObject({ status: 'live', userId: user.user_id, claims: { sub: user.user_id, aud: 'usher-local' } })

    const { signAccessToken } = await import('../../worker/auth/jwt')
    const { currentSigner } = await import('../../worker/auth/signing-keys')
    const { createUsher } = await import('../../worker/context')
    const signer = await currentSigner(createUsher(env as never, 'https://usher.test/'))
    const claims = JSON.parse(Buffer.from(user.access_token.split('.')[1]!, 'base64url').toString())
    const expired = await signAccessToken({ ...claims, iat: claims.iat - 4000, exp: claims.iat - 5 }, signer)
    expect(await admin().users.verifyToken.mutate({ token: expired })).toMatchObject({ status: 'expired' })
    expect(await admin().users.verifyToken.mutate({ token: 'not.a.token' })).toMatchObject({ status: 'invalid' })
    await admin().users.disable.mutate({ userId: user.user_id })
    expect(await admin().users.verifyToken.mutate({ token: user.access_token })).toMatchObject({ status: 'revoked' })
  })
})
