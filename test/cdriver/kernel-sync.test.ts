/**
 * The NT routines bridged beside events and pool (src/cdriver/nt-sync-imports.ts,
 * nt-object-imports.ts): KeWaitForMultipleObjects, mutexes and fast mutexes, run-down protection,
 * lookaside lists and device objects, run by C drivers (test/fixtures/c/kernel-sync.c, one entry
 * per behaviour). Each shows its status codes and what the driver saw, the wait outcomes and
 * their order across threads, the verifier's rules firing for C as for TypeScript, a seed run
 * twice with one trace hash, and, where a TypeScript driver does the same (the twins below, as
 * test/nt/kernel-routines.test.ts's), the same trace: its `nt.thread` records, its pool records, its
 * hash.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import {
  Executive,
  FAST_MUTEX,
  KEVENT,
  KMUTEX,
  KWAIT_BLOCK,
  KernelMode,
  NPAGED_LOOKASIDE_LIST,
  NotificationEvent,
  STATUS_SUCCESS,
  SynchronizationEvent,
  WaitAll,
  WaitAny,
  type Kernel,
  type KSTART_ROUTINE,
  EX_RUNDOWN_REF,
} from '../../src/wsk/index.ts';
import { Simulation, type CDriver, type RunOutcome, type TraceRecord } from '../../src/index.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

const SOURCE = 'test/fixtures/c/kernel-sync.c';
const ENTRIES = [
  'MultiWaitEntry', 'TooManyEntry', 'MutexEntry', 'MutexNotOwnerEntry', 'FastMutexEntry',
  'FastRecursiveEntry', 'RundownEntry', 'RundownOverReleaseEntry', 'RundownNeverEntry',
  'LookasideEntry', 'LookasideUseAfterFreeEntry', 'LookasideTwiceEntry',
  'LookasideWrongListEntry', 'LookasideAfterDeleteEntry', 'LookasideRoutinesEntry',
  'DeviceEntry', 'DeviceTwiceEntry', 'DeviceWorkAfterDeleteEntry', 'SListMoreEntry',
  'MdlAccessEntry', 'PollEntry',
];

interface Ran {
  readonly sim: Simulation;
  readonly notes: string[];
  readonly outcome: RunOutcome;
}

function host(sim: Simulation): void {
  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
}

async function runC(entry: string, seed = 1): Promise<Ran> {
  const sim = new Simulation({ seed, keepTrace: true });
  host(sim);
  const notes: string[] = [];
  const Note = (d: CDriver, what: number, value: number): void =>
    void notes.push(`${sim.now / 1e6}ms ${d.cString(what)} ${value.toString(16)}`);
  sim.loadDriver('server', fixtureDriver('kernel-sync', ENTRIES), {
    entry,
    name: 'kernel-sync.wasm',
    hooks: { Note },
  });
  return { sim, notes, outcome: await sim.run({ until: '1s' }) };
}

async function runTs(driver: (k: Kernel) => Promise<void>, seed = 1): Promise<Simulation> {
  const sim = new Simulation({ seed, keepTrace: true });
  host(sim);
  sim.load('server', driver);
  await sim.run({ until: '1s' });
  return sim;
}

/** The records of the threads' lives and waits, and the verifier's. */
function threadRecords(sim: Simulation): TraceRecord[] {
  return sim.records().filter((r) => r.type === 'nt.thread' || r.type === 'nt.violation');
}

function rules(sim: Simulation): string[] {
  return sim.kernel('server').violations.map((v) => v.rule);
}

const WAIT = [Executive, KernelMode, false] as const;
const ms = (n: number): { QuadPart: number } => ({ QuadPart: -10_000 * n });

function start(k: Kernel, routine: () => Promise<void>): void {
  const handle = { value: null as unknown };
  const body: KSTART_ROUTINE = async () => {
    await routine();
    return void k.PsTerminateSystemThread(STATUS_SUCCESS);
  };
  k.PsCreateSystemThread(handle as never, 0x1fffff, null, null, null, body, null);
  k.ZwClose(handle.value as never);
}

