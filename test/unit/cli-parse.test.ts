/**
 * The `usher` command line against the real command tree: what is accepted, where help is shown, and the
 * message a person gets for each kind of mistake (before anything is sent to a server).
 */
import { describe, expect, it } from 'vitest'
import { usher } from '../../tui/cli/commands'
import { describeFailure, UsageError } from '../../tui/cli/failure'
import { renderHelp } from '../../tui/cli/help'
import { parseCommandLine } from '../../tui/cli/parse'

const ID = '65f0c0ffee0123456789abcd'

function run(...argv: string[]) {
  const line = parseCommandLine(argv, usher)
  if (line.kind !== 'run') throw new Error(`expected a command, got help for ${line.path.join(' ')}`)
  return line
}

function usageError(...argv: string[]): UsageError {
  try {
    parseCommandLine(argv, usher)
  } catch (error) {
    if (error instanceof UsageError) return error
    throw error
  }
  throw new Error(`expected a usage error for: ${argv.join(' ')}`)
}

describe('accepted command lines', () => {
  it('resolves a command with its options and arguments', () => {
    const line = run('users', 'list', '--status', 'pending', '--limit', '5', '--search=-dash')
    expect(line.path).toEqual(['users', 'list'])
    expect(line.invocation.options).toEqual({ status: 'pending', limit: '5', search: '-dash' })
    expect(run('users', 'get', ID.toUpperCase()).invocation.args).toEqual({ id: ID })
    // Imported users keep their ids, whose case matters (Firebase uids); Usher's own 24-hex ids are lower-cased.
    expect(run('users', 'get', 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2').invocation.args).toEqual({ id: 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2' })
    expect(run('users', 'get', '3f1c7a52-8d2e-4b6a-9c1e-5a7b8d9e0f11').invocation.args.id).toBe('3f1c7a52-8d2e-4b6a-9c1e-5a7b8d9e0f11')
    expect(run('audit', '--user', 'Fb8Yt_R5e').invocation.options.user).toBe('Fb8Yt_R5e')
    expect(run('audit', '--user', ID.toUpperCase()).invocation.options.user).toBe(ID)
    expect(run('events', 'list', '--user', 'Fb8Yt_R5e').invocation.options.user).toBe('Fb8Yt_R5e')
    // Tokens are case-sensitive: only ids are lower-cased.
    expect(run('token', 'verify', 'eyJhbGciOi.AbC.xYz').invocation.args).toEqual({
      token: 'eyJhbGciOi.AbC.xYz',
    })
    expect(run('keys', 'rotate', '--revoke-previous', '--yes').invocation.flags).toEqual({
      'revoke-previous': true,
      yes: true,
    })
  })

  it('takes several files where a command reads them, and leaves out an optional argument', () => {
    const line = run('import', 'page-1.json', '--from', 'app-services', 'page-2.json', '-')
    expect(line.invocation.args).toEqual({ file: 'page-1.json' })
    expect(line.invocation.lists).toEqual({ file: ['page-1.json', 'page-2.json', '-'] })
    expect(run('users', 'send-password-setup', '--all').invocation).toMatchObject({ args: {}, flags: { all: true } })
    expect(run('users', 'send-password-setup', 'Fb8Yt').invocation.args).toEqual({ id: 'Fb8Yt' })
    expect(run('users', 'get', ID).invocation.lists).toBeUndefined()
  })

  it('takes global flags anywhere on the line', () => {
    const line = run('--json', 'users', '--url', 'http://x.test', 'get', ID, '--admin-key=k')
    expect(line.globals).toEqual({ json: true, url: 'http://x.test', adminKey: 'k' })
    expect(line.invocation.options).toEqual({})
  })

  it('offers --yes only on commands that ask first', () => {
    expect(run('users', 'delete', ID, '--yes').invocation.flags.yes).toBe(true)
    expect(run('api-keys', 'delete', ID, '--yes').invocation.flags.yes).toBe(true)
    expect(usageError('users', 'disable', ID, '--yes').message).toBe(
      'unknown option --yes for `usher users disable`',
    )
  })

  it('accepts `-` as a value, so a password can come from stdin', () => {
    expect(
      run('users', 'create', '--email', 'a@example.com', '--password', '-').invocation.options.password,
    ).toBe('-')
  })
})

