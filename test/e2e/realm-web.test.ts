/**
 * Compatibility, proven with the real client: the unmodified realm-web 2.0.1 package (as apps install it)
 * against the real Usher worker over HTTP, through the whole user lifecycle.
 */
import * as Realm from 'realm-web'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUsher } from './harness'

let usher: Awaited<ReturnType<typeof startUsher>>
let app: Realm.App

beforeAll(async () => {
  usher = await startUsher()
  app = new Realm.App({ id: 'usher-local', baseUrl: usher.origin })
})
afterAll(() => usher?.close())

const email = `realm-web-${Date.now()}@example.com`
const linkedEmail = `linked-${Date.now()}@example.com`

async function confirmFromMail(address: string) {
  const { token, tokenId } = await usher.lastMail(address)
  await app.emailPasswordAuth.confirmUser({ token, tokenId })
}

async function expectRealmError(promise: Promise<unknown>, statusCode: number, errorCode: string) {
  const error = (await promise.then(
    () => expect.unreachable('expected the call to fail'),
    (e: unknown) => e,
  )) as Realm.MongoDBRealmError
  expect(error).toBeInstanceOf(Realm.MongoDBRealmError)
  expect({ statusCode: error.statusCode, errorCode: error.errorCode }).toEqual({ statusCode, errorCode })
  return error
}

describe('realm-web 2.0.1 against Usher', () => {
  let user: Realm.User

  it('registers, and refuses to log in before confirmation', async () => {
    await app.emailPasswordAuth.registerUser({ email, password: 'first-password' })
    await expectRealmError(app.emailPasswordAuth.registerUser({ email, password: 'first-password' }), 409, 'AccountNameInUse')
    await expectRealmError(app.logIn(Realm.Credentials.emailPassword(email, 'first-password')), 401, 'AuthError')
  })

  it('confirms with the mailed token pair, resends on request', async () => {
    await app.emailPasswordAuth.resendConfirmationEmail({ email })
    const mail = await usher.lastMail(email)
    expect(mail.link.startsWith(`${usher.origin}/confirm?`)).toBe(true)
    await confirmFromMail(email)
  })

  it('logs in and reads the profile', async () => {
    user = await app.logIn(Realm.Credentials.emailPassword(email, 'first-password'))
    expect(app.currentUser?.id).toBe(user.id)
    expect(user.state).toBe('active')
    expect(user.providerType).toBe('local-userpass')
    expect(user.profile.email).toBe(email)
    expect(user.identities).toEqual([{ id: expect.any(String), providerType: 'local-userpass' }])
    expect(user.customData).toEqual({})
    expect(user.deviceId).toMatch(/^[0-9a-f]{24}$/)
    // realm-web decodes but never verifies the token: an ES256 token with a kid works unchanged.
    expect(JSON.parse(Buffer.from(user.accessToken!.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'ES256', kid: expect.any(String) })
    await user.refreshProfile()
    expect(user.profile.email).toBe(email)
  })

  it('refreshes the access token, explicitly and when a request finds it invalid', async () => {
    const before = user.accessToken
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await user.refreshAccessToken()
    expect(user.accessToken).not.toBe(before)
    // A broken access token makes the next request answer 401 InvalidSession; realm-web refreshes and retries.
    ;(user as unknown as { accessToken: string }).accessToken = `${user.accessToken!.slice(0, -4)}AAAA`
    await user.refreshProfile()
    expect(user.profile.email).toBe(email)
    expect(await user.refreshCustomData()).toEqual({})
  })

  it('manages user API keys and logs in with one', async () => {
    const created = await user.apiKeys.create('e2e-key')
    expect(created).toMatchObject({ name: 'e2e-key', disabled: false, key: expect.any(String) })
    const id = String(created._id)
    const all = await user.apiKeys.fetchAll()
    expect(all.map((k) => ({ ...k, _id: String(k._id) }))).toEqual([{ _id: id, name: 'e2e-key', disabled: false }])
    expect(await user.apiKeys.fetch(id as never)).toMatchObject({ name: 'e2e-key' })
    await user.apiKeys.disable(id as never)
    await expectRealmError(app.logIn(Realm.Credentials.apiKey(created.key)), 401, 'InvalidPassword')
    await user.apiKeys.enable(id as never)
    const viaKey = await app.logIn(Realm.Credentials.apiKey(created.key))
    expect(viaKey.id).toBe(user.id)
    // Same user id: realm-web now uses the key's session, which may not delete its own key (as on Atlas).
    await expectRealmError(user.apiKeys.delete(id as never), 403, 'AuthError')
    user = await app.logIn(Realm.Credentials.emailPassword(email, 'first-password'))
    await user.apiKeys.delete(id as never)
    await expectRealmError(user.apiKeys.fetch(id as never), 404, 'APIKeyNotFound')
  })

  it('resets the password by mail', async () => {
    await app.emailPasswordAuth.sendResetPasswordEmail({ email })
    const { token, tokenId } = await usher.lastMail(email)
    await app.emailPasswordAuth.resetPassword({ token, tokenId, password: 'second-password' })
    await expectRealmError(app.logIn(Realm.Credentials.emailPassword(email, 'first-password')), 401, 'InvalidPassword')
    user = await app.logIn(Realm.Credentials.emailPassword(email, 'second-password'))
  })

  it('links: anonymous → register → confirm → link, then either credential is the same user', async () => {
    const anonymous = await app.logIn(Realm.Credentials.anonymous(false))
    await app.emailPasswordAuth.registerUser({ email: linkedEmail, password: 'linked-password' })
    await confirmFromMail(linkedEmail)
    await anonymous.linkCredentials(Realm.Credentials.emailPassword(linkedEmail, 'linked-password'))
    expect(anonymous.identities.map((i) => i.providerType)).toEqual(['anon-user', 'local-userpass'])
    const again = await app.logIn(Realm.Credentials.emailPassword(linkedEmail, 'linked-password'))
    expect(again.id).toBe(anonymous.id)
  })

  it('a failed link throws at once instead of looping', async () => {
    const anonymous = await app.logIn(Realm.Credentials.anonymous(false))
    await expectRealmError(anonymous.linkCredentials(Realm.Credentials.emailPassword(email, 'wrong-password')), 401, 'InvalidPassword')
    await expectRealmError(anonymous.linkCredentials(Realm.Credentials.emailPassword(email, 'second-password')), 409, 'AuthError')
  })

  it('logs out: the refresh token stops working', async () => {
    const refreshToken = user.refreshToken!
    await user.logOut()
    expect(user.state).toBe('logged-out')
    const res = await fetch(`${usher.origin}/api/client/v2.0/auth/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${refreshToken}` },
    })
    expect(res.status).toBe(401)
  })

  it('deletes the account from the client; its credentials stop working', async () => {
    const current = await app.logIn(Realm.Credentials.emailPassword(email, 'second-password'))
    await app.deleteUser(current)
    expect(app.allUsers[current.id]).toBeUndefined()
    await expectRealmError(app.logIn(Realm.Credentials.emailPassword(email, 'second-password')), 401, 'InvalidPassword')
  })
})
