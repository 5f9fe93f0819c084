/**
 * The WSK socket provider of one host: WskSocket and WskSocketConnect (the client-level calls),
 * the provider dispatch table of each category, WskBind and WskCloseSocket
 * (docs/model.md#categories, #provider-dispatch-tables for the member order, #creating-sockets,
 * #wsksocketconnect, #bind, #wskclosesocket). The categories' own calls live in listen-socket.ts,
 * connection-socket.ts and socket-control.ts; socket-core.ts holds the checks every call shares,
 * socket-address.ts and binding.ts the bind.
 *
 * Categories (docs/model.md#categories; categories.ts has a row for each): basic (cannot be bound),
 * listening, connection-oriented and stream, IPv4 and IPv6, SOCK_STREAM / IPPROTO_TCP. A dispatch
 * table holds the members that work, in wsk.h's order. Datagram sockets are a later part: WskSocket
 * answers the category, and WskSocketConnect SOCK_DGRAM / SOCK_RAW, with STATUS_NOT_SUPPORTED.
 *
 * Statuses and policies (source in brackets):
 * - Reserved Flags ≠ 0 (WskBind, WskConnect, WskAccept, WskSocketConnect) →
 *   STATUS_INVALID_PARAMETER with an advisory [gap, docs/model.md#rules-common-to-every-call;
 *   docs/policies.md#socket-bind-and-connect-policies]. WskSocket's Flags other than the five
 *   categories → the same.
 * - Family other than AF_INET / AF_INET6, type other than SOCK_STREAM, protocol other than
 *   IPPROTO_TCP → STATUS_NOT_SUPPORTED [gap, docs/model.md#creating-sockets; Wine's mapping].
 * - WskSocketConnect: the family is LocalAddress's [docs/model.md#wsksocketconnect]; a
 *   RemoteAddress of another family → STATUS_INVALID_PARAMETER with an advisory; its bind and
 *   connect fail as WskBind and WskConnect do, and then no socket is returned
 *   [docs/model.md#wsksocketconnect].
 * - A basic socket has no WskBind member [docs/model.md#categories: basic sockets cannot be bound];
 *   another table's WskBind called on it is the violation WSK-WRONG-DISPATCH (socket-dispatch.ts).
 * - SecurityDescriptor (a WSK_CACHED_SECURITY_DESCRIPTOR) and OwningProcess (NULL: the System
 *   process) feed the sharing table's CHECK cells [docs/model.md#address-sharing]; OwningThread is
 *   not used. A descriptor that is not a cached copy the client holds (the descriptor itself, or
 *   a copy released already) is the violation WSK-SD-NOT-CACHED: "PFN_WSK_SOCKET_CONNECT callback
 *   function (wsk.h)" says it "must be a cached copy" obtained with WSK_CACHE_SD (client.ts,
 *   uncachedDescriptor). The call then goes on with the descriptor it stands for.
 * - Close [docs/model.md#wskclosesocket, #close-deregister-and-outstanding-irps]: every pending IRP
 *   of the socket completes STATUS_CANCELLED first
 *   [docs/policies.md#completion-and-cancellation-policies], a live connection is aborted, and the
 *   close IRP completes once no event callback of the socket is running (at once, or when the last
 *   one returns).
 *
 * Misuse (docs/design.md#status-violation-or-advisory, violations): WSK-CALL-AFTER-CLOSE,
 * WSK-SOCKET-INVALID, IRQL-TOO-HIGH (socket-core.ts); the IRP rules of irp.ts.
 */
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCK_DGRAM,
  SOCK_STREAM,
  sockaddrFamily,
  type ADDRESS_FAMILY,
  type SOCKADDR,
} from './address.ts';
import {
  LATER_CATEGORY_FLAGS,
  SOCKET_CATEGORIES,
  categoryOfFlags,
  startingEvents,
  type SocketCategory,
} from './categories.ts';
import { ConnectionData } from './connection-data.ts';
import { ConnectionSockets } from './connection-socket.ts';
import { DatagramSockets } from './datagram-socket.ts';
import type { WSK_DATAGRAM_INDICATION } from './datagram-types.ts';
import type { WSK_DATA_INDICATION } from './data-types.ts';
import { ReceiveIndications } from './receive-indications.ts';
import { dispatchTable } from './socket-dispatch.ts';
import {
  STATUS_NOT_SUPPORTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  type IRP,
  type IrpManager,
  type NTSTATUS,
} from '../nt/index.ts';
import type { WskKernelCore } from './provider-kernel.ts';
import { ConditionalAccept, type InspectionView, type PendedInspection } from './inspect.ts';
import { ListenSockets } from './listen-socket.ts';
import {
  WSK_CACHED_SECURITY_DESCRIPTOR,
  uncachedDescriptor,
  type PSECURITY_DESCRIPTOR,
  type PWSK_CLIENT,
} from './client.ts';
import { bindAddress, unbind } from './socket-address.ts';
import { SocketControl } from './socket-control.ts';
import { SocketCore, type ClientCheck } from './socket-core.ts';
import { SocketEvents } from './socket-events.ts';
import type { PWSK_SOCKET, SocketState } from './socket-state.ts';
import type {
  ProviderDispatch,
  ProviderRoutines,
  WSK_PROVIDER_BASIC_DISPATCH,
  WSK_PROVIDER_CONNECTION_DISPATCH,
  WSK_PROVIDER_DATAGRAM_DISPATCH,
  WSK_PROVIDER_LISTEN_DISPATCH,
  WSK_PROVIDER_STREAM_DISPATCH,
} from './dispatch-types.ts';
import type { Transport } from './transport.ts';
import type { DatagramTransport } from './datagram-transport.ts';

