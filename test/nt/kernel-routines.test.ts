/**
 * The kernel routines drivers call around WSK (issue 18; docs/model.md#kernel-routines-around-wsk):
 * what each returns and when a wait resumes, on a kernel of its own (the rules and their twins are
 * in verifier-kernel-routines.test.ts), and waits in the new routines never satisfied at the end
 * of a run, reported as WAIT-NEVER-SATISFIED naming the routine.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { Simulator } from '../../src/sim/index.ts';
import {
  APC_LEVEL,
  CONTAINING_RECORD,
  DISPATCH_LEVEL,
  DEVICE_OBJECT,
  DPFLTR_IHVNETWORK_ID,
  DPFLTR_INFO_LEVEL,
  DelayedWorkQueue,
  EX_RUNDOWN_REF,
  Executive,
  FAST_MUTEX,
  FILE_DEVICE_UNKNOWN,
  InterlockedCompareExchange,
  InterlockedDecrement,
  InterlockedExchange,
  InterlockedExchangeAdd,
  InterlockedIncrement,
  KDPC,
  KEVENT,
  KMUTEX,
  KTIMER,
  Kernel,
  KernelMode,
  LIST_ENTRY,
  NPAGED_LOOKASIDE_LIST,
  NotificationEvent,
  PASSIVE_LEVEL,
  POOL_FLAG_NON_PAGED,
  RTL_CONSTANT_STRING,
  SINGLE_LIST_ENTRY,
  SLIST_ENTRY,
  SLIST_HEADER,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  STATUS_WAIT_0,
  SynchronizationEvent,
  SynchronizationTimer,
  WaitAll,
  WaitAny,
  formatDbgPrint,
  type KernelOptions,
  type NTSTATUS,
  type PDEVICE_OBJECT,
} from '../../src/wsk/index.ts';

function setup(options: KernelOptions = {}): { sim: Simulator; k: Kernel } {
  const sim = new Simulator({ seed: 3, keepTrace: true });
  return { sim, k: new Kernel(sim, 'h', options) };
}

const relativeMs = (ms: number): { QuadPart: number } => ({ QuadPart: -ms * 10_000 });
const WAIT = [Executive, KernelMode, false] as const;

/** Starts `body` as a system thread. */
function thread(k: Kernel, body: () => Promise<void>): void {
  const Handle = { value: null as never };
  expect(k.PsCreateSystemThread(Handle, 0, null, null, null, body, null)).toBe(STATUS_SUCCESS);
}

interface CONN {
  Link: LIST_ENTRY;
  Id: number;
}

describe('LIST_ENTRY lists and CONTAINING_RECORD', () => {
  it('link as wdm.h does; RemoveHeadList on an empty list returns the head', () => {
    const { k } = setup();
    const Head = new LIST_ENTRY();
    k.InitializeListHead(Head);
    expect(k.IsListEmpty(Head)).toBe(true);
    const [a, b, c] = [new LIST_ENTRY(), new LIST_ENTRY(), new LIST_ENTRY()];
    k.InsertTailList(Head, b);
    k.InsertHeadList(Head, a);
    k.InsertTailList(Head, c);
    expect([Head.Flink, a.Flink, b.Flink, c.Flink]).toEqual([a, b, c, Head]);
    expect(Head.Blink).toBe(c);
    expect(k.RemoveEntryList(b)).toBe(false);
    expect(k.RemoveTailList(Head)).toBe(c);
    expect(k.RemoveEntryList(a)).toBe(true);
    expect(k.IsListEmpty(Head)).toBe(true);
    expect(k.RemoveHeadList(Head)).toBe(Head);
  });

  it('CONTAINING_RECORD finds a pool block by the entry stored in it, by the type name', () => {
    const { k } = setup();
    const Head = new LIST_ENTRY();
    k.InitializeListHead(Head);
    const Conn = k.ExAllocatePool2<CONN>(POOL_FLAG_NON_PAGED, 24, 'Conn') as CONN;
    Conn.Link = new LIST_ENTRY();
    Conn.Id = 7;
    k.InsertTailList(Head, Conn.Link);
    const Found = CONTAINING_RECORD<CONN>(k.RemoveHeadList(Head), 'CONN', 'Link');
    expect(Found).toBe(Conn);
    expect(Found.Id).toBe(7);
    expect(() => CONTAINING_RECORD<CONN>(Conn.Link, 'CONN', 'Other')).toThrow(TypeError);
    expect(() => CONTAINING_RECORD<CONN>(new LIST_ENTRY(), 'CONN', 'Link')).toThrow(/no field/);
    k.ExFreePool(Conn);
    expect(k.leaks()).toEqual([]);
  });
});

