/** The export files under test/fixtures/import/, read as the CLI reads them. */
import { readFileSync } from 'node:fs'
import path from 'node:path'

export function fixture(name: string): string {
  return readFileSync(path.join(import.meta.dirname, '../../fixtures/import', name), 'utf8')
}
