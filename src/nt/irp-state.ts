/**
 * An IRP's lifecycle in the model (irp-routines.ts): the states, the table of legal moves
 * between them, and the one setter every change of state goes through, which asserts the move
 * is in the table (docs/design.md#a-readable-tcp-state-machine, as tcp/state.ts does for
 * connections).
 *
 * The table is the model's, not the driver's: a driver's misuse (completing twice, freeing while
 * a call holds the IRP, passing it to a second call) is reported as a violation before the state
 * changes, and then it does not change. A failed assertion here is a bug in the model.
 *
 * - idle: allocated, or reinitialised by IoReuseIrp; no call holds it.
 * - issued: a call took it (`issue`) and has not yet returned or pended it.
 * - pending: the call returned STATUS_PENDING (`pend`); it completes later.
 * - completed: its completion ran (`complete`); the driver may reuse, reissue or free it.
 * - freed: IoFreeIrp; nothing may touch it again.
 */
import { assert } from '../sim/index.ts';

export type IrpState = 'idle' | 'issued' | 'pending' | 'completed' | 'freed';

export const IRP_STATES: readonly IrpState[] = ['idle', 'issued', 'pending', 'completed', 'freed'];

/**
 * Legal moves. idle → idle is IoReuseIrp on an IRP no call ever held; completed → issued is a
 * reissue without IoReuseIrp, which the model accepts (irp-routines.ts policies).
 */
export const IRP_TRANSITIONS: { readonly [from in IrpState]: readonly IrpState[] } = {
  idle: ['issued', 'idle', 'freed'],
  issued: ['pending', 'completed'],
  pending: ['completed'],
  completed: ['issued', 'idle', 'freed'],
  freed: [],
};

/** A state's index in IRP_STATES: a switch over constant strings, cheaper than a keyed load. */
function indexOf(state: IrpState): number {
  switch (state) {
    case 'idle':
      return 0;
    case 'issued':
      return 1;
    case 'pending':
      return 2;
    case 'completed':
      return 3;
    default:
      return 4;
  }
}

/** IRP_TRANSITIONS flattened for the setter: bit j of LEGAL[i] allows IRP_STATES[i] → [j]. */
const LEGAL = new Uint8Array(IRP_STATES.length);
for (const from of IRP_STATES) {
  const i = indexOf(from);
  for (const to of IRP_TRANSITIONS[from]) LEGAL[i] = (LEGAL[i] as number) | (1 << indexOf(to));
}

export function isLegalIrpTransition(from: IrpState, to: IrpState): boolean {
  return ((LEGAL[indexOf(from)] as number) & (1 << indexOf(to))) !== 0;
}

/** What the setter needs of an IRP (irp.ts declares `state` readonly: only this writes it). */
interface IrpLifecycle {
  readonly id: number;
  readonly state: IrpState;
  readonly stateSince: number;
}

/**
 * Every change of an IRP's state goes through here, asserted against the table; `at` (the virtual
 * time) is kept, so a liveness report can say since when an IRP is stalled.
 */
export function setIrpState(irp: IrpLifecycle, next: IrpState, at: number): void {
  const from = irp.state;
  // The message is built only on failure: this runs on every issue, pend and completion.
  if (!isLegalIrpTransition(from, next)) {
    assert(false, `irp: illegal transition ${from} → ${next} (IRP #${irp.id})`);
  }
  (irp as { state: IrpState }).state = next;
  (irp as { stateSince: number }).stateSince = at;
}
