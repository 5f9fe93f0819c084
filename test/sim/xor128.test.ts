import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { streamState } from '../../src/sim/stream-seed.ts';
import { Xor128 } from '../../src/sim/xor128.ts';

const DRAWS = 10_000;

describe('Xor128', () => {
  it.each([
    [1, 'scheduler'],
    [7, 'kernel/server'],
    [123_456_789, 'link client1→lan'],
  ])("draws what seedrandom's xor128 draws from the same state (seed %i, %s)", (seed, name) => {
    const state = streamState(seed, name);
    const ours = new Xor128(state);
    const theirs = seedrandom.xor128('', { state: { ...state } });
    const drawn = Array.from({ length: DRAWS }, () => [ours.next(), theirs()]);
    expect(drawn.map(([a]) => a)).toEqual(drawn.map(([, b]) => b));
  });
});
