/**
 * @module tui/profiles
 * Saved connections to Usher deployments, so `usher --profile production users list` needs no URL or key on
 * the command line. One JSON file per operator, `${XDG_CONFIG_HOME:-~/.config}/usher/profiles.json`:
 *
 * ```json
 * { "profiles": { "production": { "url": "https://auth.example.com", "adminKey": "…" } } }
 * ```
 *
 * It holds admin keys, so it is only ever written as mode 0600 in a 0700 directory (written whole to a
 * temporary file, then renamed, so a crash never leaves half a file and an older, looser mode never survives).
 * `npm run deploy` saves the admin key it generates here; `usher profiles` lists, adds and removes entries.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'

export interface Profile {
  /** The deployment's origin, e.g. https://auth.example.com. */
  url: string
  adminKey?: string
}

/** Environment variables (`process.env`, or a test's own). */
export type Environment = Record<string, string | undefined>

/** A profile file that cannot be used, or a profile that is not in it; the message names both. */
export class ProfileError extends Error {}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Why `name` cannot name a profile, or undefined. */
export const profileNameProblem = (name: string) =>
  NAME.test(name)
    ? undefined
    : `profile names are 1–64 letters, digits, dots, dashes or underscores (got "${name}")`

/** Where the profiles live for this environment: `$XDG_CONFIG_HOME/usher`, else `~/.config/usher`. */
export function profilesPath(env: Environment = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config')
  return path.join(base, 'usher', 'profiles.json')
}

/** The path as people write it: `~/.config/usher/profiles.json` rather than the home directory spelled out. */
export function displayPath(file: string, env: Environment = process.env): string {
  const home = env.HOME || homedir()
  return file.startsWith(`${home}${path.sep}`) ? `~${file.slice(home.length)}` : file
}

type ProfileFile = { profiles: Record<string, Profile> } & Record<string, unknown>

function readFile(file: string): ProfileFile {
  if (!existsSync(file)) return { profiles: {} }
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new ProfileError(`${file} is not valid JSON (${error instanceof Error ? error.message : error})`)
  }
  const profiles = (parsed as { profiles?: unknown } | null)?.profiles
  if (typeof parsed !== 'object' || parsed === null || typeof profiles !== 'object' || profiles === null) {
    throw new ProfileError(`${file} has no "profiles" object`)
  }
  for (const [name, profile] of Object.entries(profiles)) {
    const { url, adminKey } = (profile ?? {}) as Partial<Profile>
    if (typeof url !== 'string' || (adminKey !== undefined && typeof adminKey !== 'string')) {
      throw new ProfileError(
        `profile "${name}" in ${file} needs a "url" string (and an optional "adminKey" string)`,
      )
    }
  }
  return parsed as ProfileFile
}

function writeFile(file: string, content: ProfileFile) {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 })
  chmodSync(temporary, 0o600)
  renameSync(temporary, file)
}

/** Every saved profile by name (none when the file does not exist yet). */
export function readProfiles(file = profilesPath()): Record<string, Profile> {
  return readFile(file).profiles
}

/** The profile called `name`; a `ProfileError` naming the file when there is none. */
export function getProfile(name: string, file = profilesPath()): Profile {
  const profiles = readProfiles(file)
  const profile = Object.hasOwn(profiles, name) ? profiles[name] : undefined
  if (!profile) {
    const known = Object.keys(profiles)
    throw new ProfileError(
      `no profile "${name}" in ${file} (${known.length ? `it has ${known.join(', ')}` : 'it has none'}); add it with \`usher profiles add ${name} --url <url>\``,
    )
  }
  return profile
}

/** Save (or replace) one profile; returns the one it replaced, if any. */
export function saveProfile(name: string, profile: Profile, file = profilesPath()): Profile | undefined {
  const problem = profileNameProblem(name)
  if (problem) throw new ProfileError(problem)
  const content = readFile(file)
  const previous = Object.hasOwn(content.profiles, name) ? content.profiles[name] : undefined
  writeFile(file, { ...content, profiles: { ...content.profiles, [name]: profile } })
  return previous
}

/** Remove one profile; returns what was removed, or undefined when there was no such profile. */
export function removeProfile(name: string, file = profilesPath()): Profile | undefined {
  const content = readFile(file)
  if (!Object.hasOwn(content.profiles, name)) return undefined
  const { [name]: removed, ...rest } = content.profiles
  writeFile(file, { ...content, profiles: rest })
  return removed
}