describe('SLISTs', () => {
  it('push returns the old first entry, pop LIFO, flush takes the chain, depth counts', () => {
    const { k } = setup();
    const Head = new SLIST_HEADER();
    k.InitializeSListHead(Head);
    const [a, b, c] = [new SLIST_ENTRY(), new SLIST_ENTRY(), new SLIST_ENTRY()];
    expect(k.ExInterlockedPushEntrySList(Head, a, null)).toBe(null);
    expect(k.InterlockedPushEntrySList(Head, b)).toBe(a);
    expect(k.ExQueryDepthSList(Head)).toBe(2);
    expect(k.ExInterlockedPopEntrySList(Head, null)).toBe(b);
    k.InterlockedPushEntrySList(Head, c);
    const chain = k.ExInterlockedFlushSList(Head);
    expect(chain).toBe(c);
    expect(chain?.Next).toBe(a);
    expect(k.ExQueryDepthSList(Head)).toBe(0);
    expect(k.InterlockedPopEntrySList(Head)).toBe(null);
  });

  it('PushEntryList / PopEntryList: a SINGLE_LIST_ENTRY head, LIFO', () => {
    const { k } = setup();
    const Head = new SINGLE_LIST_ENTRY();
    const [a, b] = [new SINGLE_LIST_ENTRY(), new SINGLE_LIST_ENTRY()];
    k.PushEntryList(Head, a);
    k.PushEntryList(Head, b);
    expect(k.PopEntryList(Head)).toBe(b);
    expect(k.PopEntryList(Head)).toBe(a);
    expect(k.PopEntryList(Head)).toBe(null);
    k.PushEntryList(Head, a);
    k.PushEntryList(Head, a);
    expect(k.violations.map((v) => v.rule)).toEqual(['SLIST-ENTRY-PUSHED-TWICE']);
  });
});

describe('Interlocked', () => {
  it('works on a holder or on a structure and its field, with LONG wrap-around', () => {
    const Ref = { value: 0x7fffffff };
    expect(InterlockedIncrement(Ref)).toBe(-0x80000000);
    expect(InterlockedDecrement(Ref)).toBe(0x7fffffff);
    const ctx = { RefCount: 1, State: 0 };
    expect(InterlockedIncrement(ctx, 'RefCount')).toBe(2);
    expect(InterlockedExchangeAdd(ctx, 'RefCount', 5)).toBe(2);
    expect(InterlockedExchange(ctx, 'State', 3)).toBe(0);
    expect(InterlockedCompareExchange(ctx, 'State', 9, 1)).toBe(3);
    expect(ctx).toEqual({ RefCount: 7, State: 3 });
    expect(InterlockedCompareExchange(ctx, 'State', 9, 3)).toBe(3);
    expect(ctx.State).toBe(9);
    const { k } = setup();
    expect(k.InterlockedDecrement(ctx, 'RefCount')).toBe(6);
  });
});

describe('rundown protection', () => {
  it('the wait returns when the last acquire is released; acquires fail once it began', async () => {
    const { sim, k } = setup();
    const Ref = new EX_RUNDOWN_REF();
    k.ExInitializeRundownProtection(Ref);
    expect(k.ExAcquireRundownProtection(Ref)).toBe(true);
    sim.schedule(5e6, 'release', () => k.ExReleaseRundownProtection(Ref));
    const log: string[] = [];
    thread(k, async () => {
      await k.ExWaitForRundownProtectionRelease(Ref);
      log.push(`done ${sim.now}`);
    });
    sim.schedule(1e6, 'late acquire', () => log.push(`acquire ${k.ExAcquireRundownProtection(Ref)}`));
    await sim.run();
    expect(log).toEqual(['acquire false', 'done 5000000']);
    k.ExReInitializeRundownProtection(Ref);
    expect(k.ExAcquireRundownProtection(Ref)).toBe(true);
  });
});

