/**
 * @module tui/cli/help
 * `--help` text for the root, a group or a command, generated from the same declarations the parser
 * checks, so help cannot drift from what is accepted.
 */
import { isGroup, type ArgumentSpec, type Command, type CommandGroup, type OptionSpec } from './command'
import { fields } from './format'
import { GLOBAL_OPTIONS, optionsOf } from './parse'

const flag = (name: string, spec: OptionSpec) =>
  `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` <${spec.placeholder ?? 'value'}>` : ''}`

/** `<id>`, `[<id>]` when it may be left out, `<file…>` when it takes several. */
const argumentWord = (arg: ArgumentSpec) => {
  const word = `<${arg.name}${arg.variadic ? '…' : ''}>`
  return arg.optional ? `[${word}]` : word
}

/** `get <id>`, `create --email <email> --password <password>`, then the optional flags if `full`. */
function signature(words: readonly string[], command: Command, full = true): string {
  const own = Object.entries(optionsOf(command))
  const required = own.filter(([, spec]) => spec.required).map(([name, spec]) => flag(name, spec))
  const optional = full
    ? own.filter(([, spec]) => !spec.required).map(([name, spec]) => `[${flag(name, spec)}]`)
    : []
  const args = ('args' in command ? (command.args ?? []) : []).map(argumentWord)
  return [...words, ...args, ...required, ...optional].join(' ')
}

/** Every command under `node`, with the words that reach it. */
function leaves(node: CommandGroup, words: readonly string[] = []): [string[], Command][] {
  return Object.entries(node.commands).flatMap(([word, child]): [string[], Command][] =>
    isGroup(child) ? leaves(child, [...words, word]) : [[[...words, word], child]],
  )
}

const indent = (text: string) => text.replace(/^/gm, '  ')

function optionList(options: Record<string, OptionSpec>): string {
  return indent(fields(Object.entries(options).map(([name, spec]) => [flag(name, spec), spec.description])))
}

function groupHelp(name: string, group: CommandGroup): string[] {
  const commands = leaves(group).map(
    ([words, command]) => [signature(words, command, false), command.summary] as const,
  )
  return [
    `${name}: ${group.summary}`,
    `Usage: ${name} <command> [options]`,
    `Commands:\n${indent(fields(commands))}`,
    `Global options:\n${optionList(GLOBAL_OPTIONS)}`,
    `Run \`${name} <command> --help\` for a command's arguments and options.`,
  ]
}

function commandHelp(path: readonly string[], command: Command): string[] {
  const name = ['usher', ...path].join(' ')
  const args = 'args' in command ? (command.args ?? []) : []
  const own = optionsOf(command)
  return [
    command.details ? `${name}: ${command.summary}\n${command.details}` : `${name}: ${command.summary}`,
    `Usage: ${signature(['usher', ...path], command)}`,
    ...(args.length
      ? [`Arguments:\n${indent(fields(args.map((arg) => [argumentWord(arg), arg.description])))}`]
      : []),
    ...(Object.keys(own).length ? [`Options:\n${optionList(own)}`] : []),
    `Global options:\n${optionList(GLOBAL_OPTIONS)}`,
    ...(command.examples?.length ? [`Examples:\n${indent(command.examples.join('\n'))}`] : []),
  ]
}

/** The help page for the root (`path` empty), a group, or a command. */
export function renderHelp(path: readonly string[], node: Command | CommandGroup): string {
  const sections = isGroup(node) ? groupHelp(['usher', ...path].join(' '), node) : commandHelp(path, node)
  return sections.join('\n\n')
}
