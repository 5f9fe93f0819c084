/**
 * Lifecycle tables of the WSK provider's records, each with the one setter its changes go
 * through, which asserts the move is in the table (docs/design.md#a-readable-tcp-state-machine, as
 * tcp/state.ts does for connections and nt/irp-state.ts for IRPs): a registration's phase
 * (registration.ts), a pended inspection's (inspect.ts) and a socket's lifecycle flags
 * (socket-state.ts).
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
 * - deregistering: WskDeregister was called and waits for captures, IRPs and sockets
 *   (docs/model.md#registration-and-capture).
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

/**
 * Every change of a registration's phase goes through here, asserted against the table; `now` is
 * the virtual time of the change, kept as its `stateSince` for the end-of-run report.
 */
export function setRegistrationPhase(
  registration: { readonly phase: RegistrationPhase; readonly stateSince: number },
  next: RegistrationPhase,
  now: number,
): void {
  const from = registration.phase;
  if (!REGISTRATION_TRANSITIONS[from].includes(next)) {
    assert(false, `wsk: illegal registration transition ${from} → ${next}`);
  }
  (registration as { phase: RegistrationPhase }).phase = next;
  (registration as { stateSince: number }).stateSince = now;
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

/**
 * Every change of an inspection's phase goes through here, asserted against the table; `now` is
 * the virtual time of the change, kept as its `stateSince`.
 */
export function setInspectionPhase(
  inspection: { readonly phase: InspectionPhase; readonly stateSince: number },
  next: InspectionPhase,
  socket: number,
  request: number,
  now: number,
): void {
  const from = inspection.phase;
  if (!INSPECTION_TRANSITIONS[from].includes(next)) {
    const which = `socket #${socket}, request ${request}`;
    assert(false, `wsk: illegal inspection transition ${from} → ${next} (${which})`);
  }
  (inspection as { phase: InspectionPhase }).phase = next;
  (inspection as { stateSince: number }).stateSince = now;
}

// ---- socket (socket-state.ts) ---------------------------------------------------------------

/** The lifecycle flags of a socket, packed in one number (SocketState): flag i is bit 1 << i. */
export const SOCKET_FLAGS = [
  'closed',
  'dead',
  'holdsPort',
  'listening',
  'connected',
  'deathIndicated',
] as const;
export type SocketFlag = (typeof SOCKET_FLAGS)[number];

export const CLOSED = 1;
export const DEAD = 2;
export const HOLDS_PORT = 4;
export const LISTENING = 8;
export const CONNECTED = 16;
export const DEATH_INDICATED = 32;

/** When a flag may go on, or off: the flags that must be on, and those that must be off. */
export interface FlagMove {
  readonly requires: number;
  readonly forbids: number;
}

const ANY: FlagMove = { requires: 0, forbids: 0 };

/**
 * The socket's table: a change of one flag, by the flags set when it happens (null: never). A
 * write that changes nothing is no move. A socket's states are the combinations this allows:
 * open (no flag), bound, listening, connected, dead, closed, and what they carry along.
 */
export const SOCKET_MOVES: {
  readonly [flag in SocketFlag]: { readonly set: FlagMove | null; readonly clear: FlagMove | null };
} = {
  // WskCloseSocket, or a socket never handed out retired (socket-core.ts): final.
  closed: { set: ANY, clear: null },
  // The transport invalidated an open socket (the fault verb): final until it closes.
  dead: { set: { requires: 0, forbids: CLOSED }, clear: null },
  // A bind of a live socket (or an exclusive listener's accepted one); given up only when the
  // listen that followed the bind failed. A closed socket keeps the flag, out of the table.
  holdsPort: {
    set: { requires: 0, forbids: CLOSED | DEAD },
    clear: { requires: 0, forbids: CLOSED },
  },
  // An open, live socket that is not connected starts listening; close or death stops it.
  listening: { set: { requires: 0, forbids: CLOSED | DEAD | CONNECTED }, clear: ANY },
  // The handshake of an open, live socket that does not listen completed; never undone.
  connected: { set: { requires: 0, forbids: CLOSED | DEAD | LISTENING }, clear: null },
  // A dead listening socket's NULL indication, delivered at most once.
  deathIndicated: { set: { requires: DEAD, forbids: CLOSED }, clear: null },
};

/** A flag that is never set: a move that requires it never happens. */
const NEVER = 1 << SOCKET_FLAGS.length;
/** SOCKET_MOVES flattened for the setter: index 2·i for clearing flag i, 2·i + 1 for setting. */
const REQUIRES = new Uint8Array(SOCKET_FLAGS.length * 2);
const FORBIDS = new Uint8Array(SOCKET_FLAGS.length * 2);
SOCKET_FLAGS.forEach((flag, i) => {
  const { set, clear } = SOCKET_MOVES[flag];
  REQUIRES[2 * i] = clear?.requires ?? NEVER;
  FORBIDS[2 * i] = clear?.forbids ?? 0;
  REQUIRES[2 * i + 1] = set?.requires ?? NEVER;
  FORBIDS[2 * i + 1] = set?.forbids ?? 0;
});

/** Whether turning `bit` on (or off) is legal for a socket whose flags are `flags`. */
export function isLegalSocketMove(flags: number, bit: number, on: boolean): boolean {
  const index = 2 * (31 - Math.clz32(bit)) + (on ? 1 : 0);
  const requires = REQUIRES[index] as number;
  return (flags & requires) === requires && (flags & (FORBIDS[index] as number)) === 0;
}

/** The flags set in `flags`, by name: '{closed, listening}'. */
export function socketFlagNames(flags: number): string {
  return `{${SOCKET_FLAGS.filter((_, i) => (flags & (1 << i)) !== 0).join(', ')}}`;
}

/** The assertion of an illegal socket move (SocketState's setter calls it only on failure). */
export function illegalSocketMove(socket: number, flags: number, bit: number, on: boolean): never {
  const flag = SOCKET_FLAGS[31 - Math.clz32(bit)];
  const move = `${on ? 'set' : 'clear'} ${flag} in ${socketFlagNames(flags)}`;
  assert(false, `wsk: illegal socket transition: ${move} (socket #${socket})`);
}
