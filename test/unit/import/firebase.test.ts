/**
 * Importing from Firebase. The fixture is `firebase auth:export users.json` output as firebase-tools writes it
 * (src/accountExporter.ts: `{"users": [...]}`, undefined fields omitted, `createdAt`/`lastSignedInAt` as
 * strings of epoch milliseconds, `customAttributes` a JSON string, `providerUserInfo` filtered to
 * google/facebook/twitter/github). Its first user and the hash parameters are the published example of the
 * firebase/scrypt README (password `user1password`); the others are modelled on its accountExporter.spec.ts.
 */
import { describe, expect, it } from 'vitest'
import { parseFirebase } from '../../../tui/import/firebase'
import { ImportOptionsError } from '../../../tui/import/import-result'
import { firebaseScryptParametersId } from '../../../worker/users/import-record'
import { fixture } from './fixtures'

const README_PARAMETERS = {
  hashKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
  saltSeparator: 'Bw==',
  rounds: 8,
  memCost: 14,
}

describe('Firebase auth:export', () => {
  it('with the hash parameters, keeps each password as a $firebase-scrypt$ hash naming one parameter set', () => {
    const { users, hashParameters } = parseFirebase(fixture('firebase-users.json'), README_PARAMETERS)
    const parameters = { signerKey: README_PARAMETERS.hashKey, saltSeparator: 'Bw==', rounds: 8, memCost: 14 }
    const id = firebaseScryptParametersId(parameters)
    expect(hashParameters).toEqual([{ id, ...parameters }])
    expect(users[0]).toEqual({
      id: 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2',
      type: 'normal',
      // Unverified, but Firebase let them in (they logged in): confirmed, not locked out by the migration.
      status: 'confirmed',
      disabled: false,
      createdAt: '2017-10-25T01:12:05.000Z',
      lastLoginAt: '2017-10-25T01:12:05.000Z',
      email: 'user1@test.com',
      emailVerified: false,
      passwordHash: `$firebase-scrypt$p=${id}$42xEC+ixf3L2lw$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ`,
      identities: [{ providerType: 'local-userpass', id: 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2' }],
      data: { name: 'Test User 1' },
    })
  })

  it('maps providers to identities, verified and disabled flags, profile and custom claims', () => {
    const { users, lossy } = parseFirebase(fixture('firebase-users.json'), README_PARAMETERS)
    expect(users[1]).toEqual({
      id: 'Zq3kJ8mW2sTnV5bX7cD9fG1hK4lP',
      type: 'normal',
      status: 'confirmed',
      disabled: true,
      createdAt: '2019-04-03T06:45:12.318Z',
      lastLoginAt: '2019-04-03T06:45:12.318Z',
      identities: [
        {
          providerType: 'oauth2-google',
          id: '112233445566778899000',
          data: { email: 'grace@gmail.com', name: 'Grace Hopper', picture: 'https://lh3.googleusercontent.com/a/grace' },
        },
      ],
      data: { name: 'Grace Hopper', picture: 'https://lh3.googleusercontent.com/a/grace', email: 'grace@gmail.com' },
      customData: { role: 'admin', customInt: 99 },
    })
    expect(users[2]).toMatchObject({ lastLoginAt: null, identities: [{ providerType: 'oauth2-facebook', id: '10209292904399815' }] })
    expect(users[3]).toMatchObject({ email: 'nohash@test.com', status: 'confirmed', identities: [{ providerType: 'local-userpass' }] })
    expect(users[3]!.passwordHash).toBeUndefined()
    expect(lossy).toEqual([
      'twitter.com identities left out: Usher has no such provider (1 user)',
      'email/password users without a password hash in the export: they must reset their password (1 user)',
    ])
  })

  it('reports users it cannot import with their line: phone-only sign-in, broken custom claims', () => {
    const { problems } = parseFirebase(fixture('firebase-users.json'), README_PARAMETERS)
    expect(problems).toEqual([
      { line: 42, reason: 'no email or provider Usher can log in with (phone sign-in is not supported)' },
      { line: 48, reason: 'customAttributes is not valid JSON' },
    ])
  })

  it('without the hash parameters, users come without passwords and the result says how to keep them', () => {
    const { users, lossy, hashParameters } = parseFirebase(fixture('firebase-users.json'))
    expect(users.map((user) => user.passwordHash)).toEqual([undefined, undefined, undefined, undefined])
    expect(hashParameters).toBeUndefined()
    expect(lossy).toContain(
      'password hashes left out: give the project’s hash parameters (hash key, salt separator, rounds, mem cost) to keep them (1 user)',
    )
  })

  it('hashes that cannot come from this signer key are left out, not imported to fail every login', () => {
    const otherKey = Buffer.alloc(32, 7).toString('base64')
    const { users, lossy } = parseFirebase(fixture('firebase-users.json'), { ...README_PARAMETERS, hashKey: otherKey })
    expect(users[0]!.passwordHash).toBeUndefined()
    expect(lossy).toContain('password hashes left out because their length differs from the hash key’s (is it this project’s key?) (1 user)')
  })

  it('incomplete or malformed hash parameters are refused as a whole', () => {
    const text = fixture('firebase-users.json')
    expect(() => parseFirebase(text, { hashKey: README_PARAMETERS.hashKey })).toThrow(ImportOptionsError)
    expect(() => parseFirebase(text, { ...README_PARAMETERS, hashKey: 'not base64!' })).toThrow(/hash key .* is not base64/)
    expect(() => parseFirebase(text, { ...README_PARAMETERS, memCost: 14.5 })).toThrow(/mem cost must be a whole number/)
  })

  it('accepts the parameters in URL-safe base64 and names the same parameter set', () => {
    const urlSafe = Buffer.from(README_PARAMETERS.hashKey, 'base64').toString('base64url')
    const standard = parseFirebase(fixture('firebase-users.json'), README_PARAMETERS).hashParameters
    expect(parseFirebase(fixture('firebase-users.json'), { ...README_PARAMETERS, hashKey: urlSafe }).hashParameters).toEqual(standard)
  })

  it('a file that is not an auth:export is one problem, not a crash', () => {
    expect(parseFirebase('[{"localId": "x"}]').problems).toEqual([
      { line: 1, reason: 'not a Firebase export: expected {"users": [...]} as `firebase auth:export` writes' },
    ])
  })
})