describe('timers, delays and multiple waits', () => {
  it('KeSetTimerEx runs its DPC every Period until KeCancelTimer', async () => {
    const { sim, k } = setup();
    const Timer = new KTIMER();
    const Dpc = new KDPC();
    const ticks: number[] = [];
    k.KeInitializeTimerEx(Timer, SynchronizationTimer);
    k.KeInitializeDpc(Dpc, () => void ticks.push(sim.now / 1e6), null);
    expect(k.KeSetTimerEx(Timer, relativeMs(10), 5, Dpc)).toBe(false);
    sim.schedule(27e6, 'cancel', () => void k.KeCancelTimer(Timer));
    await sim.run();
    expect(ticks).toEqual([10, 15, 20, 25]);
  });

  it('KeDelayExecutionThread resumes after the interval, at the IRQL it slept at', async () => {
    const { sim, k } = setup();
    const log: string[] = [];
    thread(k, async () => {
      const s = await k.KeDelayExecutionThread(KernelMode, false, relativeMs(3));
      log.push(`${s} ${sim.now} ${k.KeGetCurrentIrql()}`);
    });
    await sim.run();
    expect(log).toEqual([`${STATUS_SUCCESS} 3000000 ${PASSIVE_LEVEL}`]);
  });

  it('WaitAny returns STATUS_WAIT_0 + the index; WaitAll waits for all; a timeout', async () => {
    const { sim, k } = setup();
    const [A, B] = [new KEVENT(), new KEVENT()];
    k.KeInitializeEvent(A, NotificationEvent, false);
    k.KeInitializeEvent(B, SynchronizationEvent, false);
    const log: string[] = [];
    thread(k, async () => {
      const any = await k.KeWaitForMultipleObjects(2, [A, B], WaitAny, ...WAIT, null, null);
      log.push(`any ${any - STATUS_WAIT_0} at ${sim.now / 1e6}`);
      const all = await k.KeWaitForMultipleObjects(2, [A, B], WaitAll, ...WAIT, null, null);
      log.push(`all ${all} at ${sim.now / 1e6}; B ${k.KeReadStateEvent(B)}`);
      const late = await k.KeWaitForMultipleObjects(1, [B], WaitAny, ...WAIT, relativeMs(1), null);
      log.push(`late ${late === STATUS_TIMEOUT} at ${sim.now / 1e6}`);
    });
    sim.schedule(2e6, 'set B', () => void k.KeSetEvent(B, 0, false));
    sim.schedule(4e6, 'set A', () => void k.KeSetEvent(A, 0, false));
    sim.schedule(6e6, 'set B', () => void k.KeSetEvent(B, 0, false));
    await sim.run();
    expect(log).toEqual(['any 1 at 2', 'all 0 at 6; B 0', 'late true at 7']);
  });
});

