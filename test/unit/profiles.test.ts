/**
 * Saved profiles and how the terminal tools pick their connection: the profile file (where it lives, its
 * mode, what a broken one says), the order flags > profile > environment > local `.dev.vars`, and the
 * `usher profiles` commands (run in-process: they never contact Usher).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { main } from '../../tui/cli/main'
import { keyOrigin, resolveConnection } from '../../tui/connection'
import {
  getProfile,
  ProfileError,
  profilesPath,
  readProfiles,
  removeProfile,
  saveProfile,
  type Environment,
} from '../../tui/profiles'

/** A home of its own for each test: nothing is read from or written to the real one. */
function home() {
  const dir = mkdtempSync(path.join(tmpdir(), 'usher-home-'))
  const env: Environment = { HOME: dir }
  return { dir, env, file: profilesPath(env) }
}

const mode = (file: string) => statSync(file).mode & 0o777

describe('the profile file', () => {
  it('lives in ~/.config/usher/profiles.json, or under XDG_CONFIG_HOME', () => {
    expect(profilesPath({ HOME: '/home/ann' })).toBe('/home/ann/.config/usher/profiles.json')
    expect(profilesPath({ HOME: '/home/ann', XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/usher/profiles.json')
  })

  it('is written readable by its owner only (0600, in a 0700 directory), even over a looser file', () => {
    const { file } = home()
    saveProfile('production', { url: 'https://auth.example.com', adminKey: 'k1' }, file)
    expect(mode(file)).toBe(0o600)
    expect(mode(path.dirname(file))).toBe(0o700)
    chmodSync(file, 0o644)
    saveProfile('staging', { url: 'https://staging.example.com', adminKey: 'k2' }, file)
    expect(mode(file)).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      profiles: {
        production: { url: 'https://auth.example.com', adminKey: 'k1' },
        staging: { url: 'https://staging.example.com', adminKey: 'k2' },
      },
    })
  })

  it('replaces and removes one profile, keeping the others', () => {
    const { file } = home()
    saveProfile('a', { url: 'https://a.example.com', adminKey: 'k' }, file)
    saveProfile('b', { url: 'https://b.example.com' }, file)
    expect(saveProfile('a', { url: 'https://a2.example.com', adminKey: 'k2' }, file)).toEqual({
      url: 'https://a.example.com',
      adminKey: 'k',
    })
    expect(removeProfile('b', file)).toEqual({ url: 'https://b.example.com' })
    expect(removeProfile('b', file)).toBeUndefined()
    expect(readProfiles(file)).toEqual({ a: { url: 'https://a2.example.com', adminKey: 'k2' } })
  })

  it('says which profile is missing, in which file, and how to add it', () => {
    const { file } = home()
    expect(readProfiles(file)).toEqual({})
    expect(() => getProfile('production', file)).toThrow(
      `no profile "production" in ${file} (it has none); add it with \`usher profiles add production --url <url>\``,
    )
    expect(() => getProfile('constructor', file)).toThrow(ProfileError)
  })

  it('says what is wrong with a broken file', () => {
    const { file } = home()
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, '{ nope')
    expect(() => readProfiles(file)).toThrow(new RegExp(`^${file} is not valid JSON`))
    writeFileSync(file, '{"profiles":{"x":{"adminKey":"k"}}}')
    expect(() => readProfiles(file)).toThrow(`profile "x" in ${file} needs a "url" string`)
  })
})

describe('which connection the CLI and the dashboard use', () => {
  const local = (dir: string) => {
    writeFileSync(path.join(dir, '.dev.vars'), 'ADMIN_API_KEY=local-key\n')
    return path.join(dir, '.dev.vars')
  }

  it('flags win over the profile, the profile over the environment, the environment over .dev.vars', () => {
    const { dir, env, file } = home()
    const devVars = local(dir)
    saveProfile('production', { url: 'https://auth.example.com/', adminKey: 'profile-key' }, file)
    const withEnv = { ...env, USHER_URL: 'https://env.example.com', USHER_ADMIN_KEY: 'env-key' }

    expect(resolveConnection({}, env, devVars)).toMatchObject({
      url: 'http://127.0.0.1:8787',
      adminKey: 'local-key',
      source: { url: 'local', adminKey: 'local' },
    })
    expect(resolveConnection({}, withEnv, devVars)).toMatchObject({
      url: 'https://env.example.com',
      adminKey: 'env-key',
    })
    expect(resolveConnection({ profile: 'production' }, withEnv, devVars)).toEqual({
      url: 'https://auth.example.com',
      adminKey: 'profile-key',
      source: { url: 'profile', adminKey: 'profile' },
      profile: { name: 'production', file },
    })
    expect(
      resolveConnection(
        { profile: 'production', url: 'https://flag.example.com', adminKey: 'flag-key' },
        withEnv,
        devVars,
      ),
    ).toMatchObject({
      url: 'https://flag.example.com',
      adminKey: 'flag-key',
      source: { url: 'flag', adminKey: 'flag' },
    })
  })

  it('takes the profile from USHER_PROFILE, and --profile over it', () => {
    const { env, file } = home()
    saveProfile('a', { url: 'https://a.example.com', adminKey: 'ka' }, file)
    saveProfile('b', { url: 'https://b.example.com', adminKey: 'kb' }, file)
    expect(resolveConnection({}, { ...env, USHER_PROFILE: 'a' }).url).toBe('https://a.example.com')
    expect(resolveConnection({ profile: 'b' }, { ...env, USHER_PROFILE: 'a' }).url).toBe(
      'https://b.example.com',
    )
  })

  it('never sends the local .dev.vars key to a profile without a key', () => {
    const { dir, env, file } = home()
    saveProfile('bare', { url: 'https://bare.example.com' }, file)
    expect(resolveConnection({ profile: 'bare' }, env, local(dir))).toMatchObject({
      adminKey: '',
      source: { adminKey: 'missing' },
    })
    expect(
      resolveConnection({ profile: 'bare' }, { ...env, USHER_ADMIN_KEY: 'env-key' }, local(dir)).adminKey,
    ).toBe('env-key')
  })

  it('names the profile and its file when its key is refused', () => {
    const { env, file } = home()
    saveProfile('production', { url: 'https://auth.example.com', adminKey: 'k' }, file)
    expect(keyOrigin(resolveConnection({ profile: 'production' }, env))).toBe(
      `from profile "production" in ${file}`,
    )
  })
})