describe('cdriver: KeWaitForMultipleObjects', () => {
  it('WaitAny returns STATUS_WAIT_0 + the index; WaitAll waits for all; a timeout; 4 objects with a WaitBlockArray', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('MultiWaitEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '2ms any 1', '6ms all 0', '6ms B after all 0', '7ms late 102', '7ms four, index 3',
    ]);
    expect(rules(sim)).toEqual([]);
    // The TypeScript driver making the same calls leaves the same thread records.
    const twin = await runTs(async (k) => {
      const [A, B] = [new KEVENT(), new KEVENT()];
      const Four = [new KEVENT(), new KEVENT(), new KEVENT(), new KEVENT()];
      k.KeInitializeEvent(A, NotificationEvent, false);
      k.KeInitializeEvent(B, SynchronizationEvent, false);
      for (const E of Four) k.KeInitializeEvent(E, SynchronizationEvent, false);
      start(k, async () => {
        await k.KeWaitForMultipleObjects(2, [A, B], WaitAny, ...WAIT, null, null);
        await k.KeWaitForMultipleObjects(2, [A, B], WaitAll, ...WAIT, null, null);
        await k.KeWaitForMultipleObjects(1, [B], WaitAny, ...WAIT, ms(1), null);
        k.KeSetEvent(Four[3] as KEVENT, 0, false);
        const blocks = Four.map(() => new KWAIT_BLOCK());
        await k.KeWaitForMultipleObjects(4, Four, WaitAny, ...WAIT, null, blocks);
      });
      for (const E of [B, A, B]) {
        await k.KeDelayExecutionThread(KernelMode, false, ms(2));
        k.KeSetEvent(E, 0, false);
      }
    });
    expect(threadRecords(sim)).toEqual(threadRecords(twin));
    expect(sim.traceHash()).toBe(twin.traceHash());
    expect(threadRecords(sim).length).toBeGreaterThan(6);
  });

  it('a DPC polls (Timeout 0) at DISPATCH_LEVEL: answered at once, WaitAny 1, WaitAll STATUS_TIMEOUT', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('PollEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '3ms dpc irql 2', '3ms dpc poll, any 1', '3ms dpc poll, all 102', '3ms joined the dpc 0',
    ]);
    expect(rules(sim)).toEqual([]);
  });

  it('4 objects without a WaitBlockArray → WAIT-TOO-MANY-OBJECTS, as for TypeScript', async (context) => {
    requireToolchain(context);
    const { outcome, notes } = await runC('TooManyEntry');
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      message: expect.stringContaining(
        'KeWaitForMultipleObjects on 4 objects: more than THREAD_WAIT_OBJECTS (3) without a ' +
          'WaitBlockArray',
      ),
      details: { rule: 'WAIT-TOO-MANY-OBJECTS' },
    });
    expect(notes).toEqual(['0ms too many 102']);
  });
});

