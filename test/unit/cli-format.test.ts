/**
 * The CLI's human output: tables a person can scan, dates that stay short, states readable without colour,
 * and server-chosen text that cannot smuggle escape sequences into the terminal.
 */
import { describe, expect, it } from 'vitest'
import { fields, printable, shortDate, signingKeyState, table, userStatus } from '../../tui/cli/format'

describe('table', () => {
  const rows = [
    { id: 'a1', email: 'ada@example.com', note: 'first' },
    { id: 'b22', email: 'bo@example.com', note: '' },
  ]
  const columns = [
    { header: 'id', value: (row: (typeof rows)[number]) => row.id },
    { header: 'email', value: (row: (typeof rows)[number]) => row.email },
    { header: 'note', value: (row: (typeof rows)[number]) => row.note },
  ]

  it('aligns columns under upper-case headers, two spaces apart, without trailing spaces', () => {
    expect(table(rows, columns)).toBe(
      ['ID   EMAIL            NOTE', 'a1   ada@example.com  first', 'b22  bo@example.com'].join('\n'),
    )
  })

  it('cuts long values with an ellipsis, counting characters rather than bytes', () => {
    const out = table([{ name: 'ünïcödé-and-more' }], [{ header: 'name', value: (r) => r.name, max: 8 }])
    expect(out.split('\n')[1]).toBe('ünïcödé…')
  })

  it('replaces control characters so names cannot rewrite the terminal', () => {
    const out = table([{ name: 'evil\u001b[2J\nname' }], [{ header: 'name', value: (r) => r.name }])
    expect(out).toBe('NAME\nevil\uFFFD[2J\uFFFDname')
    expect(printable('tab\there')).toBe('tab\uFFFDhere')
  })
})

describe('fields', () => {
  it('aligns values after the longest label', () => {
    expect(
      fields([
        ['id', 'x'],
        ['last login', 'never'],
      ]),
    ).toBe('id          x\nlast login  never')
  })
})

describe('shortDate', () => {
  const now = new Date(2026, 10, 21, 12, 0)

  it('shows month, day and time within the current year, in local time', () => {
    expect(shortDate(new Date(2026, 10, 21, 6, 43).toISOString(), '—', now)).toBe('Nov 21 06:43')
    expect(shortDate(new Date(2026, 0, 2, 23, 5).toISOString(), '—', now)).toBe('Jan 02 23:05')
  })

  it('shows only the date for earlier years', () => {
    expect(shortDate(new Date(2025, 11, 31, 23, 59).toISOString(), '—', now)).toBe('2025-12-31')
  })

  it('says what a missing date means', () => {
    expect(shortDate(null, 'never', now)).toBe('never')
    expect(shortDate(null)).toBe('—')
  })
})

describe('userStatus', () => {
  const now = new Date('2026-11-21T12:00:00Z')
  const user = { disabled: false, confirmationExpiresAt: null }

  it('pairs every state with a glyph', () => {
    expect(userStatus({ ...user, status: 'confirmed' }, now)).toBe('● confirmed')
    expect(userStatus({ ...user, status: 'pending-login' }, now)).toBe('◐ pending login')
    expect(userStatus({ ...user, status: 'confirmed', disabled: true }, now)).toBe('⊘ disabled')
  })

  it('flags a pending confirmation whose link has expired', () => {
    const pending = { ...user, status: 'pending-confirmation' as const }
    expect(userStatus({ ...pending, confirmationExpiresAt: '2026-11-21T12:30:00Z' }, now)).toBe(
      '○ pending confirmation',
    )
    expect(userStatus({ ...pending, confirmationExpiresAt: '2026-11-21T11:30:00Z' }, now)).toBe(
      '○ pending confirmation (link expired)',
    )
  })
})

describe('signingKeyState', () => {
  it('pairs every state with a glyph, and tells a revoked key from one that retired on its own', () => {
    expect(signingKeyState({ state: 'current', revokedAt: null })).toBe('● current')
    expect(signingKeyState({ state: 'previous', revokedAt: null })).toBe('◐ previous')
    expect(signingKeyState({ state: 'retired', revokedAt: null })).toBe('○ retired')
    expect(signingKeyState({ state: 'retired', revokedAt: '2026-11-21T12:00:00Z' })).toBe('⊘ revoked')
  })
})
