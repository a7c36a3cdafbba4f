/**
 * Usher's own export format: JSON lines of ImportedUser (worker/users/import-record.ts), one user per line, as
 * the exporter writes them with `usherExportLine`. Importing an export gives back exactly the same users.
 */
import { describe, expect, it } from 'vitest'
import { parseAppServices } from '../../../tui/import/app-services'
import { parseBetterAuth } from '../../../tui/import/better-auth'
import { parseFirebase } from '../../../tui/import/firebase'
import { parseSupabase } from '../../../tui/import/supabase'
import { parseUsher, usherExportLine } from '../../../tui/import/usher'
import type { ImportedUser } from '../../../worker/users/import-record'
import { fixture } from './fixtures'

const now = new Date('2025-01-01T00:00:00Z')
const everyone: ImportedUser[] = [
  ...parseAppServices([fixture('app-services-users.json'), fixture('app-services-pending.json'), fixture('realm-cli-users.json')].map((text) => ({ text }))).users,
  ...parseFirebase(fixture('firebase-users.json'), {
    hashKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
    saltSeparator: 'Bw==',
    rounds: 8,
    memCost: 14,
  }).users,
  ...parseSupabase(fixture('supabase-users.json'), { now }).users,
  ...parseBetterAuth(fixture('better-auth.json'), { now }).users,
]

describe('Usher export lines', () => {
  it('importing an export gives back the same users, in order', () => {
    const exported = everyone.map(usherExportLine).join('\n') + '\n'
    const { users, problems, lossy } = parseUsher(exported)
    expect(problems).toEqual([])
    expect(lossy).toBeUndefined()
    expect(users).toEqual(everyone)
    expect(users.map(usherExportLine).join('\n') + '\n').toBe(exported)
  })

  it('a broken or invalid line is reported with its number; the lines after it still import', () => {
    const [first, second] = everyone.map(usherExportLine)
    const text = [
      first,
      '{"id": "x", "type": "normal"',
      '',
      JSON.stringify({ ...everyone[1], status: 'active' }),
      JSON.stringify({ ...everyone[0], passwordHash: 'md5:5f4dcc3b5aa765d61d8327deb882cf99' }),
      JSON.stringify({ ...everyone[1], extra: true }),
      second,
      first,
    ].join('\n')
    const { users, problems } = parseUsher(text)
    expect(users).toEqual([everyone[0], everyone[1]])
    expect(problems).toEqual([
      { line: 2, reason: expect.stringMatching(/^not valid JSON: /) },
      { line: 4, reason: expect.stringMatching(/^status: Invalid option: expected one of "pending-confirmation"\|"pending-login"\|"confirmed"/) },
      { line: 5, reason: 'passwordHash: must be a $scrypt$, $pbkdf2-sha256$, bcrypt or $firebase-scrypt$ hash' },
      { line: 6, reason: expect.stringMatching(/^user: Unrecognized key: "extra"/) },
      { line: 8, reason: `user ${everyone[0]!.id} already appears at line 1` },
    ])
  })

  it('a record must be coherent: an email only with an email/password identity, a password only with one', () => {
    const google = everyone.find((user) => user.identities[0]!.providerType === 'oauth2-google')!
    const text = [
      JSON.stringify({ ...google, email: 'someone@example.com' }),
      JSON.stringify({ ...google, status: 'pending-confirmation' }),
      JSON.stringify({ ...google, identities: [] }),
    ].join('\n')
    expect(parseUsher(text).problems.map((problem) => problem.reason)).toEqual([
      'email: only a local-userpass identity has an email',
      'status: only an email/password registration can be pending',
      'identities: a user needs at least one identity to log in with',
    ])
  })
})

describe('where each user came from, and restoring Firebase hashes', () => {
  it('`origins` gives the line (and file) of each user kept', () => {
    const [first, second] = everyone.map(usherExportLine)
    const { users, origins } = parseUsher([{ name: 'a.jsonl', text: `${first}\nbroken\n\n${second}\n` }, { name: 'b.jsonl', text: `\n${everyone.map(usherExportLine)[2]}` }])
    expect(users).toEqual(everyone.slice(0, 3))
    expect(origins).toEqual([
      { file: 'a.jsonl', line: 1 },
      { file: 'a.jsonl', line: 4 },
      { file: 'b.jsonl', line: 2 },
    ])
    expect(parseUsher(`${first}\n`).origins).toEqual([{ line: 1 }])
  })

  it("an export never carries the project's Firebase parameters: the same options give them back", () => {
    const withFirebaseHash = everyone.filter((user) => user.passwordHash?.startsWith('$firebase-scrypt$'))
    expect(withFirebaseHash.length).toBeGreaterThan(0)
    const text = withFirebaseHash.map(usherExportLine).join('\n')
    expect(parseUsher(text).hashParameters).toBeUndefined()
    const options = {
      hashKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
      saltSeparator: 'Bw==',
      rounds: 8,
      memCost: 14,
    }
    const { hashParameters } = parseUsher(text, options)
    expect(hashParameters).toHaveLength(1)
    expect(withFirebaseHash[0]!.passwordHash).toContain(`$p=${hashParameters![0]!.id}$`)
    // Parameters no hash names are not sent.
    expect(parseUsher(usherExportLine(everyone[0]!), options).hashParameters).toBeUndefined()
  })
})
