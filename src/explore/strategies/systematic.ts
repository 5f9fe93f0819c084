/**
 * `systematic`: fails each allocation site once, then each pair, as Microsoft's usersim (its
 * cxplat fault injection, https://github.com/microsoft/usersim) fails each distinct call stack
 * once: the allocations a driver makes rarely fail, and a driver that does not check one is found
 * by failing it, not by waiting for a random rate to hit it. The first run fails nothing and notes
 * every allocation site it meets (an allocation kind at the driver's file:line,
 * systematic-run.ts); then one run fails the first occurrence of each site, then sets of two
 * sites, up to `--faults K` sites (StrategyParams.faults, default 2). Sites found by later runs
 * (a failure path that allocates) join the list; the sets are walked in an order that a longer
 * list only extends (combinations.ts), so none runs twice. A set of k sites runs only when some
 * run that failed k-1 of them went on to meet the last one: failing an allocation that ends
 * DriverEntry together with one DriverEntry would have made later is a wasted run. `next`
 * returns null when every set within the bound has run or been skipped so, and the campaign
 * reports the strategy exhausted. The fuzz space is kept: a kind whose knob it sets false is
 * never failed, nor a host outside its hosts.
 */
import { checkInteger } from '../../sim/index.ts';
import {
  WAIT,
  type CampaignContext,
  type Digest,
  type RunPlan,
  type Strategy,
  type StrategyName,
  type Wait,
} from '../strategy.ts';
import { CombinationCursor, setsOf } from './combinations.ts';
import { ALLOCATION_KINDS } from './fault-points.ts';
import { SystematicRun, type AllocationSite } from './systematic-run.ts';

/** How many sites a run fails together, at most, when the campaign does not say. */
const DEFAULT_FAULTS = 2;

export function systematicStrategy(context: CampaignContext): Strategy {
  return new Systematic(context);
}

class Systematic implements Strategy {
  readonly name: StrategyName = 'systematic';
  readonly seedOnly = false;
  readonly #context: CampaignContext;
  readonly #sites: AllocationSite[] = [];
  readonly #known = new Set<string>();
  /** One cursor per number of sites failed together: 1, 2, ... up to the bound. */
  readonly #cursors: CombinationCursor[];
  readonly #runs = new WeakMap<RunPlan, { run: SystematicRun; set: readonly number[] }>();
  /**
   * Of the run that failed each set (by setKey): whether it failed all of the set, and the sites
   * it met first after its failures.
   */
  readonly #outcomes = new Map<string, { reachedAll: boolean; after: ReadonlySet<string> }>();
  /** Sets skipped because no run that failed all of them but one met the last, by size. */
  readonly #skipped: number[];
  #unreached = 0;
  /** The sets (by setKey) of the runs planned and not yet observed; '' is the first run's. */
  readonly #pending = new Set<string>();

  constructor(context: CampaignContext) {
    this.#context = context;
    const bound = checkInteger('faults', context.params.faults ?? DEFAULT_FAULTS, 1, 64);
    this.#cursors = Array.from({ length: bound }, (_, i) => new CombinationCursor(i + 1));
    this.#skipped = this.#cursors.map(() => 0);
  }

  next(index: number): RunPlan | Wait | null {
    const seed = this.#context.seed + index;
    if (index === 0) return this.#plan(seed, []);
    const set = this.#nextSet();
    return set === null || set === WAIT ? set : this.#plan(seed, set);
  }

  digest(plan: RunPlan): SystematicDigest | null {
    const made = this.#runs.get(plan);
    if (made === undefined) return null;
    const { run, set } = made;
    return {
      sites: run.sites(),
      reachedAll: run.failed().length === set.length,
      after: run.sitesAfterFailures().map((site) => site.key),
    };
  }

