/**
 * @module tui/cli/parse
 * Turns argv into either "show help for this command" or "run this command with these checked values".
 * Everything a person can get wrong on the command line (an unknown command or option, a missing value or
 * argument, a malformed id, a limit that is not a number) is a `UsageError` here, before anything is sent.
 *
 * Global flags may appear anywhere (`usher --json users list` and `usher users list --json` are the same).
 * `node:util` parseArgs runs non-strict only to tokenize; the checks are ours, so messages name the command.
 */
import { parseArgs } from 'node:util'
import { isGroup, type Command, type CommandGroup, type Invocation, type OptionSpec } from './command'
import { UsageError } from './failure'
import { USER_ID_PATTERN } from '../../worker/users/import-record'

export const GLOBAL_OPTIONS = {
  url: {
    type: 'string',
    placeholder: 'url',
    description:
      "Usher's address (else the profile's, else $USHER_URL, else the local worker at http://127.0.0.1:$PORT, port 8787 when PORT is unset)",
  },
  'admin-key': {
    type: 'string',
    placeholder: 'key',
    description:
      "the admin API key (else the profile's, else $USHER_ADMIN_KEY, else ADMIN_API_KEY in ./.dev.vars)",
  },
  profile: {
    type: 'string',
    placeholder: 'name',
    description: 'use a saved deployment from `usher profiles list` (else $USHER_PROFILE)',
  },
  json: { type: 'boolean', description: "print the API's result as JSON only, for scripts" },
  help: { type: 'boolean', short: 'h', description: 'show help for any command' },
} satisfies Record<string, OptionSpec>

/** Added to every command that asks before acting. */
export const YES_OPTION: OptionSpec = { type: 'boolean', description: 'do not ask for confirmation' }

export interface GlobalFlags {
  url?: string
  adminKey?: string
  profile?: string
  json: boolean
}

export type CommandLine =
  | { kind: 'help'; path: string[]; node: Command | CommandGroup }
  | { kind: 'run'; path: string[]; command: Command; invocation: Invocation; globals: GlobalFlags }

const ID = /^[0-9a-f]{24}$/i
/** Usher's own ids, or an imported user's kept id (worker/admin/users.ts `userId`). */
const USER_ID = USER_ID_PATTERN
const malformedId = (value: string, path: string[]) =>
  new UsageError(`malformed id "${value}": ids are 24 hexadecimal characters`, path)

/** A checked id: 24 hex lower-cased; a user id may also be an imported one, kept exactly (case matters). */
function checkedId(kind: 'id' | 'user-id', value: string, path: string[]): string {
  if (ID.test(value)) return value.toLowerCase()
  if (kind === 'id') throw malformedId(value, path)
  if (USER_ID.test(value)) return value
  throw new UsageError(
    `malformed user id "${value}": user ids are 1 to 128 letters, digits, _ or - (24 hexadecimal characters for users Usher created)`,
    path,
  )
}

/** The options a command accepts besides the global ones: its own, and `--yes` if it asks first. */
export function optionsOf(command: Command): Record<string, OptionSpec> {
  return { ...command.options, ...('confirm' in command && command.confirm ? { yes: YES_OPTION } : {}) }
}

/** Every option any command knows, so tokenizing never depends on which command is being parsed. */
function allOptions(node: Command | CommandGroup): Record<string, OptionSpec> {
  if (!isGroup(node)) return optionsOf(node)
  return Object.assign({}, ...Object.values(node.commands).map(allOptions))
}

