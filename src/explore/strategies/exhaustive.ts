/**
 * `exhaustive`: every run of a small choice tree, once (docs/design.md#exploration: bounded
 * enumeration, for tiny races such as every order of the events due at one instant). The tree is
 * over the choices whose label contains one of the texts `--vary` gives (every choice without
 * one); choice-tree.ts walks it depth first, learning each varied choice's values (both outcomes
 * of a chance, every candidate of a pick, the two ends of a range) when a run reaches it.
 *
 * Every leaf runs with the campaign seed, not `seed + i`: the tree is over the varied choices
 * only, and every other choice takes the value that one seed gives it, so two leaves differ in
 * what was varied and nothing else. A plan is a decider that answers the varied choices from the
 * leaf's path and leaves the others to the seed; each leaf's note lists its varied values. When a
 * `--vary` text can name a same-instant pick ('same-instant 1.000000s'), plans turn on
 * `sameInstantChoice`, so that the picks exist. The walk ends when the tree is done or after
 * `limit` leaves (the campaign's runs by default); it learns from each run, so it is not
 * seed-only.
 */
import { assert, type Choice, type Decider } from '../../sim/index.ts';
import { WAIT, type CampaignContext, type Strategy } from '../strategy.ts';
import { ChoiceTree, domainOf, type Reached } from './choice-tree.ts';

/** The label every same-instant pick starts with (Simulator). */
const SAME_INSTANT = 'same-instant';

export function exhaustiveStrategy(context: CampaignContext): Strategy {
  const texts = context.params.vary ?? [];
  const varies = (label: string) => texts.length === 0 || texts.some((t) => label.includes(t));
  const limit = context.params.limit ?? context.runs;
  const sameInstant = texts.length === 0 || texts.some(namesSameInstant);
  const tree = new ChoiceTree();
  let leaves = 0;
  let deepest = 0;
  let previous: readonly Reached[] = [];
  let running: LeafDecider | null = null;
  return {
    name: 'exhaustive',
    seedOnly: false,
    next: () => {
      // A leaf's path comes from the run before it: one leaf runs at a time.
      if (running !== null) return WAIT;
      if (tree.done || leaves >= limit) return null;
      running = new LeafDecider(tree, varies);
      const request = { decider: running, ...(sameInstant && { sameInstantChoice: true }) };
      return { seed: context.seed, request, note: leafNote(leaves + 1, tree.path, previous) };
    },
    digest: (plan): readonly Reached[] => (plan.request.decider as LeafDecider).reached,
    observe: (_plan, digest) => {
      const reached = digest as readonly Reached[];
      running = null;
      leaves++;
      deepest = Math.max(deepest, reached.length);
      previous = reached;
      tree.advance(reached);
    },
    report: () => [
      tree.done
        ? `complete: ${leaves} of ${leaves} leaves`
        : leaves >= limit
          ? `stopped at the limit: ${leaves} leaves, tree not done`
          : `stopped after ${leaves} leaves, tree not done`,
      `varied: ${texts.length === 0 ? 'every choice' : texts.map((t) => `'${t}'`).join(', ')}; ` +
        `at most ${deepest} varied choices in a leaf`,
    ],
  };
}

/** Whether a `--vary` text can be part of a same-instant pick's label ('same-instant 1.5s'). */
function namesSameInstant(text: string): boolean {
  return text.startsWith(SAME_INSTANT) || SAME_INSTANT.includes(text);
}

/**
 * A leaf's note: the values of the varied choices its path sets (their labels from the run it
 * branched from, which shares that prefix); the choices after them take their defaults.
 */
function leafNote(leaf: number, path: readonly number[], previous: readonly Reached[]): string {
  const set = path.map((index, i) => {
    const reached = previous[i] as Reached;
    return `${reached.label}=${reached.values[index] as number}`;
  });
  return `exhaustive: leaf ${leaf}${set.length === 0 ? '' : `: ${set.join(', ')}`}`;
}

/** One leaf's decider: the varied choices from the tree's path, the others from the seed. */
class LeafDecider implements Decider {
  /** The varied choices the run reached, in order. */
  readonly reached: Reached[] = [];
  readonly #tree: ChoiceTree;
  readonly #varies: (label: string) => boolean;

  constructor(tree: ChoiceTree, varies: (label: string) => boolean) {
    this.#tree = tree;
    this.#varies = varies;
  }

  decide(choice: Choice): number | undefined {
    if (!this.#varies(choice.label)) return undefined;
    const values = domainOf(choice);
    const position = this.reached.length;
    this.reached.push({ label: choice.label, values });
    const value = values[this.#tree.indexAt(position)];
    // A run on a path is the run its prefix had before (runs are deterministic).
    assert(value !== undefined, `exhaustive: '${choice.label}' lost values since an earlier run`);
    return value;
  }
}
