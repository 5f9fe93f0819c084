/**
 * Model-based test of the WSK socket calls: fast-check drives random sequences of WskSocket,
 * WskBind, WskListen, WskConnect, WskAccept, WskGetLocalAddress / WskGetRemoteAddress,
 * WskControlSocket(SO_REUSEADDR), WskCloseSocket, IoFreeIrp / IoCancelIrp / IoReuseIrp and a
 * peer's TCP connect, valid and invalid, against a small reference model of sockets and IRPs.
 * For every call it checks the status returned, each IRP's final IoStatus.Status (and whether
 * Information is a socket), the order of completions, the addresses written, the open-socket
 * count, and, for misuse, the verifier rule that ends the run.
 *
 * The reference model's rules (docs/model.md):
 * - #categories, #provider-dispatch-tables: the Flags of WskSocket pick the category and its
 *   dispatch members; datagram → STATUS_NOT_SUPPORTED, other Flags → STATUS_INVALID_PARAMETER
 *   (README fidelity table).
 * - #rules-common-to-every-call, #inline-or-pending-completion: every call completes its IRP
 *   exactly once, inline (the call returns the IRP's status) or pended (STATUS_PENDING, completed
 *   later); both are run (pendingCompletions 0 / 1).
 * - #bind, #family-wildcard-and-ephemeral-ports, #address-sharing: bind twice or another family →
 *   STATUS_INVALID_PARAMETER; an address not the host's → STATUS_INVALID_ADDRESS_COMPONENT; port 0
 *   → the next ephemeral port; the sharing table for wildcard binds with no option or SO_REUSEADDR
 *   (none after anything and SO_REUSEADDR after none are conflicts); a listening socket listens
 *   once bound.
 * - #wsklisten, #wskconnect, #local-and-remote-addresses: WskListen / WskConnect / WskAccept on a
 *   socket not bound or in the other role → STATUS_INVALID_DEVICE_STATE; connect twice →
 *   STATUS_INVALID_PARAMETER; refused → STATUS_CONNECTION_REFUSED
 *   (#connect-and-connection-failures); addresses only when bound / connected.
 * - #wskaccept: WskAccept completes at once with a waiting connection (inline even with
 *   pendingCompletions 1: the policy acceptReadyPends, default 0), otherwise it is queued
 *   (FIFO).
 * - #socket-options-and-control: SO_REUSEADDR needs an IRP and must precede bind
 *   (STATUS_INVALID_PARAMETER after); basic sockets have no such option (STATUS_NOT_SUPPORTED).
 * - #wskclosesocket, #cancellation, #close-deregister-and-outstanding-irps: close cancels queued
 *   accepts (STATUS_CANCELLED, oldest first) before the close IRP completes; no call after close
 *   (WSK-CALL-AFTER-CLOSE); IoCancelIrp cancels a queued accept; the Cancel flag stays on a
 *   completed IRP until IoReuseIrp, so a reissued one is cancelled as soon as it pends cancellably.
 * - #obtaining-an-irp, #inline-or-pending-completion: an IRP must not be reused or freed before its
 *   completion routine ran (IRP-REUSED-WHILE-PENDING, IRP-FREED-WHILE-PENDING), nor used after
 *   IoFreeIrp (IRP-USE-AFTER-FREE, IRP-FREED-TWICE).
 * - README: two SO_REUSEADDR listeners of one address — the first to listen gets the
 *   connections, the next in bind order takes over when it closes.
 * - SO_REUSEADDR sharers once bound (binding.ts header: "Using SO_REUSEADDR and
 *   SO_EXCLUSIVEADDRUSE", the Winsock listen and connect pages): connections waiting in a
 *   listener's queue are the listener's, so they do not block a bind the table allows; a socket
 *   listens, and connects, on a port another sharer's connection or listener uses (only the
 *   4-tuple must be unique).
 *
 * Left out (the command's check() skips it or never generates it):
 * - IPv6 sockets, specific-address binds and SO_EXCLUSIVEADDRUSE (sharing.test.ts and
 *   socket-control.test.ts cover the table cell by cell); timing-dependent races (cancel of a
 *   pending connect): the simulation runs to quiescence after every command.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  IPPROTO_TCP,
  IRP,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  STATUS_ACCESS_DENIED,
  STATUS_ADDRESS_ALREADY_EXISTS,
  STATUS_CANCELLED,
  STATUS_CONNECTION_REFUSED,
  STATUS_INVALID_ADDRESS_COMPONENT,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SUPPORTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  WSK_FLAG_BASIC_SOCKET,
  WSK_FLAG_CONNECTION_SOCKET,
  WSK_FLAG_DATAGRAM_SOCKET,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_FLAG_STREAM_SOCKET,
  WSK_SOCKET,
  WskSetOption,
  sockaddr,
  statusName,
  STATUS_MORE_PROCESSING_REQUIRED,
  type IO_COMPLETION_ROUTINE,
  type NTSTATUS,
  type PWSK_SOCKET,
  type SOCKADDR,
  type WSK_PROVIDER_STREAM_DISPATCH,
} from '../../src/wsk/index.ts';
import type { TcpConnection } from '../../src/tcp/index.ts';
import { world, type World } from './support.ts';

/**
 * The fixed port binds may share (docs/model.md#address-sharing) and the ports of the peer host.
 */
const FIXED_PORT = 5000;
const PEER_OPEN_PORT = 80;
const PEER_CLOSED_PORT = 81;
const SERVER_ADDRESS = '10.0.0.2';
const PEER_ADDRESS = '10.0.0.1';

/** The fixed fast-check seed (WSK_MODEL_SEED overrides it locally), runs, sequence length. */
const SEED = 20240611;
const NUM_RUNS = 200;
const MAX_COMMANDS = 40;

type Category = 'basic' | 'listen' | 'connection' | 'stream';
type Member =
  | 'WskControlSocket'
  | 'WskCloseSocket'
  | 'WskBind'
  | 'WskAccept'
  | 'WskConnect'
  | 'WskListen'
  | 'WskInspectComplete'
  | 'WskGetLocalAddress'
  | 'WskGetRemoteAddress';

