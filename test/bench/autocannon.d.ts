/**
 * @module bench/autocannon
 * The part of autocannon 9's programmatic API the benchmark uses (the package ships no types, and a types
 * package would be one more dependency for four functions). Shapes follow autocannon's README, "API".
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface AutocannonRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
    /** Called before each request is sent; returns the request to send. */
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest
  }

  export interface AutocannonOptions {
    url: string
    connections?: number
    /** Seconds. */
    duration?: number
    /** Stop after this many requests instead of after `duration`. */
    amount?: number
    /** Seconds to wait for a response. */
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    requests?: AutocannonRequest[]
  }

  export interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p99: number
  }

  export interface AutocannonResult {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    resets: number
    mismatches: number
    statusCodeStats: Record<string, { count: number }>
    latency: Histogram
    requests: Histogram & { sent: number }
  }

  export interface Instance extends EventEmitter, PromiseLike<AutocannonResult> {
    stop(): void
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
    ): this
    on(event: string, listener: (...args: unknown[]) => void): this
  }

  function autocannon(options: AutocannonOptions): Instance
  export default autocannon
}
