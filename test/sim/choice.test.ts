import { describe, expect, it } from 'vitest';
import { ChoiceSource, SimConfigError, TapeDivergedError } from '../../src/sim/index.ts';

function draws(source: ChoiceSource): number[] {
  const link = source.stream('link a→b');
  const out: number[] = [];
  for (let i = 0; i < 5; i++) {
    out.push(link.chance('loss', 0.5) ? 1 : 0);
    out.push(link.between('jitter', 0, 1000));
  }
  out.push(source.stream('isn').between('isn', 0, 2 ** 32 - 1));
  return out;
}

describe('sim: choice source', () => {
  it('the same seed gives the same values; another seed other values', () => {
    expect(draws(new ChoiceSource({ seed: 1 }))).toEqual(draws(new ChoiceSource({ seed: 1 })));
    expect(draws(new ChoiceSource({ seed: 1 }))).not.toEqual(draws(new ChoiceSource({ seed: 2 })));
  });

  it('streams are independent: extra draws on one do not shift another', () => {
    const plain = new ChoiceSource({ seed: 5 });
    const busy = new ChoiceSource({ seed: 5 });
    for (let i = 0; i < 100; i++) busy.stream('other').between('x', 0, 9);
    expect(busy.stream('isn').between('isn', 0, 1e9)).toBe(plain.stream('isn').between('isn', 0, 1e9));
  });

  it('a choice with one possible outcome draws and records nothing', () => {
    const source = new ChoiceSource({ seed: 1, record: true });
    const s = source.stream('s');
    expect(s.chance('never', 0)).toBe(false);
    expect(s.chance('always', 1)).toBe(true);
    expect(s.between('fixed', 4, 4)).toBe(4);
    expect(s.pick('only', 1)).toBe(0);
    expect(source.tape()).toEqual([]);
  });

  it('records every choice in draw order and replays it to the same values', () => {
    const recorder = new ChoiceSource({ seed: 3, record: true });
    const original = draws(recorder);
    const tape = recorder.tape();
    expect(tape).toHaveLength(11);
    expect(tape[0]?.label).toBe('loss');
    expect(tape[1]?.label).toBe('jitter');
    expect(tape[10]?.label).toBe('isn');
    // Replay under another seed: the tape, not the seed, decides.
    const replayer = new ChoiceSource({ seed: 999, replay: tape });
    expect(draws(replayer)).toEqual(original);
    expect(replayer.tape()).toEqual(tape);
  });

  it('past the end of the tape, and for deleted entries, every choice takes its minimum', () => {
    const empty = new ChoiceSource({ seed: 3, replay: [] });
    expect(draws(empty)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const holes = new ChoiceSource({ seed: 3, replay: [{ label: 'loss', value: null }, { label: 'jitter', value: 700 }] });
    expect(draws(holes).slice(0, 3)).toEqual([0, 700, 0]);
  });

  it('a label mismatch reports the entry where the tape diverged', () => {
    const source = new ChoiceSource({
      seed: 1,
      replay: [{ label: 'loss', value: 0 }, { label: 'jitter', value: 5 }, { label: 'duplicate', value: 1 }],
    });
    const link = source.stream('l');
    link.chance('loss', 0.5);
    link.between('jitter', 0, 10);
    expect(() => link.chance('loss', 0.5)).toThrow(TapeDivergedError);
    expect(() =>
      new ChoiceSource({ seed: 1, replay: [{ label: 'x', value: 1 }] }).stream('l').chance('loss', 0.5),
    ).toThrow("tape diverged at entry 0: the tape has 'x', the run asked for 'loss'");
  });

  it('a value outside the range of its choice is a divergence, not a silent clamp', () => {
    const source = new ChoiceSource({ seed: 1, replay: [{ label: 'jitter', value: 11 }] });
    expect(() => source.stream('l').between('jitter', 0, 10)).toThrow(/entry 0: value 11 of 'jitter' is outside \[0, 10\]/);
  });

  it('rejects a malformed seed or tape naming the option', () => {
    expect(() => new ChoiceSource({ seed: -1 })).toThrow(SimConfigError);
    expect(() => new ChoiceSource({ seed: 1.5 })).toThrow(/option 'seed'/);
    expect(() => new ChoiceSource({ seed: 1, replay: [{ label: 3 }] as never })).toThrow(/option 'tape\[0\]'/);
  });

  it('chance(p) hits close to p over many draws', () => {
    const s = new ChoiceSource({ seed: 11 }).stream('s');
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (s.chance('c', 0.25)) hits++;
    // binomial sd = sqrt(n p (1-p)) ≈ 137; 5 sd
    expect(Math.abs(hits - 25_000)).toBeLessThan(685);
  });
});
