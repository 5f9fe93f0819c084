import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/sim/index.ts';
import {
  APC_LEVEL,
  DISPATCH_LEVEL,
  DelayedWorkQueue,
  Executive,
  IO_WORKITEM,
  IRP,
  KDPC,
  KEVENT,
  KSPIN_LOCK,
  KTIMER,
  Kernel,
  KernelMode,
  NonPagedPool,
  NotificationEvent,
  PASSIVE_LEVEL,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_TIMEOUT,
  SynchronizationEvent,
  type HANDLE,
  type KIRQL,
  type KernelOptions,
  type NTSTATUS,
} from '../../src/wsk/index.ts';

function setup(options: KernelOptions = {}, seed = 11): { sim: Simulator; k: Kernel } {
  const sim = new Simulator({ seed, keepTrace: true });
  return { sim, k: new Kernel(sim, 'server', options) };
}

/** 100 ns units, relative: the LARGE_INTEGER drivers pass for "ms from now". */
const relativeMs = (ms: number): { QuadPart: number } => ({ QuadPart: -ms * 10_000 });

describe('wsk: KEVENT', () => {
  it('KeSetEvent / KeResetEvent return the previous state; KeReadStateEvent the current', () => {
    const { k } = setup();
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    expect(k.KeReadStateEvent(Event)).toBe(0);
    expect(k.KeSetEvent(Event, 0, false)).toBe(0);
    expect(k.KeSetEvent(Event, 0, false)).toBe(1);
    expect(k.KeReadStateEvent(Event)).toBe(1);
    expect(k.KeResetEvent(Event)).toBe(1);
    expect(k.KeReadStateEvent(Event)).toBe(0);
  });

  it('a thread waiting on an event set by a timer event at 5 ms resumes at exactly 5 ms', async () => {
    const { sim, k } = setup();
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    const log: string[] = [];
    const Thread = { value: null as HANDLE | null };
    const status = k.PsCreateSystemThread(Thread, 0, null, null, null, async (Context) => {
      log.push(`start ${sim.now} ${String(Context)} irql ${k.KeGetCurrentIrql()}`);
      const s = await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
      log.push(`woke ${sim.now} ${s} irql ${k.KeGetCurrentIrql()}`);
    }, 'ctx');
    expect(status).toBe(STATUS_SUCCESS);
    sim.schedule(5e6, 'timer', () => k.runCallback(() => k.KeSetEvent(Event, 0, false)));
    expect((await sim.run()).status).toBe('quiescent');
    expect(log).toEqual(['start 0 ctx irql 0', `woke 5000000 ${STATUS_SUCCESS} irql 0`]);
  });

  it('a wait with a timeout returns STATUS_TIMEOUT at the right virtual time; a poll at once', async () => {
    const { sim, k } = setup();
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, SynchronizationEvent, false);
    const log: string[] = [];
    k.PsCreateSystemThread({ value: null }, 0, null, null, null, async () => {
      log.push(`poll ${sim.now} ${await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, { QuadPart: 0 })}`);
      const s = await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, relativeMs(250));
      log.push(`timeout ${sim.now} ${s}`);
      // Signalled before the deadline: success at the signal, and the timeout never fires.
      const t = await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, relativeMs(100));
      log.push(`signalled ${sim.now} ${t}`);
    }, null);
    sim.schedule(300e6, 'signal', () => k.KeSetEvent(Event, 0, false));
    expect((await sim.run()).status).toBe('quiescent');
    expect(log).toEqual([
      `poll 0 ${STATUS_TIMEOUT}`,
      `timeout 250000000 ${STATUS_TIMEOUT}`,
      `signalled 300000000 ${STATUS_SUCCESS}`,
    ]);
    // A synchronization event resets when it releases a waiter.
    expect(k.KeReadStateEvent(Event)).toBe(0);
  });

  it('a positive Timeout is absolute virtual time in 100 ns units; an uninitialised event is a violation', async () => {
    const { sim, k } = setup();
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    const log: string[] = [];
    sim.schedule(2e6, 'start', () =>
      k.PsCreateSystemThread({ value: null }, 0, null, null, null, async () => {
        const s = await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, { QuadPart: 50_000 });
        log.push(`${sim.now} ${s}`);
      }, null),
    );
    await sim.run();
    expect(log).toEqual([`5000000 ${STATUS_TIMEOUT}`]);
    k.KeSetEvent(new KEVENT(), 0, false);
    expect(k.violations.map((v) => v.rule)).toEqual(['OBJECT-NOT-INITIALIZED']);
  });

  it('a notification event releases every waiter; a synchronization event one per set', async () => {
    for (const [type, expected] of [
      [NotificationEvent, ['A 1000000', 'B 1000000']],
      [SynchronizationEvent, ['A 1000000', 'B 2000000']],
    ] as const) {
      const { sim, k } = setup();
      const Event = new KEVENT();
      k.KeInitializeEvent(Event, type, false);
      const woke: string[] = [];
      for (const name of ['A', 'B']) {
        k.PsCreateSystemThread({ value: null }, 0, null, null, null, async () => {
          await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
          woke.push(`${name} ${sim.now}`);
        }, null);
      }
      sim.schedule(1e6, 'set', () => k.KeSetEvent(Event, 0, false));
      sim.schedule(2e6, 'set', () => k.KeSetEvent(Event, 0, false));
      await sim.run();
      expect(woke).toEqual(expected);
    }
  });

  it('an already-signalled event does not block; waits are ≤ APC_LEVEL and only in threads', async () => {
    const { sim, k } = setup();
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, true);
    expect(await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null)).toBe(STATUS_SUCCESS);
    k.KeResetEvent(Event);
    k.runAt(DISPATCH_LEVEL, () => k.KeWaitForSingleObject(Event, Executive, KernelMode, false, { QuadPart: 0 }));
    expect(k.violations).toEqual([]);
    k.runAt(DISPATCH_LEVEL, () => k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null));
    expect(k.violations.map((v) => v.rule)).toEqual(['IRQL-TOO-HIGH']);
    const other = setup();
    other.k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
    expect(other.k.violations.map((v) => v.rule)).toEqual(['WAIT-OUTSIDE-THREAD']);
    expect((await sim.run()).failure?.message).toMatch(/^IRQL-TOO-HIGH: KeWaitForSingleObject/);
  });

  it('ECHO style: a thread issues an IRP and waits for its completion routine to set an event', async () => {
    for (const pendingCompletions of [0, 1]) {
      const { sim, k } = setup({ pendingCompletions });
      const log: string[] = [];
      k.PsCreateSystemThread({ value: null }, 0, null, null, null, async () => {
        const Event = new KEVENT();
        k.KeInitializeEvent(Event, NotificationEvent, false);
        const Irp = k.IoAllocateIrp(1, false) as IRP;
        k.IoSetCompletionRoutine(Irp, (_d, _irp, Context) => {
          k.KeSetEvent(Context as KEVENT, 0, false);
          return STATUS_MORE_PROCESSING_REQUIRED;
        }, Event, true, true, true);
        // The fake WSK call: inline or pended by the 'IRP pends' choice.
        k.irps.issue(Irp, 'WskFake');
        const status: NTSTATUS = k.irps.choosePending()
          ? k.irps.completeLater(Irp, 2e6, STATUS_SUCCESS, 9)
          : k.irps.completeInline(Irp, STATUS_SUCCESS, 9);
        await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
        log.push(`${status === STATUS_PENDING ? 'pending' : 'inline'} ${sim.now} ${String(Irp.IoStatus.Information)}`);
        k.IoFreeIrp(Irp);
      }, null);
      expect((await sim.run()).status).toBe('quiescent');
      expect(log).toEqual([pendingCompletions === 1 ? 'pending 2000000 9' : 'inline 0 9']);
      expect(k.irps.outstanding()).toEqual([]);
    }
  });
});

