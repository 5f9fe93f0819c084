/**
 * Timers with DPCs (WDK KeInitializeTimer, KeSetTimer, KeCancelTimer, KeReadStateTimer,
 * KeInitializeDpc). KeSetTimer(Timer, DueTime, Dpc) returns TRUE if the timer was already set;
 * on expiry the timer is signalled (its waiters released, dispatcher.ts) and the DPC routine
 * runs at DISPATCH_LEVEL in the same event (policy, Windows undocumented timing: no DPC queueing
 * delay). KeCancelTimer returns whether the timer was set. Periodic timers are not modelled.
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
    const k = this.#k;
    if (!this.#dispatcher.initialized(Timer, 'KeSetTimer')) return false;
    const wasSet = this.KeCancelTimer(Timer);
    Timer.signalState = 0;
    Timer.expiry = k.sim.schedule(this.#dispatcher.delay(DueTime), `${k.host} timer expiry`, () => {
      Timer.expiry = null;
      this.#dispatcher.signal(Timer);
      const routine = Dpc?.routine;
      if (Dpc && routine) {
        k.runAt(DISPATCH_LEVEL, () => routine(Dpc, Dpc.context, null, null), 'DPC routine');
      }
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
}