describe('cdriver: mutexes', () => {
  it('two system threads contend for a KMUTEX: recursive for its owner, handed over by the last release', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('MutexEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '0ms free 1',
      '0ms first waits 0',
      '0ms first again 0',
      '2ms first releases, was 0',
      '2ms first releases once 0',
      '2ms second owns 0',
      "2ms second's state 0",
      // The owner's WaitAny on [an event never set, the mutex] takes the mutex: STATUS_WAIT_0 + 1.
      '2ms second any 1',
      '2ms second released 1',
    ]);
    const twin = await runTs(async (k) => {
      const [A, Mutex] = [new KEVENT(), new KMUTEX()];
      k.KeInitializeEvent(A, NotificationEvent, false);
      k.KeInitializeMutex(Mutex, 0);
      start(k, async () => {
        await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
        await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
        await k.KeDelayExecutionThread(KernelMode, false, ms(2));
        k.KeReleaseMutex(Mutex, false);
        k.KeReleaseMutex(Mutex, false);
      });
      start(k, async () => {
        await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
        await k.KeWaitForMultipleObjects(2, [A, Mutex], WaitAny, ...WAIT, null, null);
        k.KeReleaseMutex(Mutex, false);
        k.KeReleaseMutex(Mutex, false);
      });
    });
    expect(threadRecords(sim)).toEqual(threadRecords(twin));
    expect(sim.traceHash()).toBe(twin.traceHash());
  });

  it('a KMUTEX released by a thread that does not own it → MUTEX-RELEASE-NOT-OWNER', async (context) => {
    requireToolchain(context);
    const { sim, outcome } = await runC('MutexNotOwnerEntry');
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      message: expect.stringContaining('KeReleaseMutex of a mutex another thread owns'),
      details: { rule: 'MUTEX-RELEASE-NOT-OWNER' },
    });
    expect(outcome.failure?.at).toBe(1_000_000);
    expect(rules(sim)).toEqual(['MUTEX-RELEASE-NOT-OWNER']);
    const twin = await runTs(async (k) => {
      const Mutex = new KMUTEX();
      k.KeInitializeMutex(Mutex, 0);
      start(k, async () => {
        await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
        await k.KeDelayExecutionThread(KernelMode, false, ms(5));
        k.KeReleaseMutex(Mutex, false);
      });
      await k.KeDelayExecutionThread(KernelMode, false, ms(1));
      k.KeReleaseMutex(Mutex, false);
    });
    expect(twin.kernel('server').violations.map((v) => v.message)).toEqual(
      sim.kernel('server').violations.map((v) => v.message),
    );
    expect(sim.traceHash()).toBe(twin.traceHash());
  });

  it('a contended fast mutex blocks the second thread; the holder runs at APC_LEVEL and restores PASSIVE_LEVEL', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('FastMutexEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '0ms a holds, irql 1',
      '0ms a tries again 0',
      '1ms a released, irql 0',
      '1ms b holds, irql 1',
      '1ms b tries again 0',
      '2ms b released, irql 0',
    ]);
    expect(rules(sim)).toEqual([]);
    const waits = threadRecords(sim).filter((r) => (r as { event?: string }).event === 'waiting');
    expect(waits.map((r) => (r as { detail?: string }).detail)).toContain(
      'ExAcquireFastMutex on FAST_MUTEX',
    );
    const twin = await runTs(async (k) => {
      const Fast = new FAST_MUTEX();
      k.ExInitializeFastMutex(Fast);
      for (let i = 0; i < 2; i++) {
        start(k, async () => {
          await k.ExAcquireFastMutex(Fast);
          k.ExTryToAcquireFastMutex(Fast);
          await k.KeDelayExecutionThread(KernelMode, false, ms(1));
          k.ExReleaseFastMutex(Fast);
        });
      }
    });
    expect(sim.traceHash()).toBe(twin.traceHash());
  });

  it('a fast mutex acquired by its holder → FAST-MUTEX-RECURSIVE-ACQUIRE', async (context) => {
    requireToolchain(context);
    const { outcome } = await runC('FastRecursiveEntry');
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      details: { rule: 'FAST-MUTEX-RECURSIVE-ACQUIRE' },
    });
  });
});