describe('wsk: system threads', () => {
  it('the thread handle is signalled when the thread ends; PsTerminateSystemThread records it', async () => {
    const { sim, k } = setup();
    const log: string[] = [];
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    const Worker = { value: null as HANDLE | null };
    k.PsCreateSystemThread(Worker, 0, null, null, null, async () => {
      await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, relativeMs(7));
      return void k.PsTerminateSystemThread(STATUS_SUCCESS);
    }, null);
    k.PsCreateSystemThread({ value: null }, 0, null, null, null, async () => {
      const Object = { value: null as unknown };
      k.ObReferenceObjectByHandle(Worker.value as HANDLE, 0, null, KernelMode, Object, null);
      const s = await k.KeWaitForSingleObject(Object.value as HANDLE, Executive, KernelMode, false, null);
      log.push(`unload saw exit at ${sim.now} ${s}`);
      k.ObDereferenceObject(Object.value);
      k.ZwClose(Worker.value);
    }, null);
    expect((await sim.run()).status).toBe('quiescent');
    expect(log).toEqual([`unload saw exit at 7000000 ${STATUS_SUCCESS}`]);
  });

  it('PsTerminateSystemThread outside a system thread is a violation', () => {
    const { k } = setup();
    k.PsTerminateSystemThread(STATUS_SUCCESS);
    expect(k.violations.map((v) => v.rule)).toEqual(['THREAD-TERMINATE-OUTSIDE-THREAD']);
  });
});

