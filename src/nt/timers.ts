/**
 * Timers with DPCs (WDK KeInitializeTimer, KeSetTimer, KeCancelTimer, KeReadStateTimer,
 * KeInitializeDpc). KeSetTimer(Timer, DueTime, Dpc) returns TRUE if the timer was already set;
 * on expiry the timer is signalled (its waiters released, dispatcher.ts) and the DPC routine
 * runs at DISPATCH_LEVEL in the same event (policy, Windows undocumented timing: no DPC queueing
 * delay). KeCancelTimer returns whether the timer was set.
 *
 * Periodic timers ("KeSetTimerEx function (wdm.h)", "KeInitializeTimerEx function (wdm.h)"):
 * KeSetTimerEx(Timer, DueTime, Period, Dpc) expires first at DueTime, then every Period
 * milliseconds (0: once, as KeSetTimer) until KeCancelTimer; each expiry signals the timer and
 * runs the DPC. KeInitializeTimerEx(Timer, Type) makes a NotificationTimer (as KeInitializeTimer)
 * or a SynchronizationTimer (a wait it satisfies resets it). IRQL ≤ DISPATCH_LEVEL. A Period
 * below 0 (the page only bounds it by MAXLONG) is taken as 0, one expiry: a policy
 * (docs/policies.md#kernel-routine-policies). A periodic timer never cancelled keeps the run going
 * until its time limit (a livelock failure), as a driver unloading with one set crashes Windows.
 */
import type { SimEvent } from '../sim/index.ts';
import { DispatcherObject, type DispatcherManager, type LARGE_INTEGER } from './dispatcher.ts';
import { DISPATCH_LEVEL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';

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

/** TIMER_TYPE (wdm.h). */
export const NotificationTimer = 0;
export const SynchronizationTimer = 1;
export type TIMER_TYPE = typeof NotificationTimer | typeof SynchronizationTimer;

export class KTIMER extends DispatcherObject {
  /** @internal */ expiry: SimEvent<undefined> | null = null;
}

export class TimerManager {
  readonly #k: KernelCore;
  readonly #dispatcher: DispatcherManager;

  constructor(kernel: KernelCore, dispatcher: DispatcherManager) {
    this.#k = kernel;
    this.#dispatcher = dispatcher;
  }

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
    return this.#set(Timer, DueTime, 0, Dpc, 'KeSetTimer');
  }

  KeInitializeTimerEx(Timer: KTIMER, Type: TIMER_TYPE): void {
    this.KeInitializeTimer(Timer);
    Timer.synchronization = Type === SynchronizationTimer;
  }

  KeSetTimerEx(Timer: KTIMER, DueTime: LARGE_INTEGER, Period: number, Dpc: KDPC | null): boolean {
    return this.#set(Timer, DueTime, Period, Dpc, 'KeSetTimerEx');
  }

  #set(
    Timer: KTIMER,
    Due: LARGE_INTEGER,
    Period: number,
    Dpc: KDPC | null,
    routine: string,
  ): boolean {
    const k = this.#k;
    if (!this.#dispatcher.initialized(Timer, routine)) return false;
    if (!k.requireIrql(routine, DISPATCH_LEVEL)) return false;
    const wasSet = this.KeCancelTimer(Timer);
    Timer.signalState = 0;
    const expire = (): void => {
      Timer.expiry =
        Period > 0 ? k.sim.schedule(Period * 1e6, `${k.host} timer expiry`, expire) : null;
      this.#dispatcher.signal(Timer);
      const deferred = Dpc?.routine;
      if (Dpc && deferred) {
        k.runAt(DISPATCH_LEVEL, () => deferred(Dpc, Dpc.context, null, null), 'DPC routine');
      }
    };
    Timer.expiry = k.sim.schedule(this.#dispatcher.delay(Due), `${k.host} timer expiry`, expire);
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
}
