/**
 * Connection-oriented sockets, and stream sockets in their connection role: WskConnect, the
 * TCP active open behind WskSocketConnect, WskGetLocalAddress / WskGetRemoteAddress, and their
 * part of WskCloseSocket (docs/model.md#wsksocketconnect, #wsklisten, #wskconnect, #wskclosesocket,
 * #local-and-remote-addresses, #ntstatus-values).
 *
 * Statuses and policies (source in brackets):
 * - WskConnect on an unbound socket → STATUS_INVALID_DEVICE_STATE [docs/model.md#wskconnect: it
 *   "needs a bound connection-oriented or stream socket", code undocumented;
 *   #local-and-remote-addresses uses it for the same condition]. Connecting twice, or an address of
 *   the other family → STATUS_INVALID_PARAMETER with an advisory [gap, docs/model.md#wskconnect;
 *   docs/policies.md#socket-bind-and-connect-policies]. A stream socket committed to listening →
 *   STATUS_INVALID_DEVICE_STATE [gap, docs/model.md#wsklisten: the wrong-role code is
 *   undocumented]; a stream socket's WskConnect commits it to connecting.
 * - Dual stack: a dual-stack AF_INET6 socket connects to '::ffff:a.b.c.d' over IPv4
 *   (docs/model.md#family-wildcard-and-ephemeral-ports).
 * - A socket bound with SO_REUSEADDR asks the stack for 4-tuple sharing of its port, also
 *   where another SO_REUSEADDR socket listens on it (binding.ts header); others keep the port
 *   exclusive (docs/model.md#address-sharing; docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples).
 * - Connect failures from the TCP outcome [docs/model.md#connect-and-connection-failures] and the
 *   port's local errors: socket-status.ts.
 * - GetLocalAddress: unbound → STATUS_INVALID_DEVICE_STATE; a wildcard-bound socket reports the
 *   real IP once connected [docs/model.md#local-and-remote-addresses]. GetRemoteAddress: not
 *   connected → STATUS_INVALID_DEVICE_STATE [docs/model.md#local-and-remote-addresses]. Both are on
 *   the listening table too (GetLocalAddress).
 * - Close: a pending connect completes STATUS_CANCELLED first
 *   [docs/policies.md#socket-bind-and-connect-policies]; the data path (connection-data.ts)
 *   completes its IRPs; a connection that has not ended is aborted (RST where synchronized) unless
 *   its graceful WskDisconnect completed [docs/model.md#wskclosesocket, #echo-server-expectations].
 * - The TCP port's data notifications go to the data path (connection-data.ts).
 */
import type { ConnectionHandler, TcpConnection } from '../tcp/port.ts';
import type { Outcome } from '../tcp/state.ts';
import { sockaddrFamily, type SOCKADDR } from './address.ts';
import type { ConnectionData } from './connection-data.ts';
import {
  STATUS_CANCELLED,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SUPPORTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type IRP,
  type NTSTATUS,
} from '../nt/index.ts';
import { endpointOf, isWildcard, transportAddress, writeSockaddr } from './socket-address.ts';
import type { SocketCore } from './socket-core.ts';
import { connectErrorStatus, outcomeStatus } from './socket-status.ts';
import type { Endpoint, PWSK_SOCKET, SocketState } from './socket-state.ts';

export class ConnectionSockets {
  readonly #core: SocketCore;
  /** The data path (socket.ts sets it once both exist). */
  data: ConnectionData | null = null;

  /** What the transport tells the host's connections (ConnectionEvents, below). */
  readonly handler: ConnectionHandler;

  constructor(core: SocketCore) {
    this.#core = core;
    this.handler = new ConnectionEvents(core, this);
  }

  WskConnect(Socket: PWSK_SOCKET, RemoteAddress: SOCKADDR, Flags: number, Irp: IRP): NTSTATUS {
    const call = 'WskConnect';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    if (Flags !== 0) return core.invalid(call, Irp, 'WSK-RESERVED-FLAGS', 'Flags must be 0');
    if (state.role === 'listen') return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    if (state.bound === null) return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    if (state.connection !== null) {
      return core.invalid(call, Irp, 'WSK-CONNECT-TWICE', 'the socket connected already');
    }
    if (sockaddrFamily(RemoteAddress) !== state.family) {
      return core.invalid(call, Irp, 'WSK-FAMILY-MISMATCH', 'address family differs');
    }
    const started = this.connect(state, RemoteAddress, Irp);
    if (started !== STATUS_SUCCESS) return core.finish(call, Irp, started);
    state.role = 'connection';
    return core.trace(call, STATUS_PENDING);
  }

  WskGetLocalAddress(Socket: PWSK_SOCKET, LocalAddress: SOCKADDR, Irp: IRP): NTSTATUS {
    const call = 'WskGetLocalAddress';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    const connection = state.connection;
    const local: Endpoint | null =
      connection !== null && state.connected
        ? { address: connection.localAddress, port: connection.localPort }
        : state.bound;
    if (local === null) return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    writeSockaddr(LocalAddress, state.family, local);
    return core.finish(call, Irp, STATUS_SUCCESS);
  }

