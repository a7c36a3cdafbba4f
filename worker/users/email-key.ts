/**
 * @module users/email-key
 * The key an email address is matched by. Pure (no imports), so the worker's rules (users/credentials.ts) and
 * the import parsers of the CLI (through users/import-record.ts) match addresses the same way.
 */

/**
 * NFKC, lower case, Greek final sigma folded (`ς` and `σ` are one letter). Registration accepts only addresses
 * already in NFKC (see `assertValidEmail`), so the key differs from the stored address by case alone.
 */
export function canonicalEmail(email: string): string {
  return email.normalize('NFKC').toLowerCase().replaceAll('ς', 'σ').normalize('NFKC')
}
