/**
 * Listening sockets, and stream sockets in their listening role: listening on bind, WskListen,
 * WskAccept, WskAcceptEvent, the listening socket's death, and its part of WskCloseSocket
 * (docs/model.md#bind, #wsklisten, #wskaccept, #wskclosesocket, #wskacceptevent,
 * #enabling-and-disabling-events; #pitfalls-and-races, pitfalls 2, 7, 8, 9).
 *
 * - A listening socket listens once bound (docs/model.md#bind); a stream socket listens after
 *   WskBind and WskListen (docs/model.md#wsklisten), and is then committed to the role. WskListen
 *   on an unbound stream socket, on one committed to connecting, or twice →
 *   STATUS_INVALID_DEVICE_STATE [gap, docs/model.md#wsklisten].
 * - A wildcard bind listens on every address of the family; a dual-stack AF_INET6 socket's
 *   '::' bind on IPv4 too, and its mapped-address bind on that IPv4 address
 *   (docs/model.md#family-wildcard-and-ephemeral-ports).
 * - Sharing may let two listening sockets bind the same address and port (SO_REUSEADDR,
 *   docs/model.md#address-sharing). Windows leaves undefined which one receives connections; the
 *   model gives them to the socket that listened first, and to the next one when that one closes
 *   [gap: model's choice, docs/policies.md#socket-bind-and-connect-policies]. A dual-stack '::'
 *   socket sharing with an IPv4 listener listens on IPv6 alone and does not take the IPv4 side over
 *   when that one closes. An SO_REUSEADDR socket listens also where another SO_REUSEADDR socket's
 *   connection uses the port (binding.ts header). The listen queue is the TCP stack's
 *   (docs/policies.md#tcp-profile-policies).
 * - WskAccept with a connection already waiting (handshake complete, none queued before it)
 *   completes at once, STATUS_SUCCESS with the socket: "PFN_WSK_ACCEPT callback function (wsk.h)"
 *   (docs/model.md#wskaccept) gives STATUS_PENDING as the IRP queued while WSK "is waiting for
 *   an incoming connection on the listening socket". The 'IRP pends' choice does not apply; the
 *   policy acceptReadyPends (KernelOptions, default 0;
 *   docs/policies.md#socket-bind-and-connect-policies) makes it pend
 *   instead (choice 'WskAccept pends with a connection waiting', the IRP completed with the socket
 *   on a zero-delay event), so exploration still reaches drivers that assume it never completes
 *   inline (issue 18, defect 5). With none waiting it pends until one is ready.
 * - A ready connection (handshake complete) goes to the oldest queued WskAccept IRP; with none
 *   queued, to WskAcceptEvent when WSK_EVENT_ACCEPT is enabled; otherwise it waits in the queue.
 *   A queued IRP normally wins, but Windows documents a race in which the callback still runs
 *   (docs/model.md#wskaccept; #pitfalls-and-races, pitfall 7): the labelled choice 'accept callback
 *   despite queued WskAccept' (KernelOptions.acceptCallbackRace, default 0) makes the callback take
 *   the connection. Enabling the event with connections already waiting indicates them (zero-delay
 *   event).
 * - WskAcceptEvent (docs/model.md#wskacceptevent): runs after the handshake with the listening
 *   socket's context, WSK_FLAG_AT_DISPATCH_LEVEL when at DISPATCH_LEVEL, fresh address structures,
 *   the accepted socket and the two out-parameters. STATUS_SUCCESS hands the socket over with the
 *   context and dispatch the callback set; STATUS_REQUEST_NOT_ACCEPTED makes WSK close it,
 *   abortively (RST: the connection is established). Any other return is a violation
 *   (WSK-ACCEPT-EVENT-RETURN; docs/model.md#wskacceptevent lists only those two), and the socket is
 *   closed likewise. Connection events enabled on the listener start enabled on the socket
 *   (docs/model.md#enabling-and-disabling-events); a socket from WskAccept has only the client's
 *   static ones (docs/model.md#events-per-category).
 * - Death (`invalidate`, a fault verb: the transport takes the listening socket away, as when
 *   its address disappears): queued WskAccept IRPs complete STATUS_FILE_FORCED_CLOSED, waiting
 *   connections are reset, WskAcceptEvent runs once with a NULL socket
 *   (docs/model.md#wskacceptevent; #pitfalls-and-races, pitfall 9), and every later call but
 *   WskCloseSocket answers STATUS_FILE_FORCED_CLOSED (docs/model.md#rules-common-to-every-call).
 * - Close: queued WskAccept IRPs complete STATUS_CANCELLED, oldest first [gap,
 *   docs/model.md#wskaccept; docs/policies.md#socket-bind-and-connect-policies], the stack's
 *   listener closes (waiting connections reset), then the close completes.
 * - Conditional accept (SO_CONDITIONAL_ACCEPT, docs/model.md#conditional-accept): the socket
 *   listens in the stack's deferred mode and inspect.ts answers each request; what it accepts is
 *   delivered as above. Its death is told through WskInspectEvent's NULL InspectID instead of
 *   WskAcceptEvent's NULL socket.
 */
