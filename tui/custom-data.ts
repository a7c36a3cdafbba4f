/**
 * @module tui/custom-data
 * A user's custom data as the terminal tools check it before sending (`usher users data set`, the dashboard's
 * `e`): the worker's own rule (worker/users/custom-data-rule.ts, a module without imports), so nothing is sent
 * that the server would refuse, and a refusal reads the same.
 */
import { customDataBytes, customDataProblem } from '../worker/users/custom-data-rule'

export { CUSTOM_DATA_MAX_BYTES, customDataBytes } from '../worker/users/custom-data-rule'

export type CustomData = Record<string, unknown>

/** The document, or why it cannot be custom data (one sentence). */
export type CheckedCustomData = { ok: true; data: CustomData; bytes: number } | { ok: false; problem: string }

/** Parse and check text meant as custom data. */
export function checkCustomData(text: string): CheckedCustomData {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    return { ok: false, problem: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
  const problem = customDataProblem(data)
  if (problem) return { ok: false, problem: problem.message }
  return { ok: true, data: data as CustomData, bytes: customDataBytes(data) }
}

/** The document as people read and edit it: two-space indented JSON. */
export const prettyJson = (value: unknown) => JSON.stringify(value, null, 2)
