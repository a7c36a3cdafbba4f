import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { TEST_BINDINGS } from './test/bindings'

/**
 * Three projects, named after where they run:
 * - `worker`: inside workerd with a real local D1 (fresh and migrated per test file);
 * - `tui`: Node, the Ink dashboard with ink-testing-library;
 * - `e2e`: Node, the real worker under wrangler's test harness, driven by realm-web, the CLI and the TUI;
 * - `unit`: Node, pure modules (configuration validation against the shipped wrangler.toml).
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, 'drizzle'))
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                // The worker tests call https://usher.test: PUBLIC_URL names it (links never follow a Host header).
                bindings: { ...TEST_BINDINGS, PUBLIC_URL: 'https://usher.test', TEST_MIGRATIONS: migrations },
                // Miniflare's real send_email binding, for MAIL_PROVIDER=cloudflare (not in wrangler.toml:
                // deploying one needs Email Routing on the account).
                // A real local Queue for the events tests: Usher's producer binding under a test name (the tests
                // hand it to the worker as EVENTS_QUEUE, so other suites run without a sink), consumed by an
                // auxiliary worker that keeps what it received (test/worker/events-consumer.js).
                queueProducers: { TEST_EVENTS_QUEUE: { queueName: 'usher-events-test' } },
                serviceBindings: { EVENTS_CONSUMER: 'events-consumer' },
                workers: [
                  {
                    name: 'events-consumer',
                    modules: true,
                    scriptPath: './test/worker/events-consumer.js',
                    compatibilityDate: '2026-08-01',
                    queueConsumers: { 'usher-events-test': { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 0 } },
                  },
                ],
                email: {
                  send_email: [
                    { name: 'SEND_EMAIL' },
                    { name: 'SEND_EMAIL_RESTRICTED', allowed_destination_addresses: ['only@example.com'] },
                  ],
                },
              },
            }),
          ],
          test: {
            name: 'worker',
            include: ['test/worker/**/*.test.ts'],
            setupFiles: ['./test/worker/apply-migrations.ts'],
          },
        },
        {
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.test.{ts,tsx}'],
            environment: 'node',
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
        {
          test: { name: 'tui', include: ['test/tui/**/*.test.tsx'], environment: 'node' },
        },
        {
          test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
        },
      ],
    },
  }
})