import { transient } from './transient.ts';
import type { ListenerHandler, TcpConnection } from '../tcp/port.ts';
import {
  AF_INET6,
  WSK_EVENT_ACCEPT,
  WSK_FLAG_AT_DISPATCH_LEVEL,
  type SOCKADDR,
} from './address.ts';
import { startingEvents } from './categories.ts';
import type { ConnectionSockets } from './connection-socket.ts';
import {
  DISPATCH_LEVEL,
  STATUS_ADDRESS_ALREADY_EXISTS,
  STATUS_CANCELLED,
  STATUS_FILE_FORCED_CLOSED,
  STATUS_INVALID_ADDRESS_COMPONENT,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_PENDING,
  STATUS_REQUEST_NOT_ACCEPTED,
  STATUS_SUCCESS,
  statusName,
  type IRP,
  type NTSTATUS,
} from '../nt/index.ts';
import type { ConditionalAccept } from './inspect.ts';
import { ipv4OfMapped } from './sharing.ts';
import { dualStack, newSockaddr, unbind, writeSockaddr } from './socket-address.ts';
import { writableOptions, type SocketCore } from './socket-core.ts';
import type { SocketEvents } from './socket-events.ts';
import type { PFN_WSK_ACCEPT_EVENT, WSK_CLIENT_CONNECTION_DISPATCH } from './dispatch-types.ts';
import type { PWSK_SOCKET, QueuedAccept, SocketState, WSK_SOCKET } from './socket-state.ts';

export class ListenSockets {
  readonly #core: SocketCore;
  readonly #events: SocketEvents;
  readonly #connections: ConnectionSockets;
  readonly #conditional: ConditionalAccept;

  constructor(
    core: SocketCore,
    events: SocketEvents,
    connections: ConnectionSockets,
    conditional: ConditionalAccept,
  ) {
    this.#core = core;
    this.#events = events;
    this.#connections = connections;
    this.#conditional = conditional;
  }

  WskListen(Socket: PWSK_SOCKET, Irp: IRP): NTSTATUS {
    const call = 'WskListen';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    if (state.bound === null || state.role !== null) {
      return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    }
    const status = this.listen(state);
    if (status === STATUS_SUCCESS) state.role = 'listen';
    return core.finish(call, Irp, status);
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
    const core = this.#core;
    const state = core.enter(ListenSocket, call, Irp);
    if (typeof state === 'number') return state;
    if (Flags !== 0) return core.invalid(call, Irp, 'WSK-RESERVED-FLAGS', 'Flags must be 0');
    if (!state.listening) return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    const entry: QueuedAccept = {
      irp: Irp,
      context: AcceptSocketContext,
      dispatch: AcceptSocketDispatch,
      local: LocalAddress,
      remote: RemoteAddress,
    };
    const listener = state.listener;
    if (state.accepts.length === 0 && listener !== null && listener.readyCount > 0) {
      const connection = listener.accept(this.#connections.handler);
      if (connection !== null) {
        const socket = this.#acceptedByIrp(state, entry, connection);
        // A waiting connection is accepted at once (module header; policy acceptReadyPends).
        const k = core.k;
        const probability = k.options.acceptReadyPends ?? 0;
        if (k.choices.chance('WskAccept pends with a connection waiting', probability)) {
          return core.trace(call, core.irps.completeLater(Irp, 0, STATUS_SUCCESS, socket));
        }
        return core.trace(call, core.irps.completeInline(Irp, STATUS_SUCCESS, socket));
      }
    }
    state.accepts.push(entry);
    core.irps.pend(Irp, (irp) => {
      const index = state.accepts.findIndex((queued) => queued.irp === irp);
      if (index >= 0) state.accepts.splice(index, 1);
    });
    return core.trace(call, STATUS_PENDING);
  }

  /** Starts listening on the bound address (listening socket's bind, stream's WskListen). */
  listen(state: SocketState): NTSTATUS {
    const status = this.#startListener(state);
    if (status === STATUS_SUCCESS || status === STATUS_ADDRESS_ALREADY_EXISTS) {
      // A sharer of the very same address (docs/model.md#address-sharing) waits for the first
      // listener to close.
      state.listening = true;
      return STATUS_SUCCESS;
    }
    unbind(this.#core, state);
    return status;
  }

  /** WSK_EVENT_ACCEPT was just enabled: connections already waiting are indicated. */
  acceptEnabled(state: SocketState): void {
    const listener = state.listener;
    if (listener === null || listener.readyCount === 0) return;
    this.#core.k.sim.schedule(0, `${this.#core.k.host} wsk accept indications`, () => {
      this.#deliver(state);
    });
  }

