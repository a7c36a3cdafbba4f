import { defineConfig } from 'drizzle-kit'

// drizzle-kit's `out` is wrangler's `migrations_dir`: one folder, generated, never edited by hand.
export default defineConfig({
  dialect: 'sqlite',
  schema: './worker/db/schema.ts',
  out: './drizzle',
})
