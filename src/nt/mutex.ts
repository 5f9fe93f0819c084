/**
 * Mutexes (WDK reference pages "KeInitializeMutex function (wdm.h)", "KeReleaseMutex function
 * (wdm.h)", "KeReadStateMutex function (wdm.h)", "ExInitializeFastMutex function (wdm.h)",
 * "ExAcquireFastMutex function (wdm.h)", "ExReleaseFastMutex function (wdm.h)",
 * "ExTryToAcquireFastMutex function (wdm.h)").
 * - KMUTEX: a dispatcher object a thread acquires with KeWaitForSingleObject (or
 *   KeWaitForMultipleObjects) and owns: signalled while free; its owner may wait on it again and
 *   is granted it at once (a recursive acquire, counted); KeReleaseMutex(Mutex, Wait) undoes one
 *   acquire and returns the previous state, and the last release hands the mutex to the first
 *   waiter. IRQL: the waits' rules; KeReleaseMutex ≤ DISPATCH_LEVEL. A release by a thread that
 *   does not own it is MUTEX-RELEASE-NOT-OWNER: the page requires the caller to own it; Windows
 *   raises STATUS_MUTANT_NOT_OWNED (ReactOS's KeReleaseMutant does so), which no driver catches.
 * - FAST_MUTEX: ExAcquireFastMutex(FastMutex) at IRQL ≤ APC_LEVEL raises to APC_LEVEL and keeps
 *   the old IRQL in the mutex; contended, it blocks the calling system thread, so it is awaited
 *   (`await ExAcquireFastMutex(Mutex)`, like a wait: WAIT-OUTSIDE-THREAD outside a thread, and
 *   WAIT-NEVER-SATISFIED if never granted). Fast mutexes are not recursive: acquiring one the
 *   caller holds is FAST-MUTEX-RECURSIVE-ACQUIRE (a deadlock). ExReleaseFastMutex restores the
 *   old IRQL (called at IRQL ≤ APC_LEVEL) and hands the mutex to the first waiter; released
 *   by code that does not hold it
 *   (another thread, or a free mutex), it is FAST-MUTEX-RELEASE-NOT-OWNER.
 *   ExTryToAcquireFastMutex takes a free mutex and returns TRUE, else FALSE.
 * The owner is the system thread that acquired it, or the callback when there is no thread
 * (KernelCore.context()).
 */