  WskGetRemoteAddress(Socket: PWSK_SOCKET, RemoteAddress: SOCKADDR, Irp: IRP): NTSTATUS {
    const call = 'WskGetRemoteAddress';
    const core = this.#core;
    const state = core.enter(Socket, call, Irp);
    if (typeof state === 'number') return state;
    const connection = state.connection;
    if (connection === null || !state.connected) {
      return core.finish(call, Irp, STATUS_INVALID_DEVICE_STATE);
    }
    const remote = { address: connection.remoteAddress, port: connection.remotePort };
    writeSockaddr(RemoteAddress, state.family, remote);
    return core.finish(call, Irp, STATUS_SUCCESS);
  }

  /**
   * Starts the TCP active open of a bound socket; SUCCESS means `Irp` is pended and completes
   * with the outcome, with `state.connectReturns` (or 0) as its Information on success.
   */
  connect(state: SocketState, Remote: SOCKADDR, Irp: IRP): NTSTATUS {
    const core = this.#core;
    const transport = core.transport();
    const bound = state.bound;
    if (transport === null || bound === null) return STATUS_NOT_SUPPORTED;
    const target = endpointOf(Remote);
    const remote = { address: transportAddress(state, target.address), port: target.port };
    const shared = state.options.share === 'reuse';
    const local = isWildcard(bound.address)
      ? { port: bound.port, shared }
      : { address: transportAddress(state, bound.address), port: bound.port, shared };
    if (remote.address.includes(':') !== (local.address ?? remote.address).includes(':')) {
      return STATUS_INVALID_PARAMETER;
    }
    const result = transport.connect({ remote, local, user: state }, this.handler);
    if (!result.ok) return connectErrorStatus(result.error);
    const connection = result.connection;
    this.own(state, connection);
    state.connectIrp = Irp;
    core.irps.pend(Irp, (irp) => {
      // IoCancelIrp on a pending connect: the attempt is abandoned (docs/model.md#cancellation).
      if (state.connectIrp === irp) {
        state.connectIrp = null;
        if (state.connectReturns !== null) {
          state.connectReturns = null;
          core.retire(state);
        }
      }
      if (connection.outcome === null) connection.abort();
    });
    return STATUS_SUCCESS;
  }

  /** Makes `connection` the socket's own, its token included (also for accepted sockets). */
  own(state: SocketState, connection: TcpConnection): void {
    connection.user = state;
    state.connection = connection;
  }

  /** WskCloseSocket's part for a connection: cancel the connect, abort what is live. */
  close(state: SocketState): void {
    const connectIrp = state.connectIrp;
    state.connectIrp = null;
    if (connectIrp !== null) {
      this.#core.irps.complete(connectIrp, STATUS_CANCELLED, 0);
    }
    const graceful = this.data !== null && this.data.close(state);
    const connection = state.connection;
    if (connection !== null && connection.outcome === null && !graceful) connection.abort();
  }
}

/**
 * What the transport tells the host's connection sockets (ConnectionHandler): one object per host,
 * its functions on the prototype rather than closures made for every host.
 */
class ConnectionEvents implements ConnectionHandler {
  readonly #core: SocketCore;
  readonly #sockets: ConnectionSockets;

  constructor(core: SocketCore, sockets: ConnectionSockets) {
    this.#core = core;
    this.#sockets = sockets;
  }

  onEstablished(connection: TcpConnection): void {
    const state = connection.user as SocketState;
    state.connected = true;
    const irp = state.connectIrp;
    if (irp === null) return;
    const information = state.connectReturns ?? 0;
    state.connectIrp = null;
    state.connectReturns = null;
    this.#core.irps.complete(irp, STATUS_SUCCESS, information);
  }

  onData(connection: TcpConnection): void {
    this.#sockets.data?.onData(connection.user as SocketState);
  }

  onTransmitted(connection: TcpConnection): void {
    this.#sockets.data?.onTransmitted(connection.user as SocketState, connection);
  }

  onAcknowledged(connection: TcpConnection, id: number): void {
    this.#sockets.data?.onAcknowledged(connection.user as SocketState, connection, id);
  }

  onPeerFin(connection: TcpConnection): void {
    this.#sockets.data?.onPeerFin(connection.user as SocketState);
  }

  onClosed(connection: TcpConnection, outcome: Outcome): void {
    const state = connection.user as SocketState;
    const irp = state.connectIrp;
    if (irp === null) return this.#sockets.data?.onClosed(state, outcome);
    state.connectIrp = null;
    if (state.connectReturns !== null) {
      // WskSocketConnect failed: no socket is returned (docs/model.md#wsksocketconnect).
      state.connectReturns = null;
      this.#core.retire(state);
    }
    this.#core.irps.complete(irp, outcomeStatus(outcome), 0);
  }
}
