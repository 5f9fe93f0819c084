import { describe, expect, it } from 'vitest';
import { Simulator, type Parking } from '../../src/sim/index.ts';
import { emitUncatalogued } from '../support/records.ts';

/** A sleep built the way kernel waits will be: park the thread, wake it from a timer event. */
function sleep(sim: Simulator, delay: number): Parking {
  const parking = sim.threads.park();
  sim.schedule(delay, 'sleep done', () => parking.wake());
  return parking;
}

async function interleaving(seed: number, sameInstantChoice = false): Promise<{ log: string[]; hash: string }> {
  const sim = new Simulator({ seed, sameInstantChoice });
  const log: string[] = [];
  const note = (what: string): void => {
    log.push(`${sim.now / 1e6}ms ${what}`);
    emitUncatalogued(sim.trace, { at: sim.now, type: 'test.note', what });
  };
  const jitter = sim.choices.stream('threads');
  const worker = (name: string) => async (): Promise<void> => {
    for (let i = 0; i < 4; i++) {
      note(`${name} step ${i}`);
      await sleep(sim, jitter.between('sleep', 1, 3) * 1e6);
      await helper(name);
    }
    note(`${name} done`);
  };
  // A nested async function that itself awaits a simulator wait.
  const helper = async (name: string): Promise<void> => {
    note(`${name} helper`);
    await sleep(sim, 0);
  };
  sim.threads.spawn('A', worker('A'));
  sim.threads.spawn('B', worker('B'));
  for (let t = 0; t <= 12; t += 2) sim.schedule(t * 1e6, 'timer', () => note('timer'));
  const outcome = await sim.run();
  expect(outcome.status).toBe('quiescent');
  return { log, hash: sim.trace.hash() };
}

describe('sim: kernel threads as async functions', () => {
  it('two threads and timer events interleave identically across runs', async () => {
    const first = await interleaving(5);
    const second = await interleaving(5);
    expect(second.log).toEqual(first.log);
    expect(second.hash).toBe(first.hash);
    expect(first.log.filter((line) => line.endsWith('done'))).toHaveLength(2);
    // Threads start as events in spawn order, before the timer scheduled after them.
    expect(first.log.slice(0, 3)).toEqual(['0ms A step 0', '0ms B step 0', '0ms timer']);
  });

  it('another seed gives another interleaving', async () => {
    const hashes = new Set<string>();
    for (const seed of [1, 2, 3, 4]) hashes.add((await interleaving(seed)).hash);
    expect(hashes.size).toBeGreaterThan(1);
  });

  it('resumes are events: the same-instant choice reorders them deterministically', async () => {
    expect((await interleaving(8, true)).log).toEqual((await interleaving(8, true)).log);
  });

  it('a thread runs until it awaits again before the next event fires', async () => {
    const sim = new Simulator({ seed: 1 });
    const log: string[] = [];
    sim.threads.spawn('T', async () => {
      log.push('T before');
      await Promise.resolve();
      await Promise.resolve();
      log.push('T after foreign awaits');
      await sleep(sim, 5);
      log.push('T woke');
    });
    sim.schedule(0, 'event', () => log.push('event'));
    await sim.run();
    expect(log).toEqual(['T before', 'T after foreign awaits', 'event', 'T woke']);
  });

  it('a thread that throws fails the run as a driver crash, naming the thread', async () => {
    const sim = new Simulator({ seed: 4 });
    sim.threads.spawn('bad', async () => {
      await sleep(sim, 10);
      throw new Error('driver bug');
    });
    const outcome = await sim.run();
    expect(outcome.failure).toMatchObject({
      kind: 'driver-crash',
      message: 'driver crash in driver code: Error: driver bug',
      event: 'thread bad',
      at: 10,
    });
  });

  it('a thread awaiting something outside the simulation fails the run as the driver\'s failure', async () => {
    const sim = new Simulator({ seed: 4 });
    sim.threads.spawn('stuck', async () => {
      await new Promise<void>(() => undefined);
    });
    const outcome = await sim.run();
    expect(outcome.failure?.kind).toBe('driver-crash');
    expect(outcome.failure?.message).toMatch(/thread stuck did not reach a simulator wait/);
  });

  it('park() outside a thread is a simulator assertion', async () => {
    const sim = new Simulator({ seed: 4 });
    sim.schedule(1, 'callback', () => void sim.threads.park());
    expect((await sim.run()).failure?.message).toMatch(/park\(\) outside a thread/);
  });

  it('a wake before the thread awaits resumes it once it does', async () => {
    const sim = new Simulator({ seed: 4 });
    const log: string[] = [];
    sim.threads.spawn('T', async () => {
      const parking = sim.threads.park<number>();
      parking.wake(7);
      log.push(`got ${await parking}`);
    });
    await sim.run();
    expect(log).toEqual(['got 7']);
  });
});
