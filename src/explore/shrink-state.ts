/**
 * The shrinker's state (shrink.ts): the best tape so far and its result, the candidates tried,
 * and the budget. `consider(candidate)` runs a candidate tape (through the caller's lenient
 * replay) and keeps the tape the run actually used when the run fails with the target signature
 * and that tape is smaller in shortlex order (tape-order.ts): the only move the shrinker makes,
 * so it always ends, and the same input gives the same output. A candidate already tried is not
 * run again (Hypothesis caches the same way); one equal to the best is not run at all.
 */
import type { Tape } from '../sim/index.ts';
import type { ScenarioResult } from './scenario.ts';
import { resultSignature } from './signature.ts';
import { compareTapes, tapeKey, trimDefaults } from './tape-order.ts';

/** Runs a tape leniently; the result's `tape` is the tape the run used, normalised. */
export type RunTape = (tape: Tape) => Promise<ScenarioResult>;

/** Why shrinking ended. */
export type ShrinkEnd = 'fixpoint' | 'budget' | 'stopped' | 'not-reproduced';

export class ShrinkState {
  best: Tape;
  bestResult: ScenarioResult;
  /** Runs made, the first (the input's own) included. */
  runs = 0;
  /** Set when the budget or shouldStop ended the shrinking. */
  ended: ShrinkEnd | null = null;
  readonly #run: RunTape;
  readonly #target: string;
  readonly #budget: number;
  readonly #shouldStop: () => boolean;
  readonly #tried = new Set<string>();

  constructor(
    run: RunTape,
    target: string,
    budget: number,
    shouldStop: () => boolean,
    first: { tape: Tape; result: ScenarioResult },
  ) {
    this.#run = run;
    this.#target = target;
    this.#budget = budget;
    this.#shouldStop = shouldStop;
    this.best = first.tape;
    this.bestResult = first.result;
  }

  /** Whether shrinking must end now, noting why in `ended`: the budget spent, or shouldStop. */
  mustEnd(): boolean {
    if (this.ended === null && this.runs >= this.#budget) this.ended = 'budget';
    if (this.ended === null && this.#shouldStop()) this.ended = 'stopped';
    return this.ended !== null;
  }

  /** Runs `candidate`; true when its run became the best. */
  async consider(candidate: Tape): Promise<boolean> {
    const tape = trimDefaults(candidate);
    const key = tapeKey(tape);
    if (compareTapes(tape, this.best) === 0 || this.#tried.has(key) || this.mustEnd()) return false;
    this.#tried.add(key);
    this.runs++;
    const result = await this.#run(tape);
    const used = trimDefaults(result.tape ?? tape);
    this.#tried.add(tapeKey(used));
    if (resultSignature(result) !== this.#target) return false;
    if (compareTapes(used, this.best) >= 0) return false;
    this.best = used;
    this.bestResult = result;
    return true;
  }
}
