/**
 * WSK stream sockets over the host's TCP stack: WskSocket, WskSocketConnect and the listening
 * and connection-oriented socket dispatch tables (reference/wsk.md §2.1, §2.2 member order,
 * §3.0 common rules, §3.1, §3.2, §3.4, §3.6, §3.7, §3.13, §3.14, §6 IRP rules, §8 statuses;
 * DESIGN.md §3 surface and policies, §4 status / violation / advisory).
 *
 * Present in this slice: WSK_FLAG_LISTEN_SOCKET (WskCloseSocket, WskBind, WskAccept,
 * WskGetLocalAddress) and WSK_FLAG_CONNECTION_SOCKET (WskCloseSocket, WskBind, WskConnect,
 * WskGetLocalAddress, WskGetRemoteAddress), IPv4 and IPv6, SOCK_STREAM / IPPROTO_TCP. A dispatch
 * table holds only the members that work, in wsk.h's order. Not yet: basic, datagram and stream
 * categories (WskSocket answers STATUS_NOT_SUPPORTED), WskControlSocket, WskInspectComplete,
 * send / receive / disconnect / release, WskConnectEx, event callbacks, the sharing table of
 * §7.3 (SO_REUSEADDR, SO_EXCLUSIVEADDRUSE), dual-stack sockets.
 *
 * Every IRP-taking call completes its IRP exactly once through irp.ts: results known at the call
 * complete inline or, by the choice 'IRP pends' (Windows allows both, §3.0, §6.3), as a
 * zero-delay event after the call returned STATUS_PENDING. Accepts and connects that wait on the
 * network pend (cancellable with IoCancelIrp) and complete from the TCP port's notifications.
 *
 * Statuses and policies (source in brackets):
 * - Flags ≠ 0 where reserved (WskBind, WskConnect, WskAccept, WskSocketConnect) →
 *   STATUS_INVALID_PARAMETER [§3.0 gap; DESIGN.md §3 policy]. WskSocket's Flags other than the
 *   five categories → STATUS_INVALID_PARAMETER (same policy); basic, datagram, stream →
 *   STATUS_NOT_SUPPORTED (issue 4, this slice).
 * - Family other than AF_INET / AF_INET6, type other than SOCK_STREAM, protocol other than
 *   IPPROTO_TCP → STATUS_NOT_SUPPORTED [§3.1 gap; Wine's mapping].
 * - Address of the wrong family for the socket, double bind, connect twice →
 *   STATUS_INVALID_PARAMETER [§3.4 gap, DESIGN.md §3 policy]; the advisory half waits for the
 *   advisory channel.
 * - Bind conflict → STATUS_ADDRESS_ALREADY_EXISTS [§3.4, §8]. Without the sharing table, any
 *   other open socket of the host bound to the port with an overlapping address (same family,
 *   same address or either wildcard), a TCP listener or a TCP connection on that local port
 *   conflicts. Bind to an address that is not the host's → STATUS_INVALID_ADDRESS_COMPONENT
 *   [§8 candidate]. Port 0 → the first free port of the profile's ephemeral range after the
 *   last one handed out [DESIGN.md §3 ephemeral ports; the seeded order is the TCP stack's own].
 * - WskAccept / WskConnect on an unbound socket → STATUS_INVALID_DEVICE_STATE [§3.6, §3.7 say
 *   "only on a bound socket", code undocumented; §3.14 uses it for the same condition].
 * - Connect failures from the TCP outcome [§8 bold rows]: refused → STATUS_CONNECTION_REFUSED,
 *   timed-out → STATUS_IO_TIMEOUT, unreachable → STATUS_NETWORK_UNREACHABLE, reset →
 *   STATUS_CONNECTION_RESET, aborted → STATUS_CONNECTION_ABORTED. Local connect errors of the
 *   port: address-in-use → STATUS_ADDRESS_ALREADY_EXISTS, invalid address → STATUS_INVALID_ADDRESS
 *   [§8 candidate], address-not-local → STATUS_INVALID_ADDRESS_COMPONENT, no ephemeral port →
 *   STATUS_INSUFFICIENT_RESOURCES (WSAENOBUFS), host down → STATUS_FILE_FORCED_CLOSED.
 * - IRPs cancelled by WskCloseSocket or IoCancelIrp → STATUS_CANCELLED [DESIGN.md §3 table,
 *   §6.4, §6.5]; the close IRP completes after them [§3.13]. Closing a connection that has not
 *   ended aborts it (RST where synchronized) [§3.13]; no graceful disconnect exists yet, so
 *   every live connection counts as not fully disconnected.
 * - GetLocalAddress: unbound → STATUS_INVALID_DEVICE_STATE; a wildcard-bound connection socket
 *   reports the real IP once connected [§3.14]. GetRemoteAddress: not connected →
 *   STATUS_INVALID_DEVICE_STATE [§3.14].
 *
 * Misuse (DESIGN.md §4, violations): WSK-CALL-AFTER-CLOSE (any call on a socket after
 * WskCloseSocket, §3.13, §6.5); WSK-SOCKET-INVALID (a Socket argument that is not a WSK_SOCKET
 * of this host); IRQL-TOO-HIGH above DISPATCH_LEVEL (§3.0); the IRP rules of irp.ts.
 */
