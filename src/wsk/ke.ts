/**
 * Dispatcher objects, waits and system threads (DESIGN.md §3: "system threads written as
 * `async` functions that `await k.KeWaitForSingleObject(...)`; the simulator resumes them as
 * ordinary events"). Timers, DPCs, work items and spin locks are in deferred.ts.
 *
 * Built on the simulator's threads (src/sim/threads.ts): a wait parks the calling system thread
 * on a `Parking`; KeSetEvent, a timer's expiry or a thread's exit wakes it, and the thread
 * resumes as a simulator event at that instant. Behaviour, from the WDK reference pages:
 * - KEVENT: a NotificationEvent stays signalled and releases every waiter; a
 *   SynchronizationEvent releases one waiter (first come, first served) and resets itself.
 *   KeSetEvent, KeResetEvent return the previous state; KeReadStateEvent the current one.
 * - KeWaitForSingleObject(Object, WaitReason, WaitMode, Alertable, Timeout) returns a promise
 *   of STATUS_SUCCESS or STATUS_TIMEOUT. Timeout is a LARGE_INTEGER in 100 ns units: negative is
 *   relative, positive is absolute (here: virtual time since the simulation started), 0 polls,
 *   null waits forever. IRQL: ≤ DISPATCH_LEVEL for a poll, ≤ APC_LEVEL otherwise. WaitReason,
 *   WaitMode and Alertable are accepted and ignored (no APCs or user mode are modelled).
 *   Only system threads (and work items, which run as threads) can block: a blocking wait
 *   from a callback is the violation WAIT-OUTSIDE-THREAD. An object used before its
 *   KeInitialize* call is OBJECT-NOT-INITIALIZED.
 * - PsCreateSystemThread(ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle, ClientId,
 *   StartRoutine, StartContext) starts StartRoutine(StartContext) as a simulator thread at
 *   PASSIVE_LEVEL, as an event at the current instant. DesiredAccess, ObjectAttributes,
 *   ProcessHandle and ClientId are accepted and ignored. The handle is the thread object itself:
 *   it is signalled when the thread ends, so `KeWaitForSingleObject` on it (after the no-op
 *   ObReferenceObjectByHandle) waits for the exit, as unload code does.
 * - PsTerminateSystemThread cannot unwind an async function: port `PsTerminateSystemThread(s);`
 *   as `return void PsTerminateSystemThread(s);` (it records the exit status; `void` because a
 *   KSTART_ROUTINE returns nothing).
 */
import type { Parking, SimEvent, SimThread } from '../sim/index.ts';
import { APC_LEVEL, DISPATCH_LEVEL, PASSIVE_LEVEL, type KIRQL, type KernelCore } from './core.ts';
import { STATUS_SUCCESS, STATUS_TIMEOUT, type NTSTATUS } from './ntstatus.ts';

/** LARGE_INTEGER as drivers use it for times: QuadPart in 100 ns units. */
export interface LARGE_INTEGER {
  QuadPart: number;
}

export const NotificationEvent = 0;
export const SynchronizationEvent = 1;
export type EVENT_TYPE = typeof NotificationEvent | typeof SynchronizationEvent;
/** KWAIT_REASON (the one drivers pass) and KPROCESSOR_MODE. */
export const Executive = 0;
export const KernelMode = 0;
export const UserMode = 1;
/** WORK_QUEUE_TYPE. */
export const IO_NO_INCREMENT = 0;

interface Waiter {
  readonly parking: Parking<NTSTATUS>;
  timeout: SimEvent<undefined> | null;
}

/** The header every waitable object shares (DISPATCHER_HEADER). */
export class DispatcherObject {
  /** @internal */ signalState = 0;
  /** @internal */ synchronization = false;
  /** @internal */ initialized = false;
  /** @internal */ readonly waiters: Waiter[] = [];
}

export class KEVENT extends DispatcherObject {}

/** A system thread; also its HANDLE and its PETHREAD. */
export class KTHREAD extends DispatcherObject {
  /** @internal */ exitStatus: NTSTATUS = STATUS_SUCCESS;
  /** @internal */ simThread: SimThread | null = null;
}
export type HANDLE = KTHREAD;
export type KSTART_ROUTINE = (StartContext: unknown) => void | PromiseLike<void>;

export class KeManager {
  readonly #k: KernelCore;
  readonly #threads = new Map<SimThread, KTHREAD>();
  #nextThread = 1;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

