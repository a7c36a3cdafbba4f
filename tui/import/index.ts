/**
 * @module tui/import
 * The formats `usher import --from <format>` reads, each a pure function from export files to normalized
 * users (`ImportedUser`, users/import-record.ts) plus the rows left out (`problems`) and what was lost
 * (`lossy`). Nothing here talks to Usher: the command sends `users` and `hashParameters` to the admin API.
 *
 *     parseImport(format, input, options) → { users, origins, problems, lossy?, hashParameters? }
 *
 * `input` is the text of one file, or several `{ name, text }` (problems and `origins`, where each user came
 * from, then name their file). Options: Firebase's hash parameters (`hashKey`, `saltSeparator`, `rounds`,
 * `memCost`: all or none; also for `usher`, whose exports never carry them) and `now` (what "in the future"
 * means for Supabase's `banned_until` and Better Auth's `banExpires`). Bad options throw ImportOptionsError;
 * bad rows never throw.
 */
import { parseAppServices } from './app-services'
import { parseBetterAuth, type BetterAuthOptions } from './better-auth'
import { parseFirebase, type FirebaseOptions } from './firebase'
import type { ImportInput, ImportResult } from './import-result'
import { parseSupabase, type SupabaseOptions } from './supabase'
import { parseUsher } from './usher'

export type ImportOptions = FirebaseOptions & SupabaseOptions & BetterAuthOptions

export interface ImportFormat {
  /** One line, for `usher import --help`. */
  summary: string
  parse(input: ImportInput, options: ImportOptions): ImportResult
}

export const IMPORT_FORMATS = {
  'app-services': {
    summary: 'Atlas App Services: Admin API user and pending-registration pages, or realm-cli `users list -f json`',
    parse: (input) => parseAppServices(input),
  },
  firebase: {
    summary: 'Firebase: `firebase auth:export users.json` (give the hash parameters to keep passwords)',
    parse: (input, options) => parseFirebase(input, options),
  },
  supabase: {
    summary: 'Supabase: auth.users rows with their auth.identities, as JSON from psql',
    parse: (input, options) => parseSupabase(input, options),
  },
  'better-auth': {
    summary: 'Better Auth: the user and account tables as JSON ({"user": [...], "account": [...]})',
    parse: (input, options) => parseBetterAuth(input, options),
  },
  usher: {
    summary: 'Usher: its own export, one user per JSON line (the Firebase hash parameters restore Firebase hashes)',
    parse: (input, options) => parseUsher(input, options),
  },
} satisfies Record<string, ImportFormat>

export type ImportFormatName = keyof typeof IMPORT_FORMATS

export function parseImport(format: ImportFormatName, input: ImportInput, options: ImportOptions = {}): ImportResult {
  return IMPORT_FORMATS[format].parse(input, options)
}

export { ImportOptionsError, type ImportInput, type ImportOrigin, type ImportProblem, type ImportResult, type ImportSource } from './import-result'
export { parseAppServices, parseBetterAuth, parseFirebase, parseSupabase, parseUsher }
export { betterAuthPasswordHash } from './better-auth'
