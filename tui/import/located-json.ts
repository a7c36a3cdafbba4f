/**
 * @module tui/import/located-json
 * JSON as exports are really written — one document, several one after another (Admin API pages appended to
 * one file, one object per line) — parsed with the line each document and each array element starts on, so
 * an import can say "line 412: …" about a bad row. The grammar is JSON.parse's; keys such as `__proto__`
 * become ordinary own properties, as with JSON.parse.
 */

export interface JsonDocument {
  value: unknown
  line: number
}

export interface LocatedJson {
  documents: JsonDocument[]
  /** The line element `index` of an array found in `documents` starts on. */
  lineOf(array: readonly unknown[], index: number): number
  /** Where the text stopped being JSON; the documents before it are complete, nothing after it was read. */
  error?: { line: number; reason: string }
}

class JsonSyntaxError extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const

export function parseLocatedJson(text: string): LocatedJson {
  const elementLines = new WeakMap<readonly unknown[], number[]>()
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1

  const fail = (reason: string): never => {
    throw new JsonSyntaxError(reason)
  }
  const skipWhitespace = () => {
    for (; position < text.length; position++) {
      const code = text.charCodeAt(position)
      if (code === 0x0a) line++
      else if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return
    }
  }
  const expect = (char: string) => {
    skipWhitespace()
    if (text[position] !== char) fail(`expected '${char}' but found ${describe(text, position)}`)
    position++
  }

  const string = (): string => {
    const start = position++
    let escaped = false
    for (; position < text.length; position++) {
      const code = text.charCodeAt(position)
      if (code === 0x22) {
        // Only escapes need decoding (JSON.parse also validates them); plain text is the string itself.
        return escaped ? (JSON.parse(text.slice(start, ++position)) as string) : text.slice(start + 1, position++)
      }
      if (code === 0x5c) {
        escaped = true
        position++
      } else if (code < 0x20) fail('unescaped control character (a line break?) inside a string')
    }
    return fail('a string is not closed')
  }

  const value = (): unknown => {
    skipWhitespace()
    const char = text[position]
    if (char === '{') return object()
    if (char === '[') return array()
    if (char === '"') return string()
    NUMBER.lastIndex = position
    const number = NUMBER.exec(text)
    if (number) {
      position += number[0].length
      return Number(number[0])
    }
    for (const [word, literal] of LITERALS) {
      if (text.startsWith(word, position)) {
        position += word.length
        return literal
      }
    }
    return fail(`unexpected ${describe(text, position)}`)
  }

  const object = (): Record<string, unknown> => {
    position++
    const result: Record<string, unknown> = {}
    skipWhitespace()
    if (text[position] === '}') {
      position++
      return result
    }
    for (;;) {
      skipWhitespace()
      if (text[position] !== '"') fail(`expected a property name but found ${describe(text, position)}`)
      const key = string()
      expect(':')
      Object.defineProperty(result, key, { value: value(), enumerable: true, writable: true, configurable: true })
      skipWhitespace()
      if (text[position] === '}') {
        position++
        return result
      }
      expect(',')
    }
  }

  const array = (): unknown[] => {
    position++
    const result: unknown[] = []
    const lines: number[] = []
    elementLines.set(result, lines)
    skipWhitespace()
    if (text[position] === ']') {
      position++
      return result
    }
    for (;;) {
      skipWhitespace()
      lines.push(line)
      result.push(value())
      skipWhitespace()
      if (text[position] === ']') {
        position++
        return result
      }
      expect(',')
    }
  }

  const documents: JsonDocument[] = []
  let error: LocatedJson['error']
  try {
    for (skipWhitespace(); position < text.length; skipWhitespace()) {
      const start = line
      documents.push({ value: value(), line: start })
    }
  } catch (thrown) {
    if (!(thrown instanceof JsonSyntaxError || thrown instanceof SyntaxError || thrown instanceof RangeError)) throw thrown
    error = { line, reason: `not valid JSON: ${thrown instanceof RangeError ? 'nested too deeply' : thrown.message}` }
  }
  return {
    documents,
    lineOf: (array, index) => elementLines.get(array)?.[index] ?? 0,
    ...(error && { error }),
  }
}

function describe(text: string, position: number): string {
  return position >= text.length ? 'the end of the text' : JSON.stringify(text.slice(position, position + 12))
}
