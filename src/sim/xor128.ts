/**
 * Marsaglia's xor128 generator ("Xorshift RNGs", J. Stat. Softw. 8(14), 2003), computing exactly
 * what seedrandom's xor128 computes (test/sim/xor128.test.ts compares them draw by draw), but
 * started from a given state. seedrandom's constructor first mixes in a seed string and discards
 * 64 values, then overwrites the state it was given, and makes five closures: a scenario run
 * makes a stream per subsystem (27 in a five-host run), each from a state stream-seed.ts derived.
 */
import type { Xor128State } from './stream-seed.ts';

export class Xor128 {
  #x: number;
  #y: number;
  #z: number;
  #w: number;

  /** Starts from `state` (not all zero: stream-seed.ts sees to that). */
  constructor(state: Xor128State) {
    this.#x = state.x | 0;
    this.#y = state.y | 0;
    this.#z = state.z | 0;
    this.#w = state.w | 0;
  }

  /** The next value: a uniform number in [0, 1) with 32 random bits, seedrandom's `prng()`. */
  next(): number {
    const x = this.#x;
    const t = x ^ (x << 11);
    this.#x = this.#y;
    this.#y = this.#z;
    this.#z = this.#w;
    const w = this.#w;
    this.#w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
    return (this.#w >>> 0) / 0x100000000;
  }
}
