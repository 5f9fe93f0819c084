/**
 * One systematic run as the simulation sees it (systematic.ts): a decider over the run's
 * allocation fault points that notes every allocation site it meets, in order of first
 * appearance, and fails the first occurrence of each site it targets. A site is an allocation
 * kind at the driver's file:line (Choice.site), e.g. 'irp at scenarios/foo.ts:42'. Fault points
 * the fuzz space does not let fail (a kind set false, a host outside its hosts) are neither
 * noted nor failed.
 */
import type { Choice, Decider } from '../../sim/index.ts';
import type { DrawnKnobs } from '../../simulation.ts';
import type { ResolvedFuzzSpace } from '../fuzz-space.ts';
import { failableKind, type AllocationKind } from './fault-points.ts';

/** An allocation site: an allocation kind at a driver's file:line. */
export interface AllocationSite {
  /** 'irp at scenarios/foo.ts:42': the site's identity and its name in a report. */
  readonly key: string;
  readonly kind: AllocationKind;
  readonly site: string;
}

export class SystematicRun implements Decider {
  readonly #space: ResolvedFuzzSpace;
  readonly #targets: ReadonlySet<string>;
  #seen = new Map<string, AllocationSite>();
  #failed: string[] = [];
  /** How many sites the run had met when it failed its last target. */
  #metBeforeLastFailure = 0;

  /** Fails the first occurrence of each site whose key is in `targets`. */
  constructor(space: ResolvedFuzzSpace, targets: ReadonlySet<string>) {
    this.#space = space;
    this.#targets = targets;
  }

  /** How many sites the run is to fail. */
  get targets(): number {
    return this.#targets.size;
  }

  /** The run's start (SimulationOptions.draw): draws nothing, forgets a previous run. */
  readonly draw = (): DrawnKnobs => {
    this.#seen = new Map();
    this.#failed = [];
    this.#metBeforeLastFailure = 0;
    return {};
  };

  decide(choice: Choice): number | undefined {
    const kind = failableKind(choice, this.#space);
    if (kind === null) return undefined;
    const site = choice.site() ?? '(no driver frame)';
    const key = `${kind} at ${site}`;
    if (this.#seen.has(key)) return 0;
    this.#seen.set(key, { key, kind, site });
    if (!this.#targets.has(key)) return 0;
    this.#failed.push(key);
    this.#metBeforeLastFailure = this.#seen.size;
    return 1;
  }

  /** The sites the run met, in order of first appearance. */
  sites(): readonly AllocationSite[] {
    return [...this.#seen.values()];
  }

  /** The sites the run met first after it had failed every target it failed. */
  sitesAfterFailures(): readonly AllocationSite[] {
    return this.sites().slice(this.#metBeforeLastFailure);
  }

  /** The targeted sites the run reached and failed. */
  failed(): readonly string[] {
    return this.#failed;
  }
}
