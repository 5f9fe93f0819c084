/**
 * What every socket module shares (socket.ts composes them): the open sockets, the common entry
 * checks of a call, completing a call whose result is known now, and tracing
 * (docs/model.md#rules-common-to-every-call, #inline-or-pending-completion;
 * docs/design.md#status-violation-or-advisory).
 *
 * - Entry (docs/model.md#rules-common-to-every-call): IRQL at most DISPATCH_LEVEL (IRQL-TOO-HIGH
 *   otherwise), a Socket that is one of this host's WSK_SOCKETs (WSK-SOCKET-INVALID), not closed
 *   (WSK-CALL-AFTER-CLOSE, docs/model.md#wskclosesocket, #close-deregister-and-outstanding-irps),
 *   then the IRP taken for the call (nt/irp-routines.ts). A socket the transport invalidated
 *   answers every call but WskCloseSocket with STATUS_FILE_FORCED_CLOSED
 *   (docs/model.md#rules-common-to-every-call: "the socket is dead and should be closed as soon as
 *   possible").
 * - A result known at the call completes inline or, by the choice 'IRP pends' (Windows allows
 *   both, docs/model.md#rules-common-to-every-call, #inline-or-pending-completion), as a zero-delay
 *   event after the call returned STATUS_PENDING.
 * - Bad arguments where Windows documents no code complete STATUS_INVALID_PARAMETER and record
 *   an advisory naming what was wrong (docs/policies.md#socket-bind-and-connect-policies;
 *   docs/design.md#status-violation-or-advisory, third row).
 */
import { assert, callerSite } from '../sim/index.ts';
import type { ADDRESS_FAMILY } from './address.ts';
import {
  DISPATCH_LEVEL,
  STATUS_FILE_FORCED_CLOSED,
  STATUS_INVALID_PARAMETER,
  STATUS_UNSUCCESSFUL,
  statusName,
  type IRP,
  type IrpManager,
  type NTSTATUS,
} from '../nt/index.ts';
import type { WskKernelCore } from './provider-kernel.ts';
import type { PWSK_CLIENT } from './client.ts';
import { BindTable } from './binding.ts';
import { byCategory, hasMember, type SocketCategory } from './categories.ts';
import { PsInitialSystemProcess } from './sharing.ts';
import {
  SocketState,
  WSK_SOCKET,
  type PWSK_SOCKET,
  type QueuedAccept,
  type SocketOptions,
} from './socket-state.ts';
import type { AdvisoryId } from './rules.ts';
import type { Transport } from './transport.ts';
import type { DatagramTransport } from './datagram-transport.ts';

/** What the socket provider needs of the client level (registration.ts). */
export interface ClientCheck {
  clientUsable(Client: PWSK_CLIENT, routine: string): boolean;
  noteSocketCreated(Client: PWSK_CLIENT): void;
  /**
   * A socket of `Client` closed: WskDeregister may now complete
   * (docs/model.md#registration-and-capture, condition (c)).
   */
  noteSocketClosed(Client: PWSK_CLIENT): void;
  /** The client's static event mask (docs/model.md#static-event-callbacks). */
  staticEvents(Client: PWSK_CLIENT): number;
}

/** What a new socket is made of. */
export interface SocketSpec {
  readonly category: SocketCategory;
  readonly client: PWSK_CLIENT;
  readonly family: ADDRESS_FAMILY;
  readonly context: unknown;
  readonly clientDispatch: unknown;
  readonly owner: unknown;
  readonly securityDescriptor: object | null;
}

/** The options of a socket nobody configured (most sockets): shared, never written. */
const DEFAULT_OPTIONS: Readonly<SocketOptions> = Object.freeze({
  share: 'none',
  v6only: true,
  conditionalAccept: false,
  securityDescriptor: null,
});

/** A socket's options, made its own before the first write. */
export function writableOptions(state: SocketState): SocketOptions {
  if (state.options === DEFAULT_OPTIONS) state.options = { ...DEFAULT_OPTIONS };
  return state.options as SocketOptions;
}

