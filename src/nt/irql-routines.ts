/**
 * KeGetCurrentIrql, KeRaiseIrql and KeLowerIrql over the kernel's one current IRQL (WDK pages
 * of the same names): raising to a lower IRQL is IRQL-RAISE-LOWER, lowering to a higher one
 * IRQL-LOWER-RAISE.
 */
import type { KIRQL } from './irql.ts';
import type { KernelCore } from './kernel-core.ts';

export class IrqlManager {
  readonly #k: KernelCore;

  constructor(kernel: KernelCore) {
    this.#k = kernel;
  }

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
}