function tokenize(argv: readonly string[], root: CommandGroup) {
  const known: Record<string, OptionSpec> = { ...allOptions(root), ...GLOBAL_OPTIONS }
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(known).map(([name, spec]) => [
        name,
        { type: spec.type, ...(spec.short && { short: spec.short }) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  return {
    positionals: tokens.flatMap((token) => (token.kind === 'positional' ? [token.value] : [])),
    options: tokens.flatMap((token) => (token.kind === 'option' ? [token] : [])),
  }
}

type OptionToken = ReturnType<typeof tokenize>['options'][number]

function checkOptions(command: Command, tokens: OptionToken[], path: string[]) {
  const accepted: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...optionsOf(command) }
  const strings: Record<string, string | undefined> = {}
  const flags: Record<string, boolean> = {}
  for (const token of tokens) {
    const spec = Object.hasOwn(accepted, token.name) ? accepted[token.name] : undefined
    if (!spec) throw new UsageError(`unknown option ${token.rawName} for \`usher ${path.join(' ')}\``, path)
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`${token.rawName} takes no value`, path)
      flags[token.name] = true
      continue
    }
    // A following flag is not a value (`--status --json`); `--search=-x` passes one that starts with a dash.
    if (
      token.value === undefined ||
      (!token.inlineValue && token.value.startsWith('-') && token.value !== '-')
    ) {
      throw new UsageError(
        `${token.rawName} needs a value: ${token.rawName} <${spec.placeholder ?? 'value'}>`,
        path,
      )
    }
    strings[token.name] = token.value
  }
  for (const [name, spec] of Object.entries(optionsOf(command))) {
    const value = strings[name]
    if (value === undefined) {
      if (spec.required) throw new UsageError(`missing --${name} <${spec.placeholder ?? 'value'}>`, path)
      continue
    }
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')} (got "${value}")`, path)
    }
    if (spec.integer && !/^[1-9]\d{0,8}$/.test(value)) {
      throw new UsageError(`--${name} must be a positive whole number (got "${value}")`, path)
    }
    if (spec.id || spec.userId) strings[name] = checkedId(spec.id ? 'id' : 'user-id', value, path)
  }
  return { strings, flags }
}

function checkArguments(command: Command, given: string[], path: string[]) {
  const declared = 'args' in command ? (command.args ?? []) : []
  const args: Record<string, string> = {}
  const lists: Record<string, string[]> = {}
  declared.forEach((spec, index) => {
    const values = given.slice(index, spec.variadic ? undefined : index + 1)
    if (values.length === 0) {
      if (spec.optional) return
      throw new UsageError(`missing <${spec.name}>: ${spec.description}`, path)
    }
    const checked = values.map((value) => (spec.kind === 'text' ? value : checkedId(spec.kind, value, path)))
    args[spec.name] = checked[0]!
    if (spec.variadic) lists[spec.name] = checked
  })
  const taken = declared.at(-1)?.variadic ? given.length : declared.length
  if (given.length > taken) throw new UsageError(`unexpected argument "${given[taken]}"`, path)
  return { args, lists }
}

export function parseCommandLine(argv: readonly string[], root: CommandGroup): CommandLine {
  const { positionals, options } = tokenize(argv, root)

  const path: string[] = []
  let node: Command | CommandGroup = root
  while (isGroup(node) && path.length < positionals.length) {
    const word = positionals[path.length]!
    const child: Command | CommandGroup | undefined = Object.hasOwn(node.commands, word)
      ? node.commands[word]
      : undefined
    if (!child) {
      const where = path.length > 0 ? ` for \`usher ${path.join(' ')}\`` : ''
      throw new UsageError(`unknown command "${word}"${where}`, path)
    }
    path.push(word)
    node = child
  }

  if (options.some((option) => option.name === 'help')) return { kind: 'help', path, node }
  if (isGroup(node)) {
    const after = path.length > 0 ? ` after \`usher ${path.join(' ')}\`` : ''
    throw new UsageError(`missing command${after}: one of ${Object.keys(node.commands).join(', ')}`, path)
  }

  const { strings, flags } = checkOptions(node, options, path)
  const { args, lists } = checkArguments(node, positionals.slice(path.length), path)
  const { url, 'admin-key': adminKey, profile, ...own } = strings
  return {
    kind: 'run',
    path,
    command: node,
    invocation: { args, options: own, flags, ...(Object.keys(lists).length > 0 && { lists }) },
    globals: { url, adminKey, profile, json: flags.json === true },
  }
}
