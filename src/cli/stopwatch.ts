/**
 * The wall clock, read here alone: how long a command or a case took, for its report, and whether
 * a budget in wall-clock time (`fuzz --time`, `test --fuzz-time`, `shrink --time`) is spent.
 * Outside the simulated world by design: it is read between runs, never by a run, so each run is
 * still a pure function of its scenario, request and seed (docs/design.md#determinism-contract).
 */
import { performance } from 'node:perf_hooks';

export class Stopwatch {
  readonly #start = performance.now(); // wall clock: CLI timing between runs, not simulated

  /** Wall-clock seconds since it was made. */
  seconds(): number {
    return (performance.now() - this.#start) / 1000; // wall clock, outside any run
  }

  /** Whether `budget` nanoseconds have passed; never, for no budget. */
  spent(budget: number | undefined): boolean {
    return budget !== undefined && this.seconds() * 1e9 >= budget;
  }
}