  /** WskCloseSocket's part for a listening socket. */
  close(state: SocketState): void {
    const core = this.#core;
    if (state.accepts.length > 0) {
      for (const queued of state.accepts.splice(0)) {
        core.irps.complete(queued.irp, STATUS_CANCELLED, 0);
      }
    }
    this.#stopListener(state);
    this.#conditional.forget(state);
  }

  /** The transport takes the listening socket away (see the module header). */
  invalidate(state: SocketState): void {
    if (state.closed || state.dead) return;
    state.dead = true;
    for (const queued of state.accepts.splice(0)) {
      this.#core.irps.complete(queued.irp, STATUS_FILE_FORCED_CLOSED, 0);
    }
    this.#stopListener(state);
    this.#conditional.forget(state);
    if (state.deathIndicated) return;
    if (state.options.conditionalAccept) {
      state.deathIndicated = true;
      this.#conditional.indicateDeath(state);
      return;
    }
    if ((state.events & WSK_EVENT_ACCEPT) === 0) return;
    state.deathIndicated = true;
    const any = { address: state.family === AF_INET6 ? '::' : '0.0.0.0', port: 0 };
    this.#indicate(state, null, state.bound ?? any, any);
  }

  #startListener(state: SocketState): NTSTATUS {
    const core = this.#core;
    const transport = core.transport();
    const bound = state.bound;
    if (transport === null || bound === null) return STATUS_INVALID_DEVICE_STATE;
    const address =
      dualStack(state) && bound.address === '::'
        ? undefined
        : (dualStack(state) && ipv4OfMapped(bound.address)) || bound.address;
    const handler = this.#listenerHandler(state);
    const mode = state.options.conditionalAccept ? 'deferred' : 'immediate';
    const shared = state.options.share === 'reuse';
    const local =
      address === undefined ? { port: bound.port, shared } : { address, port: bound.port, shared };
    let result = transport.listen({ local, mode, user: state }, handler);
    if (!result.ok && result.error === 'address-in-use' && address === undefined) {
      // A dual-stack '::' sharer whose IPv4 side another socket listens on (SO_REUSEADDR):
      // it listens on IPv6 alone; IPv4 stays with the other socket [model's choice].
      const ipv6 = { address: '::', port: bound.port, shared };
      result = transport.listen({ local: ipv6, mode, user: state }, handler);
    }
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
    return STATUS_SUCCESS;
  }

  /** Closes the stack's listener; the next sharer of the address starts listening. */
  #stopListener(state: SocketState): void {
    const listener = state.listener;
    state.listener = null;
    state.listening = false;
    if (listener === null) return;
    listener.close();
    const bound = state.bound;
    if (bound === null) return;
    for (const next of this.#core.bindings.holdersOf(bound.port)) {
      if (next === state || !next.listening || next.listener !== null || next.dead) continue;
      if (this.#startListener(next) === STATUS_SUCCESS) break;
    }
  }

  #listenerHandler(state: SocketState): ListenerHandler {
    const onReady = (): void => this.#deliver(state);
    if (state.options.conditionalAccept) return this.#conditional.handler(state, onReady);
    return { onReady };
  }

  /** Hands ready connections out: queued IRPs first, then the accept callback. */
  #deliver(state: SocketState): void {
    const k = this.#core.k;
    for (;;) {
      const listener = state.listener;
      if (state.closed || state.dead || listener === null || listener.readyCount === 0) return;
      const callback = (state.events & WSK_EVENT_ACCEPT) !== 0;
      const queued = state.accepts.length > 0;
      if (!queued && !callback) return;
      const race =
        queued &&
        callback &&
        k.choices.chance(
          'accept callback despite queued WskAccept',
          k.options.acceptCallbackRace ?? 0,
        );
      const connection = listener.accept(this.#connections.handler);
      if (connection === null) return;
      if (queued && !race) {
        const entry = state.accepts.shift() as QueuedAccept;
        const socket = this.#acceptedByIrp(state, entry, connection);
        this.#core.irps.complete(entry.irp, STATUS_SUCCESS, socket);
      } else {
        this.#acceptedByEvent(state, connection);
      }
    }
  }

  #acceptedByIrp(listen: SocketState, entry: QueuedAccept, connection: TcpConnection): WSK_SOCKET {
    const socket = this.#accepted(listen, connection, entry.context, entry.dispatch, 0);
    // A leak report names the accept IRP's allocation for a socket accepted through it.
    if (entry.irp.site !== null) this.#core.noteSite(socket.state, entry.irp.site);
    const local = { address: connection.localAddress, port: connection.localPort };
    const remote = { address: connection.remoteAddress, port: connection.remotePort };
    if (entry.local !== null) writeSockaddr(entry.local, listen.family, local);
    if (entry.remote !== null) writeSockaddr(entry.remote, listen.family, remote);
    return socket;
  }

  #acceptedByEvent(listen: SocketState, connection: TcpConnection): void {
    const socket = this.#accepted(listen, connection, null, null, listen.inherited);
    const local = { address: connection.localAddress, port: connection.localPort };
    const remote = { address: connection.remoteAddress, port: connection.remotePort };
    const status = this.#indicate(listen, socket, local, remote);
    if (status === STATUS_SUCCESS) return;
    // Not taken: WSK closes the socket itself, abortively (docs/model.md#wskacceptevent).
    this.#connections.close(socket.state);
    this.#core.retire(socket.state);
  }

  /** Runs WskAcceptEvent; the socket takes the context and dispatch the callback set. */
  #indicate(
    listen: SocketState,
    socket: WSK_SOCKET | null,
    local: { address: string; port: number },
    remote: { address: string; port: number },
  ): NTSTATUS {
    const core = this.#core;
    const k = core.k;
    const callback = this.#events.callback(listen, WSK_EVENT_ACCEPT) as PFN_WSK_ACCEPT_EVENT;
    const context: { value: unknown } = { value: null };
    const dispatch: { value: WSK_CLIENT_CONNECTION_DISPATCH | null } = { value: null };
    // The addresses are valid during the call only (docs/model.md#wskacceptevent): revoked when it
    // returns.
    const Local = transient(k, newSockaddr(listen.family, local), 'LocalAddress', listen.id);
    const Remote = transient(k, newSockaddr(listen.family, remote), 'RemoteAddress', listen.id);
    const status = this.#events.invoke(listen, WSK_EVENT_ACCEPT, () =>
      callback(
        listen.context,
        k.irql >= DISPATCH_LEVEL ? WSK_FLAG_AT_DISPATCH_LEVEL : 0,
        Local.view,
        Remote.view,
        socket,
        context,
        dispatch,
      ),
    );
    Local.revoke();
    Remote.revoke();
    this.#events.traced(listen, 'WskAcceptEvent', statusName(status));
    if (status !== STATUS_SUCCESS && status !== STATUS_REQUEST_NOT_ACCEPTED) {
      k.violation(
        'WSK-ACCEPT-EVENT-RETURN',
        `WskAcceptEvent returned ${statusName(status)}; only STATUS_SUCCESS or ` +
          'STATUS_REQUEST_NOT_ACCEPTED are allowed',
        { socket: listen.id },
      );
    }
    if (status === STATUS_SUCCESS && socket !== null) {
      socket.state.context = context.value;
      socket.state.clientDispatch = dispatch.value;
    }
    return status;
  }

  /**
   * A socket for a connection of `listen` (docs/model.md#wskaccept, #wskacceptevent; binding.ts for
   * the port).
   */
  #accepted(
    listen: SocketState,
    connection: TcpConnection,
    context: unknown,
    clientDispatch: unknown,
    inherited: number,
  ): WSK_SOCKET {
    const core = this.#core;
    const statics = startingEvents('connection', core.clients.staticEvents(listen.client));
    const socket = core.create(
      {
        category: 'connection',
        client: listen.client,
        family: listen.family,
        context,
        clientDispatch,
        owner: listen.owner,
        securityDescriptor: null,
      },
      statics | inherited,
    );
    const state = socket.state;
    state.fixedEvents = statics;
    if (!listen.options.v6only) writableOptions(state).v6only = false;
    this.#connections.own(state, connection);
    state.connected = true;
    if (listen.options.conditionalAccept) {
      this.#conditional.noteAccepted(listen, state, connection.id);
    }
    const exclusive = listen.options.share === 'exclusive' && listen.bound !== null;
    state.bound =
      exclusive && listen.bound !== null
        ? listen.bound
        : { address: connection.localAddress, port: connection.localPort };
    if (exclusive) {
      writableOptions(state).share = 'exclusive';
      state.holdsPort = true;
      core.bindings.file(state);
    }
    return socket;
  }
}
