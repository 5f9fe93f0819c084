import { describe, expect, it } from 'vitest';
import { LOOKAHEAD, LenientDecider } from '../../src/explore/lenient-decider.ts';
import { ChoiceSource, type Tape } from '../../src/sim/index.ts';

/** Five choices asked in this order: delay, loss, delay, pick, jitter (jitter's minimum is 10). */
function draw(source: ChoiceSource): number[] {
  const s = source.stream('s');
  return [
    s.between('delay', 0, 1000),
    s.chance('loss', 0.5) ? 1 : 0,
    s.between('delay', 0, 1000),
    s.pick('same-instant 1.000ms', 3),
    s.between('jitter', 10, 20),
  ];
}

function lenient(tape: Tape): { values: number[]; used: Tape } {
  const decider = new LenientDecider(tape);
  return { values: draw(new ChoiceSource({ seed: 5, decider })), used: decider.used() };
}

describe('explore: the lenient decider', () => {
  it('replays a tape that lines up, and records what it used with defaults null', () => {
    const tape = [
      { label: 'delay', value: 7 },
      { label: 'loss', value: 1 },
      { label: 'delay', value: 0 },
      { label: 'same-instant 1.000ms', value: 2 },
      { label: 'jitter', value: 10 },
    ];
    const { values, used } = lenient(tape);
    expect(values).toEqual([7, 1, 0, 2, 10]);
    expect(used).toEqual([
      { label: 'delay', value: 7 },
      { label: 'loss', value: 1 },
      { label: 'delay', value: null },
      { label: 'same-instant 1.000ms', value: 2 },
    ]);
  });

  it('the empty tape is the all-default run, nothing drawn from the seed', () => {
    expect(lenient([]).values).toEqual([0, 0, 0, 0, 10]);
    expect(lenient([]).used).toEqual([]);
  });

  it('skips ahead to the next entry of the asked label, dropping the entries between', () => {
    // 'loss' is asked second: the 'delay' at the cursor waits; then 'delay' finds it.
    const { values } = lenient([
      { label: 'loss', value: 1 },
      { label: 'jitter', value: 15 },
    ]);
    // delay: 'loss' at the cursor, no 'delay' ahead → default, nothing consumed;
    // loss: consumed; delay: default; pick: default; jitter: 15.
    expect(values).toEqual([0, 1, 0, 0, 15]);
  });

  it('a skip drops the entries it passes', () => {
    const { values } = lenient([
      { label: 'jitter', value: 12 },
      { label: 'delay', value: 9 },
    ]);
    // the first delay skips 'jitter' to take 9; jitter later finds nothing.
    expect(values).toEqual([9, 0, 0, 0, 10]);
  });

  it('looks ahead no further than LOOKAHEAD entries', () => {
    const filler = Array.from({ length: LOOKAHEAD }, () => ({ label: 'other', value: 1 }));
    expect(lenient([...filler, { label: 'delay', value: 9 }]).values[0]).toBe(9);
    expect(lenient([...filler, filler[0]!, { label: 'delay', value: 9 }]).values[0]).toBe(0);
  });

  it('a value out of range, not an integer, or null takes the default, and is consumed', () => {
    const { values } = lenient([
      { label: 'delay', value: 5000 },
      { label: 'loss', value: 0.5 },
      { label: 'delay', value: null },
      { label: 'same-instant 1.000ms', value: 3 },
      { label: 'jitter', value: 3 },
    ]);
    expect(values).toEqual([0, 0, 0, 0, 10]);
  });

  it('never diverges, whatever the tape', () => {
    const tape = [
      { label: 'jitter', value: -4 },
      { label: 'nonsense', value: 99 },
      { label: 'delay', value: 1e9 },
    ];
    expect(() => lenient(tape)).not.toThrow();
  });
});