describe('mutexes', () => {
  it('a KMUTEX is recursive for its owner and handed to the first waiter on release', async () => {
    const { sim, k } = setup();
    const Mutex = new KMUTEX();
    k.KeInitializeMutex(Mutex, 0);
    const log: string[] = [];
    thread(k, async () => {
      await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
      await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
      await k.KeDelayExecutionThread(KernelMode, false, relativeMs(2));
      k.KeReleaseMutex(Mutex, false);
      log.push(`first releases once ${k.KeReadStateMutex(Mutex)}`);
      k.KeReleaseMutex(Mutex, false);
    });
    thread(k, async () => {
      await k.KeWaitForSingleObject(Mutex, ...WAIT, null);
      log.push(`second owns at ${sim.now / 1e6}`);
      k.KeReleaseMutex(Mutex, false);
    });
    await sim.run();
    expect(log).toEqual(['first releases once 0', 'second owns at 2']);
    expect(k.violations).toEqual([]);
  });

  it('a contended fast mutex blocks; its holder runs at APC_LEVEL and restores the IRQL', async () => {
    const { sim, k } = setup();
    const Mutex = new FAST_MUTEX();
    k.ExInitializeFastMutex(Mutex);
    const log: string[] = [];
    for (const name of ['a', 'b']) {
      thread(k, async () => {
        await k.ExAcquireFastMutex(Mutex);
        log.push(`${name} holds at ${sim.now / 1e6} irql ${k.KeGetCurrentIrql()}`);
        await k.KeDelayExecutionThread(KernelMode, false, relativeMs(1));
        k.ExReleaseFastMutex(Mutex);
        log.push(`${name} released irql ${k.KeGetCurrentIrql()}`);
      });
    }
    await sim.run();
    expect(log).toEqual([
      `a holds at 0 irql ${APC_LEVEL}`,
      `a released irql ${PASSIVE_LEVEL}`,
      `b holds at 1 irql ${APC_LEVEL}`,
      `b released irql ${PASSIVE_LEVEL}`,
    ]);
    expect(k.violations).toEqual([]);
  });
});

describe('mutex IRQL rules', () => {
  it('ExAcquireFastMutex at DISPATCH_LEVEL is IRQL-TOO-HIGH (it must be at APC_LEVEL or below)', () => {
    const { k } = setup();
    const Fast = new FAST_MUTEX();
    const Mutex = new KMUTEX();
    k.ExInitializeFastMutex(Fast);
    k.KeInitializeMutex(Mutex, 0);
    k.runAt(DISPATCH_LEVEL, () => void k.ExAcquireFastMutex(Fast));
    expect(k.violations.map((v) => v.rule)).toEqual(['IRQL-TOO-HIGH']);
    expect(k.violations[0]?.message).toMatch(/ExAcquireFastMutex called at IRQL 2/);
  });
});

describe('pool, lookaside lists and devices', () => {
  it('lookaside entries are reused; one held at the end is a pool leak by its tag', () => {
    const { k } = setup();
    const List = new NPAGED_LOOKASIDE_LIST();
    k.ExInitializeNPagedLookasideList(List, null, null, 0, 32, 'Look', 0);
    const a = k.ExAllocateFromNPagedLookasideList(List) as object;
    k.ExFreeToNPagedLookasideList(List, a);
    expect(k.ExAllocateFromNPagedLookasideList(List)).toBe(a);
    k.ExAllocateFromNPagedLookasideList(List);
    k.ExFreeToNPagedLookasideList(List, a);
    k.ExDeleteNPagedLookasideList(List);
    expect(k.leaks().map((leak) => `${leak.tag} ${leak.bytes}`)).toEqual(['Look 32']);
  });

  it('IoCreateDevice: a name taken is a collision; a work item receives the device', async () => {
    const { sim, k } = setup();
    const Device = { value: null as DEVICE_OBJECT | null };
    const Name = RTL_CONSTANT_STRING('\\Device\\Echo');
    let received: PDEVICE_OBJECT = null;
    thread(k, async () => {
      expect(k.IoCreateDevice(null, 16, Name, FILE_DEVICE_UNKNOWN, 0, false, Device)).toBe(
        STATUS_SUCCESS,
      );
      const Other = { value: null as DEVICE_OBJECT | null };
      expect(k.IoCreateDevice(null, 0, Name, FILE_DEVICE_UNKNOWN, 0, false, Other)).toBe(
        STATUS_OBJECT_NAME_COLLISION,
      );
      const Item = k.IoAllocateWorkItem(Device.value);
      if (Item === null) return;
      k.IoQueueWorkItem(Item, (DeviceObject) => {
        received = DeviceObject;
        k.IoFreeWorkItem(Item);
      }, DelayedWorkQueue, null);
    });
    await sim.run();
    expect(received).toBe(Device.value);
    expect(Device.value?.DeviceExtension).toEqual({});
  });
});

