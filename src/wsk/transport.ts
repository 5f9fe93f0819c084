/**
 * What the WSK provider needs of a transport: listen, connect, the host's addresses, the
 * ephemeral range, and who uses a port (the bind table's foreign users, binding.ts). Sockets
 * depend on this seam, not on a stack; the host's TCP stack stands behind it through a small
 * adapter made where the host's kernel is wired (src/tcp-transport.ts, src/simulation.ts), so a
 * datagram transport can later stand beside it. Listeners and connections keep the upward
 * port types of src/tcp/port.ts.
 */
import type {
  ConnectRequest,
  ConnectResult,
  ConnectionHandler,
  ListenRequest,
  ListenResult,
  ListenerHandler,
  TcpConnection,
  TcpListener,
} from '../tcp/port.ts';

/** A range of ports, both ends included. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export interface Transport {
  /** The host's own addresses: a bind names one of them, or a wildcard. */
  readonly addresses: readonly string[];
  /** Where port 0 is picked from (binding.ts). */
  readonly ephemeralPorts: PortRange;
  /** Passive open. */
  listen(request: ListenRequest, handler: ListenerHandler): ListenResult;
  /** Active open. */
  connect(request: ConnectRequest, handler: ConnectionHandler): ConnectResult;
  /** The listeners on local port `port`, closed ones included. */
  listenersOnPort(port: number): readonly TcpListener[];
  /** The connections on local port `port` that have not ended (TIME-WAIT ones have). */
  liveConnectionsOnPort(port: number): readonly TcpConnection[];
}