/**
 * The provider dispatch of each category (docs/model.md#provider-dispatch-tables, the members the
 * model implements).
 */
const MEMBERS: Record<Category, readonly Member[]> = {
  basic: ['WskControlSocket', 'WskCloseSocket'],
  listen: [
    'WskControlSocket', 'WskCloseSocket', 'WskBind', 'WskAccept', 'WskInspectComplete',
    'WskGetLocalAddress',
  ],
  connection: [
    'WskControlSocket', 'WskCloseSocket', 'WskBind', 'WskConnect', 'WskGetLocalAddress',
    'WskGetRemoteAddress',
  ],
  stream: [
    'WskControlSocket', 'WskCloseSocket', 'WskBind', 'WskAccept', 'WskConnect', 'WskListen',
    'WskGetLocalAddress', 'WskGetRemoteAddress',
  ],
};

/** The full provider tables in wsk.h order: MEMBERS plus the data path, which this model skips. */
const DATA = ['WskSend', 'WskReceive', 'WskDisconnect', 'WskRelease'];
const TABLES: Record<Category, readonly string[]> = {
  basic: MEMBERS.basic,
  listen: MEMBERS.listen,
  connection: [...MEMBERS.connection, ...DATA],
  stream: [...MEMBERS.stream.slice(0, 6), ...DATA, ...MEMBERS.stream.slice(6)],
};

const CATEGORY_OF_FLAGS: Record<number, Category> = {
  [WSK_FLAG_BASIC_SOCKET]: 'basic',
  [WSK_FLAG_LISTEN_SOCKET]: 'listen',
  [WSK_FLAG_CONNECTION_SOCKET]: 'connection',
  [WSK_FLAG_STREAM_SOCKET]: 'stream',
};

// ---- the reference model ----------------------------------------------------------------------

interface MIrp {
  readonly real: IRP;
  readonly name: string;
  state: 'completed' | 'pending' | 'freed';
  /** The final status once completed. */
  status: NTSTATUS;
  /** Information is a WSK_SOCKET (WskSocket, WskAccept). */
  socket: boolean;
  /** Completion-routine calls so far. */
  calls: number;
  /** IoCancelIrp set Irp.Cancel; only IoReuseIrp clears it. */
  cancelFlag: boolean;
}

interface MSocket {
  readonly real: PWSK_SOCKET;
  readonly category: Category;
  readonly accepted: boolean;
  closed: boolean;
  reuse: boolean;
  /** Bound port (wildcard address), in bind order `bindSeq`; accepted: the listener's port. */
  port: number | null;
  bindSeq: number;
  /**
   * Stream commitment (docs/model.md#wsklisten); a connection socket's connect sets 'connection'
   * too.
   */
  role: 'listen' | 'connection' | null;
  listening: boolean;
  /** Holds the TCP listener of its port (false for a sharer that waits its turn). */
  active: boolean;
  /** Peer ports of connections waiting for WskAccept (active listeners only). */
  ready: number[];
  /** Queued WskAccept IRPs, oldest first. */
  accepts: MIrp[];
  /** Connection attempt: none, established, or failed / cancelled. */
  conn: 'connected' | 'failed' | null;
  remotePort: number;
}

interface Model {
  sockets: MSocket[];
  irps: MIrp[];
  bindSeq: number;
  ephemeral: number;
  /** A violation ended the run: no further command. */
  stopped: boolean;
}

interface Real {
  w: World;
  /** The kernel option pendingCompletions: 0 (inline) or 1 (every known result pends). */
  pending: number;
  routine: IO_COMPLETION_ROUTINE;
  /** Completion-routine calls per IRP, and '<name> <status>' per completion. */
  calls: Map<IRP, number>;
  log: string[];
  /** Log lines checked so far. */
  logged: number;
}

/** What a call is predicted to do. */
type Outcome =
  | { kind: 'violation'; rule: string }
  /**
   * Known at the call: inline, or pended with pendingCompletions 1 unless `inline` (WskAccept
   * with a connection waiting completes at once whatever pendingCompletions is: acceptReadyPends).
   */
  | { kind: 'now'; status: NTSTATUS; socket?: boolean; inline?: boolean }
  /** Completes after the network (connect). */
  | { kind: 'later'; status: NTSTATUS }
  /** Pends until an event the model will drive (a queued accept). */
  | { kind: 'queued' };

const open = (s: MSocket): boolean => !s.closed;

function holders(m: Model, port: number): MSocket[] {
  return m.sockets
    .filter((s) => open(s) && !s.accepted && s.port === port)
    .sort((a, b) => a.bindSeq - b.bindSeq);
}

function activeListener(m: Model, port: number): MSocket | undefined {
  return m.sockets.find((s) => open(s) && s.active && s.port === port);
}

/**
 * docs/model.md#address-sharing for two wildcard binds of one family: rows second, columns first.
 */
function shareCell(first: MSocket, secondReuse: boolean): NTSTATUS {
  if (!secondReuse) return STATUS_ADDRESS_ALREADY_EXISTS; // none after none / after REUSEADDR
  return first.reuse ? STATUS_SUCCESS : STATUS_ACCESS_DENIED; // REUSEADDR after none: DENIED
}

// ---- choices a command carries (resolved against the model when it runs) --------------------

/** A socket: index (newest first) into the open sockets that have `member`, or all of them. */
interface SocketPick {
  readonly index: number;
  readonly closedToo: boolean;
}
/** An IRP: a fresh one, or one the test holds (passed as is, or after IoReuseIrp). */
interface IrpPick {
  readonly kind: 'fresh' | 'any' | 'pending';
  readonly index: number;
  readonly viaReuse: boolean;
}

/** Index 0 is the newest candidate: calls on one socket chain up (socket, bind, listen...). */
const socketPick: fc.Arbitrary<SocketPick> = fc.record({
  index: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.nat(31) },
  ),
  closedToo: fc.oneof(
    { weight: 12, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});