describe('DbgPrint', () => {
  it('formats as printf and is captured as an nt.debug-print record', async () => {
    const { sim, k } = setup();
    k.DbgPrint('accepted %d of %u (%s) 0x%08X\n', -1, 3, 'conn', 0xbeef);
    k.DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_INFO_LEVEL, '%-4s|%5.1s|%%', 'ab', 'xyz');
    k.KdPrint('%wZ %c', RTL_CONSTANT_STRING('\\Device\\X'), 65);
    const records = sim.trace.records().filter((r) => r.type === 'nt.debug-print');
    expect(records.map((r) => ('text' in r ? r.text : ''))).toEqual([
      'accepted -1 of 3 (conn) 0x0000BEEF',
      'ab  |    x|%',
      '\\Device\\X A',
    ]);
    expect(records[1]).toMatchObject({ component: DPFLTR_IHVNETWORK_ID, level: DPFLTR_INFO_LEVEL });
    expect(formatDbgPrint('%I64u %lx', [2 ** 40, 255])).toBe('1099511627776 ff');
  });
});

describe('DbgPrint in a failure report', () => {
  it("a driver's KdPrint is among the last trace records of its failure", async () => {
    const scenario = defineScenario({
      name: 'prints-then-breaks',
      description: 'a driver that prints, then removes a list entry twice',
      build(sim) {
        sim.addHost({ name: 'h', ipv4: '10.0.0.2' });
        sim.load('h', (k) => {
          const Head = new LIST_ENTRY();
          const Entry = new LIST_ENTRY();
          k.InitializeListHead(Head);
          k.InsertTailList(Head, Entry);
          k.KdPrint('removing %s\n', 'entry');
          k.RemoveEntryList(Entry);
          k.RemoveEntryList(Entry);
        });
        return {};
      },
    });
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.failure?.details?.rule).toBe('LIST-ENTRY-REMOVED-TWICE');
    const printed = result.tail.filter((r) => r.type === 'nt.debug-print');
    expect(printed.map((r) => r['text'])).toEqual(['removing entry']);
  });
});

describe('waits in these routines never satisfied at the end of a run', () => {
  const cases: Record<string, (k: Kernel) => PromiseLike<unknown>> = {
    ExWaitForRundownProtectionRelease: (k) => {
      const Ref = new EX_RUNDOWN_REF();
      k.ExInitializeRundownProtection(Ref);
      k.ExAcquireRundownProtection(Ref);
      return k.ExWaitForRundownProtectionRelease(Ref);
    },
    KeWaitForMultipleObjects: (k) => {
      const Events = [new KEVENT(), new KEVENT()];
      for (const Event of Events) k.KeInitializeEvent(Event, NotificationEvent, false);
      return k.KeWaitForMultipleObjects(2, Events, WaitAll, ...WAIT, null, null);
    },
    ExAcquireFastMutex: async (k) => {
      const Mutex = new FAST_MUTEX();
      const Never = new KEVENT();
      k.ExInitializeFastMutex(Mutex);
      k.KeInitializeEvent(Never, NotificationEvent, false);
      // Another thread takes the mutex and waits for ever holding it.
      thread(k, async () => {
        await k.ExAcquireFastMutex(Mutex);
        await k.KeWaitForSingleObject(Never, ...WAIT, null);
      });
      await k.KeDelayExecutionThread(KernelMode, false, relativeMs(1));
      return k.ExAcquireFastMutex(Mutex);
    },
  };
  for (const [routine, wait] of Object.entries(cases)) {
    it(`${routine}: WAIT-NEVER-SATISFIED names it`, async () => {
      const scenario = defineScenario({
        name: `never-${routine.toLowerCase()}`,
        description: `a DriverEntry blocked for ever in ${routine}`,
        build(sim) {
          sim.addHost({ name: 'h', ipv4: '10.0.0.2' });
          sim.load('h', async (k) => void (await wait(k)));
          return {};
        },
        settle: '1s',
      });
      const result = await runScenario(scenario, { seed: 1 });
      expect(result.failure?.details).toMatchObject({ rule: 'WAIT-NEVER-SATISFIED' });
      const outstanding = (result.failure?.details?.outstanding ?? []) as string[];
      expect(outstanding.some((line) => line.includes(` in ${routine} on `))).toBe(true);
    });
  }
});

void (0 as unknown as NTSTATUS);