import type {
  ConnectionHandler,
  ListenerHandler,
  TcpConnection,
} from '../tcp/port.ts';
import type { TcpStack } from '../tcp/stack.ts';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  SOCK_STREAM,
  WSK_FLAG_BASIC_SOCKET,
  WSK_FLAG_CONNECTION_SOCKET,
  WSK_FLAG_DATAGRAM_SOCKET,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_FLAG_STREAM_SOCKET,
  sockaddrFamily,
  type ADDRESS_FAMILY,
  type SOCKADDR,
} from './address.ts';
import { DISPATCH_LEVEL, type KernelCore } from './core.ts';
import type { IRP, IrpManager } from './irp.ts';
import {
  STATUS_ADDRESS_ALREADY_EXISTS,
  STATUS_CANCELLED,
  STATUS_FILE_FORCED_CLOSED,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_ADDRESS_COMPONENT,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SUPPORTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  statusName,
  type NTSTATUS,
} from './ntstatus.ts';
import type { PSECURITY_DESCRIPTOR, PWSK_CLIENT } from './registration.ts';
import { connectErrorStatus, outcomeStatus } from './socket-status.ts';
import {
  WSK_SOCKET,
  type Endpoint,
  type PWSK_SOCKET,
  type QueuedAccept,
  type SocketState,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from './socket-types.ts';


/** What the socket provider needs of the client level (registration.ts). */
export interface ClientCheck {
  clientUsable(Client: PWSK_CLIENT, routine: string): boolean;
  noteSocketCreated(Client: PWSK_CLIENT): void;
  /** A socket of `Client` closed: WskDeregister may now complete (wsk.md §1.2 (c)). */
  noteSocketClosed(Client: PWSK_CLIENT): void;
}

export class SocketProvider {
  readonly #k: KernelCore;
  readonly #irps: IrpManager;
  readonly #clients: ClientCheck;
  #tcp: (() => TcpStack) | null = null;
  #nextId = 1;
  #nextEphemeral = 0;
  readonly #open = new Set<SocketState>();
  /**
   * Open sockets that hold their bound port (`holdsPort`, `bound` set), by bound port: the
   * candidates of #inUse's socket check. Filed when such a socket binds, dropped when it leaves
   * #open (WskCloseSocket, #discard); accepted sockets (holdsPort false) are never filed.
   */
  readonly #holders = new Map<number, Set<SocketState>>();
  readonly listenDispatch: WSK_PROVIDER_LISTEN_DISPATCH;
  readonly connectionDispatch: WSK_PROVIDER_CONNECTION_DISPATCH;

  constructor(kernel: KernelCore, irps: IrpManager, clients: ClientCheck) {
    this.#k = kernel;
    this.#irps = irps;
    this.#clients = clients;
    this.listenDispatch = Object.freeze({
      WskCloseSocket: this.WskCloseSocket.bind(this),
      WskBind: this.WskBind.bind(this),
      WskAccept: this.WskAccept.bind(this),
      WskGetLocalAddress: this.WskGetLocalAddress.bind(this),
    });
    this.connectionDispatch = Object.freeze({
      WskCloseSocket: this.WskCloseSocket.bind(this),
      WskBind: this.WskBind.bind(this),
      WskConnect: this.WskConnect.bind(this),
      WskGetLocalAddress: this.WskGetLocalAddress.bind(this),
      WskGetRemoteAddress: this.WskGetRemoteAddress.bind(this),
    });
  }

  /** @internal The host's TCP stack (Simulation.kernel wires it). */
  attachTcp(tcp: () => TcpStack): void {
    this.#tcp = tcp;
  }

  /** Sockets created and not yet closed (for WskDeregister and leak reports). */
  get openSockets(): number {
    return this.#open.size;
  }

  /** Open sockets of one client (WskDeregister waits for none, wsk.md §1.2 (c)). */
  openSocketsOf(Client: PWSK_CLIENT): number {
    let count = 0;
    for (const state of this.#open) if (state.client === Client) count++;
    return count;
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
    void OwningProcess;
    void OwningThread;
    void SecurityDescriptor;
    const call = 'WskSocket';
    if (!this.#enterClientCall(call, Client, Irp)) return STATUS_UNSUCCESSFUL;
    let kind: SocketState['kind'] | null = null;
    if (Flags === WSK_FLAG_LISTEN_SOCKET) kind = 'listen';
    else if (Flags === WSK_FLAG_CONNECTION_SOCKET) kind = 'connection';
    else if (
      Flags !== WSK_FLAG_BASIC_SOCKET &&
      Flags !== WSK_FLAG_DATAGRAM_SOCKET &&
      Flags !== WSK_FLAG_STREAM_SOCKET
    ) {
      return this.#finish(call, Irp, STATUS_INVALID_PARAMETER);
    }
    if (kind === null) return this.#finish(call, Irp, STATUS_NOT_SUPPORTED);
    const unsupported = this.#unsupported(AddressFamily, SocketType, Protocol);
    if (unsupported !== null) return this.#finish(call, Irp, unsupported);
    const socket = this.#create(kind, Client, AddressFamily, SocketContext, Dispatch);
    return this.#finish(call, Irp, STATUS_SUCCESS, socket);
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
    void OwningProcess;
    void OwningThread;
    void SecurityDescriptor;
    const call = 'WskSocketConnect';
    if (!this.#enterClientCall(call, Client, Irp)) return STATUS_UNSUCCESSFUL;
    if (Flags !== 0) return this.#finish(call, Irp, STATUS_INVALID_PARAMETER);
    // The family is LocalAddress's (wsk.md §3.2).
    const family = sockaddrFamily(LocalAddress);
    const unsupported = this.#unsupported(family, SocketType, Protocol);
    if (unsupported !== null) return this.#finish(call, Irp, unsupported);
    if (sockaddrFamily(RemoteAddress) !== family) {
      return this.#finish(call, Irp, STATUS_INVALID_PARAMETER);
    }
    const socket = this.#create('connection', Client, family, SocketContext, Dispatch);
    const state = socket.state;
    const bound = this.#bindConnection(state, LocalAddress);
    if (bound !== STATUS_SUCCESS) {
      this.#discard(state);
      return this.#finish(call, Irp, bound);
    }
    state.connectSocketIrp = Irp;
    const started = this.#startConnect(state, RemoteAddress, Irp, socket);
    if (started !== STATUS_SUCCESS) {
      state.connectSocketIrp = null;
      this.#discard(state);
      return this.#finish(call, Irp, started);
    }
    return this.#trace(call, STATUS_PENDING);
  }

  // ---- socket-level calls (the category dispatch tables) ------------------------------------

  WskBind(Socket: PWSK_SOCKET, LocalAddress: SOCKADDR, Flags: number, Irp: IRP): NTSTATUS {
    const call = 'WskBind';
    const state = this.#enter(Socket, call, Irp);
    if (state === null) return STATUS_UNSUCCESSFUL;
    if (Flags !== 0) return this.#finish(call, Irp, STATUS_INVALID_PARAMETER);
    if (state.kind === 'connection') {
      return this.#finish(call, Irp, this.#bindConnection(state, LocalAddress));
    }
    return this.#finish(call, Irp, this.#bindListener(state, LocalAddress));
  }

  WskAccept(
    ListenSocket: PWSK_SOCKET,
    Flags: number,
    AcceptSocketContext: unknown,
    AcceptSocketDispatch: unknown,
    LocalAddress: SOCKADDR | null,
    RemoteAddress: SOCKADDR | null,
    Irp: IRP,
  ): NTSTATUS {
    const call = 'WskAccept';
    const state = this.#enter(ListenSocket, call, Irp);
    if (state === null) return STATUS_UNSUCCESSFUL;
    if (Flags !== 0) return this.#finish(call, Irp, STATUS_INVALID_PARAMETER);
    const listener = state.listener;
    if (listener === null) return this.#finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    const entry: QueuedAccept = {
      irp: Irp,
      context: AcceptSocketContext,
      dispatch: AcceptSocketDispatch,
      local: LocalAddress,
      remote: RemoteAddress,
    };
    if (state.accepts.length === 0 && listener.readyCount > 0) {
      const connection = listener.accept(this.#connectionHandler);
      if (connection !== null) {
        const socket = this.#acceptedSocket(state, entry, connection);
        return this.#finish(call, Irp, STATUS_SUCCESS, socket);
      }
    }
    state.accepts.push(entry);
    this.#irps.pend(Irp, (irp) => {
      const index = state.accepts.findIndex((queued) => queued.irp === irp);
      if (index >= 0) state.accepts.splice(index, 1);
    });
    return this.#trace(call, STATUS_PENDING);
  }

  WskConnect(Socket: PWSK_SOCKET, RemoteAddress: SOCKADDR, Flags: number, Irp: IRP): NTSTATUS {
    const call = 'WskConnect';
    const state = this.#enter(Socket, call, Irp);
    if (state === null) return STATUS_UNSUCCESSFUL;
    if (Flags !== 0) return this.#finish(call, Irp, STATUS_INVALID_PARAMETER);
    if (state.bound === null) return this.#finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    if (state.connection !== null || sockaddrFamily(RemoteAddress) !== state.family) {
      return this.#finish(call, Irp, STATUS_INVALID_PARAMETER);
    }
    const started = this.#startConnect(state, RemoteAddress, Irp, 0);
    if (started !== STATUS_SUCCESS) return this.#finish(call, Irp, started);
    return this.#trace(call, STATUS_PENDING);
  }

  WskGetLocalAddress(Socket: PWSK_SOCKET, LocalAddress: SOCKADDR, Irp: IRP): NTSTATUS {
    const call = 'WskGetLocalAddress';
    const state = this.#enter(Socket, call, Irp);
    if (state === null) return STATUS_UNSUCCESSFUL;
    const connection = state.connection;
    const local: Endpoint | null =
      connection !== null && state.connected
        ? { address: connection.localAddress, port: connection.localPort }
        : state.bound;
    if (local === null) return this.#finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    writeSockaddr(LocalAddress, state.family, local);
    return this.#finish(call, Irp, STATUS_SUCCESS);
  }

  WskGetRemoteAddress(Socket: PWSK_SOCKET, RemoteAddress: SOCKADDR, Irp: IRP): NTSTATUS {
    const call = 'WskGetRemoteAddress';
    const state = this.#enter(Socket, call, Irp);
    if (state === null) return STATUS_UNSUCCESSFUL;
    const connection = state.connection;
    if (connection === null || !state.connected) {
      return this.#finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    }
    const remote = { address: connection.remoteAddress, port: connection.remotePort };
    writeSockaddr(RemoteAddress, state.family, remote);
    return this.#finish(call, Irp, STATUS_SUCCESS);
  }

  WskCloseSocket(Socket: PWSK_SOCKET, Irp: IRP): NTSTATUS {
    const call = 'WskCloseSocket';
    const state = this.#enter(Socket, call, Irp);
    if (state === null) return STATUS_UNSUCCESSFUL;
    state.closed = true;
    this.#open.delete(state);
    this.#unfile(state);
    // Pending IRPs first, each with STATUS_CANCELLED (wsk.md §3.13; DESIGN.md §3 policy).
    for (const queued of state.accepts.splice(0)) {
      this.#irps.complete(queued.irp, STATUS_CANCELLED, 0);
    }
    const connectIrp = state.connectIrp;
    state.connectIrp = null;
    if (connectIrp !== null) this.#irps.complete(connectIrp, STATUS_CANCELLED, 0);
    state.listener?.close();
    state.listener = null;
    const connection = state.connection;
    // Not fully disconnected (no graceful disconnect exists yet): abortive close (§3.13).
    if (connection !== null && connection.outcome === null) connection.abort();
    const status = this.#finish(call, Irp, STATUS_SUCCESS);
    this.#clients.noteSocketClosed(state.client);
    return status;
  }

  // ---- internals ------------------------------------------------------------------------------

  /**
   * What every client-level call checks first (wsk.md §3.0): IRQL at most DISPATCH_LEVEL, a
   * usable client, and the IRP taken for the call. A failed check has reported its violation.
   */
  #enterClientCall(call: string, Client: PWSK_CLIENT, Irp: IRP): boolean {
    if (!this.#k.requireIrql(call, DISPATCH_LEVEL)) return false;
    if (!this.#clients.clientUsable(Client, call)) return false;
    return this.#irps.issue(Irp, call);
  }

  #unsupported(family: ADDRESS_FAMILY, SocketType: number, Protocol: number): NTSTATUS | null {
    if (family !== AF_INET && family !== AF_INET6) return STATUS_NOT_SUPPORTED;
    if (SocketType !== SOCK_STREAM || Protocol !== IPPROTO_TCP) return STATUS_NOT_SUPPORTED;
    return null;
  }

  #create(
    kind: SocketState['kind'],
    client: PWSK_CLIENT,
    family: ADDRESS_FAMILY,
    context: unknown,
    clientDispatch: unknown,
  ): WSK_SOCKET {
    const state: SocketState = {
      id: this.#nextId++,
      kind,
      client,
      family,
      context,
      clientDispatch,
      closed: false,
      bound: null,
      holdsPort: false,
      listener: null,
      accepts: [],
      connection: null,
      connected: false,
      connectIrp: null,
      connectSocketIrp: null,
    };
    this.#open.add(state);
    this.#clients.noteSocketCreated(client);
    const dispatch = kind === 'listen' ? this.listenDispatch : this.connectionDispatch;
    this.#k.sim.emit({
      type: 'wsk.socket',
      host: this.#k.host,
      socket: state.id,
      event: `created ${kind}`,
    });
    return new WSK_SOCKET(dispatch, state, this.#k.host);
  }

  /** A socket WskSocketConnect made but never handed out. */
  #discard(state: SocketState): void {
    state.closed = true;
    this.#open.delete(state);
    this.#unfile(state);
    this.#clients.noteSocketClosed(state.client);
  }

  /** Common entry of a socket call: IRQL, socket validity, closed check, IRP issue. */
  #enter(Socket: PWSK_SOCKET, call: string, Irp: IRP): SocketState | null {
    const k = this.#k;
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
    if (!this.#irps.issue(Irp, call)) return null;
    return state;
  }

  /** Completes a call whose result is known now: inline, or pended by the choice point. */
  #finish(call: string, Irp: IRP, Status: NTSTATUS, Information: unknown = 0): NTSTATUS {
    if (this.#irps.choosePending()) {
      return this.#trace(call, this.#irps.completeLater(Irp, 0, Status, Information));
    }
    return this.#trace(call, this.#irps.completeInline(Irp, Status, Information));
  }

  #stack(): TcpStack | null {
    return this.#tcp === null ? null : this.#tcp();
  }

  #checkBindAddress(state: SocketState, LocalAddress: SOCKADDR): Endpoint | NTSTATUS {
    if (state.bound !== null) return STATUS_INVALID_PARAMETER;
    if (sockaddrFamily(LocalAddress) !== state.family) return STATUS_INVALID_PARAMETER;
    const endpoint = endpointOf(LocalAddress);
    if (!Number.isInteger(endpoint.port) || endpoint.port < 0 || endpoint.port > 65535) {
      return STATUS_INVALID_PARAMETER;
    }
    return endpoint;
  }

  #bindConnection(state: SocketState, LocalAddress: SOCKADDR): NTSTATUS {
    const checked = this.#checkBindAddress(state, LocalAddress);
    if (typeof checked === 'number') return checked;
    const stack = this.#stack();
    if (stack === null) return STATUS_NOT_SUPPORTED;
    if (!isWildcard(checked.address) && !stack.host.addresses.includes(checked.address)) {
      return STATUS_INVALID_ADDRESS_COMPONENT;
    }
    let port = checked.port;
    if (port === 0) {
      const picked = this.#ephemeral(stack, state.family, checked.address);
      if (picked === null) return STATUS_INSUFFICIENT_RESOURCES;
      port = picked;
    } else if (this.#inUse(stack, state.family, checked.address, port)) {
      return STATUS_ADDRESS_ALREADY_EXISTS;
    }
    state.bound = { address: checked.address, port };
    state.holdsPort = true;
    this.#file(state);
    return STATUS_SUCCESS;
  }

  #bindListener(state: SocketState, LocalAddress: SOCKADDR): NTSTATUS {
    const checked = this.#checkBindAddress(state, LocalAddress);
    if (typeof checked === 'number') return checked;
    const stack = this.#stack();
    if (stack === null) return STATUS_NOT_SUPPORTED;
    let port = checked.port;
    if (port === 0) {
      const picked = this.#ephemeral(stack, state.family, checked.address);
      if (picked === null) return STATUS_INSUFFICIENT_RESOURCES;
      port = picked;
    } else if (this.#inUse(stack, state.family, checked.address, port)) {
      return STATUS_ADDRESS_ALREADY_EXISTS;
    }
    // A listening socket listens once bound (wsk.md §3.4).
    const result = stack.listen(
      { local: { address: checked.address, port } },
      this.#listenerHandler(state),
    );
    if (!result.ok) {
      switch (result.error) {
        case 'address-in-use':
          return STATUS_ADDRESS_ALREADY_EXISTS;
        case 'address-not-local':
          return STATUS_INVALID_ADDRESS_COMPONENT;
        case 'host-down':
          return STATUS_FILE_FORCED_CLOSED;
        default:
          return STATUS_INVALID_PARAMETER;
      }
    }
    state.listener = result.listener;
    state.bound = { address: checked.address, port };
    state.holdsPort = true;
    this.#file(state);
    return STATUS_SUCCESS;
  }

  #listenerHandler(state: SocketState): ListenerHandler {
    return {
      onReady: (listener) => {
        while (state.accepts.length > 0 && !state.closed && listener.readyCount > 0) {
          const connection = listener.accept(this.#connectionHandler);
          if (connection === null) break;
          const entry = state.accepts.shift() as QueuedAccept;
          const socket = this.#acceptedSocket(state, entry, connection);
          this.#irps.complete(entry.irp, STATUS_SUCCESS, socket);
        }
      },
    };
  }

  #acceptedSocket(
    listen: SocketState,
    entry: QueuedAccept,
    connection: TcpConnection,
  ): WSK_SOCKET {
    const socket = this.#create(
      'connection', listen.client, listen.family, entry.context, entry.dispatch,
    );
    const state = socket.state;
    state.connection = connection;
    state.connected = true;
    state.bound = { address: connection.localAddress, port: connection.localPort };
    connection.user = state;
    const local = { address: connection.localAddress, port: connection.localPort };
    const remote = { address: connection.remoteAddress, port: connection.remotePort };
    if (entry.local !== null) writeSockaddr(entry.local, listen.family, local);
    if (entry.remote !== null) writeSockaddr(entry.remote, listen.family, remote);
    return socket;
  }

  /** Starts the TCP active open; SUCCESS means the IRP is pended and completes on the outcome. */
  #startConnect(state: SocketState, Remote: SOCKADDR, Irp: IRP, socket: unknown): NTSTATUS {
    const stack = this.#stack();
    const bound = state.bound;
    if (stack === null || bound === null) return STATUS_NOT_SUPPORTED;
    const remote = endpointOf(Remote);
    const local = isWildcard(bound.address)
      ? { port: bound.port }
      : { address: bound.address, port: bound.port };
    const result = stack.connect({ remote, local }, this.#connectionHandler);
    if (!result.ok) return connectErrorStatus(result.error);
    const connection = result.connection;
    connection.user = state;
    state.connection = connection;
    state.connectIrp = Irp;
    const onSuccess = socket;
    this.#pendingInformation.set(Irp, onSuccess);
    this.#irps.pend(Irp, (irp) => {
      // IoCancelIrp on a pending connect: the attempt is abandoned (wsk.md §6.4).
      this.#pendingInformation.delete(irp);
      if (state.connectIrp === irp) state.connectIrp = null;
      if (state.connectSocketIrp === irp) {
        state.connectSocketIrp = null;
        this.#discard(state);
      }
      if (connection.outcome === null) connection.abort();
    });
    return STATUS_SUCCESS;
  }

  readonly #pendingInformation = new Map<IRP, unknown>();

  readonly #connectionHandler: ConnectionHandler = {
    onEstablished: (connection) => {
      const state = connection.user as SocketState;
      state.connected = true;
      const irp = state.connectIrp;
      if (irp === null) return;
      state.connectIrp = null;
      state.connectSocketIrp = null;
      const information = this.#pendingInformation.get(irp) ?? 0;
      this.#pendingInformation.delete(irp);
      this.#irps.complete(irp, STATUS_SUCCESS, information);
    },
    onClosed: (connection, outcome) => {
      const state = connection.user as SocketState;
      const irp = state.connectIrp;
      if (irp === null) return;
      state.connectIrp = null;
      this.#pendingInformation.delete(irp);
      if (state.connectSocketIrp === irp) {
        // WskSocketConnect failed: no socket is returned (wsk.md §3.2).
        state.connectSocketIrp = null;
        this.#discard(state);
      }
      this.#irps.complete(irp, outcomeStatus(outcome), 0);
    },
  };

  #ephemeral(stack: TcpStack, family: ADDRESS_FAMILY, address: string): number | null {
    const min = stack.profile.ephemeralPortMin;
    const max = stack.profile.ephemeralPortMax;
    const span = max - min + 1;
    for (let i = 0; i < span; i++) {
      const port = min + ((this.#nextEphemeral + i) % span);
      if (!this.#inUse(stack, family, address, port)) {
        this.#nextEphemeral = (port - min + 1) % span;
        return port;
      }
    }
    return null;
  }

  /** Bind conflict without the sharing table (see the module header). */
  #inUse(stack: TcpStack, family: ADDRESS_FAMILY, address: string, port: number): boolean {
    const holders = this.#holders.get(port);
    if (holders !== undefined) {
      for (const other of holders) {
        const bound = other.bound;
        if (!other.holdsPort || bound === null || bound.port !== port) continue;
        if (other.family !== family) continue;
        if (isWildcard(address) || isWildcard(bound.address) || bound.address === address) {
          return true;
        }
      }
    }
    if (stack.listeners().some((l) => !l.closed && l.localPort === port)) return true;
    return stack.hasLiveConnectionOnPort(port);
  }

  /** Files an open socket that now holds its bound port in #holders. */
  #file(state: SocketState): void {
    const bound = state.bound;
    if (!state.holdsPort || bound === null || !this.#open.has(state)) return;
    let holders = this.#holders.get(bound.port);
    if (holders === undefined) {
      holders = new Set();
      this.#holders.set(bound.port, holders);
    }
    holders.add(state);
  }

  /** Takes a socket that left #open out of #holders. */
  #unfile(state: SocketState): void {
    const bound = state.bound;
    if (bound === null) return;
    const holders = this.#holders.get(bound.port);
    if (holders === undefined || !holders.delete(state)) return;
    if (holders.size === 0) this.#holders.delete(bound.port);
  }

  #trace(call: string, status: NTSTATUS): NTSTATUS {
    this.#k.sim.emit({ type: 'wsk.call', host: this.#k.host, call, status: statusName(status) });
    return status;
  }
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

function endpointOf(Address: SOCKADDR): Endpoint {
  if ('sin6_family' in Address) return { address: Address.sin6_addr, port: Address.sin6_port };
  return { address: Address.sin_addr, port: Address.sin_port };
}

/** Fills a caller's SOCKADDR buffer with an endpoint of `family`. */
function writeSockaddr(Buffer: SOCKADDR, family: ADDRESS_FAMILY, endpoint: Endpoint): void {
  const target = Buffer as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) delete target[key];
  if (family === AF_INET6) {
    Object.assign(target, {
      sin6_family: AF_INET6,
      sin6_port: endpoint.port,
      sin6_flowinfo: 0,
      sin6_addr: endpoint.address,
      sin6_scope_id: 0,
    });
  } else {
    Object.assign(target, {
      sin_family: AF_INET,
      sin_port: endpoint.port,
      sin_addr: endpoint.address,
    });
  }
}
