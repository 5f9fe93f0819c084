/**
 * Waits at the end of a run (nt/outstanding.ts, WAIT-NEVER-SATISFIED): a system thread still
 * blocked in a wait with no timeout after the settle phase fails the run, even when nothing else
 * is outstanding, naming the object, since when, and (from runScenario's re-run with sites) the
 * line of the wait, marked `// waits for ever` below. A stalled IRP says since when it is stalled.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import {
  Executive,
  KEVENT,
  KernelMode,
  NotificationEvent,
  SynchronizationEvent,
  STATUS_MORE_PROCESSING_REQUIRED,
  type IRP,
  type NTSTATUS,
} from '../../src/wsk/index.ts';

const FILE = 'test/nt/waits-at-end.test.ts';
const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const WAIT_LINE = `${FILE}:${SOURCE.findIndex((l) => l.endsWith('// waits for ever')) + 1}`;

function waiting(set: boolean) {
  return defineScenario({
    name: set ? 'entry-waits-and-is-woken' : 'entry-waits-for-ever',
    description: 'a DriverEntry that waits on a KEVENT',
    build(sim) {
      sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
      sim.load('server', async (k) => {
        const Ready = new KEVENT();
        k.KeInitializeEvent(Ready, NotificationEvent, false);
        if (set) sim.at('1s', 'set', () => void k.KeSetEvent(Ready, 0, false));
        await k.KeWaitForSingleObject(Ready, Executive, KernelMode, false, null); // waits for ever
      });
      return {};
    },
    settle: '1s',
  });
}

describe('waits at the end of a run', () => {
  it('a DriverEntry that waits for ever on a KEVENT fails, naming the wait and its line', async () => {
    const result = await runScenario(waiting(false), { seed: 1 });
    expect(result.status).toBe('failed');
    expect(result.failure?.kind).toBe('violation');
    expect(result.failure?.details).toMatchObject({
      rule: 'WAIT-NEVER-SATISFIED',
      host: 'server',
      site: WAIT_LINE,
    });
    expect(result.failure?.details?.outstanding).toEqual([
      'WAIT-NEVER-SATISFIED server: thread server/DriverEntry blocked since 0.000000s in ' +
        `KeWaitForSingleObject on a KEVENT (NotificationEvent), never signalled (${WAIT_LINE})`,
    ]);
  });

  it('its twin, whose event is set, passes', async () => {
    const result = await runScenario(waiting(true), { seed: 1 });
    expect(result.failure).toBeUndefined();
  });

  it('a wait released by a synchronization event is no longer listed', async () => {
    const scenario = defineScenario({
      name: 'sync-event',
      description: 'two waiters, one set',
      build(sim) {
        sim.addHost({ name: 'h', ipv4: '10.0.0.2' });
        const k = sim.kernel('h');
        const Gate = new KEVENT();
        k.KeInitializeEvent(Gate, SynchronizationEvent, false);
        const wait = async (): Promise<void> =>
          void (await k.KeWaitForSingleObject(Gate, Executive, KernelMode, false, null));
        sim.load('h', wait);
        sim.load('h', wait);
        sim.at('5ms', 'set once', () => void k.KeSetEvent(Gate, 0, false));
        return {};
      },
      settle: '1s',
    });
    const result = await runScenario(scenario, { seed: 1 });
    const left = result.failure?.details?.outstanding ?? [];
    expect(left).toHaveLength(1);
    expect(left[0]).toContain('thread h/DriverEntry blocked since 0.000000s');
    expect(left[0]).toContain('a KEVENT (SynchronizationEvent)');
  });
});

describe('a stalled IRP says since when', () => {
  it('IRP-NEVER-COMPLETED names the state and the time of its last change', async () => {
    const scenario = defineScenario({
      name: 'irp-stalled',
      description: 'an IRP issued at 5 ms and pended, never completed',
      build(sim) {
        sim.addHost({ name: 'h', ipv4: '10.0.0.2' });
        const k = sim.kernel('h', { pendingCompletions: 0 });
        sim.at('5ms', 'issue', () => {
          const Irp = k.IoAllocateIrp(1, false) as IRP;
          const routine = (): NTSTATUS => STATUS_MORE_PROCESSING_REQUIRED;
          k.IoSetCompletionRoutine(Irp, routine, null, true, true, true);
          k.irps.issue(Irp, 'stalled');
          k.irps.pend(Irp);
        });
        return {};
      },
      settle: '1s',
    });
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.failure?.details?.rule).toBe('IRP-NEVER-COMPLETED');
    expect(result.failure?.details?.outstanding?.[0]).toMatch(
      /^IRP-NEVER-COMPLETED h: IRP #1 \(stalled\) never completed; pending since 0\.005000s/,
    );
  });
});