describe('wsk: timers, DPCs, work items, spin locks', () => {
  it('KeSetTimer runs the DPC at DISPATCH_LEVEL at the due time and signals the timer', async () => {
    const { sim, k } = setup();
    const Timer = new KTIMER();
    const Dpc = new KDPC();
    const log: string[] = [];
    k.KeInitializeTimer(Timer);
    k.KeInitializeDpc(Dpc, (_dpc, Context) => log.push(`dpc ${sim.now} ${String(Context)} ${k.KeGetCurrentIrql()}`), 'ctx');
    expect(k.KeSetTimer(Timer, relativeMs(10), Dpc)).toBe(false);
    expect(k.KeSetTimer(Timer, relativeMs(20), Dpc)).toBe(true);
    k.PsCreateSystemThread({ value: null }, 0, null, null, null, async () => {
      await k.KeWaitForSingleObject(Timer, Executive, KernelMode, false, null);
      log.push(`thread ${sim.now}`);
    }, null);
    await sim.run();
    expect(log).toEqual([`dpc 20000000 ctx ${DISPATCH_LEVEL}`, 'thread 20000000']);
    expect(k.KeReadStateTimer(Timer)).toBe(true);
    expect(k.KeGetCurrentIrql()).toBe(PASSIVE_LEVEL);
  });

  it('KeCancelTimer stops a set timer and reports whether it was set', async () => {
    const { sim, k } = setup();
    const Timer = new KTIMER();
    const Dpc = new KDPC();
    let fired = false;
    k.KeInitializeTimer(Timer);
    k.KeInitializeDpc(Dpc, () => (fired = true), null);
    k.KeSetTimer(Timer, relativeMs(1), Dpc);
    expect(k.KeCancelTimer(Timer)).toBe(true);
    expect(k.KeCancelTimer(Timer)).toBe(false);
    await sim.run();
    expect(fired).toBe(false);
  });

  it('work items run at PASSIVE_LEVEL as threads, may wait, and cannot be queued twice', async () => {
    const { sim, k } = setup();
    const log: string[] = [];
    const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    sim.schedule(1e6, 'dpc queues work', () =>
      k.runAt(DISPATCH_LEVEL, () =>
        k.IoQueueWorkItem(Item, async (_device, Context) => {
          log.push(`work ${sim.now} ${String(Context)} irql ${k.KeGetCurrentIrql()}`);
          await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, relativeMs(2));
          log.push(`work done ${sim.now}`);
          k.IoFreeWorkItem(Item);
        }, DelayedWorkQueue, 'ctx'),
      ),
    );
    expect((await sim.run()).status).toBe('quiescent');
    expect(log).toEqual(['work 1000000 ctx irql 0', 'work done 3000000']);
    expect(setup({ workItemAllocationFailure: 1 }).k.IoAllocateWorkItem(null)).toBeNull();
    const twice = setup();
    const item = twice.k.IoAllocateWorkItem(null) as IO_WORKITEM;
    twice.k.IoQueueWorkItem(item, () => undefined, DelayedWorkQueue, null);
    twice.k.IoQueueWorkItem(item, () => undefined, DelayedWorkQueue, null);
    twice.k.IoFreeWorkItem(item);
    expect(twice.k.violations.map((v) => v.rule)).toEqual(['WORKITEM-QUEUED-TWICE', 'WORKITEM-FREED-WHILE-QUEUED']);
  });

  it('KeAcquireSpinLock raises to DISPATCH_LEVEL and hands back the old IRQL', () => {
    const { k } = setup();
    const Lock = new KSPIN_LOCK();
    k.KeInitializeSpinLock(Lock);
    const OldIrql = { value: 99 as KIRQL };
    k.KeAcquireSpinLock(Lock, OldIrql);
    expect(OldIrql.value).toBe(PASSIVE_LEVEL);
    expect(k.KeGetCurrentIrql()).toBe(DISPATCH_LEVEL);
    k.KeReleaseSpinLock(Lock, OldIrql.value);
    expect(k.KeGetCurrentIrql()).toBe(PASSIVE_LEVEL);
    const Raised = { value: 0 as KIRQL };
    k.KeRaiseIrql(APC_LEVEL, Raised);
    expect(k.KeGetCurrentIrql()).toBe(APC_LEVEL);
    k.KeLowerIrql(Raised.value);
    expect(k.violations).toEqual([]);
    k.KeAcquireSpinLock(Lock, OldIrql);
    k.KeAcquireSpinLockAtDpcLevel(Lock);
    k.KeReleaseSpinLock(Lock, OldIrql.value);
    k.KeReleaseSpinLock(Lock, OldIrql.value);
    expect(k.violations.map((v) => v.rule)).toEqual(['SPINLOCK-RECURSIVE-ACQUIRE', 'SPINLOCK-RELEASE-NOT-HELD']);
  });

  it('a callback that returns holding a spin lock is SPINLOCK-HELD-ON-RETURN', () => {
    const { k } = setup();
    const Lock = new KSPIN_LOCK();
    k.KeInitializeSpinLock(Lock);
    k.runCallback(() => k.KeAcquireSpinLock(Lock, { value: 0 as KIRQL }));
    expect(k.violations.map((v) => v.rule)).toEqual(['SPINLOCK-HELD-ON-RETURN']);
    expect(k.KeGetCurrentIrql()).toBe(PASSIVE_LEVEL);
    const passive = setup({ passiveCallbacks: 1 });
    const Lock2 = new KSPIN_LOCK();
    passive.k.KeInitializeSpinLock(Lock2);
    passive.k.runCallback(() => passive.k.KeAcquireSpinLock(Lock2, { value: 0 as KIRQL }));
    expect(passive.k.violations.map((v) => v.rule)).toEqual(['IRQL-NOT-RESTORED', 'SPINLOCK-HELD-ON-RETURN']);
  });
});