import { DispatcherObject, type DispatcherManager, type Waiter } from './dispatcher.ts';
import { APC_LEVEL, DISPATCH_LEVEL, PASSIVE_LEVEL, type KIRQL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';
import type { NTSTATUS } from './ntstatus.ts';
import { parkThread } from './waits.ts';

export class KMUTEX extends DispatcherObject {
  /** @internal who owns it, null when free */ owner: unknown = null;
  /** @internal recursive acquires by its owner */ count = 0;
  /** @internal */
  override readyFor(by: unknown): boolean {
    return this.signalState > 0 || (this.owner !== null && this.owner === by);
  }
  /** @internal */
  override satisfy(by: unknown): void {
    this.owner = by;
    this.count++;
    this.signalState = 0;
  }
}
export type PKMUTEX = KMUTEX;
export type PRKMUTEX = KMUTEX;

export class FAST_MUTEX extends DispatcherObject {
  /** @internal who holds it, null when free */ owner: unknown = null;
  /** @internal the IRQL its holder acquired it at */ oldIrql: KIRQL = PASSIVE_LEVEL;
}
export type PFAST_MUTEX = FAST_MUTEX;

export class MutexManager {
  readonly #k: KernelCore;
  readonly #dispatcher: DispatcherManager;

  constructor(kernel: KernelCore, dispatcher: DispatcherManager) {
    this.#k = kernel;
    this.#dispatcher = dispatcher;
  }

  // ---- KMUTEX ---------------------------------------------------------------------------------

  KeInitializeMutex(Mutex: KMUTEX, Level: number): void {
    void Level;
    Mutex.initialized = true;
    Mutex.synchronization = true;
    Mutex.signalState = 1;
    Mutex.owner = null;
    Mutex.count = 0;
  }

  KeReleaseMutex(Mutex: KMUTEX, Wait: boolean): number {
    void Wait;
    const k = this.#k;
    if (!this.#dispatcher.initialized(Mutex, 'KeReleaseMutex')) return 0;
    if (!k.requireIrql('KeReleaseMutex', DISPATCH_LEVEL)) return 0;
    const previous = Mutex.signalState;
    if (Mutex.owner === null || Mutex.owner !== this.#dispatcher.waiterIdentity()) {
      const whose = Mutex.owner === null ? 'a free mutex' : 'a mutex another thread owns';
      k.violation('MUTEX-RELEASE-NOT-OWNER', `KeReleaseMutex of ${whose}`);
      return previous;
    }
    if (--Mutex.count === 0) {
      Mutex.owner = null;
      this.#dispatcher.signal(Mutex);
    }
    return previous;
  }

  KeReadStateMutex(Mutex: KMUTEX): number {
    return this.#dispatcher.initialized(Mutex, 'KeReadStateMutex') ? Mutex.signalState : 0;
  }

  // ---- FAST_MUTEX -----------------------------------------------------------------------------

  ExInitializeFastMutex(FastMutex: FAST_MUTEX): void {
    FastMutex.initialized = true;
    FastMutex.synchronization = true;
    FastMutex.signalState = 1;
    FastMutex.owner = null;
  }

  ExAcquireFastMutex(FastMutex: FAST_MUTEX): PromiseLike<void> {
    return this.acquireFastMutexNow(FastMutex) ?? Promise.resolve();
  }

  /**
   * @internal ExAcquireFastMutex's answer as soon as it is known: null when the call is over at
   * once (granted, or a misuse reported), else the blocked thread's wait. For a C driver's
   * callback, which cannot unwind (src/cdriver).
   */
  acquireFastMutexNow(FastMutex: FAST_MUTEX): PromiseLike<void> | null {
    const k = this.#k;
    if (!this.#dispatcher.initialized(FastMutex, 'ExAcquireFastMutex')) return null;
    if (!k.requireIrql('ExAcquireFastMutex', APC_LEVEL)) return null;
    const by = this.#dispatcher.waiterIdentity();
    if (FastMutex.owner !== null && FastMutex.owner === by) {
      k.violation('FAST-MUTEX-RECURSIVE-ACQUIRE', 'ExAcquireFastMutex of a mutex the caller holds');
      return null;
    }
    const old = k.irql;
    if (FastMutex.signalState > 0) {
      this.#grant(FastMutex, by, old);
      return null;
    }
    if (k.sim.threads.current === null) {
      k.violation('WAIT-OUTSIDE-THREAD', 'ExAcquireFastMutex would block outside a system thread');
      return null;
    }
    const offer = (): boolean => {
      FastMutex.waiters.splice(FastMutex.waiters.indexOf(waiter), 1);
      this.#grant(FastMutex, by, old, false);
      this.#dispatcher.release(waiter);
      return true;
    };
    const waiter: Waiter = { parking: k.sim.threads.park<NTSTATUS>(), timeout: null, by, offer };
    FastMutex.waiters.push(waiter);
    this.#dispatcher.blockedIn(waiter, 'ExAcquireFastMutex', () => 'a FAST_MUTEX, never released');
    // Resumed at APC_LEVEL, holding the mutex (the wake's value is no concern of the caller).
    const what = 'ExAcquireFastMutex on FAST_MUTEX';
    const parked = parkThread(k, waiter.parking, what, APC_LEVEL) as PromiseLike<unknown>;
    return parked as PromiseLike<void>;
  }

  ExTryToAcquireFastMutex(FastMutex: FAST_MUTEX): boolean {
    const k = this.#k;
    if (!this.#dispatcher.initialized(FastMutex, 'ExTryToAcquireFastMutex')) return false;
    if (!k.requireIrql('ExTryToAcquireFastMutex', APC_LEVEL)) return false;
    if (FastMutex.signalState === 0) return false;
    this.#grant(FastMutex, this.#dispatcher.waiterIdentity(), k.irql);
    return true;
  }

  ExReleaseFastMutex(FastMutex: FAST_MUTEX): void {
    const k = this.#k;
    if (!this.#dispatcher.initialized(FastMutex, 'ExReleaseFastMutex')) return;
    if (!k.requireIrql('ExReleaseFastMutex', APC_LEVEL)) return;
    if (FastMutex.owner === null || FastMutex.owner !== this.#dispatcher.waiterIdentity()) {
      const whose = FastMutex.owner === null ? 'a free fast mutex' : 'one another thread holds';
      k.violation('FAST-MUTEX-RELEASE-NOT-OWNER', `ExReleaseFastMutex of ${whose}`);
      return;
    }
    FastMutex.owner = null;
    k.irql = FastMutex.oldIrql;
    this.#dispatcher.signal(FastMutex);
  }

  /**
   * `by` holds the mutex now, acquired at `old`; the processor runs at APC_LEVEL (`raise`), or
   * (a waiter granted it) the waiter resumes there.
   */
  #grant(FastMutex: FAST_MUTEX, by: unknown, old: KIRQL, raise = true): void {
    FastMutex.signalState = 0;
    FastMutex.owner = by;
    FastMutex.oldIrql = old;
    if (raise) this.#k.irql = APC_LEVEL;
  }
}
