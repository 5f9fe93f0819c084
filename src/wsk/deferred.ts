/**
 * Timers with DPCs, work items and spin locks (DESIGN.md §3 "system threads and work items run
 * at PASSIVE"; §5 "spin lock misuse"), from the WDK reference pages:
 * - KTIMER/KDPC: KeSetTimer(Timer, DueTime, Dpc) returns TRUE if the timer was already set; on
 *   expiry the timer is signalled (its waiters released, see ke.ts) and the DPC routine runs at
 *   DISPATCH_LEVEL in the same event (policy, Windows undocumented timing: no DPC queueing
 *   delay). KeCancelTimer returns whether the timer was set. Periodic timers are not modelled.
 * - Work items run at PASSIVE_LEVEL as system threads (so they may wait), started as an event
 *   at the instant they were queued; queued twice is WORKITEM-QUEUED-TWICE, freed while queued
 *   WORKITEM-FREED-WHILE-QUEUED. Allocation can fail (choice 'work item allocation fails').
 * - Spin locks: KeAcquireSpinLock raises to DISPATCH_LEVEL and stores the old IRQL in the
 *   `{ value }` out-parameter; KeReleaseSpinLock lowers to the IRQL given. Acquiring a held lock
 *   (a deadlock on the model's one processor) is SPINLOCK-RECURSIVE-ACQUIRE, releasing a free
 *   one SPINLOCK-RELEASE-NOT-HELD, one that another callback or thread acquired
 *   SPINLOCK-RELEASE-NOT-OWNER (WDK KeReleaseSpinLock: the caller holds it), a wait while one is
 *   held SPINLOCK-HELD-ACROSS-WAIT (ke.ts); a callback (runAt/runCallback in core.ts)
 *   returning with a lock it took still held is SPINLOCK-HELD-ON-RETURN, at another IRQL
 *   IRQL-NOT-RESTORED.
 */
import type { SimEvent } from '../sim/index.ts';
import { DISPATCH_LEVEL, type KIRQL, type KernelCore } from './core.ts';
import type { PDEVICE_OBJECT } from './irp.ts';
import { DispatcherObject, type KeManager, type LARGE_INTEGER } from './ke.ts';

/** WORK_QUEUE_TYPE. */
export const CriticalWorkQueue = 0;
export const DelayedWorkQueue = 1;
export const HyperCriticalWorkQueue = 2;

export class KDPC {
  /** @internal */ routine: KDEFERRED_ROUTINE | null = null;
  /** @internal */ context: unknown = null;
}
export type KDEFERRED_ROUTINE = (
  Dpc: KDPC,
  DeferredContext: unknown,
  SystemArgument1: unknown,
  SystemArgument2: unknown,
) => void;

export class KTIMER extends DispatcherObject {
  /** @internal */ expiry: SimEvent<undefined> | null = null;
}

export class IO_WORKITEM {
  /** @internal */ readonly device: PDEVICE_OBJECT;
  /** @internal */ queued = false;
  /** @internal */ freed = false;
  /** @internal use IoAllocateWorkItem */
  constructor(device: PDEVICE_OBJECT) {
    this.device = device;
  }
}
export type IO_WORKITEM_ROUTINE = (
  DeviceObject: PDEVICE_OBJECT,
  Context: unknown,
) => void | PromiseLike<void>;

export class KSPIN_LOCK {
  /** @internal */ held = false;
  /** @internal who acquired it: KernelCore.context() at the acquire */
  owner: unknown = null;
}

export class DeferredManager {
  readonly #k: KernelCore;
  readonly #ke: KeManager;

  constructor(kernel: KernelCore, ke: KeManager) {
    this.#k = kernel;
    this.#ke = ke;
  }

  // ---- timers and DPCs ----------------------------------------------------------------------

  KeInitializeDpc(Dpc: KDPC, DeferredRoutine: KDEFERRED_ROUTINE, DeferredContext: unknown): void {
    Dpc.routine = DeferredRoutine;
    Dpc.context = DeferredContext;
  }

  KeInitializeTimer(Timer: KTIMER): void {
    Timer.initialized = true;
    Timer.synchronization = false;
    Timer.signalState = 0;
  }

