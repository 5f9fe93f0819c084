import { describe, expect, it } from 'vitest';
import { AssertionError, SimConfigError, Simulator, ms } from '../../src/sim/index.ts';
import { emitUncatalogued } from '../support/records.ts';

function ticker(sim: Simulator, period: number, log: number[]): void {
  const tick = (): void => {
    log.push(sim.now);
    sim.schedule(period, 'tick', tick);
  };
  sim.schedule(0, 'tick', tick);
}

describe('sim: run', () => {
  it('runs until quiescence and reports the time of the last event', async () => {
    const sim = new Simulator({ seed: 1 });
    sim.schedule(3e6, 'a', () => undefined);
    const outcome = await sim.run();
    expect(outcome).toEqual({ status: 'quiescent', now: 3e6, events: 1 });
  });

  it('runs until a virtual time, leaving later events pending, then resumes', async () => {
    const sim = new Simulator({ seed: 1 });
    const log: number[] = [];
    ticker(sim, 1e6, log);
    const first = await sim.run({ until: '2.5ms', timeLimit: '1s' });
    expect(first.status).toBe('reached-time');
    expect(first.now).toBe(2.5e6);
    expect(log).toEqual([0, 1e6, 2e6]);
    await sim.run({ until: ms(4) });
    expect(log).toEqual([0, 1e6, 2e6, 3e6, 4e6]);
  });

  it('runs until a predicate holds, checked before every event', async () => {
    const sim = new Simulator({ seed: 1 });
    const log: number[] = [];
    ticker(sim, 1e6, log);
    const outcome = await sim.run({ until: () => log.length === 3 });
    expect(outcome.status).toBe('condition-met');
    expect(outcome.now).toBe(2e6);
  });

  it('an endless run ends as a livelock when the event budget is spent', async () => {
    const sim = new Simulator({ seed: 42 });
    ticker(sim, 1, []);
    const outcome = await sim.run({ eventBudget: 1000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.events).toBe(1000);
    expect(outcome.failure).toMatchObject({
      kind: 'livelock', seed: 42, message: 'event budget of 1000 spent with 1 event pending',
    });
  });

  it('an endless run ends as a livelock at the time limit', async () => {
    const sim = new Simulator({ seed: 42 });
    ticker(sim, 1e9, []);
    const outcome = await sim.run({ timeLimit: '10s' });
    expect(outcome.failure).toMatchObject({ kind: 'livelock', message: 'time limit 10.000000s reached with 1 event pending' });
    expect(outcome.now).toBe(10e9);
  });

  it('rejects bad run options naming the option', async () => {
    const sim = new Simulator({ seed: 1 });
    await expect(sim.run({ eventBudget: 0 })).rejects.toThrow(/option 'eventBudget': 0 is outside/);
    await expect(sim.run({ timeLimit: 5 as never })).rejects.toThrow(SimConfigError);
    await expect(sim.run({ until: '5 parsecs' })).rejects.toThrow(/option 'until': malformed/);
  });

  it('a handler that throws ends the run with a failure naming seed, time and event', async () => {
    const sim = new Simulator({ seed: 9 });
    let after = false;
    sim.schedule(5, 'bad handler', () => {
      throw new AssertionError('IRP completed twice');
    });
    sim.schedule(6, 'later', () => (after = true));
    const outcome = await sim.run();
    expect(outcome.failure).toMatchObject({
      kind: 'assertion', message: 'IRP completed twice', seed: 9, at: 5, event: 'bad handler',
    });
    expect(after).toBe(false);
    // A failed simulator stays failed.
    expect((await sim.run()).status).toBe('failed');
  });

  it('fail() ends the run cleanly after the current event', async () => {
    const sim = new Simulator({ seed: 3 });
    const fired: string[] = [];
    sim.schedule(1, 'violating', () => {
      sim.fail('violation', 'WSK-CLOSE-TWICE');
      fired.push('rest of the handler');
    });
    sim.schedule(1, 'next', () => fired.push('next'));
    const outcome = await sim.run();
    expect(fired).toEqual(['rest of the handler']);
    expect(outcome.failure).toMatchObject({ kind: 'violation', message: 'WSK-CLOSE-TWICE', event: 'violating' });
  });
});

describe('sim: same-instant choice', () => {
  function schedule4(sim: Simulator, fired: string[]): void {
    for (const name of ['a', 'b', 'c', 'd']) sim.schedule(10, name, () => fired.push(name));
  }

  it('with the choice enabled and an empty tape, they run in insertion order (the default)', async () => {
    const sim = new Simulator({ seed: 1, sameInstantChoice: true, replay: [] });
    const fired: string[] = [];
    schedule4(sim, fired);
    await sim.run();
    expect(fired).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a tape whose pick is out of range fails the run as tape-diverged, never throws', async () => {
    const sim = new Simulator({
      seed: 1,
      sameInstantChoice: true,
      replay: [{ label: 'same-instant 0.000000s', value: 9 }],
    });
    const fired: string[] = [];
    schedule4(sim, fired);
    const outcome = await sim.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.kind).toBe('tape-diverged');
    expect(outcome.failure?.message).toBe(
      "tape diverged at entry 0: value 9 of 'same-instant 0.000000s' is outside [0, 3]",
    );
    expect(fired).toEqual([]);
  });

  it('with a scripted tape, they run in the scripted order', async () => {
    const sim = new Simulator({
      seed: 1,
      sameInstantChoice: true,
      // Candidates remaining: [a,b,c,d] pick 3 → d; [a,b,c] pick 1 → b; [a,c] pick 1 → c; then a.
      replay: [
        { label: 'same-instant 0.000000s', value: 3 },
        { label: 'same-instant 0.000000s', value: 1 },
        { label: 'same-instant 0.000000s', value: 1 },
      ],
    });
    const fired: string[] = [];
    schedule4(sim, fired);
    await sim.run();
    expect(fired).toEqual(['d', 'b', 'c', 'a']);
  });

  it('an event scheduled between two runs, earlier than the next instant, runs first', async () => {
    // The run until 5 ns stops looking at the events due at 10 ns; the caller then schedules one
    // due at 5 ns. It must run before them, and time must never go back.
    const sim = new Simulator({ seed: 1, sameInstantChoice: true });
    const fired: string[] = [];
    const stamp = (name: string) => () => fired.push(`${name}@${sim.now}`);
    sim.schedule(10, 'late', stamp('late'));
    sim.schedule(10, 'later', stamp('later'));
    expect((await sim.run({ until: '5ns' })).status).toBe('reached-time');
    sim.schedule(0, 'now', stamp('now'));
    await sim.run();
    expect(fired[0]).toBe('now@5');
    expect(fired.slice(1).sort()).toEqual(['late@10', 'later@10']);
  });

  it('seeded, it explores other orders, and never runs a cancelled event', async () => {
    const orders = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const sim = new Simulator({ seed, sameInstantChoice: true });
      const fired: string[] = [];
      schedule4(sim, fired);
      const victim = sim.schedule(10, 'victim', () => fired.push('victim'));
      sim.schedule(10, 'killer', () => victim.cancel());
      await sim.run();
      orders.add(fired.join(''));
      expect(fired.filter((name) => name !== 'victim').sort()).toEqual(['a', 'b', 'c', 'd']);
    }
    expect(orders.size).toBeGreaterThan(5);
    expect([...orders].some((order) => order.includes('victim'))).toBe(true);
    expect([...orders].some((order) => !order.includes('victim'))).toBe(true);
  });

  it('a run that stops before the instant it gathered lets an earlier event scheduled next fire first', async () => {
    const sim = new Simulator({ seed: 1, sameInstantChoice: true });
    const fired: string[] = [];
    const note = (name: string) => () => void fired.push(`${name}@${sim.now}`);
    sim.schedule(20, 'late a', note('late a'));
    sim.schedule(20, 'late b', note('late b'));
    expect((await sim.run({ until: '10ns' })).status).toBe('reached-time');
    sim.schedule(5, 'early', note('early'));
    expect(sim.pendingEvents).toBe(3);
    await sim.run();
    expect(fired[0]).toBe('early@15');
    expect(fired.slice(1).sort()).toEqual(['late a@20', 'late b@20']);
  });
});

