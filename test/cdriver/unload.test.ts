/**
 * DriverUnload for C drivers (src/cdriver/unload.ts, LoadDriverOptions.unloadAt): at the time
 * asked for, a system thread calls the routine DriverEntry set, at PASSIVE_LEVEL, given the
 * DRIVER_OBJECT; not when DriverEntry failed or set none; after DriverEntry when it is still
 * running; a bad time is the scenario's error naming the option (test/fixtures/c/unload.c).
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { Simulation, SimConfigError, type TraceRecord } from '../../src/index.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

const ENTRIES = ['UnloadEntry', 'NoUnloadEntry', 'FailingEntry', 'SlowEntry', 'CrashEntry'];

interface Ran {
  readonly sim: Simulation;
  readonly notes: string[];
}

async function runC(entry: string, unloadAt?: string, seed = 1): Promise<Ran> {
  const sim = new Simulation({ seed, keepTrace: true });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
  const notes: string[] = [];
  sim.loadDriver('server', fixtureDriver('unload', ENTRIES), {
    entry,
    name: 'unload.wasm',
    hooks: {
      Note: (d, what, value) => void notes.push(`${sim.now / 1e6}ms ${d.cString(what)} ${value}`),
    },
    ...(unloadAt !== undefined && { unloadAt }),
  });
  await sim.run({ until: '5s' });
  return { sim, notes };
}

/** The threads' starts (with what they run) and ends, as `<ms> #<thread> <event> <detail>`. */
function threads(sim: Simulation): string[] {
  return sim
    .records()
    .filter((r) => r.type === 'nt.thread')
    .map((r) => r as TraceRecord & { thread?: number; event?: string; detail?: string })
    .filter((r) => r.event === 'started' || r.event === 'ended')
    .map((r) => `${r.at / 1e6}ms #${r.thread} ${r.event}${r.detail ? ` ${r.detail}` : ''}`);
}

describe('cdriver: DriverUnload at unloadAt', () => {
  it('runs the routine DriverEntry set, at PASSIVE_LEVEL in a system thread, and its frees count', async (context) => {
    requireToolchain(context);
    const { sim, notes } = await runC('UnloadEntry', '1s');
    expect(notes).toEqual(['1000ms unload irql 0', '1000ms unload given its object 1']);
    expect(sim.kernel('server').leaks()).toEqual([]);
    expect(threads(sim)).toEqual([
      '0ms #1 started DriverEntry',
      '0ms #1 ended',
      '1000ms #2 started DriverUnload',
      '1000ms #2 ended',
    ]);
    const again = await runC('UnloadEntry', '1s');
    expect(again.sim.traceHash()).toBe(sim.traceHash());
  });

  it('without unloadAt the driver stays loaded: its block is still held at the end', async (context) => {
    requireToolchain(context);
    const { sim, notes } = await runC('UnloadEntry');
    expect(notes).toEqual([]);
    expect(sim.kernel('server').leaks()).toEqual([{ tag: 'Unld', bytes: 64, poolType: 512 }]);
  });

  it('a driver that set no DriverUnload cannot be unloaded; one whose DriverEntry failed never loaded', async (context) => {
    requireToolchain(context);
    const none = await runC('NoUnloadEntry', '1s');
    expect(none.notes).toEqual([]);
    expect(none.sim.kernel('server').leaks()).toEqual([{ tag: 'Unld', bytes: 64, poolType: 512 }]);
    const failed = await runC('FailingEntry', '1s');
    expect(failed.notes).toEqual([]);
  });

  it('a DriverEntry that crashes is the run\'s driver crash, and its driver is not unloaded', async (context) => {
    requireToolchain(context);
    const notes: string[] = [];
    const scenario = defineScenario({
      name: 'c-unload-after-crash',
      description: 'a C DriverEntry that sets DriverUnload, then crashes',
      build(sim) {
        sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
        sim.loadDriver('server', fixtureDriver('unload', ENTRIES), {
          entry: 'CrashEntry',
          hooks: { Note: (d, what) => void notes.push(d.cString(what)) },
          unloadAt: '1s',
        });
        return {};
      },
    });
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.failure?.kind).toBe('driver-crash');
    expect(result.failure?.message).toContain('IoSetCompletionRoutine: 0x0 is not an IRP');
    expect(notes).toEqual([]);
  });

  it('an unload asked for while DriverEntry still runs waits for it to return', async (context) => {
    requireToolchain(context);
    const { sim, notes } = await runC('SlowEntry', '1s');
    expect(notes).toEqual([
      '2000ms loaded 1',
      '2000ms unload irql 0',
      '2000ms unload given its object 1',
    ]);
    expect(sim.kernel('server').leaks()).toEqual([]);
  });

  it('an unloadAt that is no duration, or in the past, is the scenario\'s error naming it', async (context) => {
    requireToolchain(context);
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    const load = (unloadAt: string): unknown =>
      sim.loadDriver('server', fixtureDriver('unload', ENTRIES), {
        entry: 'UnloadEntry',
        hooks: { Note: () => undefined },
        unloadAt,
      });
    expect(() => load('soon')).toThrow(SimConfigError);
    expect(() => load('soon')).toThrow(/loadDriver\(server\)\.unloadAt/);
    await sim.run({ until: '2s' });
    expect(() => load('1s')).toThrow(/loadDriver\(server\)\.unloadAt'?: 1s is in the past/);
  });
});
