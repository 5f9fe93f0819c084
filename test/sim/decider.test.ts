import { describe, expect, it } from 'vitest';
import {
  ChoiceSource,
  SimConfigError,
  Simulator,
  type Choice,
  type DeciderOption,
  type SimulatorOptions,
} from '../../src/sim/index.ts';
import { Network } from '../../src/topology/index.ts';
import { emitUncatalogued } from '../support/records.ts';

function schedule4(sim: Simulator, fired: string[]): void {
  for (const name of ['a', 'b', 'c', 'd']) sim.schedule(10, name, () => fired.push(name));
}

/**
 * A small model that uses every kind of choice on two streams and same-instant picks, and traces
 * what it draws: its trace hash changes if any value or the order of events does.
 */
async function model(options: SimulatorOptions): Promise<{ hash: string; fired: string[] }> {
  const sim = new Simulator({ sameInstantChoice: true, ...options });
  const link = sim.choices.stream('link a→b');
  const timers = sim.choices.stream('timers');
  const fired: string[] = [];
  const note = (what: string, value: number): void =>
    emitUncatalogued(sim.trace, { at: sim.now, type: 'test.draw', what, value });
  for (let round = 0; round < 20; round++) {
    for (const name of ['x', 'y', 'z']) {
      sim.schedule(round * 1000, `${name}${round}`, () => {
        fired.push(`${name}${round}`);
        note('loss', link.chance('link a→b loss', 0.3) ? 1 : 0);
        note('jitter', link.between('link a→b jitter', 0, 500));
        note('rto', timers.exponential('rto', 200, 5000));
        note('pick', timers.pick('which', 4));
      });
    }
  }
  const outcome = await sim.run();
  expect(outcome.status).toBe('quiescent');
  return { hash: sim.trace.hash(), fired };
}

