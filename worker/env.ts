/**
 * @module env
 * The Hono environment shared by every route: the Worker's bindings, and the per-request `Usher`.
 */
import type { Bindings, Usher } from './context'

export type AppEnv = { Bindings: Bindings; Variables: { usher: Usher } }
