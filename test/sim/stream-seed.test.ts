import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { ChoiceSource } from '../../src/sim/choice.ts';
import { streamState } from '../../src/sim/stream-seed.ts';

/** A stream of fair coin flips under `seed`; `seeded` says how its generator is started. */
type Coins = (seed: number, name: string) => () => boolean;

const hashed: Coins = (seed, name) => {
  const stream = new ChoiceSource({ seed }).stream(name);
  return () => stream.chance('coin', 0.5);
};

/** The seeding the model used before: xor128 seeded with the string, linear over GF(2). */
const linear: Coins = (seed, name) => {
  const random = seedrandom.xor128(`${seed}/${name}`);
  return () => random() < 0.5;
};

const SEEDS = 10_000;
const DRAWS = 4;

/**
 * For each of the first DRAWS draws, the shares of the four joint outcomes (ff, ft, tf, tt) of
 * two streams over SEEDS seeds; `pair` gives the two streams of one seed.
 */
function jointShares(pair: (seed: number) => [() => boolean, () => boolean]): number[][] {
  const counts = Array.from({ length: DRAWS }, () => [0, 0, 0, 0]);
  for (let seed = 1; seed <= SEEDS; seed++) {
    const [a, b] = pair(seed);
    for (const row of counts) row[(a() ? 2 : 0) + (b() ? 1 : 0)]! += 1;
  }
  return counts.map((row) => row.map((count) => count / SEEDS));
}

/** Independent fair coins: each joint outcome a quarter, within 2 points (≈ 4.6 sd here). */
function independent(shares: number[][]): boolean {
  return shares.every((row) => row.every((share) => Math.abs(share - 0.25) <= 0.02));
}

const SAME_LENGTH_PAIRS: readonly [string, string][] = [
  ['kernel/client1', 'kernel/client2'],
  ['link client1→lan', 'link client2→lan'],
  ['tcp-ports/a', 'tcp-ports/b'],
];

describe('stream seeding', () => {
  it.each(SAME_LENGTH_PAIRS)('streams %s and %s are independent over 10,000 seeds', (a, b) => {
    const shares = jointShares((seed) => [hashed(seed, a), hashed(seed, b)]);
    expect(independent(shares), JSON.stringify(shares)).toBe(true);
  });

  it('one stream under consecutive seeds is independent of itself', () => {
    const shares = jointShares((seed) => [hashed(seed, 'scheduler'), hashed(seed + 1, 'scheduler')]);
    expect(independent(shares), JSON.stringify(shares)).toBe(true);
  });

  it('the test fails on the linear seeding it replaced (same-length names correlate)', () => {
    const [a, b] = SAME_LENGTH_PAIRS[0]!;
    const shares = jointShares((seed) => [linear(seed, a), linear(seed, b)]);
    expect(independent(shares)).toBe(false);
    // The measured defect: the first draws always disagree, every later one always agrees.
    expect(shares[0]![0]! + shares[0]![3]!).toBe(0);
    expect(shares[1]![1]! + shares[1]![2]!).toBe(0);
  });

  it('a state is never all zero and depends on both seed and name', () => {
    const one = streamState(1, 'scheduler');
    expect(one.x | one.y | one.z | one.w).not.toBe(0);
    expect(streamState(1, 'scheduler')).toEqual(one);
    expect(streamState(2, 'scheduler')).not.toEqual(one);
    expect(streamState(1, 'scheduleR')).not.toEqual(one);
  });
});
