/**
 * @module scripts/deploy/plan-text
 * The plan as people read it: wrangler commands as shell lines (`npx wrangler …`, what an operator would
 * type to do a step by hand), and the `--plan` report — every step, its commands, the block it would write.
 */
import { HEALTH } from './health'
import { ENVIRONMENT } from './production-config'
import type { Action, Answers, Step } from './plan'

const quote = (word: string) =>
  /^[A-Za-z0-9_./=:@,+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`

/** Words as a shell line, quoted where needed. */
export const shellWords = (words: readonly string[]) => words.map(quote).join(' ')

/** A wrangler command as an operator would type it in the project (the project's own wrangler). */
export const commandLine = (args: readonly string[]) => shellWords(['npx', 'wrangler', ...args])

/** Every wrangler command of a plan, checks first within each step, in order. */
export function commandsOf(steps: readonly Step[]): string[] {
  return steps.flatMap((step) => [
    ...step.checks.map((check) => commandLine(check.args)),
    ...step.actions.flatMap((action) => ('args' in action ? [commandLine(action.args)] : [])),
  ])
}

const VALUE_TEXT = {
  generated: 'value generated: 64 random hex characters, on stdin',
  asked: 'value asked for, not echoed',
  stdin: 'value read from stdin (--mail-api-key -)',
} as const

function describeAction(action: Action): string[] {
  const when = (text: string | undefined) => (text ? `   (${text})` : '')
  switch (action.kind) {
    case 'wrangler':
      return [`$ ${commandLine(action.args)}${when(action.when ?? action.note)}`]
    case 'secret':
      return [
        `$ ${commandLine(action.args)}${when([action.when, VALUE_TEXT[action.value]].filter(Boolean).join('; '))}`,
      ]
    case 'write-configuration':
      return [
        'write into wrangler.toml (replacing the block between the markers, or appending it):',
        ...action.block.split('\n').map((line) => `  | ${line}`),
      ]
    case 'save-profile':
      return [
        `show the new admin key once, and save it with ${action.url} as profile "${action.name}" in ${action.file} (mode 0600)${when(action.when)}`,
      ]
    case 'health':
      return [
        `GET ${action.url} (up to ${HEALTH.tries} tries, ${HEALTH.intervalMs / 1000} s apart; expects app id "${action.appId}")`,
      ]
  }
}

/** The `--plan` text: every step, its commands and what it would write; `run` is the command to run it. */
export function renderPlan(answers: Answers, steps: readonly Step[], run: string): string {
  const lines = [
    `Plan: deploy Usher "${answers.appId}" to ${answers.publicUrl} (wrangler env ${ENVIRONMENT}). Nothing is run; nothing is changed.`,
    '',
  ]
  steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${step.title}`)
    const body = [
      ...step.checks.map((check) => `$ ${commandLine(check.args)}`),
      ...(step.blocked ? [`✗ stops here: ${step.blocked}`] : []),
      ...(step.skipped ? [`· nothing to do: ${step.skipped}`] : step.actions.flatMap(describeAction)),
      ...(step.note ? [step.note] : []),
    ]
    lines.push(...body.map((line) => `   ${line}`))
  })
  lines.push(
    '',
    'A re-run skips what exists: the database, the events queue, secrets already set (never overwritten), an unchanged configuration.',
    `To run it: ${run}`,
  )
  return lines.join('\n')
}
