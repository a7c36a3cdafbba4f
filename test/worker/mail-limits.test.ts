/**
 * Per-recipient mail limits (the shipped defaults: 1 a minute, 10 a day): however many requests, from however
 * many IPs, one inbox receives at most that; the answers do not change (so the limit reveals nothing); a
 * dropped resend leaves the link already mailed valid; drops are counted for admins; admins are never dropped.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { admin } from './admin-helpers'
import { client, configured, lastMail, mailCount, uniqueEmail } from './helpers'

const limited = configured({ MAIL_RECIPIENT_LIMIT_PER_MINUTE: '1', MAIL_RECIPIENT_LIMIT_PER_DAY: '10' })
const from = (ip: string) =>
  client((request) => {
    request.headers.set('cf-connecting-ip', ip)
    return limited(request)
  })
const app = from('203.0.113.5')
const limitedAdmin = admin(undefined, (input, init) => limited(new Request(input, init)))
/** Let the minute window pass for one recipient (the day window keeps counting). */
const aMinuteLater = (email: string) =>
  env.DB.prepare('UPDATE mail_quota SET minute_start = minute_start - 61000 WHERE recipient = ?').bind(email.toLowerCase()).run()

describe('per-recipient mail limits', () => {
  it('a resend within the minute is answered alike but not sent, and the mailed link keeps working', async () => {
    const email = uniqueEmail('quick')
    expect((await app.register(email)).status).toBe(201)
    const first = await lastMail(email)
    const resend = await app.userpass('confirm/send', { email })
    expect(resend.status).toBe(204)
    expect(await mailCount(email)).toBe(1)
    expect((await app.userpass('confirm', { token: first.token, tokenId: first.tokenId })).status).toBe(204)
  })

  it('25 reset requests from 25 addresses reach the inbox 10 times a day at most, one a minute', async () => {
    const email = uniqueEmail('flooded')
    expect((await app.register(email)).status).toBe(201)
    const { token, tokenId } = await lastMail(email)
    await app.userpass('confirm', { token, tokenId })
    await aMinuteLater(email)
    const statuses = new Set<number>()
    for (let i = 0; i < 25; i++) {
      statuses.add((await from(`198.51.100.${i}`).userpass('reset/send', { email })).status)
      statuses.add((await from(`198.51.100.${i}`).userpass('reset/send', { email })).status)
      await aMinuteLater(email)
    }
    expect([...statuses]).toEqual([204])
    // The registration's confirmation mail and 9 resets: 10 in the day.
    expect(await mailCount(email)).toBe(10)
    const { items } = await admin().users.list.query({ search: email })
    const details = await admin().users.get.query({ userId: items[0]!.id })
    expect(details.mail).toMatchObject({ sentToday: 10, dropped: 41, lastDroppedAt: expect.any(String) })
  })

  it('concurrent requests cannot both take the last slot', async () => {
    const email = uniqueEmail('race')
    expect((await app.register(email)).status).toBe(201)
    const { token, tokenId } = await lastMail(email)
    await app.userpass('confirm', { token, tokenId })
    await aMinuteLater(email)
    await Promise.all(Array.from({ length: 10 }, (_, i) => from(`192.0.2.${i}`).userpass('reset/send', { email })))
    expect(await mailCount(email)).toBe(2)
  })

  it('an admin asking for a mail is counted but never dropped', async () => {
    const email = uniqueEmail('admin-asks')
    expect((await app.register(email)).status).toBe(201)
    const { items } = await admin().users.list.query({ search: email })
    await limitedAdmin.users.sendConfirmationEmail.mutate({ userId: items[0]!.id })
    await limitedAdmin.users.sendConfirmationEmail.mutate({ userId: items[0]!.id })
    expect(await mailCount(email)).toBe(3)
    expect((await admin().users.get.query({ userId: items[0]!.id })).mail).toMatchObject({ sentToday: 3, dropped: 0 })
  })
})
