// Runs in workerd before each test file; applyD1Migrations is idempotent, so running it again is safe.
import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