/** `usher …` in-process, with its own home; returns exit code, stdout and stderr. */
async function usher(argv: string[], env: Environment, input = '') {
  const stdin = new PassThrough()
  stdin.end(input)
  let stdout = ''
  let stderr = ''
  const stderrStream = new PassThrough()
  stderrStream.on('data', (chunk) => (stderr += chunk))
  const code = await main(argv, {
    env,
    stdin,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: stderrStream,
  })
  return { code, stdout, stderr }
}

describe('usher profiles', () => {
  it('add reads the key from stdin with --admin-key -, list shows names and URLs but never keys', async () => {
    const { env, file } = home()
    const added = await usher(
      ['profiles', 'add', 'production', '--url', 'https://auth.example.com/', '--admin-key', '-'],
      env,
      'sekrit-key\n',
    )
    expect(added).toEqual({
      code: 0,
      stdout:
        '✓ saved profile "production": https://auth.example.com\n\nUse it with `usher --profile production users list` or `usher dashboard --profile production`.\n',
      stderr: '',
    })
    expect(getProfile('production', file)).toEqual({
      url: 'https://auth.example.com',
      adminKey: 'sekrit-key',
    })
    expect(mode(file)).toBe(0o600)

    const listed = await usher(['profiles', 'list'], env)
    expect(listed.stdout).toBe(
      `NAME        URL                       ADMIN KEY\nproduction  https://auth.example.com  saved\n\nin ${file}; use one with \`usher --profile <name> …\`\n`,
    )
    expect(listed.stdout).not.toContain('sekrit')
    expect(JSON.parse((await usher(['profiles', 'list', '--json'], env)).stdout)).toEqual({
      file,
      profiles: [{ name: 'production', url: 'https://auth.example.com', adminKey: 'saved' }],
    })
  })

  it('add asks for the key when it is not given, without echoing it', async () => {
    const { env, file } = home()
    const added = await usher(
      ['profiles', 'add', 'staging', '--url', 'https://staging.example.com'],
      env,
      'typed-key\n',
    )
    expect(added.code).toBe(0)
    expect(added.stderr).toBe('Admin key for profile "staging" (not shown): \n')
    expect(getProfile('staging', file).adminKey).toBe('typed-key')
  })

  it('add refuses a missing URL, a bad name, or no key, and saves nothing', async () => {
    const { env, file } = home()
    expect(await usher(['profiles', 'add', 'p', '--admin-key', 'k'], env)).toMatchObject({
      code: 2,
      stderr:
        'usher: missing --url <url>: the deployment, e.g. https://auth.example.com (see `usher profiles add --help`)\n',
    })
    expect(
      (await usher(['profiles', 'add', 'a b', '--url', 'https://x.example.com', '--admin-key', 'k'], env))
        .code,
    ).toBe(2)
    expect(
      await usher(['profiles', 'add', 'p', '--url', 'https://x.example.com', '--admin-key', '-'], env, ''),
    ).toMatchObject({
      code: 1,
      stderr: 'usher: no admin key given: nothing was saved\n',
    })
    expect(readProfiles(file)).toEqual({})
  })

  it('remove asks first unless --yes, and says when there is no such profile', async () => {
    const { env, file } = home()
    saveProfile('old', { url: 'https://old.example.com', adminKey: 'k' }, file)
    const declined = await usher(['profiles', 'remove', 'old'], env, 'n\n')
    expect(declined).toMatchObject({ code: 1, stdout: '' })
    expect(declined.stderr).toContain(
      'Remove profile "old" (https://old.example.com) and its admin key from ~/.config/usher/profiles.json? [y/N] ',
    )
    expect(readProfiles(file)).toHaveProperty('old')
    expect(await usher(['profiles', 'remove', 'old', '--yes'], env)).toMatchObject({
      code: 0,
      stdout: '✓ removed profile "old" (https://old.example.com)\n',
    })
    expect(await usher(['profiles', 'remove', 'old', '--yes'], env)).toMatchObject({
      code: 1,
      stderr: 'usher: no profile "old" in ~/.config/usher/profiles.json\n',
    })
  })

  it('an unknown --profile is one line naming the file, before anything is sent', async () => {
    const { env, file } = home()
    expect(await usher(['--profile', 'nope', 'users', 'list'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: `usher: no profile "nope" in ${file} (it has none); add it with \`usher profiles add nope --url <url>\`\n`,
    })
  })

  it('--help explains the default URL, PORT included, and the profile option', async () => {
    const { stdout } = await usher(['--help'], {})
    expect(stdout).toContain('else the local worker at http://127.0.0.1:$PORT, port 8787 when PORT is unset')
    expect(stdout).toContain(
      '--profile <name>   use a saved deployment from `usher profiles list` (else $USHER_PROFILE)',
    )
    expect(stdout).toContain('profiles remove <name>')
  })
})
