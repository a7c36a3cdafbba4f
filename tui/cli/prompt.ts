/**
 * @module tui/cli/prompt
 * Questions, asked on stderr so stdout stays clean for `--json`, with a terminal or a pipe alike: the
 * yes/no question before destructive commands (`echo y | usher users delete …`; only `y` or `yes` agrees,
 * any other answer, end of input or Ctrl-C declines), and answers and secrets (never echoed) for
 * `usher profiles add` and `npm run deploy`.
 */
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'

export function askYesNo(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<boolean> {
  const terminal = 'isTTY' in input && input.isTTY === true
  const reader = createInterface({ input, output, terminal })
  return new Promise((resolve) => {
    let settled = false
    const finish = (answer: string | undefined) => {
      if (settled) return
      settled = true
      // A piped answer is not echoed, and Ctrl-D leaves the cursor after the question: end that line.
      if (!terminal || answer === undefined) output.write('\n')
      reader.close()
      resolve(answer !== undefined && /^(y|yes)$/i.test(answer.trim()))
    }
    reader.question(question, finish)
    // A last line without a newline (`printf y | …`) arrives as a plain 'line' event, not as the answer.
    reader.on('line', finish)
    reader.on('SIGINT', () => finish(undefined))
    reader.on('close', () => finish(undefined))
  })
}

/** All of stdin as text, without the final line break (for secrets passed as `-`). */
export async function readAll(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  let text = ''
  for await (const chunk of input) text += chunk.toString()
  return text.replace(/\r?\n$/, '')
}

/** Questions asked one after another on one stream (see `createPrompter`). */
export interface Prompter {
  /** The answer without its line break; undefined at end of input or on Ctrl-C. */
  ask(question: string, options?: { secret?: boolean }): Promise<string | undefined>
  close(): void
}

/**
 * Several questions over one reader, so answers piped in together (`printf 'a\nb\n' | …`) are not lost
 * between questions. A `secret` answer is never echoed: on a terminal nothing is drawn while it is typed.
 */
export function createPrompter(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Prompter {
  const terminal = 'isTTY' in input && input.isTTY === true
  let muted = false
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) output.write(chunk)
      done()
    },
  })
  const reader = createInterface({ input, output: echo, terminal })
  const early: string[] = []
  let closed = false
  let pending: ((answer: string | undefined) => void) | undefined
  reader.on('line', (line) => early.push(line))
  reader.on('SIGINT', () => reader.close())
  reader.on('close', () => {
    closed = true
    pending?.(undefined)
  })
  return {
    ask(question, options = {}) {
      return new Promise((resolve) => {
        const finish = (answer: string | undefined) => {
          pending = undefined
          // A piped or hidden answer leaves the cursor after the question: end that line.
          if (!terminal || muted || answer === undefined) output.write('\n')
          muted = false
          resolve(answer)
        }
        if (early.length > 0 || closed) {
          output.write(question)
          return finish(early.shift())
        }
        pending = finish
        reader.question(question, finish)
        muted = options.secret === true
      })
    },
    close: () => reader.close(),
  }
}

/** One secret, asked without echo (a terminal) or read as the next line (a pipe); '' when none is given. */
export async function askSecret(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Promise<string> {
  const prompter = createPrompter(input, output)
  try {
    return (await prompter.ask(question, { secret: true })) ?? ''
  } finally {
    prompter.close()
  }
}