describe('sim: deciders', () => {
  it('a decider that picks the last same-instant candidate reverses their order', async () => {
    const sim = new Simulator({
      seed: 1,
      sameInstantChoice: true,
      decider: (choice) => (choice.kind === 'pick' ? choice.max : undefined),
    });
    const fired: string[] = [];
    schedule4(sim, fired);
    await sim.run();
    expect(fired).toEqual(['d', 'c', 'b', 'a']);
  });

  it('a same-instant pick hands the decider its candidates, in canonical order', async () => {
    const seen: Choice[] = [];
    const labels: string[][] = [];
    const abouts: unknown[][] = [];
    const sim = new Simulator({
      seed: 1,
      sameInstantChoice: true,
      decider: {
        decide(choice) {
          seen.push(choice);
          // The candidates are valid during the call only: copy what is kept.
          labels.push((choice.candidates ?? []).map((candidate) => candidate.label));
          abouts.push((choice.candidates ?? []).map((candidate) => candidate.about));
          return 0;
        },
      },
    });
    const fired: string[] = [];
    schedule4(sim, fired);
    sim.describe(sim.schedule(10, 'e', () => fired.push('e')), { host: 'h1', kind: 'timer' });
    await sim.run();
    expect(fired).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(labels).toEqual([
      ['a', 'b', 'c', 'd', 'e'],
      ['b', 'c', 'd', 'e'],
      ['c', 'd', 'e'],
      ['d', 'e'],
    ]);
    const first = seen[0] as Choice;
    expect(first).toMatchObject({
      stream: 'scheduler',
      label: 'same-instant 0.000000s',
      kind: 'pick',
      min: 0,
      max: 4,
    });
    expect(seen.map((choice) => choice.max)).toEqual([4, 3, 2, 1]);
    expect(labels.length).toBe(4);
    // What the scheduler described, and null where it described nothing.
    expect(abouts[0]).toEqual([null, null, null, null, { host: 'h1', kind: 'timer' }]);
  });

  it("a host's timers tell a strategy their host", async () => {
    const abouts: unknown[][] = [];
    const sim = new Simulator({
      seed: 1,
      sameInstantChoice: true,
      decider: (choice) => {
        abouts.push((choice.candidates ?? []).map((candidate) => candidate.about));
        return undefined;
      },
    });
    const net = new Network(sim);
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    a.schedule(5, 'a timer', () => undefined);
    sim.schedule(5, 'plain', () => undefined);
    await sim.run();
    expect(abouts[0]).toEqual([{ host: 'a', kind: 'timer' }, null]);
  });

  it("a packet's arrival tells a strategy the host it goes to, as one frozen object", async () => {
    const byInstant = new Map<string, { label: string; about: unknown }[]>();
    const sim = new Simulator({
      seed: 1,
      sameInstantChoice: true,
      decider: (choice) => {
        const candidates = (choice.candidates ?? []).map(({ label, about }) => ({ label, about }));
        if (!byInstant.has(choice.label)) byInstant.set(choice.label, candidates);
        return 0;
      },
    });
    const net = new Network(sim);
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    net.addHost({ name: 'b', ipv4: '10.0.0.2' });
    net.addLink('a', 'b', { latency: '1ms' });
    const payload = { digest: 0, describe: () => 'p' };
    a.send('10.0.0.1', '10.0.0.2', 10, payload);
    a.send('10.0.0.1', '10.0.0.1', 10, payload);
    sim.schedule(0, 'now', () => undefined);
    sim.schedule(1_000_000, 'later', () => undefined);
    await sim.run();
    expect(Object.fromEntries(byInstant)).toEqual({
      'same-instant 0.000000s': [
        { label: 'loopback', about: { host: 'a', kind: 'packet' } },
        { label: 'now', about: null },
      ],
      'same-instant 0.001000s': [
        { label: 'link a→b', about: { host: 'b', kind: 'packet' } },
        { label: 'later', about: null },
      ],
    });
    const [arrival] = byInstant.get('same-instant 0.001000s') ?? [];
    expect(Object.isFrozen(arrival?.about)).toBe(true);
  });

  it('a decider sees every choice with its stream, label, kind and bounds', () => {
    const seen: Omit<Choice, 'seeded' | 'candidates' | 'site'>[] = [];
    const source = new ChoiceSource({
      seed: 4,
      decider: ({ stream, label, kind, min, max, probability, mean, fault }) => {
        seen.push({ stream, label, kind, min, max, probability, mean, fault });
        return undefined;
      },
    });
    const s = source.stream('s');
    s.chance('loss', 0.25);
    s.between('jitter', 3, 9);
    s.exponential('rto', 100, 800);
    s.pick('which', 3);
    expect(seen).toEqual([
      { stream: 's', label: 'loss', kind: 'chance', min: 0, max: 1, probability: 0.25, mean: NaN, fault: false },
      { stream: 's', label: 'jitter', kind: 'between', min: 3, max: 9, probability: NaN, mean: NaN, fault: false },
      { stream: 's', label: 'rto', kind: 'exponential', min: 0, max: 800, probability: NaN, mean: 100, fault: false },
      { stream: 's', label: 'which', kind: 'pick', min: 0, max: 2, probability: NaN, mean: NaN, fault: false },
    ]);
  });

  it('a value outside the bounds fails the run with an assertion naming the label', async () => {
    for (const bad of [4, -1, 1.5, NaN]) {
      const sim = new Simulator({ seed: 1, sameInstantChoice: true, decider: () => bad });
      const fired: string[] = [];
      schedule4(sim, fired);
      const outcome = await sim.run();
      expect(outcome.failure?.kind).toBe('assertion');
      expect(outcome.failure?.message).toBe(
        `decider: value ${bad} of 'same-instant 0.000000s' is outside [0, 3]`,
      );
      expect(fired).toEqual([]);
    }
    const s = new ChoiceSource({ seed: 1, decider: () => 2 }).stream('s');
    expect(() => s.chance('link loss', 0.5)).toThrow("value 2 of 'link loss' is outside [0, 1]");
  });

  it('a decider that defers, or returns the seeded value, gives the seeded run', async () => {
    const plain = await model({ seed: 7 });
    const deferring = await model({ seed: 7, decider: () => undefined });
    const echoing = await model({ seed: 7, decider: (choice) => choice.seeded() });
    expect(deferring).toEqual(plain);
    expect(echoing).toEqual(plain);
    expect((await model({ seed: 8 })).hash).not.toBe(plain.hash);
  });

  it('what a strategy does not target is drawn from the run seed', async () => {
    // Targets only the loss chance: every other stream keeps its seeded values.
    const noLoss: DeciderOption = (choice) => (choice.label === 'loss' ? 0 : undefined);
    const a = new ChoiceSource({ seed: 3, decider: noLoss });
    const b = new ChoiceSource({ seed: 3 });
    for (let i = 0; i < 50; i++) {
      expect(a.stream('l').chance('loss', 0.9)).toBe(false);
      expect(a.stream('j').between('jitter', 0, 1e6)).toBe(b.stream('j').between('jitter', 0, 1e6));
    }
  });

  it('a strategy run records a tape that replays to the same run', async () => {
    const last: DeciderOption = (choice) => (choice.kind === 'pick' ? choice.max : undefined);
    const recorder = new Simulator({ seed: 5, sameInstantChoice: true, record: true, decider: last });
    const fired: string[] = [];
    schedule4(recorder, fired);
    await recorder.run();
    expect(fired).toEqual(['d', 'c', 'b', 'a']);
    const tape = recorder.choices.tape();
    expect(tape.map((entry) => entry.value)).toEqual([3, 2, 1]);
    const replayer = new Simulator({ seed: 99, sameInstantChoice: true, replay: tape });
    const again: string[] = [];
    schedule4(replayer, again);
    await replayer.run();
    expect(again).toEqual(fired);
  });

  it('a recorded seeded run and its replay have the seeded trace', async () => {
    const plain = await model({ seed: 11 });
    const recorder = new Simulator({ seed: 11, record: true });
    expect(recorder.choices.isRecording).toBe(true);
    const recorded = await model({ seed: 11, record: true });
    expect(recorded).toEqual(plain);
  });

  it('rejects a malformed decider, and a decider with a replay', () => {
    expect(() => new ChoiceSource({ seed: 1, decider: 3 as never })).toThrow(SimConfigError);
    expect(() => new ChoiceSource({ seed: 1, decider: {} as never })).toThrow(/option 'decider'/);
    expect(() => new Simulator({ seed: 1, replay: [], decider: () => undefined })).toThrow(
      /option 'decider'/,
    );
  });
});
