/**
 * @module admin/limits
 * The admin API's size limits, shared by the router mount and the error path that answers before tRPC runs.
 */

/** Largest number of calls one batched request may carry. */
export const MAX_BATCH_SIZE = 10