describe('wsk: kernel determinism', () => {
  async function run(seed: number): Promise<string> {
    const { sim, k } = setup({ pendingCompletions: 0.5, poolAllocationFailure: 0.3, passiveCallbacks: 0.5 }, seed);
    k.PsCreateSystemThread({ value: null }, 0, null, null, null, async () => {
      for (let i = 0; i < 20; i++) {
        const Event = new KEVENT();
        k.KeInitializeEvent(Event, NotificationEvent, false);
        const ctx = k.ExAllocatePoolWithTag<{ n: number }>(NonPagedPool, 8, 'Tst1');
        if (ctx) ctx.n = i;
        const Irp = k.IoAllocateIrp(1, false) as IRP;
        k.IoSetCompletionRoutine(Irp, () => {
          k.KeSetEvent(Event, 0, false);
          return STATUS_MORE_PROCESSING_REQUIRED;
        }, null, true, true, true);
        k.irps.issue(Irp, 'WskFake');
        if (k.irps.choosePending()) k.irps.completeLater(Irp, (i + 1) * 1000, STATUS_SUCCESS, i);
        else k.irps.completeInline(Irp, STATUS_SUCCESS, i);
        await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, relativeMs(1));
        k.IoFreeIrp(Irp);
        if (ctx) k.ExFreePoolWithTag(ctx, 'Tst1');
      }
    }, null);
    expect((await sim.run()).status).toBe('quiescent');
    expect(k.leaks()).toEqual([]);
    return sim.trace.hash();
  }

  it('the same seed gives the same trace hash; another seed another', async () => {
    const a = await run(5);
    expect(await run(5)).toBe(a);
    expect(await run(6)).not.toBe(a);
  });
});