const irpPick: fc.Arbitrary<IrpPick> = fc.record({
  kind: fc.oneof(
    { weight: 16, arbitrary: fc.constant('fresh' as const) },
    { weight: 3, arbitrary: fc.constant('any' as const) },
    { weight: 1, arbitrary: fc.constant('pending' as const) },
  ),
  index: fc.nat(31),
  viaReuse: fc.boolean(),
});

function pickSocket(m: Model, pick: SocketPick, member: Member): MSocket | undefined {
  const have = m.sockets.filter((s) => MEMBERS[s.category].includes(member)).reverse();
  const pool = pick.closedToo ? have : have.filter(open);
  return pool.length === 0 ? undefined : pool[pick.index % pool.length];
}

function pickIrp(m: Model, pick: { kind: IrpPick['kind']; index: number }): MIrp | undefined {
  if (pick.kind === 'fresh') return undefined;
  const pool = pick.kind === 'pending' ? m.irps.filter((i) => i.state === 'pending') : m.irps;
  return pool.length === 0 ? undefined : pool[pick.index % pool.length];
}

/** The violation of taking `irp` (IoReuseIrp first, or passing it to the call). */
function irpViolation(irp: MIrp | undefined): string | null {
  if (irp === undefined) return null;
  if (irp.state === 'pending') return 'IRP-REUSED-WHILE-PENDING';
  if (irp.state === 'freed') return 'IRP-USE-AFTER-FREE';
  return null;
}

// ---- running a call and checking it ------------------------------------------------------------

function serverOf(r: Real) {
  return r.w.server;
}

