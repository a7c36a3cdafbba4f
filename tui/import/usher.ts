/**
 * @module tui/import/usher
 * `usher import --from usher`: Usher's own export, JSON lines of `ImportedUser` (users/import-record.ts), one
 * user per line, exactly as the exporter writes them, so importing an export gives back the same users. Each
 * line is read on its own: a broken line is a problem, the lines after it still import.
 *
 *     parseUsher(input: ImportInput, options?: FirebaseOptions): ImportResult
 *
 * `$firebase-scrypt$` hashes name parameter sets by an id derived from the parameters, which an export never
 * carries (the signer key is a secret): restoring users who still have one into another deployment needs the
 * project's parameters again, given as the Firebase options (or that set stored there by an earlier import).
 */
import { parametersFrom, type FirebaseOptions } from './firebase'
import { ImportResultBuilder, RowProblem, sourcesOf, type ImportInput, type ImportResult } from './import-result'

export function parseUsher(input: ImportInput, options: FirebaseOptions = {}): ImportResult {
  const builder = new ImportResultBuilder()
  const parameters = parametersFrom(options)
  if (parameters) builder.hashParameters(parameters)
  for (const source of sourcesOf(input)) {
    builder.inSource(source.name)
    source.text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return
      builder.row(index + 1, () => {
        try {
          return JSON.parse(line) as unknown
        } catch (error) {
          throw new RowProblem(`not valid JSON: ${(error as Error).message}`)
        }
      })
    })
  }
  return builder.result()
}

/** One exported user as a line of this format (what the exporter writes). */
export function usherExportLine(user: object): string {
  return JSON.stringify(user)
}
