/**
 * Export files as they are written — several JSON documents one after another, pretty-printed or one per
 * line — are read with the line of every row, so a bad row can be pointed at.
 */
import { describe, expect, it } from 'vitest'
import { parseLocatedJson } from '../../../tui/import/located-json'

describe('JSON with line numbers', () => {
  it('reads documents one after another and says the line each array element starts on', () => {
    const json = parseLocatedJson('[\n  {"a": 1},\n  {"b":\n 2}, 3\n]\n[4]\n{"c": [5,\n6]}')
    expect(json.documents.map((document) => document.value)).toEqual([[{ a: 1 }, { b: 2 }, 3], [4], { c: [5, 6] }])
    expect(json.documents.map((document) => document.line)).toEqual([1, 6, 7])
    const [first, second, third] = json.documents.map((document) => document.value) as [unknown[], unknown[], { c: unknown[] }]
    expect([0, 1, 2].map((index) => json.lineOf(first, index))).toEqual([2, 3, 4])
    expect(json.lineOf(second, 0)).toBe(6)
    expect(json.lineOf(third.c, 1)).toBe(8)
    expect(json.error).toBeUndefined()
  })

  it('decodes strings, numbers and literals exactly as JSON.parse does', () => {
    const text = '{"s": "a\\"b\\\\c\\u00e9\\n", "n": [-0.5e3, 0, 12], "t": true, "f": false, "z": null, "e": {}, "l": []}'
    expect(parseLocatedJson(text).documents[0]!.value).toEqual(JSON.parse(text))
  })

  it('keeps "__proto__" as an ordinary property, never as the prototype', () => {
    const value = parseLocatedJson('{"__proto__": {"admin": true}}').documents[0]!.value as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toEqual(['__proto__'])
    expect((value as { admin?: boolean }).admin).toBeUndefined()
  })

  it('stops at the first syntax error with its line, keeping the documents before it', () => {
    const json = parseLocatedJson('[1]\n[2,\n  {"a": tru}\n]\n[3]')
    expect(json.documents.map((document) => document.value)).toEqual([[1]])
    expect(json.error).toEqual({ line: 3, reason: expect.stringMatching(/^not valid JSON: unexpected "tru}/) })
    expect(parseLocatedJson('{"a": "line\nbreak"}').error?.reason).toMatch(/control character/)
    expect(parseLocatedJson('[1, 2').error?.reason).toMatch(/the end of the text/)
  })
})
