/**
 * @module users/functions
 * The app's own confirmation and reset functions, App Services style: Usher sends a JSON payload and the
 * function answers `{"status": "success" | "pending" | "fail"}`. Two transports:
 * - an HTTPS webhook (`*_FUNCTION_URL`), signed so the receiver can trust it:
 *   `X-Usher-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(FUNCTION_SECRET, "<t>.<raw body>")>`;
 * - a Workers service binding (`CONFIRMATION_FUNCTION` / `RESET_FUNCTION`), which needs no signature.
 * A function that cannot be reached, times out (10 s) or answers anything else is reported, never guessed.
 */
import { z } from 'zod'
import type { Config } from '../config'
import { describeFailure, errors } from '../errors'
import { signPayload } from '../webhook-signature'

export type FunctionOutcome = 'success' | 'pending' | 'fail'
export type FunctionKind = 'confirmation' | 'reset' | 'authentication' | 'user-creation'

export interface ConfirmationPayload {
  username: string
  token: string
  tokenId: string
}
export interface ResetPayload extends ConfirmationPayload {
  password: string
  currentPasswordValid: boolean
  arguments: unknown[]
}

export interface FunctionBindings {
  CONFIRMATION_FUNCTION?: Fetcher
  RESET_FUNCTION?: Fetcher
  /** The `custom-function` login provider's function (auth/providers/custom-function.ts). */
  CUSTOM_FUNCTION?: Fetcher
  /** The user creation function (users/custom-data.ts). */
  USER_CREATION_FUNCTION?: Fetcher
}

/** What a function answered: HTTP status and parsed JSON body (undefined when not JSON). */
export interface FunctionAnswer {
  status: number
  body: unknown
}

const outcome = z.object({ status: z.enum(['success', 'pending', 'fail']) })
const TIMEOUT_MS = 10_000


export class AppFunctions {
  constructor(
    private readonly config: Config,
    private readonly bindings: FunctionBindings,
    private readonly now: () => number,
  ) {}

  call(kind: 'confirmation', payload: ConfirmationPayload): Promise<FunctionOutcome>
  call(kind: 'reset', payload: ResetPayload): Promise<FunctionOutcome>
  async call(kind: 'confirmation' | 'reset', payload: ConfirmationPayload | ResetPayload): Promise<FunctionOutcome> {
    let answer: FunctionAnswer
    try {
      answer = await this.invoke(kind, payload)
    } catch (error) {
      throw errors.functionUnavailable(`${kind} function could not be reached: ${describeFailure(error)}`)
    }
    if (answer.status < 200 || answer.status > 299) {
      throw errors.functionUnavailable(`${kind} function answered HTTP ${answer.status}`)
    }
    const parsed = outcome.safeParse(answer.body)
    if (!parsed.success) {
      throw errors.functionUnavailable(
        `${kind} function answered something other than {"status": "success" | "pending" | "fail"}`,
      )
    }
    return parsed.data.status
  }

  /**
   * POST `payload` to the app's function of this kind (its service binding, else its signed webhook) and
   * read the answer; throws only when the function cannot be reached or times out (10 s).
   */
  async invoke(kind: FunctionKind, payload: unknown): Promise<FunctionAnswer> {
    const url = {
      confirmation: this.config.confirmation.functionUrl,
      reset: this.config.reset.functionUrl,
      authentication: this.config.providers.customFunction.url,
      'user-creation': this.config.customData.creationFunctionUrl,
    }[kind]
    const binding = {
      confirmation: this.bindings.CONFIRMATION_FUNCTION,
      reset: this.bindings.RESET_FUNCTION,
      authentication: this.bindings.CUSTOM_FUNCTION,
      'user-creation': this.bindings.USER_CREATION_FUNCTION,
    }[kind]
    const body = JSON.stringify(payload)
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-usher-function': kind }
    let response: Response
    if (binding) {
      response = await binding.fetch(`https://usher.internal/${kind}`, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    } else {
      headers['x-usher-signature'] = signPayload(this.config.secrets.functionSecret!, Math.floor(this.now() / 1000), body)
      response = await fetch(url!, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) })
    }
    return { status: response.status, body: await response.json().catch(() => undefined) }
  }
}