  // ---- IRQL ---------------------------------------------------------------------------------

  KeGetCurrentIrql(): KIRQL {
    return this.#k.irql;
  }

  KeRaiseIrql(NewIrql: KIRQL, OldIrql: { value: KIRQL }): void {
    const k = this.#k;
    if (NewIrql < k.irql) {
      return k.violation('IRQL-RAISE-LOWER', `KeRaiseIrql to ${NewIrql} from ${k.irql}`);
    }
    OldIrql.value = k.irql;
    k.irql = NewIrql;
  }

  KeLowerIrql(NewIrql: KIRQL): void {
    const k = this.#k;
    if (NewIrql > k.irql) {
      return k.violation('IRQL-LOWER-RAISE', `KeLowerIrql to ${NewIrql} from ${k.irql}`);
    }
    k.irql = NewIrql;
  }

  // ---- events -------------------------------------------------------------------------------

  KeInitializeEvent(Event: KEVENT, Type: EVENT_TYPE, State: boolean): void {
    Event.initialized = true;
    Event.synchronization = Type === SynchronizationEvent;
    Event.signalState = State ? 1 : 0;
  }

  KeSetEvent(Event: KEVENT, Increment: number, Wait: boolean): number {
    void Increment;
    void Wait;
    if (!this.initialized(Event, 'KeSetEvent')) return 0;
    this.#k.requireIrql('KeSetEvent', DISPATCH_LEVEL);
    const previous = Event.signalState;
    this.signal(Event);
    return previous;
  }

  KeResetEvent(Event: KEVENT): number {
    if (!this.initialized(Event, 'KeResetEvent')) return 0;
    const previous = Event.signalState;
    Event.signalState = 0;
    return previous;
  }

  KeClearEvent(Event: KEVENT): void {
    if (this.initialized(Event, 'KeClearEvent')) Event.signalState = 0;
  }

  KeReadStateEvent(Event: KEVENT): number {
    return this.initialized(Event, 'KeReadStateEvent') ? Event.signalState : 0;
  }

  // ---- waits --------------------------------------------------------------------------------

  KeWaitForSingleObject(
    Object: DispatcherObject,
    WaitReason: number,
    WaitMode: number,
    Alertable: boolean,
    Timeout: LARGE_INTEGER | null,
  ): PromiseLike<NTSTATUS> {
    void WaitReason;
    void WaitMode;
    void Alertable;
    const k = this.#k;
    const poll = Timeout !== null && Timeout.QuadPart === 0;
    if (!this.initialized(Object, 'KeWaitForSingleObject')) return Promise.resolve(STATUS_TIMEOUT);
    if (!poll && k.spinLocksHeld > 0) {
      // Checked before the IRQL, which the held lock raised: the lock is the driver's mistake.
      k.violation('SPINLOCK-HELD-ACROSS-WAIT', 'KeWaitForSingleObject while holding a spin lock');
      return Promise.resolve(STATUS_TIMEOUT);
    }
    if (!k.requireIrql('KeWaitForSingleObject', poll ? DISPATCH_LEVEL : APC_LEVEL)) {
      return Promise.resolve(STATUS_TIMEOUT);
    }
    if (Object.signalState > 0) {
      if (Object.synchronization) Object.signalState = 0;
      return Promise.resolve(STATUS_SUCCESS);
    }
    if (poll) return Promise.resolve(STATUS_TIMEOUT);
    if (k.sim.threads.current === null) {
      k.violation(
        'WAIT-OUTSIDE-THREAD',
        'KeWaitForSingleObject would block outside a system thread (a callback or DPC)',
      );
      return Promise.resolve(STATUS_TIMEOUT);
    }
    const waiter: Waiter = { parking: k.sim.threads.park<NTSTATUS>(), timeout: null };
    Object.waiters.push(waiter);
    if (Timeout !== null) {
      waiter.timeout = k.sim.schedule(this.delay(Timeout), `${k.host} wait timeout`, () => {
        const index = Object.waiters.indexOf(waiter);
        if (index >= 0) Object.waiters.splice(index, 1);
        waiter.parking.wake(STATUS_TIMEOUT);
      });
    }
    return waiter.parking;
  }

  // ---- system threads -----------------------------------------------------------------------