/** The completion routine of every IRP the test allocates: counts calls, logs the status. */
function routineOf(r: Real): IO_COMPLETION_ROUTINE {
  return (_device, Irp, Context) => {
    r.calls.set(Irp, (r.calls.get(Irp) ?? 0) + 1);
    r.log.push(`${String(Context)} ${statusName(Irp.IoStatus.Status)}`);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
}

/**
 * Gets the IRP for a call: a fresh one, or one the test holds, passed as is or after
 * IoReuseIrp and IoSetCompletionRoutine (docs/model.md#obtaining-an-irp, KSOCKET's pattern). False
 * for `made` when IoReuseIrp raised a violation: the call is not made.
 */
function takeIrp(m: Model, r: Real, pick: IrpPick): { irp: MIrp; made: boolean } {
  const held = pickIrp(m, pick);
  const k = serverOf(r).k;
  if (held === undefined) {
    const name = `irp${m.irps.length + 1}`;
    const real = k.IoAllocateIrp(1, false) as IRP;
    k.IoSetCompletionRoutine(real, r.routine, name, true, true, true);
    const irp: MIrp = {
      real,
      name,
      state: 'completed',
      status: STATUS_SUCCESS,
      socket: false,
      calls: 0,
      cancelFlag: false,
    };
    m.irps.push(irp);
    return { irp, made: true };
  }
  if (!pick.viaReuse) return { irp: held, made: true };
  k.IoReuseIrp(held.real, STATUS_UNSUCCESSFUL);
  if (held.state !== 'completed') return { irp: held, made: false };
  held.cancelFlag = false;
  k.IoSetCompletionRoutine(held.real, r.routine, held.name, true, true, true);
  return { irp: held, made: true };
}

function completed(irp: MIrp, status: NTSTATUS, socket = false): void {
  irp.state = 'completed';
  irp.status = status;
  irp.socket = socket;
  irp.calls++;
}

/**
 * Checks a call's return against `outcome`, runs the simulation to quiescence, and checks
 * every IRP and the completion order (`expected`: names and statuses completed meanwhile).
 */
async function settle(
  m: Model,
  r: Real,
  irp: MIrp | null,
  returned: NTSTATUS,
  outcome: Outcome,
  expected: string[],
  after: () => void = () => {},
): Promise<void> {
  const k = serverOf(r).k;
  if (outcome.kind === 'violation') {
    expect(k.violations.at(-1)?.rule).toBe(outcome.rule);
    expect(k.violations).toHaveLength(1);
    const run = await r.w.sim.run();
    expect(run.status).toBe('failed');
    expect(run.failure?.kind).toBe('violation');
    m.stopped = true;
    return;
  }
  if (outcome.kind === 'now') {
    expect(statusName(returned)).toBe(
      statusName(
        r.pending === 1 && irp !== null && outcome.inline !== true
          ? STATUS_PENDING
          : outcome.status,
      ),
    );
  } else {
    expect(statusName(returned)).toBe('STATUS_PENDING');
  }
  const run = await r.w.sim.run();
  expect(run.status).toBe('quiescent');
  after();
  checkAll(m, r, expected);
}

/** Every IRP the test holds, the log of completions, open sockets, no violation. */
function checkAll(m: Model, r: Real, expected: string[]): void {
  const d = serverOf(r);
  expect(d.k.violations).toEqual([]);
  const log = r.log.slice(r.logged);
  r.logged = r.log.length;
  expect(log).toEqual(expected);
  for (const irp of m.irps) {
    expect(r.calls.get(irp.real) ?? 0, irp.name).toBe(irp.calls);
    if (irp.state === 'pending') {
      expect(statusName(irp.real.IoStatus.Status), irp.name).toBe('STATUS_PENDING');
    } else if (irp.calls > 0) {
      expect(statusName(irp.real.IoStatus.Status), irp.name).toBe(statusName(irp.status));
      expect(irp.real.IoStatus.Information instanceof WSK_SOCKET, irp.name).toBe(irp.socket);
    }
  }
  expect(d.k.wsk.sockets.openSockets).toBe(m.sockets.filter(open).length);
}

/**
 * A call's common prefix: IoReuseIrp of a held IRP comes first; then, for a socket-level call,
 * the closed socket (docs/model.md#wskclosesocket), then the IRP the call takes
 * (#inline-or-pending-completion).
 */
function entry(m: Model, s: MSocket | null, pick: IrpPick | null): Outcome | null {
  const rule = pick === null ? null : irpViolation(pickIrp(m, pick));
  if (rule !== null && pick?.viaReuse === true) return { kind: 'violation', rule };
  if (s?.closed === true) return { kind: 'violation', rule: 'WSK-CALL-AFTER-CLOSE' };
  return rule === null ? null : { kind: 'violation', rule };
}

function dispatch(s: MSocket): WSK_PROVIDER_STREAM_DISPATCH {
  return s.real.Dispatch as WSK_PROVIDER_STREAM_DISPATCH;
}

function newSocket(real: PWSK_SOCKET, category: Category, accepted: boolean): MSocket {
  expect(Object.keys(real.Dispatch)).toEqual(TABLES[category]);
  return {
    real,
    category,
    accepted,
    closed: false,
    reuse: false,
    port: null,
    bindSeq: 0,
    role: null,
    listening: false,
    active: false,
    ready: [],
    accepts: [],
    conn: null,
    remotePort: 0,
  };
}

/** The socket an accept hands out for the oldest waiting peer (docs/model.md#wskaccept). */
function acceptedSocket(m: Model, listen: MSocket, irp: MIrp, peerPort: number): void {
  const real = irp.real.IoStatus.Information as PWSK_SOCKET;
  expect(real).toBeInstanceOf(WSK_SOCKET);
  const s = newSocket(real, 'connection', true);
  s.port = listen.port;
  s.conn = 'connected';
  s.remotePort = peerPort;
  m.sockets.push(s);
}

/** `s` starts listening on its port: the TCP listener, or its turn after the current one. */
function startListening(m: Model, s: MSocket): void {
  s.listening = true;
  s.active = activeListener(m, s.port as number) === undefined;
}

// ---- commands ----------------------------------------------------------------------------------

type Cmd = fc.AsyncCommand<Model, Real>;

abstract class Base implements Cmd {
  check(m: Readonly<Model>): boolean {
    return !m.stopped && this.possible(m as Model);
  }
  abstract possible(m: Model): boolean;
  abstract run(m: Model, r: Real): Promise<void>;
  abstract toString(): string;
}

interface Performed {
  irp: MIrp;
  returned: NTSTATUS;
}

/**
 * Takes the IRP and makes the call. On a predicted violation, checks it and returns null (the
 * call is not made when IoReuseIrp already raised it).
 */
async function perform(
  m: Model,
  r: Real,
  pick: IrpPick,
  outcome: Outcome,
  call: (Irp: IRP) => NTSTATUS,
): Promise<Performed | null> {
  const { irp, made } = takeIrp(m, r, pick);
  const returned = made ? call(irp.real) : STATUS_UNSUCCESSFUL;
  if (outcome.kind !== 'violation') return { irp, returned };
  await settle(m, r, irp, returned, outcome, []);
  return null;
}

/** A call whose result is known at the call: its IRP completes with `status`, nothing else. */
async function simple(
  m: Model,
  r: Real,
  pick: IrpPick,
  outcome: Outcome,
  call: (Irp: IRP) => NTSTATUS,
  after: (irp: MIrp) => void = () => {},
): Promise<MIrp | null> {
  const done = await perform(m, r, pick, outcome, call);
  if (done === null || outcome.kind !== 'now') return null;
  const irp = done.irp;
  completed(irp, outcome.status, outcome.socket === true);
  const line = `${irp.name} ${statusName(outcome.status)}`;
  await settle(m, r, irp, done.returned, outcome, [line], () => after(irp));
  return irp;
}

type Plan = { s: MSocket; outcome: Outcome } | null;

function now(s: MSocket, status: NTSTATUS): Plan {
  return { s, outcome: { kind: 'now', status } };
}

class SocketCmd extends Base {
  readonly flags: number;
  readonly irp: IrpPick;

  constructor(flags: number, irp: IrpPick) {
    super();
    this.flags = flags;
    this.irp = irp;
  }
  possible(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const d = serverOf(r);
    const category = CATEGORY_OF_FLAGS[this.flags];
    // docs/model.md#categories; datagram sockets are not modelled yet (README).
    const status =
      category !== undefined
        ? STATUS_SUCCESS
        : this.flags === WSK_FLAG_DATAGRAM_SOCKET
          ? STATUS_NOT_SUPPORTED
          : STATUS_INVALID_PARAMETER;
    const outcome: Outcome = entry(m, null, this.irp) ?? {
      kind: 'now',
      status,
      socket: category !== undefined,
    };
    await simple(
      m, r, this.irp, outcome,
      (Irp) =>
        d.Dispatch.WskSocket(
          d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, this.flags, null, null, null, null,
          null, Irp,
        ),
      (irp) => {
        if (category === undefined) return;
        m.sockets.push(newSocket(irp.real.IoStatus.Information as PWSK_SOCKET, category, false));
      },
    );
  }
  toString(): string {
    return `WskSocket(0x${this.flags.toString(16)}, ${irpText(this.irp)})`;
  }
}

type BindAddress = 'port0' | 'fixed' | 'ipv6' | 'not-local';
const BIND_TEXT: Record<BindAddress, string> = {
  port0: '0.0.0.0:0',
  fixed: `0.0.0.0:${FIXED_PORT}`,
  ipv6: `[::]:${FIXED_PORT}`,
  'not-local': `10.9.9.9:${FIXED_PORT}`,
};

class BindCmd extends Base {
  readonly socket: SocketPick;
  readonly address: BindAddress;
  readonly flags: number;
  readonly irp: IrpPick;

  constructor(socket: SocketPick, address: BindAddress, flags: number, irp: IrpPick) {
    super();
    this.socket = socket;
    this.address = address;
    this.flags = flags;
    this.irp = irp;
  }
  /** The outcome, or null when there is no socket to call it on. */
  plan(m: Model): Plan {
    const s = pickSocket(m, this.socket, 'WskBind');
    if (s === undefined) return null;
    const early = entry(m, s, this.irp);
    if (early !== null) return { s, outcome: early };
    if (this.flags !== 0 || s.port !== null || this.address === 'ipv6') {
      return now(s, STATUS_INVALID_PARAMETER);
    }
    if (this.address === 'not-local') return now(s, STATUS_INVALID_ADDRESS_COMPONENT);
    if (this.address === 'fixed') {
      for (const first of holders(m, FIXED_PORT)) {
        const cell = shareCell(first, s.reuse);
        if (cell !== STATUS_SUCCESS) return now(s, cell);
      }
    }
    return now(s, STATUS_SUCCESS);
  }
  possible(m: Model): boolean {
    return this.plan(m) !== null;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { s, outcome } = this.plan(m) as NonNullable<Plan>;
    const address = sockaddr(BIND_TEXT[this.address]);
    if (outcome.kind === 'now' && outcome.status === STATUS_SUCCESS) {
      s.port = this.address === 'port0' ? 49152 + m.ephemeral++ : FIXED_PORT;
      s.bindSeq = ++m.bindSeq;
      // A listening socket listens once bound (docs/model.md#bind).
      if (s.category === 'listen') startListening(m, s);
    }
    await simple(m, r, this.irp, outcome, (Irp) =>
      dispatch(s).WskBind(s.real, address, this.flags, Irp),
    );
  }
  toString(): string {
    const irp = irpText(this.irp);
    return `WskBind(${sockText(this.socket)}, ${this.address}, ${this.flags}, ${irp})`;
  }
}

class ListenCmd extends Base {
  readonly socket: SocketPick;
  readonly irp: IrpPick;

  constructor(socket: SocketPick, irp: IrpPick) {
    super();
    this.socket = socket;
    this.irp = irp;
  }
  plan(m: Model): Plan {
    const s = pickSocket(m, this.socket, 'WskListen');
    if (s === undefined) return null;
    const early = entry(m, s, this.irp);
    if (early !== null) return { s, outcome: early };
    if (s.port === null || s.role !== null) return now(s, STATUS_INVALID_DEVICE_STATE);
    return now(s, STATUS_SUCCESS);
  }
  possible(m: Model): boolean {
    return this.plan(m) !== null;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { s, outcome } = this.plan(m) as NonNullable<Plan>;
    if (outcome.kind === 'now' && outcome.status === STATUS_SUCCESS) {
      s.role = 'listen';
      startListening(m, s);
    }
    await simple(m, r, this.irp, outcome, (Irp) => dispatch(s).WskListen(s.real, Irp));
  }
  toString(): string {
    return `WskListen(${sockText(this.socket)}, ${irpText(this.irp)})`;
  }
}

type ConnectTarget = 'open' | 'closed' | 'ipv6';
const CONNECT_TEXT: Record<ConnectTarget, string> = {
  open: `${PEER_ADDRESS}:${PEER_OPEN_PORT}`,
  closed: `${PEER_ADDRESS}:${PEER_CLOSED_PORT}`,
  ipv6: `[fd00::1]:${PEER_OPEN_PORT}`,
};

class ConnectCmd extends Base {
  readonly socket: SocketPick;
  readonly target: ConnectTarget;
  readonly irp: IrpPick;

  constructor(socket: SocketPick, target: ConnectTarget, irp: IrpPick) {
    super();
    this.socket = socket;
    this.target = target;
    this.irp = irp;
  }
  plan(m: Model): Plan {
    const s = pickSocket(m, this.socket, 'WskConnect');
    if (s === undefined) return null;
    const early = entry(m, s, this.irp);
    if (early !== null) return { s, outcome: early };
    if (s.role === 'listen' || s.port === null) return now(s, STATUS_INVALID_DEVICE_STATE);
    if (s.conn !== null || this.target === 'ipv6') return now(s, STATUS_INVALID_PARAMETER);
    const port = this.target === 'open' ? PEER_OPEN_PORT : PEER_CLOSED_PORT;
    const twin = m.sockets.find(
      (o) =>
        o !== s && open(o) && !o.accepted && o.port === s.port && o.conn === 'connected' &&
        o.remotePort === port,
    );
    // TCP: the 4-tuple must be unique.
    if (twin !== undefined) return now(s, STATUS_ADDRESS_ALREADY_EXISTS);
    const held = pickIrp(m, this.irp);
    // A reissued IRP that IoCancelIrp flagged is cancelled as soon as it pends
    // (docs/model.md#cancellation).
    const status =
      held?.cancelFlag === true && !this.irp.viaReuse
        ? STATUS_CANCELLED
        : this.target === 'open'
          ? STATUS_SUCCESS
          : STATUS_CONNECTION_REFUSED;
    return { s, outcome: { kind: 'later', status } };
  }
  possible(m: Model): boolean {
    return this.plan(m) !== null;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { s, outcome } = this.plan(m) as NonNullable<Plan>;
    const remote = sockaddr(CONNECT_TEXT[this.target]);
    const call = (Irp: IRP) => dispatch(s).WskConnect(s.real, remote, 0, Irp);
    if (outcome.kind !== 'later') {
      await simple(m, r, this.irp, outcome, call);
      return;
    }
    const done = (await perform(m, r, this.irp, outcome, call)) as Performed;
    s.role = 'connection';
    s.conn = outcome.status === STATUS_SUCCESS ? 'connected' : 'failed';
    s.remotePort = this.target === 'open' ? PEER_OPEN_PORT : PEER_CLOSED_PORT;
    completed(done.irp, outcome.status);
    const line = `${done.irp.name} ${statusName(outcome.status)}`;
    await settle(m, r, done.irp, done.returned, outcome, [line]);
  }
  toString(): string {
    return `WskConnect(${sockText(this.socket)}, ${this.target}, ${irpText(this.irp)})`;
  }
}

class AcceptCmd extends Base {
  readonly socket: SocketPick;
  readonly irp: IrpPick;

  constructor(socket: SocketPick, irp: IrpPick) {
    super();
    this.socket = socket;
    this.irp = irp;
  }
  plan(m: Model): Plan {
    const s = pickSocket(m, this.socket, 'WskAccept');
    if (s === undefined) return null;
    const early = entry(m, s, this.irp);
    if (early !== null) return { s, outcome: early };
    if (!s.listening) return now(s, STATUS_INVALID_DEVICE_STATE);
    if (s.ready.length > 0 && s.accepts.length === 0) {
      return { s, outcome: { kind: 'now', status: STATUS_SUCCESS, socket: true, inline: true } };
    }
    return { s, outcome: { kind: 'queued' } };
  }
  possible(m: Model): boolean {
    return this.plan(m) !== null;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { s, outcome } = this.plan(m) as NonNullable<Plan>;
    const call = (Irp: IRP) => dispatch(s).WskAccept(s.real, 0, null, null, null, null, Irp);
    if (outcome.kind !== 'queued') {
      await simple(m, r, this.irp, outcome, call, (irp) => {
        if (irp.socket) acceptedSocket(m, s, irp, s.ready.shift() as number);
      });
      return;
    }
    const done = (await perform(m, r, this.irp, outcome, call)) as Performed;
    const expected: string[] = [];
    if (done.irp.cancelFlag) {
      // Irp.Cancel is still set by an IoCancelIrp: cancelled as soon as it is queued
      // (docs/model.md#cancellation).
      completed(done.irp, STATUS_CANCELLED);
      expected.push(`${done.irp.name} STATUS_CANCELLED`);
    } else {
      done.irp.state = 'pending';
      s.accepts.push(done.irp);
    }
    await settle(m, r, done.irp, done.returned, outcome, expected);
  }
  toString(): string {
    return `WskAccept(${sockText(this.socket)}, ${irpText(this.irp)})`;
  }
}

class AddressCmd extends Base {
  readonly remote: boolean;
  readonly socket: SocketPick;
  readonly irp: IrpPick;

  constructor(remote: boolean, socket: SocketPick, irp: IrpPick) {
    super();
    this.remote = remote;
    this.socket = socket;
    this.irp = irp;
  }
  /**
   * docs/model.md#local-and-remote-addresses: the address text, or null for
   * STATUS_INVALID_DEVICE_STATE.
   */
  address(s: MSocket): string | null {
    if (this.remote) return s.conn === 'connected' ? `${PEER_ADDRESS}:${s.remotePort}` : null;
    if (s.conn === 'connected') return `${SERVER_ADDRESS}:${s.port}`;
    return s.port === null ? null : `0.0.0.0:${s.port}`;
  }
  plan(m: Model): Plan {
    const member = this.remote ? 'WskGetRemoteAddress' : 'WskGetLocalAddress';
    const s = pickSocket(m, this.socket, member);
    if (s === undefined) return null;
    const early = entry(m, s, this.irp);
    if (early !== null) return { s, outcome: early };
    return now(s, this.address(s) === null ? STATUS_INVALID_DEVICE_STATE : STATUS_SUCCESS);
  }
  possible(m: Model): boolean {
    return this.plan(m) !== null;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { s, outcome } = this.plan(m) as NonNullable<Plan>;
    const text = this.address(s);
    const buffer: SOCKADDR = sockaddr('0.0.0.0:0');
    const d = dispatch(s);
    const irp = await simple(m, r, this.irp, outcome, (Irp) =>
      this.remote
        ? d.WskGetRemoteAddress(s.real, buffer, Irp)
        : d.WskGetLocalAddress(s.real, buffer, Irp),
    );
    if (irp !== null) expect(buffer).toEqual(sockaddr(text ?? '0.0.0.0:0'));
  }
  toString(): string {
    const name = this.remote ? 'WskGetRemoteAddress' : 'WskGetLocalAddress';
    return `${name}(${sockText(this.socket)}, ${irpText(this.irp)})`;
  }
}

class ReuseAddrCmd extends Base {
  readonly socket: SocketPick;
  readonly value: number;
  readonly withIrp: boolean;
  readonly irp: IrpPick;

  constructor(socket: SocketPick, value: number, withIrp: boolean, irp: IrpPick) {
    super();
    this.socket = socket;
    this.value = value;
    this.withIrp = withIrp;
    this.irp = irp;
  }
  plan(m: Model): Plan {
    const s = pickSocket(m, this.socket, 'WskControlSocket');
    if (s === undefined) return null;
    const early = entry(m, s, this.withIrp ? this.irp : null);
    if (early !== null) return { s, outcome: early };
    // docs/model.md#socket-options-and-control: not an option of basic sockets; IRP required;
    // before bind.
    if (s.category === 'basic') return now(s, STATUS_NOT_SUPPORTED);
    if (!this.withIrp || s.port !== null) return now(s, STATUS_INVALID_PARAMETER);
    return now(s, STATUS_SUCCESS);
  }
  possible(m: Model): boolean {
    return this.plan(m) !== null;
  }
  async run(m: Model, r: Real): Promise<void> {
    const { s, outcome } = this.plan(m) as NonNullable<Plan>;
    const call = (Irp: IRP | null) =>
      dispatch(s).WskControlSocket(
        s.real, WskSetOption, SO_REUSEADDR, SOL_SOCKET, 4, { value: this.value }, 0, null, null,
        Irp,
      );
    if (outcome.kind === 'now' && outcome.status === STATUS_SUCCESS) s.reuse = this.value !== 0;
    if (this.withIrp) {
      await simple(m, r, this.irp, outcome, call);
      return;
    }
    // No IRP: the status is the return value (docs/model.md#socket-options-and-control).
    await settle(m, r, null, call(null), outcome, []);
  }
  toString(): string {
    const irp = this.withIrp ? irpText(this.irp) : 'NULL';
    return `SO_REUSEADDR=${this.value}(${sockText(this.socket)}, ${irp})`;
  }
}

class CloseCmd extends Base {
  readonly socket: SocketPick;
  readonly irp: IrpPick;

  constructor(socket: SocketPick, irp: IrpPick) {
    super();
    this.socket = socket;
    this.irp = irp;
  }
  possible(m: Model): boolean {
    return pickSocket(m, this.socket, 'WskCloseSocket') !== undefined;
  }
  async run(m: Model, r: Real): Promise<void> {
    const s = pickSocket(m, this.socket, 'WskCloseSocket') as MSocket;
    const outcome: Outcome = entry(m, s, this.irp) ?? { kind: 'now', status: STATUS_SUCCESS };
    const done = await perform(m, r, this.irp, outcome, (Irp) =>
      dispatch(s).WskCloseSocket(s.real, Irp),
    );
    if (done === null) return;
    // docs/model.md#wskclosesocket: queued accepts complete STATUS_CANCELLED, oldest first, then
    // the close.
    const expected: string[] = [];
    for (const queued of s.accepts.splice(0)) {
      completed(queued, STATUS_CANCELLED);
      expected.push(`${queued.name} STATUS_CANCELLED`);
    }
    expected.push(`${done.irp.name} STATUS_SUCCESS`);
    completed(done.irp, STATUS_SUCCESS);
    const wasActive = s.active;
    s.closed = true;
    s.active = false;
    s.listening = false;
    s.ready = [];
    if (wasActive && s.port !== null) {
      // README: the next sharer of the address, in bind order, takes the listener over.
      const next = holders(m, s.port).find((o) => o.listening);
      if (next !== undefined) next.active = true;
    }
    await settle(m, r, done.irp, done.returned, outcome, expected);
  }
  toString(): string {
    return `WskCloseSocket(${sockText(this.socket)}, ${irpText(this.irp)})`;
  }
}

/**
 * A run of the calls above on the newest socket with fresh IRPs (socket, SO_REUSEADDR, bind,
 * then listen or connect): each step is checked and predicted on its own; it only makes deep
 * states (listeners with queued accepts, connections) common in short sequences.
 */
class ChainCmd extends Base {
  readonly steps: readonly Base[];

  constructor(steps: readonly Base[]) {
    super();
    this.steps = steps;
  }
  possible(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    for (const step of this.steps) {
      if (step.check(m)) await step.run(m, r);
    }
  }
  toString(): string {
    return `[${this.steps.map(String).join('; ')}]`;
  }
}

/** The peer host connects to a port of the server (its listener, or nothing there). */
class PeerConnectCmd extends Base {
  readonly index: number;

  constructor(index: number) {
    super();
    this.index = index;
  }
  port(m: Model): number {
    const ports = [FIXED_PORT, ...m.sockets.filter((s) => s.port !== null && !s.accepted)
      .map((s) => s.port as number)];
    return ports[this.index % ports.length] as number;
  }
  possible(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const port = this.port(m);
    const result = r.w.sim.tcp('client').connect({ remote: { address: SERVER_ADDRESS, port } });
    if (!result.ok) throw new Error(`peer connect: ${result.error}`);
    const connection: TcpConnection = result.connection;
    const listener = activeListener(m, port);
    const expected: string[] = [];
    let taken: MIrp | undefined;
    if (listener !== undefined) {
      taken = listener.accepts.shift();
      if (taken !== undefined) {
        completed(taken, STATUS_SUCCESS, true);
        expected.push(`${taken.name} STATUS_SUCCESS`);
      } else listener.ready.push(connection.localPort);
    }
    const run = await r.w.sim.run();
    expect(run.status).toBe('quiescent');
    expect(connection.outcome).toBe(listener === undefined ? 'refused' : null);
    if (listener !== undefined && taken !== undefined) {
      acceptedSocket(m, listener, taken, connection.localPort);
    }
    checkAll(m, r, expected);
  }
  toString(): string {
    return `PeerConnect(${this.index})`;
  }
}

class FreeIrpCmd extends Base {
  readonly pick: { kind: 'any' | 'pending'; index: number };

  constructor(pick: { kind: 'any' | 'pending'; index: number }) {
    super();
    this.pick = pick;
  }
  possible(m: Model): boolean {
    return pickIrp(m, this.pick) !== undefined;
  }
  async run(m: Model, r: Real): Promise<void> {
    const irp = pickIrp(m, this.pick) as MIrp;
    const rule =
      irp.state === 'pending'
        ? 'IRP-FREED-WHILE-PENDING'
        : irp.state === 'freed'
          ? 'IRP-FREED-TWICE'
          : null;
    serverOf(r).k.IoFreeIrp(irp.real);
    if (rule !== null) return settle(m, r, null, 0 as NTSTATUS, { kind: 'violation', rule }, []);
    irp.state = 'freed';
    checkAll(m, r, []);
  }
  toString(): string {
    return `IoFreeIrp(${this.pick.kind} ${this.pick.index})`;
  }
}

class CancelIrpCmd extends Base {
  readonly pick: { kind: 'any' | 'pending'; index: number };

  constructor(pick: { kind: 'any' | 'pending'; index: number }) {
    super();
    this.pick = pick;
  }
  possible(m: Model): boolean {
    return pickIrp(m, this.pick) !== undefined;
  }
  async run(m: Model, r: Real): Promise<void> {
    const irp = pickIrp(m, this.pick) as MIrp;
    const cancelled = serverOf(r).k.IoCancelIrp(irp.real);
    if (irp.state === 'freed') {
      const outcome: Outcome = { kind: 'violation', rule: 'IRP-USE-AFTER-FREE' };
      return settle(m, r, null, 0 as NTSTATUS, outcome, []);
    }
    irp.cancelFlag = true;
    // Only queued accepts are pending between commands; they are cancellable
    // (docs/model.md#cancellation).
    expect(cancelled).toBe(irp.state === 'pending');
    const expected: string[] = [];
    if (irp.state === 'pending') {
      for (const s of m.sockets) s.accepts = s.accepts.filter((queued) => queued !== irp);
      completed(irp, STATUS_CANCELLED);
      expected.push(`${irp.name} STATUS_CANCELLED`);
    }
    const run = await r.w.sim.run();
    expect(run.status).toBe('quiescent');
    checkAll(m, r, expected);
  }
  toString(): string {
    return `IoCancelIrp(${this.pick.kind} ${this.pick.index})`;
  }
}

function sockText(p: SocketPick): string {
  return `${p.closedToo ? 'any' : 'open'} socket ${p.index}`;
}

function irpText(p: IrpPick): string {
  if (p.kind === 'fresh') return 'fresh IRP';
  return `${p.kind} IRP ${p.index}${p.viaReuse ? ' reused' : ''}`;
}

// ---- the property ------------------------------------------------------------------------------

const socketCmd = fc
  .tuple(
    fc.constantFrom(
      WSK_FLAG_BASIC_SOCKET, WSK_FLAG_LISTEN_SOCKET, WSK_FLAG_LISTEN_SOCKET,
      WSK_FLAG_CONNECTION_SOCKET, WSK_FLAG_CONNECTION_SOCKET, WSK_FLAG_STREAM_SOCKET,
      WSK_FLAG_STREAM_SOCKET, WSK_FLAG_STREAM_SOCKET, WSK_FLAG_DATAGRAM_SOCKET, 0x30,
    ),
    irpPick,
  )
  .map(([flags, irp]): Cmd => new SocketCmd(flags, irp));
const bindCmd = fc
  .tuple(
    socketPick,
    fc.constantFrom<BindAddress>('port0', 'port0', 'fixed', 'fixed', 'fixed', 'ipv6', 'not-local'),
    fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
    irpPick,
  )
  .map(([s, address, flags, irp]): Cmd => new BindCmd(s, address, flags, irp));
const listenCmd = fc.tuple(socketPick, irpPick).map(([s, irp]): Cmd => new ListenCmd(s, irp));
const connectCmd = fc
  .tuple(socketPick, fc.constantFrom<ConnectTarget>('open', 'open', 'closed', 'ipv6'), irpPick)
  .map(([s, target, irp]): Cmd => new ConnectCmd(s, target, irp));
const acceptCmd = fc.tuple(socketPick, irpPick).map(([s, irp]): Cmd => new AcceptCmd(s, irp));
const addressCmd = fc
  .tuple(fc.boolean(), socketPick, irpPick)
  .map(([remote, s, irp]): Cmd => new AddressCmd(remote, s, irp));
const reuseAddrCmd = fc
  .tuple(
    socketPick,
    fc.constantFrom(0, 1, 1),
    fc.oneof(
      { weight: 5, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    irpPick,
  )
  .map(([s, value, withIrp, irp]): Cmd => new ReuseAddrCmd(s, value, withIrp, irp));
const closeCmd = fc.tuple(socketPick, irpPick).map(([s, irp]): Cmd => new CloseCmd(s, irp));
const peerConnectCmd = fc.nat(31).map((index): Cmd => new PeerConnectCmd(index));
const heldIrp = fc.record({
  kind: fc.constantFrom('any' as const, 'pending' as const),
  index: fc.nat(31),
});
const freeIrpCmd = heldIrp.map((pick): Cmd => new FreeIrpCmd(pick));
const cancelIrpCmd = heldIrp.map((pick): Cmd => new CancelIrpCmd(pick));

const NEWEST: SocketPick = { index: 0, closedToo: false };
const FRESH: IrpPick = { kind: 'fresh', index: 0, viaReuse: false };
const chainCmd = fc
  .record({
    listener: fc.boolean(),
    stream: fc.boolean(),
    reuse: fc.boolean(),
    address: fc.constantFrom<BindAddress>('fixed', 'fixed', 'port0'),
    target: fc.constantFrom<ConnectTarget>('open', 'open', 'closed'),
  })
  .map(({ listener, stream, reuse, address, target }): Cmd => {
    const flags = stream
      ? WSK_FLAG_STREAM_SOCKET
      : listener
        ? WSK_FLAG_LISTEN_SOCKET
        : WSK_FLAG_CONNECTION_SOCKET;
    const steps: Base[] = [new SocketCmd(flags, FRESH)];
    if (reuse) steps.push(new ReuseAddrCmd(NEWEST, 1, true, FRESH));
    steps.push(new BindCmd(NEWEST, address, 0, FRESH));
    if (listener && stream) steps.push(new ListenCmd(NEWEST, FRESH));
    if (!listener) steps.push(new ConnectCmd(NEWEST, target, FRESH));
    return new ChainCmd(steps);
  });

/** One weighted choice: the calls that build state come more often than the misuse. */
const commands = fc.commands(
  [
    fc.oneof(
      { weight: 3, arbitrary: chainCmd },
      { weight: 3, arbitrary: socketCmd },
      { weight: 5, arbitrary: bindCmd },
      { weight: 2, arbitrary: listenCmd },
      { weight: 3, arbitrary: connectCmd },
      { weight: 3, arbitrary: acceptCmd },
      { weight: 3, arbitrary: peerConnectCmd },
      { weight: 2, arbitrary: addressCmd },
      { weight: 2, arbitrary: reuseAddrCmd },
      { weight: 2, arbitrary: closeCmd },
      { weight: 1, arbitrary: freeIrpCmd },
      { weight: 1, arbitrary: cancelIrpCmd },
    ),
  ],
  { maxCommands: MAX_COMMANDS, size: 'max' },
);

/** The world: sockets on 'server'; the 'client' host is the peer (listener on port 80). */
function setup(pending: number): { model: Model; real: Real } {
  const w = world({ kernel: { pendingCompletions: pending } });
  const real: Real = {
    w,
    pending,
    routine: () => STATUS_SUCCESS,
    calls: new Map(),
    log: [],
    logged: 0,
  };
  real.routine = routineOf(real);
  w.sim.tcp('client').listen({ local: { port: PEER_OPEN_PORT } }, {
    onReady: (listener) => {
      while (listener.accept({}) !== null);
    },
  });
  const model: Model = { sockets: [], irps: [], bindSeq: 0, ephemeral: 0, stopped: false };
  return { model, real };
}



function property() {
  return fc.asyncProperty(fc.constantFrom(0, 1), commands, async (pending, cmds) => {
    await fc.asyncModelRun(() => setup(pending), cmds);
  });
}

describe('wsk sockets: model-based test (docs/model.md)', () => {
  it('random WSK call sequences give the statuses and violations the model predicts', async () => {
    const seed = Number(process.env['WSK_MODEL_SEED'] ?? SEED);
    await fc.assert(property(), { seed, numRuns: NUM_RUNS });
  });
});
