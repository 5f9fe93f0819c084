/**
 * Spin locks (WDK KeInitializeSpinLock, KeAcquireSpinLock, KeReleaseSpinLock,
 * KeAcquireSpinLockAtDpcLevel, KeReleaseSpinLockFromDpcLevel). KeAcquireSpinLock raises to
 * DISPATCH_LEVEL and stores the old IRQL in the `{ value }` out-parameter; KeReleaseSpinLock
 * lowers to the IRQL given. Acquiring a held lock (a deadlock on the model's one processor) is
 * SPINLOCK-RECURSIVE-ACQUIRE, releasing a free one SPINLOCK-RELEASE-NOT-HELD, one that another
 * callback or thread acquired SPINLOCK-RELEASE-NOT-OWNER (WDK KeReleaseSpinLock: the caller
 * holds it), a wait while one is held SPINLOCK-HELD-ACROSS-WAIT (dispatcher.ts); a callback
 * (runAt/runCallback in kernel-core.ts) returning with a lock it took still held is
 * SPINLOCK-HELD-ON-RETURN, at another IRQL IRQL-NOT-RESTORED.
 */
import { DISPATCH_LEVEL, type KIRQL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';

export class KSPIN_LOCK {
  /** @internal */ held = false;
  /** @internal who acquired it: KernelCore.context() at the acquire */
  owner: unknown = null;
}

export class SpinLockManager {
  readonly #k: KernelCore;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

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
