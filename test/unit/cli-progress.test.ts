/**
 * What long CLI commands show on stderr while they run (tui/cli/progress.ts): the bar a terminal redraws in
 * place (count, share, rate, time left), the plain lines a log gets every few seconds, and nothing when quiet.
 */
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { duration, progressBar, progressLine, startProgress } from '../../tui/cli/progress'

describe('progress', () => {
  const state = { label: 'importing', unit: 'user', done: 4500, total: 10_000, elapsedMs: 2000 }

  it('shows the count, the rate and the time left', () => {
    expect(progressBar(state, 120)).toBe(
      'importing ▕███████████░░░░░░░░░░░░░▏ 4,500/10,000 users · 2,250 users/s · 2 s left',
    )
    expect(progressLine(state)).toBe('importing: 4,500/10,000 users (2,250 users/s, 2 s left)')
    expect(progressLine({ ...state, elapsedMs: 100 })).toBe('importing: 4,500/10,000 users')
    // The bar takes the room the words leave, and goes when there is too little; never the last column.
    expect(progressBar(state, 80)).toBe(
      `importing ▕${'█'.repeat(9)}${'░'.repeat(12)}▏ 4,500/10,000 users · 2,250 users/s · 2 s left`,
    )
    expect(progressBar(state, 80)).toHaveLength(79)
    expect(progressBar(state, 60)).toBe('importing 4,500/10,000 users · 2,250 users/s · 2 s left')
    expect(progressBar(state, 40)).toHaveLength(39)
    expect(progressLine({ label: 'mailing', unit: 'mail', done: 3, total: 40, elapsedMs: 1500 })).toBe(
      'mailing: 3/40 mails (2.0 mails/s, 19 s left)',
    )
    expect(progressBar({ ...state, total: undefined }, 30)).toBe(
      'importing 4,500 users · 2,250…'.slice(0, 29),
    )
    expect([duration(400), duration(42_000), duration(200_000), duration(7_500_000)]).toEqual([
      '<1 s',
      '42 s',
      '3 min 20 s',
      '2 h 5 min',
    ])
  })

  function stream(isTTY: boolean) {
    let text = ''
    const output = new Writable({
      write(chunk, _encoding, done) {
        text += chunk.toString()
        done()
      },
    })
    Object.assign(output, { isTTY, columns: 100 })
    return { output, text: () => text }
  }

  it('redraws one line on a terminal, cleared at the end', () => {
    let now = 0
    const { output, text } = stream(true)
    const progress = startProgress(output, { label: 'exporting', unit: 'user', now: () => now })
    now = 1000
    progress.update(500, 1000)
    now = 1050
    progress.update(600, 1000) // too soon to redraw
    progress.note('⚠ retrying')
    progress.finish()
    expect(text()).toBe(
      '\r\x1b[2Kexporting ▕████████████░░░░░░░░░░░░▏ 500/1,000 users · 500 users/s · 1 s left' +
        '\r\x1b[2K⚠ retrying\n' +
        '\r\x1b[2Kexporting ▕██████████████░░░░░░░░░░▏ 600/1,000 users · 571 users/s · 1 s left' +
        '\r\x1b[2K',
    )
  })

  it('writes a plain line now and then to a file or a pipe, and nothing when quiet', () => {
    let now = 0
    const { output, text } = stream(false)
    const progress = startProgress(output, {
      label: 'importing',
      unit: 'user',
      plainEveryMs: 5000,
      now: () => now,
    })
    for (now = 1000; now <= 12_000; now += 1000) progress.update(now / 10, 1200)
    progress.finish()
    expect(text()).toBe(
      'importing: 500/1,200 users (100 users/s, 7 s left)\nimporting: 1,000/1,200 users (100 users/s, 2 s left)\n',
    )
    const silent = stream(false)
    const quiet = startProgress(silent.output, { label: 'importing', unit: 'user', quiet: true })
    quiet.update(1, 2)
    quiet.note('x')
    quiet.finish()
    expect(silent.text()).toBe('')
  })
})