describe('help', () => {
  it('is available at every level, even on an otherwise incomplete line', () => {
    for (const argv of [
      ['--help'],
      ['users', '-h'],
      ['users', 'list', '--help'],
      ['users', 'get', '--help'],
    ]) {
      expect(parseCommandLine(argv, usher)).toMatchObject({ kind: 'help', path: argv.slice(0, -1) })
    }
  })

  it("lists every command at the root and each command's options on its own page", () => {
    const root = renderHelp([], usher)
    for (const line of [
      'users list',
      'users get <id>',
      'users create --email <email> --password <password>',
      'api-keys create --name <name>',
      'keys rotate',
      'token verify <token>',
      'audit',
      'outbox',
      'config',
      'dashboard',
      'import <file…> --from <format>',
      'export',
      'users send-password-setup [<id>]',
      'users change-email <id> <email>',
    ]) {
      expect(root).toContain(`  ${line} `)
    }
    const list = parseCommandLine(['users', 'list', '-h'], usher)
    if (list.kind !== 'help') throw new Error('expected help')
    const page = renderHelp(list.path, list.node)
    expect(page).toContain(
      'Usage: usher users list [--status <status>] [--provider <provider>] [--search <text>] [--limit <n>] [--cursor <cursor>]',
    )
    expect(page).toContain('--admin-key <key>')
  })
})

describe('usage errors name the mistake and the help to read', () => {
  it.each([
    [[], 'missing command: one of users, import, export, api-keys, keys, token, events, audit, outbox, config, dashboard', []],
    [['token', 'verify'], 'missing <token>: the access token', ['token', 'verify']],
    [['userz'], 'unknown command "userz"', []],
    [['users'], 'missing command after `usher users`: one of list, get, create,', ['users']],
    [['users', 'lst'], 'unknown command "lst" for `usher users`', ['users']],
    [['users', 'get'], 'missing <id>', ['users', 'get']],
    [
      ['users', 'get', 'xyz!'],
      'malformed user id "xyz!": user ids are 1 to 128 letters, digits, _ or - (24 hexadecimal characters for users Usher created)',
      ['users', 'get'],
    ],
    [['users', 'get', 'x'.repeat(129)], 'malformed user id', ['users', 'get']],
    [['api-keys', 'enable', 'kYi4EvWQlQTKSfnJ3dRSP6IH3ed2'], 'malformed id "kYi4EvWQlQTKSfnJ3dRSP6IH3ed2": ids are 24 hexadecimal characters', ['api-keys', 'enable']],
    [['import', '--from', 'usher'], 'missing <file>', ['import']],
    [['users', 'send-password-setup', ID, ID], `unexpected argument "${ID}"`, ['users', 'send-password-setup']],
    [['users', 'get', ID, ID], `unexpected argument "${ID}"`, ['users', 'get']],
    [['users', 'list', '--bogus'], 'unknown option --bogus for `usher users list`', ['users', 'list']],
    [
      ['users', 'list', '--status', 'nope'],
      '--status must be one of pending, confirmed, disabled, all',
      ['users', 'list'],
    ],
    [
      ['users', 'list', '--limit', 'ten'],
      '--limit must be a positive whole number (got "ten")',
      ['users', 'list'],
    ],
    [['users', 'list', '--limit', '0'], '--limit must be a positive whole number', ['users', 'list']],
    [['users', 'list', '--status', '--json'], '--status needs a value', ['users', 'list']],
    [['users', 'list', '--cursor'], '--cursor needs a value', ['users', 'list']],
    [['users', 'list', '--json=yes'], '--json takes no value', ['users', 'list']],
    [['users', 'create', '--email', 'a@example.com'], 'missing --password <password>', ['users', 'create']],
    [['api-keys', 'create'], 'missing --name <name>', ['api-keys', 'create']],
    [['audit', '--user', 'no.body'], 'malformed user id "no.body"', ['audit']],
  ])('%j', (argv, message, helpPath) => {
    const error = usageError(...argv)
    expect(error.message).toContain(message)
    expect(error.helpPath).toEqual(helpPath)
    const failure = describeFailure(error)
    expect(failure.exitCode).toBe(2)
    expect(failure.line).toContain(`(see \`${['usher', ...helpPath, '--help'].join(' ')}\`)`)
  })

  it('treats inherited object keys as the unknown words they are', () => {
    expect(usageError('constructor').message).toBe('unknown command "constructor"')
    expect(usageError('users', '__proto__').message).toBe('unknown command "__proto__" for `usher users`')
    expect(usageError('config', '--constructor').message).toBe(
      'unknown option --constructor for `usher config`',
    )
  })
})
