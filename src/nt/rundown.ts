/**
 * Run-down protection (WDK reference pages "ExInitializeRundownProtection function (wdm.h)",
 * "ExAcquireRundownProtection function (wdm.h)", "ExReleaseRundownProtection function (wdm.h)",
 * "ExWaitForRundownProtectionRelease function (wdm.h)", "ExRundownCompleted function (wdm.h)",
 * "ExReInitializeRundownProtection function (wdm.h)"): how a driver keeps an object alive while
 * calls use it, and waits for them before it frees it (the WSK samples' pattern around a socket).
 * - ExAcquireRundownProtection returns TRUE and counts an acquire, or FALSE once
 *   ExWaitForRundownProtectionRelease has begun; ExReleaseRundownProtection undoes one acquire.
 *   Both at IRQL ≤ DISPATCH_LEVEL. A release with no acquire outstanding (released more than
 *   acquired) is RUNDOWN-RELEASE-NOT-ACQUIRED: the count would underflow, which Windows does not
 *   check and which lets the run-down finish while a call still uses the object.
 * - ExWaitForRundownProtectionRelease (IRQL < DISPATCH_LEVEL; a wait, so in a system thread:
 *   WAIT-OUTSIDE-THREAD otherwise) refuses new acquires and returns, awaited, once every acquire
 *   is released: at once if none is outstanding. Still blocked at the end of the run, it is
 *   WAIT-NEVER-SATISFIED naming the routine and how many acquires were never released.
 * - ExRundownCompleted marks the run-down complete; ExReInitializeRundownProtection makes the
 *   object acquirable again after it.
 */
import type { Parking } from '../sim/index.ts';
import type { DispatcherManager } from './dispatcher.ts';
import { APC_LEVEL, DISPATCH_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import { parkThread } from './waits.ts';

export class EX_RUNDOWN_REF {
  /** @internal acquires not yet released */ count = 0;
  /** @internal ExWaitForRundownProtectionRelease has begun */ rundown = false;
  /** @internal the waiting thread, while it waits */ waiter: Parking<undefined> | null = null;
}
export type PEX_RUNDOWN_REF = EX_RUNDOWN_REF;

export class RundownManager {
  readonly #k: KernelCore;
  readonly #dispatcher: DispatcherManager;

  constructor(kernel: KernelCore, dispatcher: DispatcherManager) {
    this.#k = kernel;
    this.#dispatcher = dispatcher;
  }

  ExInitializeRundownProtection(RunRef: EX_RUNDOWN_REF): void {
    RunRef.count = 0;
    RunRef.rundown = false;
    RunRef.waiter = null;
  }

  ExReInitializeRundownProtection(RunRef: EX_RUNDOWN_REF): void {
    this.ExInitializeRundownProtection(RunRef);
  }

  ExAcquireRundownProtection(RunRef: EX_RUNDOWN_REF): boolean {
    if (!this.#k.requireIrql('ExAcquireRundownProtection', DISPATCH_LEVEL)) return false;
    if (RunRef.rundown) return false;
    RunRef.count++;
    return true;
  }

  ExReleaseRundownProtection(RunRef: EX_RUNDOWN_REF): void {
    const k = this.#k;
    if (!k.requireIrql('ExReleaseRundownProtection', DISPATCH_LEVEL)) return;
    if (RunRef.count === 0) {
      const detail = 'ExReleaseRundownProtection with no acquire outstanding';
      k.violation('RUNDOWN-RELEASE-NOT-ACQUIRED', detail);
      return;
    }
    if (--RunRef.count === 0 && RunRef.waiter !== null) {
      const waiter = RunRef.waiter;
      RunRef.waiter = null;
      this.#dispatcher.unblocked(waiter);
      waiter.wake(undefined);
    }
  }

  ExWaitForRundownProtectionRelease(RunRef: EX_RUNDOWN_REF): PromiseLike<void> {
    return this.waitForReleaseNow(RunRef) ?? Promise.resolve();
  }

  /**
   * @internal ExWaitForRundownProtectionRelease's answer as soon as it is known: null when it
   * returns at once (nothing outstanding, or a misuse reported), else the blocked thread's wait.
   * For a C driver's callback, which cannot unwind (src/cdriver).
   */
  waitForReleaseNow(RunRef: EX_RUNDOWN_REF): PromiseLike<void> | null {
    const k = this.#k;
    const routine = 'ExWaitForRundownProtectionRelease';
    RunRef.rundown = true;
    if (RunRef.count === 0) return null;
    if (k.spinLocksHeld > 0) {
      k.violation('SPINLOCK-HELD-ACROSS-WAIT', `${routine} while holding a spin lock`);
      return null;
    }
    if (!k.requireIrql(routine, APC_LEVEL)) return null;
    if (k.sim.threads.current === null) {
      k.violation('WAIT-OUTSIDE-THREAD', `${routine} would block outside a system thread`);
      return null;
    }
    const parking = k.sim.threads.park<undefined>();
    RunRef.waiter = parking;
    this.#dispatcher.blockedIn(parking, routine, () => {
      const n = RunRef.count;
      return `an EX_RUNDOWN_REF with ${n} acquire${n === 1 ? '' : 's'} never released`;
    });
    return parkThread(k, parking, `${routine} on EX_RUNDOWN_REF`) as PromiseLike<void>;
  }

  ExRundownCompleted(RunRef: EX_RUNDOWN_REF): void {
    RunRef.rundown = true;
  }
}