describe('cdriver: run-down protection', () => {
  it('the wait ends at the last release (another thread, 5 ms); acquires fail while running down and after completion', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('RundownEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '0ms acquire 1',
      '1ms acquire while running down 0',
      '5ms run down 0',
      '5ms acquire after completion 0',
      '5ms acquire after reinitialising 1',
      '5ms second run down 0',
    ]);
    const twin = await runTs(async (k) => {
      const Ref = new EX_RUNDOWN_REF();
      k.ExInitializeRundownProtection(Ref);
      k.ExAcquireRundownProtection(Ref);
      start(k, async () => {
        await k.KeDelayExecutionThread(KernelMode, false, ms(1));
        k.ExAcquireRundownProtection(Ref);
        await k.KeDelayExecutionThread(KernelMode, false, ms(4));
        k.ExReleaseRundownProtection(Ref);
      });
      await k.ExWaitForRundownProtectionRelease(Ref);
    });
    expect(threadRecords(sim)).toEqual(threadRecords(twin));
    expect(sim.traceHash()).toBe(twin.traceHash());
  });

  it('released more than acquired → RUNDOWN-RELEASE-NOT-ACQUIRED', async (context) => {
    requireToolchain(context);
    const { outcome } = await runC('RundownOverReleaseEntry');
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      message: expect.stringContaining('ExReleaseRundownProtection with no acquire outstanding'),
      details: { rule: 'RUNDOWN-RELEASE-NOT-ACQUIRED' },
    });
  });

  it('a run-down wait whose acquire is never released → WAIT-NEVER-SATISFIED at the end of the run', async (context) => {
    requireToolchain(context);
    const scenario = defineScenario({
      name: 'c-rundown-never',
      description: 'a C DriverEntry that waits for a run-down that never completes',
      build(sim) {
        host(sim);
        sim.loadDriver('server', fixtureDriver('kernel-sync', ENTRIES), {
          entry: 'RundownNeverEntry',
          name: 'kernel-sync.wasm',
          hooks: { Note: () => undefined },
        });
        return {};
      },
      settle: '1s',
    });
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.failure?.details).toMatchObject({ rule: 'WAIT-NEVER-SATISFIED' });
    expect(result.failure?.details?.outstanding).toEqual([
      expect.stringMatching(
        /^WAIT-NEVER-SATISFIED server: thread server\/DriverEntry blocked since 0\.000000s in ExWaitForRundownProtectionRelease on an EX_RUNDOWN_REF with 1 acquire never released/,
      ),
    ]);
  });
});

describe('cdriver: lookaside lists', () => {
  it('an entry freed is reused with its contents; 4 are kept; one held at the end is POOL-LEAKED by the list\'s tag', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('LookasideEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual(['0ms reused 1', '0ms kept its contents 7', '0ms held entry 1']);
    expect(sim.kernel('server').leaks()).toEqual([{ tag: 'Look', bytes: 32, poolType: 512 }]);
    const twin = await runTs(async (k) => {
      const List = new NPAGED_LOOKASIDE_LIST();
      k.ExInitializeNPagedLookasideList(List, null, null, 0, 32, 'Look', 0);
      k.ExFreeToNPagedLookasideList(List, k.ExAllocateFromNPagedLookasideList(List) as object);
      const entries = Array.from({ length: 6 }, () => k.ExAllocateFromNPagedLookasideList(List));
      for (const entry of entries.slice(0, 5)) k.ExFreeToNPagedLookasideList(List, entry as object);
      k.ExDeleteNPagedLookasideList(List);
    });
    expect(sim.traceHash()).toBe(twin.traceHash());
    const pool = sim.records().filter((r) => r.type === 'nt.pool');
    // 6 allocations from pool (the first is reused), 5 frees at the delete: the model's records.
    expect(pool.map((r) => (r as { event?: string }).event)).toEqual([
      ...Array<string>(6).fill('allocated'), ...Array<string>(5).fill('freed'),
    ]);
  });

  it('a read of an entry the deleted list gave back to the pool → POOL-USE-AFTER-FREE with its C lines', async (context) => {
    requireToolchain(context);
    const { outcome } = await runC('LookasideUseAfterFreeEntry');
    const site = `${SOURCE}:258 (LookasideUseAfterFreeEntry)`;
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      details: { rule: 'POOL-USE-AFTER-FREE', site },
    });
    expect(outcome.failure?.message).toContain(
      `(32 bytes, tag 'Look') allocated at ${SOURCE}:254 (LookasideUseAfterFreeEntry), freed at ` +
        `${SOURCE}:257 (LookasideUseAfterFreeEntry)`,
    );
  });

  it('the list\'s rules, as for TypeScript: freed twice, freed to another list, used after delete', async (context) => {
    requireToolchain(context);
    const cases = [
      ['LookasideTwiceEntry', 'LOOKASIDE-FREE-TWICE'],
      ['LookasideWrongListEntry', 'LOOKASIDE-FREE-WRONG-LIST'],
      ['LookasideAfterDeleteEntry', 'LOOKASIDE-USE-AFTER-DELETE'],
    ] as const;
    for (const [entry, rule] of cases) {
      const { outcome, sim } = await runC(entry);
      expect(outcome.failure, entry).toMatchObject({ kind: 'violation', details: { rule } });
      expect(rules(sim)).toEqual([rule]);
    }
  });

  it('the driver\'s own Allocate and Free routines: 6 allocated, 2 freed past the depth, 4 at the delete', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('LookasideRoutinesEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '0ms allocated 6', '0ms freed before delete 2', '0ms freed after delete 6',
    ]);
    expect(sim.kernel('server').leaks()).toEqual([]);
  });
});