/** The accept queue of sockets that never accept (never written: WskAccept needs a listener). */
const NO_ACCEPTS: QueuedAccept[] = [];

/**
 * What a new socket of each category gets: its trace event (made once: each string is hashed
 * once) and whether it queues WskAccept IRPs (its table has WskAccept).
 */
const CREATION = byCategory((category) => ({
  event: `created ${category}`,
  queuesAccepts: hasMember(category, 'WskAccept'),
}));

export class SocketCore {
  readonly k: WskKernelCore;
  readonly irps: IrpManager;
  readonly clients: ClientCheck;
  /** The open sockets, in no particular order (`SocketState.slot` is each one's index). */
  readonly open: SocketState[] = [];
  readonly bindings = new BindTable();
  /** Datagram sockets' bindings: UDP's port space (datagram-transport.ts). */
  readonly datagramBindings = new BindTable();
  /** Where the driver made each socket, when sites are recorded (leak reports). */
  readonly #sites = new WeakMap<SocketState, string>();
  /** The provider table of a category (socket.ts attaches it: made on the first socket). */
  #tableOf: ((category: SocketCategory) => object) | null = null;
  #transport: (() => Transport) | null = null;
  #datagramTransport: (() => DatagramTransport) | null = null;
  #nextId = 1;

  constructor(kernel: WskKernelCore, irps: IrpManager, clients: ClientCheck) {
    this.k = kernel;
    this.irps = irps;
    this.clients = clients;
  }

  attachDispatch(tableOf: (category: SocketCategory) => object): void {
    this.#tableOf = tableOf;
  }

  attachTransport(transport: () => Transport): void {
    this.#transport = transport;
  }

  attachDatagramTransport(transport: () => DatagramTransport): void {
    this.#datagramTransport = transport;
  }

  /** The host's datagram transport, or null when none is attached. */
  datagramTransport(): DatagramTransport | null {
    return this.#datagramTransport === null ? null : this.#datagramTransport();
  }

  /** The bind table and port space of `state`'s transport: UDP's for datagram sockets. */
  portSpaceOf(
    state: SocketState,
  ): { readonly table: BindTable; readonly transport: Transport | DatagramTransport } | null {
    const datagram = state.category === 'datagram';
    const transport = datagram ? this.datagramTransport() : this.transport();
    if (transport === null) return null;
    return { table: datagram ? this.datagramBindings : this.bindings, transport };
  }

  /** The host's transport, or null when none is attached. */
  transport(): Transport | null {
    return this.#transport === null ? null : this.#transport();
  }