  PsCreateSystemThread(
    ThreadHandle: { value: HANDLE | null },
    DesiredAccess: number,
    ObjectAttributes: unknown,
    ProcessHandle: unknown,
    ClientId: unknown,
    StartRoutine: KSTART_ROUTINE,
    StartContext: unknown,
  ): NTSTATUS {
    void DesiredAccess;
    void ObjectAttributes;
    void ProcessHandle;
    void ClientId;
    const name = `${this.#k.host}/system-${this.#nextThread++}`;
    ThreadHandle.value = this.startThread(name, () => StartRoutine(StartContext));
    return STATUS_SUCCESS;
  }

  /** Records the exit status; the caller returns from its start routine right after. */
  PsTerminateSystemThread(ExitStatus: NTSTATUS): NTSTATUS {
    const current = this.#k.sim.threads.current;
    const thread = current === null ? undefined : this.#threads.get(current);
    if (thread === undefined) {
      this.#k.violation('THREAD-TERMINATE-OUTSIDE-THREAD', 'PsTerminateSystemThread');
    } else thread.exitStatus = ExitStatus;
    return ExitStatus;
  }

  /** The handle is the object: Object.value = Handle. */
  ObReferenceObjectByHandle(
    Handle: HANDLE,
    DesiredAccess: number,
    ObjectType: unknown,
    AccessMode: number,
    Object: { value: unknown },
    HandleInformation: unknown,
  ): NTSTATUS {
    void DesiredAccess;
    void ObjectType;
    void AccessMode;
    void HandleInformation;
    Object.value = Handle;
    return STATUS_SUCCESS;
  }

  ObDereferenceObject(Object: unknown): void {
    void Object;
  }

  ZwClose(Handle: unknown): NTSTATUS {
    void Handle;
    return STATUS_SUCCESS;
  }

  /**
   * A system thread ended: it must have released its spin locks and be back at PASSIVE_LEVEL,
   * as a callback must when it returns (SPINLOCK-HELD-ON-RETURN, IRQL-NOT-RESTORED); the
   * kernel is put back so later code is not blamed for it.
   */
  #checkExit(name: string): void {
    const k = this.#k;
    if (k.spinLocksHeld > 0) {
      k.violation('SPINLOCK-HELD-ON-RETURN', `system thread ${name} ended holding a spin lock`);
      k.spinLocksHeld = 0;
    }
    if (k.irql !== PASSIVE_LEVEL) {
      k.violation('IRQL-NOT-RESTORED', `system thread ${name} ended at IRQL ${k.irql}`);
    }
    k.irql = PASSIVE_LEVEL;
  }

  /**
   * @internal Starts `body` at PASSIVE_LEVEL as a simulator thread (an event at this instant);
   * the returned KTHREAD is signalled when the body's promise settles.
   */
  startThread(name: string, body: () => void | PromiseLike<void>): KTHREAD {
    const k = this.#k;
    const thread = new KTHREAD();
    thread.initialized = true;
    const simThread = k.sim.threads.spawn(name, () => {
      k.irql = PASSIVE_LEVEL;
      return Promise.resolve(body()).then(() => {
        this.#threads.delete(simThread);
        this.#checkExit(name);
        this.signal(thread);
      });
    });
    thread.simThread = simThread;
    this.#threads.set(simThread, thread);
    return thread;
  }

  /** @internal Signals `object` and releases its waiters (one for a synchronization object). */
  signal(object: DispatcherObject): void {
    if (object.synchronization) {
      const waiter = object.waiters.shift();
      if (waiter === undefined) object.signalState = 1;
      else this.#release(waiter);
      return;
    }
    object.signalState = 1;
    const waiters = object.waiters.splice(0);
    for (const waiter of waiters) this.#release(waiter);
  }

  #release(waiter: Waiter): void {
    waiter.timeout?.cancel();
    waiter.parking.wake(STATUS_SUCCESS);
  }

  /** @internal Nanoseconds from now until a due time (relative < 0, absolute > 0). */
  delay(time: LARGE_INTEGER): number {
    const units = time.QuadPart;
    if (units <= 0) return -units * 100;
    return Math.max(0, units * 100 - this.#k.sim.now);
  }

  /** @internal */
  initialized(object: DispatcherObject, routine: string): boolean {
    if (object.initialized) return true;
    this.#k.violation('OBJECT-NOT-INITIALIZED', `${routine} on an object never initialised`);
    return false;
  }
}
