/**
 * @module bench/spin
 * A fixed amount of pure JavaScript work (floating-point arithmetic, no allocation, no I/O), run by the bound
 * worker at `GET /spin?n=` and by Node: the benchmark checks its isolate CPU profiler against what the same
 * loop costs in Node (./cpu-profile.ts `checkProfiler`).
 */
export function spin(rounds: number): number {
  let x = 0
  for (let i = 0; i < rounds; i++) x += Math.sqrt(i) * 1.0000001
  return x
}
