import { describe, expect, it } from 'vitest';
import { Simulator, ChoiceSource } from '../../src/sim/index.ts';

describe('sim: event queue', () => {
  it('events due at the same instant run in insertion order', async () => {
    const sim = new Simulator({ seed: 1 });
    const fired: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) sim.schedule(1000, name, () => fired.push(name));
    sim.schedule(500, 'early', () => fired.push('early'));
    await sim.run();
    expect(fired).toEqual(['early', 'a', 'b', 'c', 'd']);
  });

  it('an event scheduled with zero delay runs after those already due at that instant', async () => {
    const sim = new Simulator({ seed: 1 });
    const fired: string[] = [];
    sim.schedule(10, 'first', () => {
      fired.push('first');
      sim.schedule(0, 'nested', () => fired.push('nested'));
    });
    sim.schedule(10, 'second', () => fired.push('second'));
    await sim.run();
    expect(fired).toEqual(['first', 'second', 'nested']);
  });

  it('cancelled timers never fire, and do not count as pending', async () => {
    const sim = new Simulator({ seed: 1 });
    const fired: number[] = [];
    const timers = Array.from({ length: 100 }, (_, i) => sim.schedule(i * 10, `t${i}`, () => fired.push(i)));
    timers.forEach((timer, i) => {
      if (i % 3 === 0) timer.cancel();
    });
    timers[1]?.cancel();
    timers[1]?.cancel();
    expect(sim.pendingEvents).toBe(100 - 34 - 1);
    // A timer cancelled by an earlier event at run time never fires either.
    sim.schedule(15, 'cancel t5', () => timers[5]?.cancel());
    const outcome = await sim.run();
    expect(outcome.status).toBe('quiescent');
    expect(fired).toEqual(Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 3 !== 0 && i !== 1 && i !== 5));
    expect(timers[2]?.isPending).toBe(false);
  });

  it('1e6 random events pop in (time, insertion) order', async () => {
    const sim = new Simulator({ seed: 7 });
    const random = new ChoiceSource({ seed: 99 }).stream('test');
    let lastAt = -1;
    let lastSeq = -1;
    let disorders = 0;
    let count = 0;
    const check = (seq: number): void => {
      if (sim.now < lastAt || (sim.now === lastAt && seq < lastSeq)) disorders++;
      lastAt = sim.now;
      lastSeq = seq;
      count++;
    };
    for (let i = 0; i < 1e6; i++) sim.schedule(random.between('delay', 0, 5000), 'e', check, i);
    await sim.run();
    expect(count).toBe(1e6);
    expect(disorders).toBe(0);
  });
});
