/**
 * @module users/custom-data-rule
 * What custom data may be: a JSON object of at most 4096 bytes serialized (it rides in every access token).
 * Pure (no imports), so the worker (users/custom-data.ts) and the terminal tools, which check a document
 * before sending it, refuse the same documents in the same sentences.
 */

export const CUSTOM_DATA_MAX_BYTES = 4096

/** A document's size as it is held to the limit: its JSON, in UTF-8 bytes. */
export const customDataBytes = (data: unknown) => new TextEncoder().encode(JSON.stringify(data)).length

/** Why `data` cannot be custom data (the sentence, and the same for its field), or undefined when it can. */
export function customDataProblem(data: unknown): { message: string; field: string } | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { message: 'custom data must be a JSON object', field: 'must be a JSON object' }
  }
  const bytes = customDataBytes(data)
  if (bytes > CUSTOM_DATA_MAX_BYTES) {
    const message = `custom data is ${bytes} bytes: at most ${CUSTOM_DATA_MAX_BYTES} (it is carried in every access token)`
    return { message, field: message }
  }
  return undefined
}
