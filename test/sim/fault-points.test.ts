import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ChoiceSource, type Choice } from '../../src/sim/index.ts';

const DRAW_LINE =
  readFileSync(new URL(import.meta.url), 'utf8').split('\n').findIndex((l) => l.endsWith('// DRAW_LINE')) + 1;

describe('sim: fault points', () => {
  it('a fault point of probability 0 is no choice unless the source offers fault points', () => {
    const asked: string[] = [];
    const source = new ChoiceSource({
      seed: 1,
      decider: (choice) => void asked.push(choice.label),
    });
    expect(source.stream('kernel/a').fault('irp allocation fails', 0)).toBe(false);
    expect(asked).toEqual([]);
    expect(source.faults()).toEqual([]);
  });

  it('offered fault points reach the decider with their site, and a taken one is listed as injected', () => {
    const seen: Pick<Choice, 'label' | 'fault' | 'probability'>[] = [];
    let site: string | null = null;
    const source = new ChoiceSource({
      seed: 1,
      faultPoints: true,
      clock: () => 42,
      decider: (choice) => {
        seen.push({ label: choice.label, fault: choice.fault, probability: choice.probability });
        site = choice.site();
        return seen.length === 2 ? 1 : undefined;
      },
    });
    const stream = source.stream('kernel/a');
    expect(stream.fault('irp allocation fails', 0)).toBe(false);
    expect(stream.fault('pool allocation fails', 0)).toBe(true); // DRAW_LINE
    expect(seen).toEqual([
      { label: 'irp allocation fails', fault: true, probability: 0 },
      { label: 'pool allocation fails', fault: true, probability: 0 },
    ]);
    // The line that drew the fault point, not the decider's (which lives in this file too).
    expect(site).toBe(`test/sim/fault-points.test.ts:${DRAW_LINE}`);
    expect(source.faults()).toEqual([
      { stream: 'kernel/a', label: 'pool allocation fails', at: 42, injected: true },
    ]);
  });

  it('offering fault points draws nothing from the streams: the other choices keep their seeded values', () => {
    const draws = (faultPoints: boolean): number[] => {
      const source = new ChoiceSource({ seed: 9, faultPoints });
      const stream = source.stream('kernel/a');
      const values: number[] = [];
      for (let i = 0; i < 20; i++) {
        stream.fault('irp allocation fails', 0);
        values.push(stream.between('delay', 0, 1000));
      }
      return values;
    };
    expect(draws(true)).toEqual(draws(false));
  });

  it('faults the scenario asked for are listed, not injected, unless the stream is injecting', () => {
    const source = new ChoiceSource({ seed: 3 });
    const own = source.stream('kernel/a');
    const outside = source.stream('kernel/b');
    outside.injecting = true;
    expect(own.fault('irp allocation fails', 1)).toBe(true);
    expect(outside.fault('irp allocation fails', 1)).toBe(true);
    expect(source.faults().map((f) => [f.stream, f.injected])).toEqual([
      ['kernel/a', false],
      ['kernel/b', true],
    ]);
  });

  it('a recorded run with fault points replays to the same faults', () => {
    const run = (options: ConstructorParameters<typeof ChoiceSource>[0]) => {
      const source = new ChoiceSource(options);
      const stream = source.stream('kernel/a');
      const taken = [0, 1, 2, 3].map(() => stream.fault('mdl allocation fails', 0));
      return { taken, tape: source.tape() };
    };
    const first = run({ seed: 5, record: true, faultPoints: true, decider: (c) => (c.fault ? 1 : undefined) });
    expect(first.taken).toEqual([true, true, true, true]);
    const again = run({ seed: 5, faultPoints: true, replay: first.tape });
    expect(again.taken).toEqual(first.taken);
  });
});