  /** Makes a socket; `events` are the ones enabled from the start (static, inherited). */
  create(spec: SocketSpec, events: number): WSK_SOCKET {
    const category = spec.category;
    const init = {
      client: spec.client,
      family: spec.family,
      context: spec.context,
      clientDispatch: spec.clientDispatch,
      owner: spec.owner ?? PsInitialSystemProcess,
      options:
        spec.securityDescriptor === null
          ? DEFAULT_OPTIONS
          : { ...DEFAULT_OPTIONS, securityDescriptor: spec.securityDescriptor },
    };
    const creation = CREATION[category];
    const accepts = creation.queuesAccepts ? [] : NO_ACCEPTS;
    const state = new SocketState(this.#nextId++, category, init, accepts, events);
    state.slot = this.open.push(state) - 1;
    if (this.k.sim.recordSites) {
      const site = callerSite();
      if (site !== null) this.#sites.set(state, site);
    }
    this.clients.noteSocketCreated(spec.client);
    const sim = this.k.sim;
    sim.trace.emit({
      at: sim.now,
      type: 'wsk.socket',
      host: this.k.host,
      socket: state.id,
      event: creation.event,
    });
    const dispatch = this.#tableOf?.(category);
    assert(dispatch !== undefined, `no dispatch table for ${category} sockets`);
    return new WSK_SOCKET(dispatch, state, this.k.host);
  }

  /** Records where the driver made `state` when its creation had no driver frame. */
  noteSite(state: SocketState, site: string): void {
    if (!this.#sites.has(state)) this.#sites.set(state, site);
  }

  /** Where the driver made `state`, when sites were recorded. */
  siteOf(state: SocketState): string | undefined {
    return this.#sites.get(state);
  }

  /** A socket leaves the open set (closed, or never handed out). */
  retire(state: SocketState): void {
    state.closed = true;
    if (state.slot < 0) return; // retired already
    const open = this.open;
    const last = open.pop() as SocketState;
    if (last !== state) {
      open[state.slot] = last;
      last.slot = state.slot;
    }
    state.slot = -1;
    if (state.category === 'datagram') this.datagramBindings.unfile(state);
    else this.bindings.unfile(state);
    this.clients.noteSocketClosed(state.client);
  }

  /**
   * What every client-level call checks first (docs/model.md#rules-common-to-every-call): IRQL at
   * most DISPATCH_LEVEL, a usable client, and the IRP taken for the call. A failed check has
   * reported its violation.
   */
  enterClientCall(call: string, Client: PWSK_CLIENT, Irp: IRP): boolean {
    if (!this.k.requireIrql(call, DISPATCH_LEVEL)) return false;
    if (!this.clients.clientUsable(Client, call)) return false;
    return this.irps.issue(Irp, call);
  }

  /** A socket call's checks before the IRP is taken; null when a violation was reported. */
  check(Socket: PWSK_SOCKET, call: string): SocketState | null {
    const k = this.k;
    if (!k.requireIrql(call, DISPATCH_LEVEL)) return null;
    if (!(Socket instanceof WSK_SOCKET) || Socket.host !== k.host) {
      k.violation('WSK-SOCKET-INVALID', `${call} with a Socket that is not one of this host's`);
      return null;
    }
    const state = Socket.state;
    if (state.closed) {
      k.violation('WSK-CALL-AFTER-CLOSE', `${call} on socket #${state.id} after WskCloseSocket`);
      return null;
    }
    return state;
  }

  /**
   * Common entry of an IRP-taking socket call: the checks, the IRP issue, and the dead-socket
   * answer. A status means the call is over: STATUS_UNSUCCESSFUL after a violation, or what a
   * dead socket's IRP was completed with (STATUS_FILE_FORCED_CLOSED, or STATUS_PENDING when the
   * completion pended; docs/model.md#rules-common-to-every-call, #inline-or-pending-completion).
   */
  enter(Socket: PWSK_SOCKET, call: string, Irp: IRP): SocketState | NTSTATUS {
    const state = this.check(Socket, call);
    if (state === null || !this.irps.issue(Irp, call)) return STATUS_UNSUCCESSFUL;
    if (state.dead) return this.finish(call, Irp, STATUS_FILE_FORCED_CLOSED);
    return state;
  }

  /** Completes a call whose result is known now: inline, or pended by the choice point. */
  finish(call: string, Irp: IRP, Status: NTSTATUS, Information: unknown = 0): NTSTATUS {
    if (this.irps.choosePending()) {
      return this.trace(call, this.irps.completeLater(Irp, 0, Status, Information));
    }
    return this.trace(call, this.irps.completeInline(Irp, Status, Information));
  }

  /** STATUS_INVALID_PARAMETER for a bad argument Windows gives no code for, with an advisory. */
  invalid(call: string, Irp: IRP, rule: AdvisoryId, detail: string): NTSTATUS {
    this.k.advisory(rule, `${call}: ${detail}`);
    return this.finish(call, Irp, STATUS_INVALID_PARAMETER);
  }

  trace(call: string, status: NTSTATUS): NTSTATUS {
    const sim = this.k.sim;
    sim.trace.emit({
      at: sim.now,
      type: 'wsk.call',
      host: this.k.host,
      call,
      status: statusName(status),
    });
    return status;
  }
}
