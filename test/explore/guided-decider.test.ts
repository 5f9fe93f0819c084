import { describe, expect, it } from 'vitest';
import { GuidedDecider } from '../../src/explore/guided-decider.ts';
import { ChoiceSource, type Tape } from '../../src/sim/index.ts';

/**
 * Four choices, each from a stream of its own so that a guided value (which draws nothing) does
 * not shift the seeded value of the next.
 */
function draw(source: ChoiceSource): number[] {
  return [
    source.stream('a').between('delay', 0, 1000),
    source.stream('b').chance('loss', 0.5) ? 1 : 0,
    source.stream('c').pick('same-instant 1.000ms', 3),
    source.stream('d').between('jitter', 10, 20),
  ];
}

const SEEDED = draw(new ChoiceSource({ seed: 5 }));

function guided(tape: Tape): { values: number[]; decider: GuidedDecider } {
  const decider = new GuidedDecider(tape);
  return { values: draw(new ChoiceSource({ seed: 5, decider })), decider };
}

describe('explore: the guided decider', () => {
  it('takes every value of a tape that fits the run', () => {
    const tape = [
      { label: 'delay', value: 7 },
      { label: 'loss', value: 1 - (SEEDED[1] as number) },
      { label: 'same-instant 1.000ms', value: 2 },
      { label: 'jitter', value: 20 },
    ];
    const { values, decider } = guided(tape);
    expect(values).toEqual([7, 1 - (SEEDED[1] as number), 2, 20]);
    expect(decider.followed).toBe(4);
  });

  it('takes the seeded value where the label differs, the value is out of range or the tape ends', () => {
    const tape = [
      { label: 'delay', value: 7 },
      { label: 'duplicate', value: 1 },
      { label: 'same-instant 1.000ms', value: 3 },
    ];
    const { values, decider } = guided(tape);
    expect(values).toEqual([7, SEEDED[1], SEEDED[2], SEEDED[3]]);
    expect(decider.followed).toBe(1);
  });

  it('a cut entry (null) stands for the default, as in a replayed tape', () => {
    const { values } = guided([{ label: 'delay', value: null }]);
    expect(values[0]).toBe(0);
  });

  it('the empty tape is the seeded run', () => {
    expect(guided([]).values).toEqual(SEEDED);
  });

  it('records each draw with its kind and range, for mutations', () => {
    const { decider } = guided([{ label: 'delay', value: 7 }]);
    expect(decider.draws()).toEqual([
      { label: 'delay', value: 7, kind: 'between', min: 0, max: 1000, fault: false },
      { label: 'loss', value: SEEDED[1], kind: 'chance', min: 0, max: 1, fault: false },
      { label: 'same-instant 1.000ms', value: SEEDED[2], kind: 'pick', min: 0, max: 2, fault: false },
      { label: 'jitter', value: SEEDED[3], kind: 'between', min: 10, max: 20, fault: false },
    ]);
  });

  it('a fault point offered to it is recorded as one', () => {
    const decider = new GuidedDecider([{ label: 'irp allocation fails', value: 1 }]);
    const source = new ChoiceSource({ seed: 1, decider, faultPoints: true });
    expect(source.stream('kernel/a').fault('irp allocation fails', 0)).toBe(true);
    expect(decider.draws()[0]).toMatchObject({ kind: 'chance', fault: true, value: 1 });
    expect(source.faults()[0]?.injected).toBe(true);
  });
});