describe('sim: run edges', () => {
  it('a run until a time with nothing to do still reaches that time', async () => {
    const sim = new Simulator({ seed: 1 });
    expect(await sim.run({ until: '1s' })).toEqual({ status: 'reached-time', now: 1e9, events: 0 });
    sim.schedule(5, 'after', () => undefined);
    expect((await sim.run({ until: '2s' })).now).toBe(2e9);
  });

  it('a predicate that throws fails the run instead of escaping it', async () => {
    const sim = new Simulator({ seed: 2 });
    sim.schedule(7, 'e', () => undefined);
    sim.schedule(9, 'e', () => undefined);
    let calls = 0;
    const outcome = await sim.run({
      until: () => {
        if (++calls === 2) throw new AssertionError('invariant broken: queue over capacity');
        return false;
      },
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.failure).toMatchObject({ kind: 'assertion', message: 'invariant broken: queue over capacity', at: 7 });
  });

  it('betweenEvents runs before each event, after thread code parked, and at the end', async () => {
    const seen: string[] = [];
    const sim = new Simulator({ seed: 3, keepTrace: true });
    let step = 'start';
    sim.schedule(1, 'a', () => void (step = 'after a'));
    sim.threads.spawn('T', async () => {
      step = 'thread running';
      const parking = sim.threads.park();
      sim.schedule(5, 'wake', () => parking.wake());
      step = 'thread parked';
      await parking;
      step = 'thread done';
    });
    sim.betweenEvents = () => void seen.push(`${sim.now} ${step}`);
    const outcome = await sim.run();
    expect(outcome.status).toBe('quiescent');
    // Never 'thread running': the check waits for the thread to park.
    expect(seen).toEqual(['0 start', '0 thread parked', '1 after a', '5 after a', '5 thread done']);
  });

  it('betweenEvents only reads: the same run and trace hash with or without it', async () => {
    const hashes: string[] = [];
    for (const check of [null, () => undefined]) {
      const sim = new Simulator({ seed: 4 });
      ticker(sim, 1e6, []);
      const note = { at: 0, type: 'test.note', n: 1 };
      sim.schedule(0, 'note', () => emitUncatalogued(sim.trace, note));
      sim.betweenEvents = check;
      const outcome = await sim.run({ until: '10ms' });
      hashes.push(`${outcome.now} ${outcome.events} ${sim.trace.hash()}`);
    }
    expect(hashes[1]).toBe(hashes[0]);
  });

  it('a betweenEvents check that throws fails the run; no event follows', async () => {
    const sim = new Simulator({ seed: 2 });
    const fired: number[] = [];
    sim.schedule(7, 'e', () => void fired.push(7));
    sim.schedule(9, 'e', () => void fired.push(9));
    sim.betweenEvents = () => {
      if (fired.length === 1) throw new AssertionError('invariant broken: IRP held twice');
    };
    const outcome = await sim.run();
    expect(outcome.status).toBe('failed');
    const message = 'invariant broken: IRP held twice';
    expect(outcome.failure).toMatchObject({ kind: 'assertion', message, at: 7 });
    expect(fired).toEqual([7]);
  });

  it('the display-only info field is kept but not hashed', () => {
    const plain = new Simulator({ seed: 1 });
    const noted = new Simulator({ seed: 1, keepTrace: true });
    emitUncatalogued(plain.trace, { at: 0, type: 'test.note', id: 1 });
    emitUncatalogued(noted.trace, { at: 0, type: 'test.note', id: 1, info: 'SYN seq=0' });
    expect(noted.trace.hash()).toBe(plain.trace.hash());
    const note = { at: 0, type: 'test.note', id: 1, info: 'SYN seq=0' };
    expect(noted.trace.records()[0]).toEqual(note);
    emitUncatalogued(plain.trace, { at: 0, type: 'test.note', id: 2 });
    expect(plain.trace.hash()).not.toBe(noted.trace.hash());
  });
});
