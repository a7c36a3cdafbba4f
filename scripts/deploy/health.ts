/**
 * @module scripts/deploy/health
 * The deploy's last step: wait until the deployed Usher answers `GET /health` as the app it was deployed
 * as. A new Worker, a new workers.dev subdomain or a new Custom Domain's certificate can take a little while,
 * so a few tries, a few seconds apart; an answer for another app id means PUBLIC_URL reaches some other
 * Worker, which no amount of waiting fixes, but it is still retried in case a previous version answered.
 */

/** How long the deploy waits for the new Worker. */
export const HEALTH = { tries: 6, intervalMs: 5000, timeoutMs: 10_000 }

interface HealthIo {
  fetch: typeof fetch
  sleep(ms: number): Promise<void>
}

function parse(body: string): { ok?: boolean; appId?: string } | undefined {
  try {
    return JSON.parse(body) as { ok?: boolean; appId?: string }
  } catch {
    return undefined
  }
}

/** Resolves with the answer (`<url> answered 200 {…}`); rejects with the last problem after every try. */
export async function waitForHealth(url: string, appId: string, io: HealthIo): Promise<string> {
  let problem = ''
  for (let attempt = 1; attempt <= HEALTH.tries; attempt++) {
    if (attempt > 1) await io.sleep(HEALTH.intervalMs)
    try {
      const response = await io.fetch(url, { signal: AbortSignal.timeout(HEALTH.timeoutMs) })
      const body = (await response.text()).trim()
      const answer = parse(body)
      if (response.ok && answer?.ok && answer.appId === appId)
        return `${url} answered ${response.status} ${body}`
      problem =
        answer?.appId !== undefined && answer.appId !== appId
          ? `it answers for app "${answer.appId}", not "${appId}": does PUBLIC_URL reach this Worker?`
          : `${response.status} ${body.slice(0, 300)}`
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message
      problem = `${(error as Error).message}${cause ? ` (${cause})` : ''}`
    }
  }
  throw new Error(`${url} did not answer as Usher after ${HEALTH.tries} tries: ${problem}`)
}
