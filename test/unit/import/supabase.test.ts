/**
 * Importing from Supabase. The fixtures are `auth.users` rows with their `auth.identities`, columns as in
 * supabase/auth internal/models/{user,identity}.go and its migrations (bcrypt `encrypted_password` from Go's
 * x/crypto/bcrypt, `email_confirmed_at`, `banned_until`, `deleted_at`, `is_anonymous`, jsonb metadata; the email
 * identity's `provider_id` is the user id), in the two JSON shapes `psql … json_agg` gives: users with nested
 * identities, and `{users, identities}`. The `$fbscrypt$` hash is GoTrue's own TestFirebaseScrypt vector
 * (internal/crypto/password_test.go).
 */
import { describe, expect, it } from 'vitest'
import { parseSupabase } from '../../../tui/import/supabase'
import { firebaseScryptParametersId } from '../../../worker/users/import-record'
import { fixture } from './fixtures'

const now = new Date('2025-01-01T00:00:00Z')

describe('Supabase auth.users with identities', () => {
  it('keeps bcrypt hashes as they are, and maps confirmation, identities, metadata and app metadata', () => {
    const { users } = parseSupabase(fixture('supabase-users.json'), { now })
    expect(users[0]).toEqual({
      id: '3f1c7a52-8d2e-4b6a-9c1e-5a7b8d9e0f11',
      type: 'normal',
      status: 'confirmed',
      disabled: false,
      createdAt: '2024-03-01T09:59:00.500Z',
      lastLoginAt: '2024-03-02T08:00:00.000Z',
      email: 'sam@example.com',
      emailVerified: true,
      passwordHash: '$2a$10$qEGXV1qlmd8PftWEQQHRiutdhmg5DtC8VSJ2IUlAAVY.xe3XYPkNi',
      identities: [
        { providerType: 'local-userpass', id: '3f1c7a52-8d2e-4b6a-9c1e-5a7b8d9e0f11' },
        {
          providerType: 'oauth2-google',
          id: '104729384756102938475',
          data: {
            sub: '104729384756102938475',
            email: 'sam@example.com',
            full_name: 'Sam Sample',
            avatar_url: 'https://lh3.googleusercontent.com/a/sam',
            iss: 'https://accounts.google.com',
          },
        },
      ],
      data: { full_name: 'Sam Sample' },
      customData: { plan: 'pro' },
    })
  })

  it('an unconfirmed email waits for confirmation; a ban until a future date disables, a past one does not', () => {
    const { users } = parseSupabase(fixture('supabase-users.json'), { now })
    expect(users[1]).toMatchObject({ email: 'pending@example.com', status: 'pending-confirmation', emailVerified: false, disabled: true })
    expect(users[2]).toEqual({
      id: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
      type: 'normal',
      status: 'confirmed',
      disabled: false,
      createdAt: '2024-05-01T00:00:00.000Z',
      lastLoginAt: '2024-05-01T00:00:00.000Z',
      identities: [{ providerType: 'anon-user', id: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d' }],
    })
  })

  it('deleted users and bad rows are problems with their line; unverifiable hashes and providers are counted', () => {
    const { users, problems, lossy } = parseSupabase(fixture('supabase-users.json'), { now })
    expect(problems).toEqual([
      { line: 61, reason: 'deleted in Supabase on 2024-06-01T00:00:00.000Z: not imported' },
      { line: 84, reason: 'created_at must be an ISO 8601 date and time' },
    ])
    expect(users.find((user) => user.email === 'argon@example.com')).toMatchObject({ identities: [{ providerType: 'local-userpass' }] })
    expect(users.find((user) => user.email === 'argon@example.com')!.passwordHash).toBeUndefined()
    expect(lossy).toEqual([
      'github identities left out: Usher has no such provider (1 user)',
      'argon2 password hashes left out: Usher cannot verify them (1 user)',
      'email/password users without a usable password hash: they must reset their password (1 user)',
    ])
  })

  it('GoTrue’s $fbscrypt$ hashes (users Supabase imported from Firebase) become $firebase-scrypt$ with their parameter set', () => {
    const { users, hashParameters } = parseSupabase(fixture('supabase-users.json'), { now })
    const parameters = {
      signerKey: 'ou9tdYTGyYm8kuR6Dt0Bp0kDuAYoXrK16mbZO4yGwAn3oLspjnN0/c41v8xZnO1n14J3MjKj1b2g6AUCAlFwMw==',
      saltSeparator: 'Bw==',
      rounds: 8,
      memCost: 14,
    }
    const id = firebaseScryptParametersId(parameters)
    expect(hashParameters).toEqual([{ id, ...parameters }])
    expect(users.find((user) => user.email === 'firebased2@example.com')!.passwordHash).toBe(
      `$firebase-scrypt$p=${id}$C0sHCg9ek77hsg$zKVTMvnWVw5BBOZNUdnsalx4c4c7y/w7IS5p6Ut2+CfEFFlz37J9huyQfov4iizN8dbjvEJlM5tQaJP84+hfTw`,
    )
  })

  it('joins separate users and identities tables on user_id, reporting identities of no user', () => {
    const { users, problems } = parseSupabase([{ name: 'tables.json', text: fixture('supabase-tables.json') }], { now })
    expect(users).toEqual([
      {
        id: '11111111-2222-4333-8444-555555555555',
        type: 'normal',
        status: 'confirmed',
        disabled: false,
        createdAt: '2024-02-02T02:00:00.000Z',
        lastLoginAt: null,
        email: 'table@example.com',
        emailVerified: true,
        passwordHash: '$2a$10$qEGXV1qlmd8PftWEQQHRiutdhmg5DtC8VSJ2IUlAAVY.xe3XYPkNi',
        identities: [
          { providerType: 'local-userpass', id: '11111111-2222-4333-8444-555555555555' },
          { providerType: 'oauth2-apple', id: '001234.abcdef0123456789.0123', data: { sub: '001234.abcdef0123456789.0123', email: 'x@privaterelay.appleid.com' } },
        ],
        data: { name: 'Tab Le' },
      },
    ])
    expect(problems).toEqual([{ line: 7, reason: 'an identity without a user_id', file: 'tables.json' }])
  })
})
