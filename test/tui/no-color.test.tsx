/** NO_COLOR turns colour off for the real entry points (glyphs carry every state). */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

/**
 * Render red text in a fresh Node, the way tui/index.tsx starts: no-color first, then Ink. The child believes
 * its stdout is a colour terminal (chalk asks `tty.isatty(1)` when it loads), as a real terminal session would.
 */
function renderRed(env: Record<string, string | undefined>): string {
  const script = `
    const tty = (await import('node:tty')).default
    tty.isatty = () => true
    await import('./tui/dashboard/no-color.ts')
    const { renderToString, Text } = await import('ink')
    const { createElement } = await import('react')
    process.stdout.write(renderToString(createElement(Text, { color: 'red' }, 'refused')))
  `
  // Any CI variable makes chalk choose no colour, whatever the terminal.
  const { NO_COLOR: _no, FORCE_COLOR: _force, CI: _ci, ...inherited } = process.env
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...inherited, TERM: 'xterm-256color', ...env },
    encoding: 'utf8',
  })
}

describe('NO_COLOR', () => {
  it('turns colour off; the words and glyphs stay', { timeout: 60_000 }, () => {
    expect(renderRed({ NO_COLOR: '1' })).toBe('refused')
    // The same terminal without NO_COLOR gets the escape codes that NO_COLOR removed.
    expect(renderRed({})).toContain('\u001B[31m')
  })
})
