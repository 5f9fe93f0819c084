/**
 * The NT kernel's invariants between events, checked by tests after every event
 * (docs/design.md#assertions, as topology/invariants.ts and TcpStack.checkInvariants do for their
 * layers): properties the kernel relies on but does not re-check on every call. A provider adds the
 * IRPs it holds (wsk/invariants.ts); the checks only read, so a run is the same with them or
 * without.
 *
 * - No driver code runs between events, so the IRQL is back at PASSIVE_LEVEL and no spin lock,
 *   the cancel spin lock included, is held. A callback, DPC or system thread that returns
 *   otherwise is a violation (kernel-core.ts, threads.ts) that ends the run first; what fails
 *   here is a model path that raised or locked without restoring — or driver code run from a
 *   plain simulator event, which no routine hears return. Limit: the model keeps one IRQL per
 *   host, not per thread, so a system thread that waits at APC_LEVEL (legal) would fail it.
 * - Every IRP a call took has exactly one holder: none is still 'issued' (a call pends or
 *   completes its IRP before it returns); each 'pending' one is held by exactly one of the
 *   provider's queues and waits, or by its completion event (IRP.completionDue); no idle,
 *   completed or freed IRP is held by any.
 */
import { assert } from '../sim/index.ts';
import type { IrpManager } from './irp-routines.ts';
import type { IRP } from './irp.ts';
import { PASSIVE_LEVEL, type KIRQL } from './irql.ts';

/** What the checks read of a kernel: an NtKernel, or a provider's kernel built on it. */
export interface CheckedKernel {
  readonly host: string;
  readonly irql: KIRQL;
  readonly spinLocksHeld: number;
  readonly irps: IrpManager;
}

/**
 * Who holds each IRP a call took, as a provider lists its queues and waits (by a name for the
 * failure message). Listing one IRP twice fails at once: two owners would both complete it.
 */
export class IrpHolders {
  readonly #host: string;
  readonly #holders = new Map<IRP, string>();

  constructor(host: string) {
    this.#host = host;
  }

  hold(irp: IRP, holder: string): void {
    const other = this.#holders.get(irp);
    if (other !== undefined) {
      const name = irpName(irp);
      assert(false, `host ${this.#host}: ${name} held by both ${other} and ${holder}`);
    }
    this.#holders.set(irp, holder);
  }

  holderOf(irp: IRP): string | undefined {
    return this.#holders.get(irp);
  }

  entries(): IterableIterator<[IRP, string]> {
    return this.#holders.entries();
  }
}

/** Throws AssertionError when `k`'s books disagree; `holders` lists the provider's IRPs. */
export function checkNtInvariants(k: CheckedKernel, holders = new IrpHolders(k.host)): void {
  checkAtRest(k);
  checkIrps(k, holders);
}

/** Locks first: a held lock raises the IRQL too, and is the better diagnosis. */
function checkAtRest(k: CheckedKernel): void {
  const host = k.host;
  const locks = k.spinLocksHeld;
  assert(locks === 0, `host ${host}: ${locks} spin lock(s) held between events`);
  assert(!k.irps.cancelLockHeld, `host ${host}: the cancel spin lock held between events`);
  assert(k.irql === PASSIVE_LEVEL, `host ${host}: IRQL ${k.irql} between events, not PASSIVE`);
}

function checkIrps(k: CheckedKernel, holders: IrpHolders): void {
  const live = k.irps.outstanding();
  for (const irp of live) if (irp.completionDue) holders.hold(irp, 'its completion event');
  for (const irp of live) checkLiveIrp(k.host, irp, holders.holderOf(irp));
  for (const [irp, holder] of holders.entries()) {
    const detail = `${irpName(irp)} is ${irp.state}, yet ${holder} holds it`;
    assert(irp.state === 'pending', `host ${k.host}: ${detail}`);
  }
}

function checkLiveIrp(host: string, irp: IRP, holder: string | undefined): void {
  const name = irpName(irp);
  assert(irp.state !== 'freed', `host ${host}: ${name} freed but still counted as allocated`);
  assert(irp.state !== 'issued', `host ${host}: ${name} still issued between events`);
  if (irp.state === 'pending') assert(holder !== undefined, `host ${host}: ${name} held by none`);
}

function irpName(irp: IRP): string {
  return irp.operation === '' ? `IRP #${irp.id}` : `IRP #${irp.id} (${irp.operation})`;
}
