#!/usr/bin/env node
/**
 * @module tui/bin/usher
 * The `usher` executable: runs the TypeScript CLI through tsx, so `npx usher …` works from a checkout with no
 * build step. Everything else lives in tui/cli.ts.
 */
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

// The project's tsconfig.json, wherever `usher` is run from (tsx would look in the working directory).
register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) })
await import('../cli.ts')
