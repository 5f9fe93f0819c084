/**
 * Lifecycle tables of the WSK provider's records, each with the one setter its changes go
 * through, which asserts the move is in the table (STYLE.md §7.5, as tcp/state.ts does for
 * connections and nt/irp-state.ts for IRPs): a registration's phase (registration.ts), a pended
 * inspection's (inspect.ts) and a socket's lifecycle flags (socket-state.ts).
 *
 * The tables are the model's, not the driver's: a driver's misuse (a second WskDeregister, a
 * second WskInspectComplete, a call on a closed socket) is reported as a violation before the
 * state would change, and then it does not change. A failed assertion here is a bug in the model.
 * Each setter costs one table lookup; the message is built only on failure.
 */
import { assert } from '../sim/index.ts';

// ---- registration (registration.ts) ---------------------------------------------------------

/**
 * - registered: WskRegister succeeded; captures and calls may be made.
 * - deregistering: WskDeregister was called and waits for captures, IRPs and sockets (§1.2).
 * - deregistered: all of them are gone; the block is no longer registered.
 */
export type RegistrationPhase = 'registered' | 'deregistering' | 'deregistered';

export const REGISTRATION_TRANSITIONS: {
  readonly [from in RegistrationPhase]: readonly RegistrationPhase[];
} = {
  registered: ['deregistering'],
  deregistering: ['deregistered'],
  deregistered: [],
};

/** Every change of a registration's phase goes through here, asserted against the table. */
export function setRegistrationPhase(
  registration: { readonly phase: RegistrationPhase },
  next: RegistrationPhase,
): void {
  const from = registration.phase;
  if (!REGISTRATION_TRANSITIONS[from].includes(next)) {
    assert(false, `wsk: illegal registration transition ${from} → ${next}`);
  }
  (registration as { phase: RegistrationPhase }).phase = next;
}

// ---- inspection (inspect.ts) ----------------------------------------------------------------

/**
 * A request the driver answered WskInspectPend, and its outcome:
 * - pended: neither WskInspectComplete nor WskAbortEvent yet;
 * - decided: WskInspectComplete accepted or rejected it while pended;
 * - aborted: WskAbortEvent ran for it before any WskInspectComplete;
 * - finished: both happened (an accepted request aborted before delivery, or a complete for a
 *   request aborted meanwhile); nothing more can.
 */
export type InspectionPhase = 'pended' | 'decided' | 'aborted' | 'finished';

export const INSPECTION_TRANSITIONS: {
  readonly [from in InspectionPhase]: readonly InspectionPhase[];
} = {
  pended: ['decided', 'aborted'],
  decided: ['finished'],
  aborted: ['finished'],
  finished: [],
};

/** Every change of an inspection's phase goes through here, asserted against the table. */
export function setInspectionPhase(
  inspection: { readonly phase: InspectionPhase },
  next: InspectionPhase,
  socket: number,
  request: number,
): void {
  const from = inspection.phase;
  if (!INSPECTION_TRANSITIONS[from].includes(next)) {
    const which = `socket #${socket}, request ${request}`;
    assert(false, `wsk: illegal inspection transition ${from} → ${next} (${which})`);
  }
  (inspection as { phase: InspectionPhase }).phase = next;
}
