/**
 * @module tui/import/row-fields
 * Reading the loosely typed rows of foreign exports: each reader returns the value in the form an
 * ImportedUser wants, undefined when the field is absent or null, and throws RowProblem (naming the field)
 * when it is present but unusable — so a bad row is reported rather than imported half-right.
 */
import { RowProblem } from './import-result'

export type Row = Record<string, unknown>

export function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const present = (value: unknown) => value !== undefined && value !== null

export function text(row: Row, field: string): string | undefined {
  const value = row[field]
  if (!present(value)) return undefined
  if (typeof value !== 'string') throw new RowProblem(`${field} must be a string`)
  return value
}

export function requiredText(row: Row, field: string): string {
  const value = text(row, field)
  if (value === undefined || value === '') throw new RowProblem(`${field} is missing`)
  return value
}

/** true/false, or SQLite's 1/0. */
export function flag(row: Row, field: string): boolean | undefined {
  const value = row[field]
  if (!present(value)) return undefined
  if (typeof value === 'boolean') return value
  if (value === 1 || value === 0) return value === 1
  throw new RowProblem(`${field} must be true or false`)
}

export function record(row: Row, field: string): Row | undefined {
  const value = row[field]
  if (!present(value)) return undefined
  if (!isRow(value)) throw new RowProblem(`${field} must be an object`)
  return value
}

export function list(row: Row, field: string): unknown[] {
  const value = row[field]
  if (!present(value)) return []
  if (!Array.isArray(value)) throw new RowProblem(`${field} must be an array`)
  return value
}

function isoOf(date: Date, field: string): string {
  if (Number.isNaN(date.getTime())) throw new RowProblem(`${field} is not a valid date`)
  return date.toISOString()
}

/** Epoch milliseconds, as a number or a string of digits (Firebase). */
export function millisecondsTime(row: Row, field: string): string | undefined {
  const value = row[field]
  if (!present(value)) return undefined
  if (!(typeof value === 'number' || (typeof value === 'string' && /^\d{1,15}$/.test(value)))) {
    throw new RowProblem(`${field} must be milliseconds since 1970`)
  }
  return isoOf(new Date(Number(value)), field)
}

/** Epoch seconds (App Services); 0 means never. */
export function secondsTime(row: Row, field: string): string | undefined {
  const value = row[field]
  if (!present(value) || value === 0) return undefined
  if (typeof value !== 'number') throw new RowProblem(`${field} must be seconds since 1970`)
  return isoOf(new Date(value * 1000), field)
}

/**
 * A timestamp from a database export: ISO 8601 with an offset (Postgres JSON renders timestamptz so), or a
 * number — milliseconds, or seconds when it is too small to be milliseconds (SQLite adapters store either).
 */
export function databaseTime(row: Row, field: string): string | undefined {
  const value = row[field]
  if (!present(value)) return undefined
  if (typeof value === 'number') return isoOf(new Date(value < 1e11 ? value * 1000 : value), field)
  if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/.test(value)) {
    throw new RowProblem(`${field} must be an ISO 8601 date and time`)
  }
  // Postgres writes `2024-03-01 10:00:00.123456+00` outside JSON: make it ISO before Date reads it.
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')
  return isoOf(new Date(iso), field)
}

/** The creation time inside a MongoDB ObjectId (its first 4 bytes are Unix seconds). */
export function objectIdTime(id: string): string | undefined {
  return /^[0-9a-f]{24}$/.test(id) ? new Date(Number.parseInt(id.slice(0, 8), 16) * 1000).toISOString() : undefined
}

/** The object without its undefined values (so `{ name: undefined }` becomes `{}`). */
export function compact<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** `compact`, and undefined when nothing is left. */
export function nonEmpty<T extends object>(value: T): Partial<T> | undefined {
  const kept = compact(value)
  return Object.keys(kept).length > 0 ? kept : undefined
}

/**
 * Only an email/password registration waits for confirmation: a user with an unverified address but only
 * social or anonymous logins is confirmed (their provider vouched for them), and so is one who has logged in
 * before (Firebase and Better Auth let unverified users in by default: locking them out would be the
 * migration's doing). Unverified users who never logged in wait for a confirmation.
 */
export function registrationStatus(hasEmailPassword: boolean, emailVerified: boolean | undefined, everLoggedIn = false) {
  return hasEmailPassword && emailVerified !== true && !everLoggedIn ? ('pending-confirmation' as const) : ('confirmed' as const)
}

/** The bytes of standard or URL-safe base64 (padding optional); undefined when it is not base64. */
export function base64Bytes(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(value) || value.replace(/=+$/, '').length % 4 === 1) return undefined
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
}
