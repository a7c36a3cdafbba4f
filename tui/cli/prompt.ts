/**
 * @module tui/cli/prompt
 * The yes/no question before destructive commands. It is asked on stderr so stdout stays clean for
 * `--json`, and it works with a terminal or a pipe (`echo y | usher users delete …`). Only `y` or `yes`
 * agrees; any other answer, end of input or Ctrl-C declines.
 */
import { createInterface } from 'node:readline'

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
