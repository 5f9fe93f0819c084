/**
 * `--shard i/n`, as vitest, Jest and Playwright shard: shard i of n (from 1) takes the i-th of n
 * contiguous parts of a campaign's run indices, floor((i-1)·R/n) to floor(i·R/n), so the parts
 * are disjoint and together exactly the campaign. A strategy that plans each run from its seed
 * alone (random, swarm) runs those indices of the one campaign: its shards' runs are the
 * unsharded campaign's runs. A strategy that learns from its runs cannot see the other shards'
 * runs, so each of its shards is a campaign of its own over the same seeds: campaign seed
 * S + floor((i-1)·R/n), floor(i·R/n) − floor((i-1)·R/n) runs; its shards' union covers the same
 * seeds, planned by n learners instead of one.
 */
import { UsageError } from './args.ts';

export interface Shard {
  /** From 1. */
  readonly index: number;
  readonly count: number;
}

/** `i/n` with 1 ≤ i ≤ n; anything else is a usage error naming --shard. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const [index, count] = match === null ? [NaN, NaN] : [Number(match[1]), Number(match[2])];
  if (!(index >= 1 && index <= count))
    throw new UsageError(`--shard expects i/n with 1 ≤ i ≤ n (as 2/4), got '${text}'`);
  return { index, count };
}

/** The campaign a shard runs (see the module header). */
export interface ShardCampaign {
  /** Its campaign seed. */
  readonly seed: number;
  /** Its campaign's run budget. */
  readonly runs: number;
  /** For a seed-only strategy: the indices of the one campaign it runs. */
  readonly range?: { readonly from: number; readonly to: number };
  /** What to add to its run indices to make them the unsharded campaign's. */
  readonly offset: number;
}

export function shardCampaign(
  seed: number,
  runs: number,
  shard: Shard | undefined,
  seedOnly: boolean,
): ShardCampaign {
  if (shard === undefined) return { seed, runs, offset: 0 };
  const from = Math.floor(((shard.index - 1) * runs) / shard.count);
  const to = Math.floor((shard.index * runs) / shard.count);
  if (to === from) {
    throw new UsageError(
      `--shard ${shard.index}/${shard.count}: ${runs} runs leave this shard none`,
    );
  }
  if (seedOnly) return { seed, runs, range: { from, to }, offset: 0 };
  return { seed: seed + from, runs: to - from, offset: from };
}
