/**
 * The waits beside KeWaitForSingleObject (dispatcher.ts): KeDelayExecutionThread and
 * KeWaitForMultipleObjects (WDK reference pages "KeDelayExecutionThread function (wdm.h)",
 * "KeWaitForMultipleObjects function (wdm.h)"), and how a thread that blocks gives up the
 * processor's IRQL while it is parked (`parkThread`).
 * - KeDelayExecutionThread(WaitMode, Alertable, Interval) puts the calling system thread to sleep
 *   for Interval (a LARGE_INTEGER in 100 ns units: negative relative, positive absolute, as a
 *   wait's timeout) and returns a promise of STATUS_SUCCESS. IRQL ≤ APC_LEVEL; outside a system
 *   thread it is WAIT-OUTSIDE-THREAD, with a spin lock held SPINLOCK-HELD-ACROSS-WAIT. An Interval
 *   of 0 yields: the thread resumes as the next event at the same instant.
 * - KeWaitForMultipleObjects(Count, Object, WaitType, WaitReason, WaitMode, Alertable, Timeout,
 *   WaitBlockArray) waits on Count objects of the array: WaitAny is satisfied by the first object
 *   signalled and returns STATUS_WAIT_0 + its index (the lowest index when several are signalled
 *   at the call); WaitAll is satisfied when every object is signalled at once, and returns
 *   STATUS_WAIT_0. Satisfying consumes what it takes (a synchronization event resets, a mutex is
 *   owned, mutex.ts). Timeout and IRQL as KeWaitForSingleObject. Count above
 *   MAXIMUM_WAIT_OBJECTS (64), or above THREAD_WAIT_OBJECTS (3) without a WaitBlockArray, is
 *   WAIT-TOO-MANY-OBJECTS (Windows bug-checks: MAXIMUM_WAIT_OBJECTS_EXCEEDED, 0xC). The wait
 *   blocks in the array's order; WaitBlockArray is accepted and otherwise ignored.
 * - A wait with no timeout still blocking at the end of the run is WAIT-NEVER-SATISFIED naming
 *   the routine (outstanding.ts).
 *
 * IRQL across a wait: the model has one IRQL per host, so a thread that parks hands the processor
 * back at PASSIVE_LEVEL and gets its own IRQL back when it resumes (a thread holding a fast mutex
 * at APC_LEVEL may sleep; the events that run meanwhile do not inherit its APC_LEVEL).
 */
