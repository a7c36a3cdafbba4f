/**
 * @module tui/custom-data
 * A user's custom data as the terminal tools check it before sending (`usher users data set`, the dashboard's
 * `e`): a JSON object of at most 4096 bytes serialized, refused in the server's own sentences
 * (worker/users/custom-data.ts) so nothing is sent that the server would refuse. The limit is written out
 * here because the worker reaches the terminal tools as types only; the build stops if the two differ.
 */
import type * as Worker from '../worker/users/custom-data'

export const CUSTOM_DATA_MAX_BYTES: typeof Worker.CUSTOM_DATA_MAX_BYTES = 4096

export type CustomData = Record<string, unknown>

/** The document, or why it cannot be custom data (one sentence). */
export type CheckedCustomData = { ok: true; data: CustomData; bytes: number } | { ok: false; problem: string }

/** Bytes of the document as the server counts them: its compact JSON, in UTF-8. */
export const customDataBytes = (data: CustomData) => Buffer.byteLength(JSON.stringify(data), 'utf8')

/** Parse and check text meant as custom data. */
export function checkCustomData(text: string): CheckedCustomData {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    return { ok: false, problem: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
  // The server's sentences (worker/users/custom-data.ts checkCustomData).
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, problem: 'custom data must be a JSON object' }
  }
  const bytes = customDataBytes(data as CustomData)
  if (bytes > CUSTOM_DATA_MAX_BYTES) {
    return {
      ok: false,
      problem: `custom data is ${bytes} bytes: at most ${CUSTOM_DATA_MAX_BYTES} (it is carried in every access token)`,
    }
  }
  return { ok: true, data: data as CustomData, bytes }
}

/** The document as people read and edit it: two-space indented JSON. */
export const prettyJson = (value: unknown) => JSON.stringify(value, null, 2)
