/**
 * Bindings every test worker runs with. The KDF is real scrypt through node:crypto, only cheaper than the
 * production default (N=2^10, r=8, p=1 instead of N=2^14, r=8, p=5) so hundreds of registrations fit in a
 * test run; test/worker/config.test.ts proves the shipped wrangler.toml uses the OWASP parameters.
 */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789abcdef'

export const TEST_BINDINGS = {
  ADMIN_API_KEY: TEST_ADMIN_KEY,
  KEY_ENCRYPTION_KEY: 'test-key-encryption-key-0123456789abcdef01234567',
  FUNCTION_SECRET: 'test-function-secret-0123456789abcdef0123456789',
  SCRYPT_N: '1024',
  SCRYPT_R: '8',
  SCRYPT_P: '1',
  // Suites register many users from one address; the limits themselves are tested with RATE_LIMITS=on.
  RATE_LIMITS: 'off',
}
