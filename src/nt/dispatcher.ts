/**
 * Dispatcher objects, events and waits (WDK reference pages: KeInitializeEvent, KeSetEvent,
 * KeResetEvent, KeClearEvent, KeReadStateEvent, KeWaitForSingleObject). System threads are in
 * threads.ts, timers and DPCs in timers.ts.
 *
 * Built on the simulator's threads (src/sim/threads.ts): a wait parks the calling system thread
 * on a `Parking`; KeSetEvent, a timer's expiry or a thread's exit wakes it, and the thread
 * resumes as a simulator event at that instant. Behaviour:
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
 * - A wait with no timeout is kept while it blocks, with the routine, its thread, its object,
 *   since when and (when sites are recorded) the driver's line: one still blocked at the end of a
 *   run is the end-of-run violation WAIT-NEVER-SATISFIED, a deadlock or a lost wake-up
 *   (outstanding.ts). Routines of other layers that block a thread with no timeout
 *   (WskCaptureProviderNPI with WSK_INFINITE_WAIT, WskDeregister) keep theirs here too, through
 *   blockedIn and unblocked.
 */
import { callerSite, type Parking, type SimEvent } from '../sim/index.ts';
import { APC_LEVEL, DISPATCH_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
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

export interface Waiter {
  readonly parking: Parking<NTSTATUS>;
  timeout: SimEvent<undefined> | null;
  /** Who waits (a mutex's owner once the wait is satisfied): the thread, or the context. */
  readonly by?: unknown;
  /**
   * A wait on several objects (waits.ts): asked when `object` is signalled; it returns whether
   * the wait took it (and then has left every object's queue and woken its thread).
   */
  readonly offer?: (object: DispatcherObject) => boolean;
}

/** A wait with no timeout still blocking (DispatcherManager.blocked). */
export interface BlockedWait {
  /** The routine the thread waits in, e.g. 'KeWaitForSingleObject', 'WskDeregister'. */
  readonly routine: string;
  /**
   * What it waits on: a dispatcher object, or (another layer's wait) a function that names the
   * object and what never happened, e.g. 'the WSK provider, never ready', asked at report time.
   */
  readonly object: DispatcherObject | (() => string);
  /** The simulator thread's name, e.g. 'server/DriverEntry'. */
  readonly thread: string;
  /** The virtual time the wait began. */
  readonly since: number;
  /** The driver's file:line of the wait, when sites are recorded. */
  readonly site: string | null;
}

/** The header every waitable object shares (DISPATCHER_HEADER). */
export class DispatcherObject {
  /** @internal */ signalState = 0;
  /** @internal */ synchronization = false;
  /** @internal */ initialized = false;
  /** @internal */ readonly waiters: Waiter[] = [];
  /** @internal Whether a wait by `by` is satisfied now (a mutex: also when `by` owns it). */
  readyFor(by: unknown): boolean {
    void by;
    return this.signalState > 0;
  }
  /** @internal A wait by `by` was satisfied: a synchronization object resets (mutex.ts: owns). */
  satisfy(by: unknown): void {
    void by;
    if (this.synchronization) this.signalState = 0;
  }
}

export class KEVENT extends DispatcherObject {}


export class DispatcherManager {
  readonly #k: KernelCore;
  /** Waits with no timeout that still block, by their waiter (a Waiter, or another layer's). */
  readonly #blocked = new Map<object, BlockedWait>();

  constructor(kernel: KernelCore) {
    this.#k = kernel;
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
    const now = this.waitForSingleObjectNow(Object, WaitReason, WaitMode, Alertable, Timeout);
    return typeof now === 'number' ? Promise.resolve(now) : now;
  }

  /**
   * @internal KeWaitForSingleObject's answer as soon as it is known: the status when the wait
   * ends at once (satisfied, a poll, a misuse), else the Parking the thread waits on. For callers
   * that must know without awaiting: a C driver's callback, which cannot unwind (src/cdriver).
   */
  waitForSingleObjectNow(
    Object: DispatcherObject,
    WaitReason: number,
    WaitMode: number,
    Alertable: boolean,
    Timeout: LARGE_INTEGER | null,
  ): NTSTATUS | Parking<NTSTATUS> {
    void WaitReason;
    void WaitMode;
    void Alertable;
    const k = this.#k;
    const poll = Timeout !== null && Timeout.QuadPart === 0;
    if (!this.initialized(Object, 'KeWaitForSingleObject')) return STATUS_TIMEOUT;
    if (!poll && k.spinLocksHeld > 0) {
      // Checked before the IRQL, which the held lock raised: the lock is the driver's mistake.
      k.violation('SPINLOCK-HELD-ACROSS-WAIT', 'KeWaitForSingleObject while holding a spin lock');
      return STATUS_TIMEOUT;
    }
    if (!k.requireIrql('KeWaitForSingleObject', poll ? DISPATCH_LEVEL : APC_LEVEL)) {
      return STATUS_TIMEOUT;
    }
    const by = this.waiterIdentity();
    if (Object.readyFor(by)) {
      Object.satisfy(by);
      return STATUS_SUCCESS;
    }
    if (poll) return STATUS_TIMEOUT;
    if (k.sim.threads.current === null) {
      k.violation(
        'WAIT-OUTSIDE-THREAD',
        'KeWaitForSingleObject would block outside a system thread (a callback or DPC)',
      );
      return STATUS_TIMEOUT;
    }
    const waiter: Waiter = { parking: k.sim.threads.park<NTSTATUS>(), timeout: null, by };
    Object.waiters.push(waiter);
    if (Timeout === null) this.#block(waiter, 'KeWaitForSingleObject', Object);
    else {
      waiter.timeout = k.sim.schedule(this.delay(Timeout), `${k.host} wait timeout`, () => {
        const index = Object.waiters.indexOf(waiter);
        if (index >= 0) Object.waiters.splice(index, 1);
        waiter.parking.wake(STATUS_TIMEOUT);
      });
    }
    return waiter.parking;
  }

  /** @internal Signals `object` and releases its waiters (one for a synchronization object). */
  signal(object: DispatcherObject): void {
    object.signalState = 1;
    const waiters = object.waiters;
    let i = 0;
    // Waiters in arrival order while the object stays signalled: a notification object releases
    // them all, a synchronization object (or a mutex) the first it satisfies; a wait on several
    // objects (waits.ts) may pass (a WaitAll whose other objects are not signalled).
    while (i < waiters.length && object.signalState > 0) {
      const waiter = waiters[i] as Waiter;
      if (waiter.offer !== undefined) {
        if (!waiter.offer(object)) i++;
        continue;
      }
      waiters.splice(i, 1);
      object.satisfy(waiter.by);
      this.#release(waiter);
    }
  }

  /** @internal Who a wait is made by now: the system thread, else the running context. */
  waiterIdentity(): unknown {
    return this.#k.sim.threads.current ?? this.#k.context();
  }

  /** Waits with no timeout that still block, in the order they began. */
  blocked(): readonly BlockedWait[] {
    return [...this.#blocked.values()];
  }

  /**
   * @internal `routine` blocks the current thread with no timeout, keyed by `key` until
   * unblocked(key); `object` names what it waits on and what never happened, for the report.
   */
  blockedIn(key: object, routine: string, object: () => string): void {
    this.#block(key, routine, object);
  }

  /** @internal The wait `key` of blockedIn ended (satisfied, failed or timed out). */
  unblocked(key: object): void {
    this.#blocked.delete(key);
  }

  #block(key: object, routine: string, object: DispatcherObject | (() => string)): void {
    const sim = this.#k.sim;
    const thread = (sim.threads.current as { name: string }).name;
    const site = sim.recordSites ? callerSite() : null;
    this.#blocked.set(key, { routine, object, thread, since: sim.now, site });
  }

  /** @internal A wait ended: it is no longer blocked; its timeout, if any, is cancelled. */
  release(waiter: Waiter, status: NTSTATUS = STATUS_SUCCESS): void {
    this.#blocked.delete(waiter);
    waiter.timeout?.cancel();
    waiter.parking.wake(status);
  }

  #release(waiter: Waiter): void {
    if (waiter.timeout === null) this.#blocked.delete(waiter);
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
