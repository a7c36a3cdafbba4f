/**
 * Importing from Atlas App Services. Fixtures follow the published shapes (reference app-services-2.md §6):
 * Admin API v3 `GET …/users` pages (User: `_id`, `type`, `disabled`, `creation_date`/`last_authentication_date`
 * in Unix seconds, `data`, `identities[{id, provider_type, provider_id, provider_data}]`, from the
 * openapi-admin-v3.yaml User/UserIdentity schemas and realm-cli's user.go), `GET …/user_registrations/pending_users`
 * pages (`{_id, user_id: "", domain_id, login_ids}`), and realm-cli 2.6.3 `users list -f json` output (one
 * object per provider table, string values, Go `Time.String()` dates; internal/commands/user/{list,output}.go).
 */
import { describe, expect, it } from 'vitest'
import { parseAppServices } from '../../../tui/import/app-services'
import { fixture } from './fixtures'

const NO_PASSWORDS = expect.stringMatching(/^no password hashes: App Services never exported them/)

describe('App Services Admin API pages', () => {
  it('keeps ids, types, states, dates, data and identities of every user on pages appended to one file', () => {
    const { users } = parseAppServices(fixture('app-services-users.json'))
    expect(users.map((user) => user.id)).toEqual(['65a1b2c3d4e5f60718293a4b', '65a1b2c3d4e5f60718293a4d', '65a1b2c3d4e5f60718293a4f', '65a1b2c3d4e5f60718293a51'])
    expect(users[0]).toEqual({
      id: '65a1b2c3d4e5f60718293a4b',
      type: 'normal',
      status: 'confirmed',
      disabled: false,
      createdAt: '2024-01-11T19:06:40.000Z',
      lastLoginAt: '2024-01-11T20:06:40.000Z',
      email: 'ann@example.com',
      identities: [{ providerType: 'local-userpass', id: '65a1b2c3d4e5f60718293a4c' }],
      data: { email: 'ann@example.com' },
    })
    expect(users[1]).toMatchObject({
      disabled: true,
      lastLoginAt: null,
      data: { name: 'Bob Builder', first_name: 'Bob', picture: 'https://lh3.googleusercontent.com/a/bob' },
      identities: [
        { providerType: 'oauth2-google', id: '109876543210987654321', data: { name: 'Bob Builder', email: 'bob@gmail.com' } },
        { providerType: 'anon-user', id: '65a1b2c3d4e5f60718293a4e' },
      ],
    })
    expect(users[1]!.email).toBeUndefined() // a Google user has no email/password login
    expect(users[2]).toMatchObject({ type: 'server', identities: [{ providerType: 'api-key', id: '65a1b2c3d4e5f60718293a50' }] })
    expect(users.every((user) => user.passwordHash === undefined)).toBe(true)
  })

  it('reports bad rows and repeated users with their line, and says what is lost', () => {
    const { problems, lossy } = parseAppServices(fixture('app-services-users.json'))
    expect(problems).toEqual([
      { line: 39, reason: '_id is missing' },
      { line: 57, reason: 'user 65a1b2c3d4e5f60718293a4b already appears at line 2' },
    ])
    expect(lossy).toEqual([NO_PASSWORDS, 'identities of providers Usher does not have (oauth2-microsoft) left out (1 user)'])
  })

  it('imports pending registrations as users waiting for confirmation, created when their id says', () => {
    const { users, problems } = parseAppServices([{ name: 'pending.json', text: fixture('app-services-pending.json') }])
    expect(users).toEqual([
      {
        id: '65b000000000000000000001',
        type: 'normal',
        status: 'pending-confirmation',
        disabled: false,
        createdAt: '2024-01-23T18:05:52.000Z',
        lastLoginAt: null,
        email: 'dave@example.com',
        emailVerified: false,
        identities: [{ providerType: 'local-userpass', id: '65b000000000000000000001' }],
      },
    ])
    expect(problems).toEqual([{ line: 4, reason: 'login_ids has no email', file: 'pending.json' }])
  })

  it('an Admin API error body saved instead of a page is reported, not imported', () => {
    const result = parseAppServices('[]\n{"error": "invalid session: access token expired", "error_code": "InvalidSession"}')
    expect(result.users).toEqual([])
    expect(result.problems).toEqual([{ line: 2, reason: 'an Admin API error, not a page of users: invalid session: access token expired' }])
  })
})

describe('realm-cli users list -f json', () => {
  it('merges a linked user’s rows from every provider table, and says exactly what the output lacks', () => {
    const { users, problems, lossy } = parseAppServices(fixture('realm-cli-users.json'))
    expect(users).toEqual([
      {
        id: '65a1b2c3d4e5f60718293a4b',
        type: 'normal',
        status: 'confirmed',
        disabled: false,
        createdAt: '2024-01-12T21:44:35.000Z', // the time inside 65a1b2c3…
        lastLoginAt: '2024-01-11T20:06:40.000Z',
        email: 'ann@example.com',
        identities: [{ providerType: 'local-userpass' }, { providerType: 'oauth2-google' }],
      },
      {
        id: '65a1b2c3d4e5f60718293a60',
        type: 'normal',
        status: 'confirmed',
        disabled: true,
        createdAt: '2024-01-12T21:44:35.000Z',
        lastLoginAt: null,
        email: 'erin@example.com',
        identities: [{ providerType: 'local-userpass' }],
      },
      {
        id: '65a1b2c3d4e5f60718293a4f',
        type: 'server',
        status: 'confirmed',
        disabled: false,
        createdAt: '2024-01-12T21:44:35.000Z',
        lastLoginAt: '2024-01-14T05:20:00.500Z',
        identities: [{ providerType: 'api-key', data: { name: 'billing-backend' } }],
      },
    ])
    expect(problems).toEqual([{ line: 2, reason: 'a realm-cli row without an ID' }])
    expect(lossy).toEqual([
      expect.stringMatching(/^realm-cli output has no identity ids: Google, Apple, Facebook, custom JWT and custom function logins/),
      'realm-cli output has no user data (name, picture…) and no creation dates: creation dates are taken from the time inside each user id',
      expect.stringMatching(/^taken from realm-cli output, which lists 50 users at most: .* \(3 users\)$/),
      NO_PASSWORDS,
    ])
  })

  it('several files at once: problems name their file, and a user listed twice is imported once', () => {
    const { users, problems } = parseAppServices([
      { name: 'users.json', text: fixture('app-services-users.json') },
      { name: 'cli.json', text: fixture('realm-cli-users.json') },
    ])
    expect(users.map((user) => user.id)).toContain('65a1b2c3d4e5f60718293a60')
    expect(problems).toContainEqual({ line: 1, reason: 'user 65a1b2c3d4e5f60718293a4b already appears at users.json line 2', file: 'cli.json' })
  })
})