  observe(plan: RunPlan, digest: Digest): void {
    const made = this.#runs.get(plan);
    if (made === undefined || digest === null) return;
    this.#pending.delete(setKey(made.set));
    const { sites, reachedAll, after } = digest as SystematicDigest;
    for (const site of sites) {
      if (this.#known.has(site.key)) continue;
      this.#known.add(site.key);
      this.#sites.push(site);
    }
    if (!reachedAll) this.#unreached++;
    this.#outcomes.set(setKey(made.set), { reachedAll, after: new Set(after) });
  }

  /**
   * The smallest untried set of sites that may be reached together; null when there is none, WAIT
   * when a run not yet observed may tell more. Every smaller set over the sites known was handed
   * out before a larger one is asked for, and a set waits until the runs of its subsets one site
   * smaller are observed, so whether a set may be reached is known when it comes up; a pending
   * run may find new sites, so the walk ends only when none is pending.
   */
  #nextSet(): readonly number[] | Wait | null {
    for (const [size, cursor] of this.#cursors.entries()) {
      for (let set = cursor.peek(this.#sites.length); set !== null; ) {
        if (this.#awaits(set)) return WAIT;
        cursor.next(this.#sites.length);
        if (this.#reachable(set)) return set;
        this.#skipped[size] = (this.#skipped[size] ?? 0) + 1;
        set = cursor.peek(this.#sites.length);
      }
    }
    return this.#pending.size > 0 ? WAIT : null;
  }

  /** Whether the run of a subset of `set` one site smaller (or the first run) is pending. */
  #awaits(set: readonly number[]): boolean {
    if (set.length === 1) return this.#pending.has(setKey([]));
    return set.some((_, i) => this.#pending.has(setKey(set.filter((_, j) => j !== i))));
  }

  /** A single site, or a set whose run without one of its sites failed the rest, then met it. */
  #reachable(set: readonly number[]): boolean {
    if (set.length === 1) return true;
    return set.some((site, i) => {
      const outcome = this.#outcomes.get(setKey(set.filter((_, j) => j !== i)));
      return outcome?.reachedAll === true && outcome.after.has(this.#site(site).key);
    });
  }

  #site(index: number): AllocationSite {
    return this.#sites[index] as AllocationSite;
  }

  report(): readonly string[] {
    const count = this.#sites.length;
    const kinds = ALLOCATION_KINDS.map(
      (kind) => [kind, this.#sites.filter((site) => site.kind === kind).length] as const,
    ).filter(([, n]) => n > 0);
    const lines = [
      `allocation sites found: ${count}` +
        (kinds.length === 0 ? '' : ` (${kinds.map(([kind, n]) => `${kind} ${n}`).join(', ')})`),
    ];
    let left = 0;
    for (const [size, cursor] of this.#cursors.entries()) {
      const sets = setsOf(count, cursor.size);
      left += sets - cursor.given;
      const skipped = this.#skipped[size] ?? 0;
      const name = SET_NAMES[cursor.size] ?? `sets of ${cursor.size}`;
      lines.push(
        `${name} failed: ${cursor.given - skipped} of ${sets}` +
          (skipped === 0 ? '' : `; ${skipped} skipped, never met together`),
      );
    }
    if (this.#unreached > 0)
      lines.push(`runs that did not reach every site they were to fail: ${this.#unreached}`);
    const bound = `${this.#cursors.length} site${this.#cursors.length > 1 ? 's' : ''}`;
    lines.push(
      left === 0
        ? `complete: every set of up to ${bound} that runs met together was failed`
        : `not complete: ${left} sets of up to ${bound} not yet failed`,
    );
    return lines;
  }

  #plan(seed: number, set: readonly number[]): RunPlan {
    const targets = set.map((index) => this.#site(index));
    const run = new SystematicRun(this.#context.space, new Set(targets.map((site) => site.key)));
    const plan: RunPlan = {
      seed,
      request: { faultPoints: true, decider: run, draw: run.draw },
      note: `systematic: ${targets.length === 0 ? DISCOVERY : failNote(targets)}`,
    };
    this.#runs.set(plan, { run, set });
    this.#pending.add(setKey(set));
    return plan;
  }
}

/** What a systematic run tells: the sites it met, whether it failed every target, and after. */
interface SystematicDigest {
  readonly sites: readonly AllocationSite[];
  readonly reachedAll: boolean;
  /** The keys of the sites it met first after its failures. */
  readonly after: readonly string[];
}

/** The key of a set of sites (sorted indexes into the list of sites). */
function setKey(set: readonly number[]): string {
  return set.join(',');
}

const SET_NAMES: Readonly<Record<number, string>> = { 1: 'single sites', 2: 'pairs' };

const DISCOVERY = 'fail nothing, note the allocation sites';

/** 'fail irp at scenarios/foo.ts:42 (1st) and pool at scenarios/foo.ts:50 (1st)'. */
function failNote(targets: readonly AllocationSite[]): string {
  return `fail ${targets.map((site) => `${site.key} (1st)`).join(' and ')}`;
}