describe('cdriver: device objects', () => {
  it('IoCreateDevice fills a DEVICE_OBJECT; a name taken is a collision; a work item receives the device', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('DeviceEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '0ms create 0',
      '0ms type 3',
      '0ms device type 22',
      '0ms characteristics 100',
      '0ms driver object 1',
      "0ms driver's first device 1",
      '0ms extension zeroed 0',
      '0ms same name c0000035',
      '0ms no second device 1',
      "0ms work item's device is the device 1",
      '0ms extension ec0',
      "0ms driver's devices after delete 1",
    ]);
    expect(rules(sim)).toEqual([]);
  });

  it('deleted twice → DEVICE-DELETED-TWICE; a work item for a deleted device → DEVICE-USE-AFTER-DELETE', async (context) => {
    requireToolchain(context);
    for (const [entry, rule] of [
      ['DeviceTwiceEntry', 'DEVICE-DELETED-TWICE'],
      ['DeviceWorkAfterDeleteEntry', 'DEVICE-USE-AFTER-DELETE'],
    ] as const) {
      const { outcome } = await runC(entry);
      expect(outcome.failure, entry).toMatchObject({ kind: 'violation', details: { rule } });
    }
  });
});

describe('cdriver: the other SLIST routines and the MDL accessors', () => {
  it('ExInterlockedPushEntrySList, InterlockedPopEntrySList, ExInterlockedPopEntrySList, ExInterlockedFlushSList, ExQueryDepthSList keep the C header in step', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runC('SListMoreEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes.map((n) => n.replace(/^0ms /, ''))).toEqual([
      'depth 3', 'popped 3', "header's depth 2", "header's first 1", 'popped 2', 'flushed 1',
      "flushed's next 1", 'depth after flush 0', 'pop of empty 1',
    ]);
    expect(rules(sim)).toEqual([]);
  });

  it('MmGetMdlByteCount and MmGetSystemAddressForMdlSafe: the buffer itself; on a freed MDL, MDL-USE-AFTER-FREE', async (context) => {
    requireToolchain(context);
    const { notes, outcome } = await runC('MdlAccessEntry');
    expect(notes).toEqual([
      '0ms byte count 28', '0ms mapped is the buffer 1', '0ms last byte 5a', '0ms after free 28',
    ]);
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      message: expect.stringContaining('MmGetMdlByteCount on a freed MDL'),
      details: { rule: 'MDL-USE-AFTER-FREE' },
    });
  });
});

describe('cdriver: the same seed, the same trace', () => {
  it('each entry run twice with a seed has one trace hash', async (context) => {
    requireToolchain(context);
    for (const entry of ['MultiWaitEntry', 'MutexEntry', 'FastMutexEntry', 'RundownEntry',
      'LookasideEntry', 'LookasideRoutinesEntry', 'DeviceEntry', 'SListMoreEntry']) {
      const [a, b] = [await runC(entry, 7), await runC(entry, 7)];
      expect(a.sim.traceHash(), entry).toBe(b.sim.traceHash());
      expect(a.notes).toEqual(b.notes);
    }
  });
});