  KeSetTimer(Timer: KTIMER, DueTime: LARGE_INTEGER, Dpc: KDPC | null): boolean {
    const k = this.#k;
    if (!this.#ke.initialized(Timer, 'KeSetTimer')) return false;
    const wasSet = this.KeCancelTimer(Timer);
    Timer.signalState = 0;
    Timer.expiry = k.sim.schedule(this.#ke.delay(DueTime), `${k.host} timer expiry`, () => {
      Timer.expiry = null;
      this.#ke.signal(Timer);
      const routine = Dpc?.routine;
      if (Dpc && routine) k.runAt(DISPATCH_LEVEL, () => routine(Dpc, Dpc.context, null, null));
    });
    return wasSet;
  }

  KeCancelTimer(Timer: KTIMER): boolean {
    const expiry = Timer.expiry;
    if (expiry === null) return false;
    expiry.cancel();
    Timer.expiry = null;
    return true;
  }

  KeReadStateTimer(Timer: KTIMER): boolean {
    return Timer.signalState > 0;
  }

  // ---- work items ---------------------------------------------------------------------------

  IoAllocateWorkItem(DeviceObject: PDEVICE_OBJECT): IO_WORKITEM | null {
    const k = this.#k;
    if (k.allocationFails('work item', k.options.workItemAllocationFailure)) return null;
    return new IO_WORKITEM(DeviceObject);
  }

  IoQueueWorkItem(
    IoWorkItem: IO_WORKITEM,
    WorkerRoutine: IO_WORKITEM_ROUTINE,
    QueueType: number,
    Context: unknown,
  ): void {
    void QueueType;
    const k = this.#k;
    if (IoWorkItem.freed) return k.violation('WORKITEM-USE-AFTER-FREE', 'IoQueueWorkItem');
    if (IoWorkItem.queued) return k.violation('WORKITEM-QUEUED-TWICE', 'IoQueueWorkItem');
    if (!k.requireIrql('IoQueueWorkItem', DISPATCH_LEVEL)) return;
    IoWorkItem.queued = true;
    this.#ke.startThread(`${k.host}/work-item`, () => {
      IoWorkItem.queued = false;
      return WorkerRoutine(IoWorkItem.device, Context);
    });
  }

  IoFreeWorkItem(IoWorkItem: IO_WORKITEM): void {
    const k = this.#k;
    if (IoWorkItem.freed) return k.violation('WORKITEM-FREED-TWICE', 'IoFreeWorkItem');
    if (IoWorkItem.queued) return k.violation('WORKITEM-FREED-WHILE-QUEUED', 'IoFreeWorkItem');
    IoWorkItem.freed = true;
  }

  // ---- spin locks ---------------------------------------------------------------------------

  KeInitializeSpinLock(SpinLock: KSPIN_LOCK): void {
    SpinLock.held = false;
  }

  KeAcquireSpinLock(SpinLock: KSPIN_LOCK, OldIrql: { value: KIRQL }): void {
    const k = this.#k;
    if (!k.requireIrql('KeAcquireSpinLock', DISPATCH_LEVEL)) return;
    OldIrql.value = k.irql;
    this.#take(SpinLock);
    k.irql = DISPATCH_LEVEL;
  }

  KeReleaseSpinLock(SpinLock: KSPIN_LOCK, NewIrql: KIRQL): void {
    if (this.#give(SpinLock)) this.#k.irql = NewIrql;
  }

  KeAcquireSpinLockAtDpcLevel(SpinLock: KSPIN_LOCK): void {
    if (this.#k.irql !== DISPATCH_LEVEL) {
      this.#k.violation('IRQL-NOT-DISPATCH', 'KeAcquireSpinLockAtDpcLevel below DISPATCH_LEVEL');
      return;
    }
    this.#take(SpinLock);
  }

  KeReleaseSpinLockFromDpcLevel(SpinLock: KSPIN_LOCK): void {
    this.#give(SpinLock);
  }

  // ---- internals ----------------------------------------------------------------------------

  #take(lock: KSPIN_LOCK): void {
    if (lock.held) {
      this.#k.violation(
        'SPINLOCK-RECURSIVE-ACQUIRE',
        'spin lock acquired while held (a deadlock on one processor)',
      );
    }
    lock.held = true;
    lock.owner = this.#k.context();
    this.#k.spinLocksHeld++;
  }

  #give(lock: KSPIN_LOCK): boolean {
    if (!lock.held) {
      this.#k.violation('SPINLOCK-RELEASE-NOT-HELD', 'spin lock released while free');
      return false;
    }
    if (lock.owner !== this.#k.context()) {
      this.#k.violation(
        'SPINLOCK-RELEASE-NOT-OWNER',
        'spin lock released by code that did not acquire it (another callback or thread)',
      );
    }
    lock.held = false;
    this.#k.spinLocksHeld--;
    return true;
  }
}