export type { ClientCheck } from './socket-core.ts';

/** An open socket as the end-of-run check lists it. */
export interface OpenSocket {
  readonly id: number;
  readonly category: string;
  /** SocketState.stateName: open, bound, listening, connected or dead. */
  readonly state: string;
  /** The virtual time it entered that state. */
  readonly since: number;
  readonly site?: string;
}

/** A socket's receive indications retained and never released, as the end-of-run check lists. */
export interface RetainedIndications {
  readonly id: number;
  readonly count: number;
  /** The virtual time the oldest of them was retained. */
  readonly since: number;
  readonly site?: string;
}

export class SocketProvider {
  readonly #core: SocketCore;
  readonly #events: SocketEvents;
  readonly #connections: ConnectionSockets;
  readonly #listen: ListenSockets;
  readonly #conditional: ConditionalAccept;
  readonly #control: SocketControl;
  readonly #indications: ReceiveIndications;
  readonly #data: ConnectionData;
  readonly #datagrams: DatagramSockets;
  /** The dispatch table of each category, made on the first socket of it (#tableOf). */
  readonly #tables: Partial<Record<SocketCategory, object>> = {};
  #routines: ProviderRoutines | null = null;

  constructor(kernel: WskKernelCore, irps: IrpManager, clients: ClientCheck) {
    const core = (this.#core = new SocketCore(kernel, irps, clients));
    const events = (this.#events = new SocketEvents(core));
    const connections = (this.#connections = new ConnectionSockets(core));
    const conditional = (this.#conditional = new ConditionalAccept(core, events));
    const listen = (this.#listen = new ListenSockets(core, events, connections, conditional));
    const indications = (this.#indications = new ReceiveIndications(core, events));
    this.#data = connections.data = new ConnectionData(core, indications);
    this.#control = new SocketControl(core, events, listen, conditional, this.#data);
    this.#datagrams = this.#control.datagrams = new DatagramSockets(core, events);
    core.attachDispatch((category) => this.#tableOf(category));
  }

  get basicDispatch(): WSK_PROVIDER_BASIC_DISPATCH {
    return this.#tableOf('basic');
  }

  get listenDispatch(): WSK_PROVIDER_LISTEN_DISPATCH {
    return this.#tableOf('listen');
  }

  get connectionDispatch(): WSK_PROVIDER_CONNECTION_DISPATCH {
    return this.#tableOf('connection');
  }

  get streamDispatch(): WSK_PROVIDER_STREAM_DISPATCH {
    return this.#tableOf('stream');
  }

  get datagramDispatch(): WSK_PROVIDER_DATAGRAM_DISPATCH {
    return this.#tableOf('datagram') as unknown as WSK_PROVIDER_DATAGRAM_DISPATCH;
  }

  /**
   * The provider dispatch table of `category`, made on first use and kept, so every socket of the
   * category on this host has the same table. A campaign makes a provider per host per run, and
   * most hosts use one or two of the four categories.
   */
  #tableOf<C extends SocketCategory>(category: C): ProviderDispatch<C> {
    const made = this.#tables[category] as ProviderDispatch<C> | undefined;
    if (made !== undefined) return made;
    const table = dispatchTable(this.#core, category, (this.#routines ??= this.#bindRoutines()));
    this.#tables[category] = table;
    return table;
  }

  /**
   * The routines the tables are made of: methods of their module's object, bound once per host
   * (these objects are), none per socket; binding type-checks each against its PFN_WSK_*.
   */
  #bindRoutines(): ProviderRoutines {
    const control = this.#control;
    const listen = this.#listen;
    const conditional = this.#conditional;
    const connections = this.#connections;
    const data = this.#data;
    const indications = this.#indications;
    const datagrams = this.#datagrams;
    // One WskRelease member: a datagram socket's table reaches the datagram list's release
    // (PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST), every other the data list's.
    const release = (Socket: PWSK_SOCKET, Indication: WSK_DATA_INDICATION): NTSTATUS =>
      Socket?.state?.category === 'datagram'
        ? datagrams.WskRelease(Socket, Indication as unknown as WSK_DATAGRAM_INDICATION)
        : indications.WskRelease(Socket, Indication);
    return {
      WskControlSocket: control.WskControlSocket.bind(control),
      WskCloseSocket: this.WskCloseSocket.bind(this),
      WskBind: this.WskBind.bind(this),
      WskAccept: listen.WskAccept.bind(listen),
      WskInspectComplete: conditional.WskInspectComplete.bind(conditional),
      WskConnect: connections.WskConnect.bind(connections),
      WskListen: listen.WskListen.bind(listen),
      WskGetLocalAddress: connections.WskGetLocalAddress.bind(connections),
      WskGetRemoteAddress: connections.WskGetRemoteAddress.bind(connections),
      WskSend: data.WskSend.bind(data),
      WskReceive: data.WskReceive.bind(data),
      WskDisconnect: data.WskDisconnect.bind(data),
      WskRelease: release,
      WskSendTo: datagrams.WskSendTo.bind(datagrams),
      WskReceiveFrom: datagrams.WskReceiveFrom.bind(datagrams),
      WskSendMessages: datagrams.WskSendMessages.bind(datagrams),
    };
  }

  /** @internal The host's transport (Simulation.kernel wires it). */
  attachTransport(transport: () => Transport): void {
    this.#core.attachTransport(transport);
  }

  /**
   * Open sockets holding receive indications never given back with WskRelease (leaks), each with
   * the virtual time its oldest such list was retained.
   */
  retainedIndications(): RetainedIndications[] {
    const list = [];
    for (const state of this.#core.open) {
      const retained = state.data?.retained;
      if (retained === undefined || retained.size === 0) continue;
      const since = retained.values().next().value as number;
      const site = this.#core.siteOf(state);
      list.push({ id: state.id, count: retained.size, since, ...(site !== undefined && { site }) });
    }
    return list;
  }

  /** Open datagram sockets holding retained WSK_DATAGRAM_INDICATION lists (leaks). */
  retainedDatagramIndications(): RetainedIndications[] {
    return this.#datagrams.retained().map(({ state, count, since }) => {
      const site = this.#core.siteOf(state);
      return { id: state.id, count, since, ...(site !== undefined && { site }) };
    });
  }

  /** @internal The host's datagram transport (Simulation.kernel wires it). */
  attachDatagramTransport(transport: () => DatagramTransport): void {
    this.#core.attachDatagramTransport(transport);
  }

  /** Sockets created and not yet closed (for WskDeregister and leak reports). */
  get openSockets(): number {
    return this.#core.open.length;
  }

  /**
   * The open sockets with their state, since when they are in it, and where the driver made each
   * (when sites were recorded).
   */
  stillOpen(): OpenSocket[] {
    return this.#core.open.map((state) => {
      const site = this.#core.siteOf(state);
      return {
        id: state.id,
        category: state.category,
        state: state.stateName,
        since: state.stateSince,
        ...(site !== undefined && { site }),
      };
    });
  }

  /** Inspections a driver left pended (conditional accept), for the end-of-run check. */
  stillPended(): PendedInspection[] {
    return this.#conditional.stillPended();
  }

  /** @internal The open sockets, each at its slot (socket-core.ts), for the invariant checker. */
  openStates(): readonly SocketState[] {
    return this.#core.open;
  }

  /** @internal The bind table's ports and holders (binding.ts), for the invariant checker. */
  boundPorts(): [number, readonly SocketState[]][] {
    return [...this.#core.bindings.entries(), ...this.#core.datagramBindings.entries()];
  }

  /** @internal Pending WskReceiveFrom IRPs by socket id, for the invariant checker. */
  datagramReceives(): [number, IRP][] {
    return this.#datagrams.pendingReceives();
  }

  /** @internal Sockets with a callback running (none between events), for the checker. */
  busySockets(): number {
    return this.#events.busySockets;
  }

  /** @internal Pended conditional-accept requests (inspect.ts), for the invariant checker. */
  inspections(): InspectionView[] {
    return this.#conditional.inspections();
  }

  /**
   * Open sockets of one client (WskDeregister waits for none,
   * docs/model.md#registration-and-capture, condition (c)).
   */
  openSocketsOf(Client: PWSK_CLIENT): number {
    let count = 0;
    for (const state of this.#core.open) if (state.client === Client) count++;
    return count;
  }

  /**
   * Fault verb: the transport takes a listening socket away now, as when its address
   * disappears (listen-socket.ts: NULL accept indication, STATUS_FILE_FORCED_CLOSED).
   */
  invalidate(Socket: PWSK_SOCKET): void {
    const state = Socket.state;
    if (state.listening || state.role === 'listen') this.#listen.invalidate(state);
    else if (!state.closed) {
      state.dead = true;
      this.#connections.close(state);
    }
  }

  // ---- client-level calls (WSK_PROVIDER_DISPATCH) ---------------------------------------------

  WskSocket(
    Client: PWSK_CLIENT,
    AddressFamily: ADDRESS_FAMILY,
    SocketType: number,
    Protocol: number,
    Flags: number,
    SocketContext: unknown,
    Dispatch: unknown,
    OwningProcess: unknown,
    OwningThread: unknown,
    SecurityDescriptor: PSECURITY_DESCRIPTOR | null,
    Irp: IRP,
  ): NTSTATUS {
    void OwningThread;
    const call = 'WskSocket';
    const core = this.#core;
    if (!core.enterClientCall(call, Client, Irp)) return STATUS_UNSUCCESSFUL;
    this.#checkDescriptor(call, Client, SecurityDescriptor);
    Irp.descriptor = cachedDescriptor(SecurityDescriptor);
    const category = categoryOfFlags(Flags);
    if (category === undefined) {
      if (LATER_CATEGORY_FLAGS.includes(Flags)) return core.finish(call, Irp, STATUS_NOT_SUPPORTED);
      return core.invalid(call, Irp, 'WSK-SOCKET-FLAGS', `Flags 0x${Flags.toString(16)}`);
    }
    const unsupported = unsupportedSocket(AddressFamily, SocketType, Protocol, category);
    if (unsupported !== null) return core.finish(call, Irp, unsupported);
    const spec = {
      category,
      client: Client,
      family: AddressFamily,
      context: SocketContext,
      clientDispatch: Dispatch,
      owner: OwningProcess,
      securityDescriptor: descriptor(SecurityDescriptor),
    };
    const socket = core.create(spec, this.#staticEvents(Client, category));
    return core.finish(call, Irp, STATUS_SUCCESS, socket);
  }

  WskSocketConnect(
    Client: PWSK_CLIENT,
    SocketType: number,
    Protocol: number,
    LocalAddress: SOCKADDR,
    RemoteAddress: SOCKADDR,
    Flags: number,
    SocketContext: unknown,
    Dispatch: unknown,
    OwningProcess: unknown,
    OwningThread: unknown,
    SecurityDescriptor: PSECURITY_DESCRIPTOR | null,
    Irp: IRP,
  ): NTSTATUS {
    void OwningThread;
    const call = 'WskSocketConnect';
    const core = this.#core;
    if (!core.enterClientCall(call, Client, Irp)) return STATUS_UNSUCCESSFUL;
    this.#checkDescriptor(call, Client, SecurityDescriptor);
    Irp.descriptor = cachedDescriptor(SecurityDescriptor);
    if (Flags !== 0) return core.invalid(call, Irp, 'WSK-RESERVED-FLAGS', 'Flags must be 0');
    const family = sockaddrFamily(LocalAddress);
    const unsupported = unsupportedSocket(family, SocketType, Protocol, 'connection');
    if (unsupported !== null) return core.finish(call, Irp, unsupported);
    if (sockaddrFamily(RemoteAddress) !== family) {
      return core.invalid(call, Irp, 'WSK-FAMILY-MISMATCH', 'the two addresses differ in family');
    }
    const spec = {
      category: 'connection',
      client: Client,
      family,
      context: SocketContext,
      clientDispatch: Dispatch,
      owner: OwningProcess,
      securityDescriptor: descriptor(SecurityDescriptor),
    } as const;
    const socket = core.create(spec, this.#staticEvents(Client, 'connection'));
    const state = socket.state;
    const bound = bindAddress(core, call, state, LocalAddress);
    if (bound !== STATUS_SUCCESS) {
      core.retire(state);
      return core.finish(call, Irp, bound);
    }
    state.connectReturns = socket;
    const started = this.#connections.connect(state, RemoteAddress, Irp);
    if (started !== STATUS_SUCCESS) {
      state.connectReturns = null;
      core.retire(state);
      return core.finish(call, Irp, started);
    }
    return core.trace(call, STATUS_PENDING);
  }

  // ---- socket-level calls shared by the categories ---------------------------------------------

  WskBind(Socket: PWSK_SOCKET, LocalAddress: SOCKADDR, Flags: number, Irp: IRP): NTSTATUS {
    const call = 'WskBind';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    if (Flags !== 0) return core.invalid(call, Irp, 'WSK-RESERVED-FLAGS', 'Flags must be 0');
    let status = bindAddress(core, call, state, LocalAddress);
    // A listening socket listens once bound (docs/model.md#bind).
    if (status === STATUS_SUCCESS && SOCKET_CATEGORIES[state.category].listensOnBind)
      status = this.#listen.listen(state);
    // A datagram socket's UDP port opens (datagram-socket.ts).
    if (status === STATUS_SUCCESS && state.category === 'datagram') {
      status = this.#datagrams.bound(state);
      if (status !== STATUS_SUCCESS) unbind(core, state);
    }
    return core.finish(call, Irp, status);
  }

  WskCloseSocket(Socket: PWSK_SOCKET, Irp: IRP): NTSTATUS {
    const call = 'WskCloseSocket';
    const core = this.#core;
    const state = core.check(Socket, call);
    if (state === null) return STATUS_UNSUCCESSFUL;
    if (state.calls > 1) {
      // Its own call is counted (socket-dispatch.ts): another one has not returned
      // (docs/model.md#close-deregister-and-outstanding-irps).
      const detail = `socket #${state.id} while another call on it has not returned`;
      core.k.violation('WSK-CLOSE-DURING-CALL', detail, { socket: state.id });
      return STATUS_UNSUCCESSFUL;
    }
    if (!core.irps.issue(Irp, call)) return STATUS_UNSUCCESSFUL;
    core.retire(state);
    this.#listen.close(state);
    this.#connections.close(state);
    this.#datagrams.close(state);
    if (this.#events.runningCount(state) === 0) return core.finish(call, Irp, STATUS_SUCCESS);
    // A callback of the socket is running (the close came from inside it): wait for it.
    core.irps.pend(Irp);
    this.#events.whenIdle(state, () => core.irps.complete(Irp, STATUS_SUCCESS, 0));
    return core.trace(call, STATUS_PENDING);
  }

  /** WSK-SD-NOT-CACHED for a SecurityDescriptor that is not a cached copy `Client` holds. */
  #checkDescriptor(call: string, Client: PWSK_CLIENT, SecurityDescriptor: unknown): void {
    const problem = uncachedDescriptor(Client, SecurityDescriptor);
    if (problem !== null) this.#core.k.violation('WSK-SD-NOT-CACHED', `${call}: ${problem}`);
  }

  #staticEvents(Client: PWSK_CLIENT, category: SocketCategory): number {
    return startingEvents(category, this.#core.clients.staticEvents(Client));
  }
}

function unsupportedSocket(
  family: ADDRESS_FAMILY,
  SocketType: number,
  Protocol: number,
  category: SocketCategory,
): NTSTATUS | null {
  if (family !== AF_INET && family !== AF_INET6) return STATUS_NOT_SUPPORTED;
  // A datagram socket is SOCK_DGRAM / IPPROTO_UDP, every other SOCK_STREAM / IPPROTO_TCP
  // (docs/model.md#datagram-sockets); other pairs are not modelled.
  if (category === 'datagram') {
    if (SocketType !== SOCK_DGRAM || Protocol !== IPPROTO_UDP) return STATUS_NOT_SUPPORTED;
    return null;
  }
  if (SocketType !== SOCK_STREAM || Protocol !== IPPROTO_TCP) return STATUS_NOT_SUPPORTED;
  return null;
}

/** A SecurityDescriptor argument that is a cached handle, else null (WSK-SD-RELEASED-IN-USE). */
function cachedDescriptor(SecurityDescriptor: PSECURITY_DESCRIPTOR | null): object | null {
  return SecurityDescriptor instanceof WSK_CACHED_SECURITY_DESCRIPTOR ? SecurityDescriptor : null;
}

/** The descriptor a SecurityDescriptor argument stands for (a cached one is unwrapped). */
function descriptor(SecurityDescriptor: PSECURITY_DESCRIPTOR | null): object | null {
  if (SecurityDescriptor instanceof WSK_CACHED_SECURITY_DESCRIPTOR) {
    return SecurityDescriptor.SecurityDescriptor;
  }
  return SecurityDescriptor ?? null;
}
