/**
 * @module config/loopback
 * Which hostnames mean this machine: only local development may use them (plain http, links built from the
 * request). One list for the configuration checks and the request context.
 */

/** Hostnames that can only mean this machine (local development). */
export const isLoopbackHost = (hostname: string) => ['localhost', '127.0.0.1', '[::1]'].includes(hostname)
