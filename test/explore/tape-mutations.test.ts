import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import type { Draw } from '../../src/explore/guided-decider.ts';
import { flip, move, mutate, repick, reset, splice } from '../../src/explore/tape-mutations.ts';

const chance = (label: string, value: number): Draw =>
  ({ label, value, kind: 'chance', min: 0, max: 1, fault: false });
const between = (label: string, value: number, min: number, max: number): Draw =>
  ({ label, value, kind: 'between', min, max, fault: false });
const pick = (label: string, value: number, count: number): Draw =>
  ({ label, value, kind: 'pick', min: 0, max: count - 1, fault: false });

const TAPE: readonly Draw[] = [
  between('delay', 5, 0, 100),
  chance('loss', 0),
  pick('same-instant 1.000ms', 1, 3),
  chance('irp allocation fails', 0),
];

function randomOf(seed: string): () => number {
  return seedrandom.xor128(seed);
}

describe('explore: mutations of a tape', () => {
  it('flip turns one chance over and touches nothing else', () => {
    const tape = TAPE.slice();
    const edit = flip(tape, null, randomOf('1'));
    const changed = tape.map((draw, i) => (draw === TAPE[i] ? -1 : i)).filter((i) => i >= 0);
    expect(changed).toHaveLength(1);
    const at = changed[0] as number;
    expect(tape[at]?.kind).toBe('chance');
    expect(tape[at]?.value).toBe(1);
    expect(edit).toBe(`flip ${tape[at]?.label} #${at}`);
  });

  it('move sets a range to its minimum, its maximum or a value in it', () => {
    const values = new Set<number>();
    for (let i = 0; i < 60; i++) {
      const tape = TAPE.slice();
      expect(move(tape, null, randomOf(`m${i}`))).toMatch(/^move delay #0 to \d+$/);
      values.add(tape[0]?.value as number);
    }
    expect(values).toContain(0);
    expect(values).toContain(100);
    expect([...values].every((v) => Number.isInteger(v) && v >= 0 && v <= 100)).toBe(true);
    expect(values.size).toBeGreaterThan(3);
  });

  it('repick takes another candidate, never the same one', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const tape = TAPE.slice();
      repick(tape, null, randomOf(`r${i}`));
      seen.add(tape[2]?.value as number);
    }
    expect([...seen].sort()).toEqual([0, 2]);
  });

  it('splice takes the first draws of one tape and the rest of the other', () => {
    const other = [chance('x', 1), chance('y', 1), chance('z', 1), chance('w', 1), chance('v', 1)];
    const tape = TAPE.slice();
    const edit = splice(tape, other, randomOf('s'));
    const cut = Number(/^splice at #(\d+)$/.exec(edit ?? '')?.[1]);
    expect(cut).toBeGreaterThanOrEqual(1);
    expect(cut).toBeLessThan(TAPE.length);
    expect(tape).toEqual([...TAPE.slice(0, cut), ...other.slice(cut)]);
  });

  it('reset sets a block of consecutive draws to their defaults', () => {
    const long = Array.from({ length: 100 }, (_, i) => between(`d${i}`, 50, 10, 90));
    for (let i = 0; i < 10; i++) {
      const tape = long.slice();
      const [, from, to] = /^reset #(\d+)-(\d+)$/.exec(reset(tape, null, randomOf(`z${i}`)) ?? '') ?? [];
      const size = Number(to) - Number(from) + 1;
      expect([2, 4, 8, 16, 32, 64]).toContain(size);
      expect(tape.map((d) => d.value)).toEqual(long.map((_, at) => (at >= Number(from) && at <= Number(to) ? 10 : 50)));
    }
  });

  it('two edits of one mutant never touch one draw: flips do not cancel out', () => {
    for (let i = 0; i < 30; i++) {
      const { tape, edits } = mutate([chance('a', 0), chance('b', 0)], null, randomOf(`c${i}`));
      expect(tape.filter((d) => d.value === 1)).toHaveLength(edits.length);
    }
  });

  it('an edit that does not apply says so; mutate then takes another', () => {
    const onlyChances = [chance('a', 0), chance('b', 0)];
    expect(move(onlyChances.slice(), null, randomOf('1'))).toBeNull();
    expect(repick(onlyChances.slice(), null, randomOf('1'))).toBeNull();
    expect(splice(onlyChances.slice(), null, randomOf('1'))).toBeNull();
    expect(reset([chance('a', 1)], null, randomOf('1'))).toBeNull();
    expect(reset(onlyChances.slice(), null, randomOf('1'))).toBeNull();
    for (let i = 0; i < 20; i++) {
      const { edits } = mutate(onlyChances, null, randomOf(`f${i}`));
      expect(edits.length).toBeGreaterThan(0);
      expect(edits.every((edit) => edit.startsWith('flip '))).toBe(true);
    }
  });

  it('mutate stacks 1, 2 or 4 edits and leaves the base tape alone', () => {
    const base = Array.from({ length: 5 }, () => TAPE).flat();
    const before = JSON.stringify(base);
    const counts = new Set<number>();
    for (let i = 0; i < 40; i++) counts.add(mutate(base, null, randomOf(`k${i}`)).edits.length);
    expect([...counts].sort()).toEqual([1, 2, 4]);
    expect(JSON.stringify(base)).toBe(before);
    expect(mutate([], null, randomOf('e')).edits).toEqual([]);
  });
});
