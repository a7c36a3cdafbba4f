/**
 * Bindings every test worker runs with. The KDF is real scrypt through node:crypto, only cheaper than the
 * production default (N=2^10, r=8, p=1 instead of N=2^14, r=8, p=5) so hundreds of registrations fit in a
 * test run; test/worker/config.test.ts proves the shipped wrangler.toml uses the OWASP parameters.
 */
// Random, as Usher requires of every secret (fixed so failing runs can be reproduced).
export const TEST_ADMIN_KEY = 'f5b9b8020c66eaf5e729072daca1b8c5b2b957752d0427ff'

export const TEST_BINDINGS = {
  ADMIN_API_KEY: TEST_ADMIN_KEY,
  KEY_ENCRYPTION_KEY: 'dafcd6d834033952d6e6bd013603b47ee0ec0f40c7a127fa',
  FUNCTION_SECRET: '87ebaf84d206f5e6a3d5e8caf8d9198293c9c3ab894e0391',
  SCRYPT_N: '1024',
  SCRYPT_R: '8',
  SCRYPT_P: '1',
  // Suites register many users from one address and resend mail at once; the limits themselves are tested
  // with RATE_LIMITS=on and the shipped mail limits.
  RATE_LIMITS: 'off',
  MAIL_RECIPIENT_LIMIT_PER_MINUTE: '0',
  MAIL_RECIPIENT_LIMIT_PER_DAY: '0',
}