import type { Parking } from '../sim/index.ts';
import {
  type DispatcherManager,
  type DispatcherObject,
  type LARGE_INTEGER,
  type Waiter,
} from './dispatcher.ts';
import { APC_LEVEL, DISPATCH_LEVEL, PASSIVE_LEVEL, type KIRQL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import { STATUS_SUCCESS, STATUS_TIMEOUT, STATUS_WAIT_0, type NTSTATUS } from './ntstatus.ts';
import { tracedWait, waitObjectName } from './thread-records.ts';

/** WAIT_TYPE (wdm.h). */
export const WaitAll = 0;
export const WaitAny = 1;
export type WAIT_TYPE = typeof WaitAll | typeof WaitAny;
/** The most objects one KeWaitForMultipleObjects takes (wdm.h). */
export const MAXIMUM_WAIT_OBJECTS = 64;
/** The objects a thread's own wait blocks cover: more need a WaitBlockArray (wdm.h). */
export const THREAD_WAIT_OBJECTS = 3;
/** A KWAIT_BLOCK of the WaitBlockArray: its content is the kernel's, opaque here. */
export class KWAIT_BLOCK {}

/**
 * @internal `parking` as the calling thread awaits it: the processor goes back to PASSIVE_LEVEL
 * while the thread is parked, and the thread's IRQL (`resumeAt`, by default the one it parked at)
 * is restored when it resumes, before its code runs on. The wait is in the trace as `what`
 * (tracedWait, threads.ts).
 */
export function parkThread<T>(
  k: KernelCore,
  parking: Parking<T>,
  what: string,
  resumeAt: KIRQL = k.irql,
): PromiseLike<T> {
  const traced = tracedWait(k, parking, what, () => {
    k.irql = resumeAt;
  });
  return {
    then<R1 = T, R2 = never>(
      onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    ): PromiseLike<R1 | R2> {
      k.irql = PASSIVE_LEVEL;
      return traced.then(onFulfilled);
    },
  };
}

export class WaitManager {
  readonly #k: KernelCore;
  readonly #dispatcher: DispatcherManager;

  constructor(kernel: KernelCore, dispatcher: DispatcherManager) {
    this.#k = kernel;
    this.#dispatcher = dispatcher;
  }

  KeDelayExecutionThread(
    WaitMode: number,
    Alertable: boolean,
    Interval: LARGE_INTEGER,
  ): PromiseLike<NTSTATUS> {
    void WaitMode;
    void Alertable;
    const k = this.#k;
    if (!this.#mayBlock('KeDelayExecutionThread')) return Promise.resolve(STATUS_SUCCESS);
    const parking = k.sim.threads.park<NTSTATUS>();
    const delay = this.#dispatcher.delay(Interval);
    k.sim.schedule(delay, `${k.host} delay execution`, () => parking.wake(STATUS_SUCCESS));
    return parkThread(k, parking, 'KeDelayExecutionThread');
  }

  KeWaitForMultipleObjects(
    Count: number,
    Object: readonly DispatcherObject[],
    WaitType: WAIT_TYPE,
    WaitReason: number,
    WaitMode: number,
    Alertable: boolean,
    Timeout: LARGE_INTEGER | null,
    WaitBlockArray: readonly KWAIT_BLOCK[] | null,
  ): PromiseLike<NTSTATUS> {
    const now = this.waitForMultipleObjectsNow(
      Count, Object, WaitType, WaitReason, WaitMode, Alertable, Timeout, WaitBlockArray,
    );
    return typeof now === 'number' ? Promise.resolve(now) : now;
  }

  /**
   * @internal KeWaitForMultipleObjects's answer as soon as it is known: the status when the wait
   * ends at once (satisfied, a poll, a misuse), else what the thread waits on (traced). For a C
   * driver's callback, which cannot unwind (src/cdriver), as waitForSingleObjectNow.
   */
  waitForMultipleObjectsNow(
    Count: number,
    Object: readonly DispatcherObject[],
    WaitType: WAIT_TYPE,
    WaitReason: number,
    WaitMode: number,
    Alertable: boolean,
    Timeout: LARGE_INTEGER | null,
    WaitBlockArray: readonly KWAIT_BLOCK[] | null,
  ): NTSTATUS | PromiseLike<NTSTATUS> {
    void WaitReason;
    void WaitMode;
    void Alertable;
    const k = this.#k;
    const routine = 'KeWaitForMultipleObjects';
    const timedOut = STATUS_TIMEOUT;
    if (Count > MAXIMUM_WAIT_OBJECTS || (Count > THREAD_WAIT_OBJECTS && WaitBlockArray === null)) {
      const why =
        Count > MAXIMUM_WAIT_OBJECTS
          ? `more than MAXIMUM_WAIT_OBJECTS (${MAXIMUM_WAIT_OBJECTS})`
          : `more than THREAD_WAIT_OBJECTS (${THREAD_WAIT_OBJECTS}) without a WaitBlockArray`;
      k.violation('WAIT-TOO-MANY-OBJECTS', `${routine} on ${Count} objects: ${why}`);
      return timedOut;
    }
    const objects = Object.slice(0, Count);
    for (const object of objects) {
      if (!this.#dispatcher.initialized(object, routine)) return timedOut;
    }
    const poll = Timeout !== null && Timeout.QuadPart === 0;
    if (!poll && k.spinLocksHeld > 0) {
      k.violation('SPINLOCK-HELD-ACROSS-WAIT', `${routine} while holding a spin lock`);
      return timedOut;
    }
    if (!k.requireIrql(routine, poll ? DISPATCH_LEVEL : APC_LEVEL)) return timedOut;
    const by = this.#dispatcher.waiterIdentity();
    const now = satisfied(objects, WaitType, by);
    if (now !== null) return now;
    if (poll) return timedOut;
    if (k.sim.threads.current === null) {
      k.violation('WAIT-OUTSIDE-THREAD', `${routine} would block outside a system thread`);
      return timedOut;
    }
    const leave = (): void => {
      for (const object of objects) {
        const index = object.waiters.indexOf(waiter);
        if (index >= 0) object.waiters.splice(index, 1);
      }
    };
    const offer = (): boolean => {
      const status = satisfied(objects, WaitType, by);
      if (status === null) return false;
      leave();
      this.#dispatcher.release(waiter, status);
      return true;
    };
    const waiter: Waiter = { parking: k.sim.threads.park<NTSTATUS>(), timeout: null, by, offer };
    for (const object of objects) object.waiters.push(waiter);
    if (Timeout === null) {
      const kind = WaitType === WaitAll ? 'WaitAll' : 'WaitAny';
      const names = objects.map((o) => o.constructor.name).join(', ');
      this.#dispatcher.blockedIn(waiter, routine, () => `${kind} of [${names}], never satisfied`);
    } else {
      const delay = this.#dispatcher.delay(Timeout);
      waiter.timeout = k.sim.schedule(delay, `${k.host} wait timeout`, () => {
        leave();
        waiter.parking.wake(STATUS_TIMEOUT);
      });
    }
    const names = objects.map(waitObjectName).join(', ');
    const type = WaitType === WaitAll ? 'WaitAll' : 'WaitAny';
    return parkThread(k, waiter.parking, `${routine} ${type} on ${names}`);
  }

  /** A wait that may block: in a system thread, no spin lock held, IRQL ≤ APC_LEVEL. */
  #mayBlock(routine: string): boolean {
    const k = this.#k;
    if (k.spinLocksHeld > 0) {
      k.violation('SPINLOCK-HELD-ACROSS-WAIT', `${routine} while holding a spin lock`);
      return false;
    }
    if (!k.requireIrql(routine, APC_LEVEL)) return false;
    if (k.sim.threads.current === null) {
      k.violation('WAIT-OUTSIDE-THREAD', `${routine} would block outside a system thread`);
      return false;
    }
    return true;
  }
}

/**
 * The status a wait on `objects` returns if it is satisfied now, having consumed what it takes;
 * null if it must wait.
 */
function satisfied(
  objects: readonly DispatcherObject[],
  type: WAIT_TYPE,
  by: unknown,
): NTSTATUS | null {
  if (type === WaitAny) {
    const index = objects.findIndex((object) => object.readyFor(by));
    if (index < 0) return null;
    (objects[index] as DispatcherObject).satisfy(by);
    return (STATUS_WAIT_0 + index) as NTSTATUS;
  }
  if (!objects.every((object) => object.readyFor(by))) return null;
  for (const object of objects) object.satisfy(by);
  return STATUS_WAIT_0;
}
