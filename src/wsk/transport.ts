/**
 * What the WSK provider needs of a transport: listen, connect, the host's addresses, the
 * ephemeral range, and who uses a port (the bind table's foreign users, binding.ts). Sockets
 * depend on this seam, not on a stack; the host's TCP stack stands behind it through a small
 * adapter made where the host's kernel is wired (src/tcp-transport.ts, src/simulation.ts), so a
 * datagram transport can later stand beside it. Listeners and connections keep the upward
 * port types of src/tcp/port.ts.
 *
 * Ownership of a port is by token: a WSK socket passes itself down as the `user` of its listen
 * and connect requests, and sets it on a connection it accepts; the transport keeps it without
 * looking inside and hands it back in `portOwners`, so the bind table asks the token whether a
 * use of the port is a socket's, rather than guessing from the class of an object.
 */
import type {
  ConnectRequest,
  ConnectResult,
  ConnectionHandler,
  ListenRequest,
  ListenResult,
  ListenerHandler,
} from '../tcp/port.ts';

/** The token of a WSK socket on what it uses of a port (a SocketState is its own token). */
export interface PortOwner {
  /** True once the socket closed: what it left behind (a connection still closing) is no one's. */
  readonly closed: boolean;
}

/** A listen or connect request of the port types, marked with the socket's token. */
export type OwnedRequest<Request> = Request & { readonly user: PortOwner };

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
  listen(request: OwnedRequest<ListenRequest>, handler: ListenerHandler): ListenResult;
  /** Active open. */
  connect(request: OwnedRequest<ConnectRequest>, handler: ConnectionHandler): ConnectResult;
  /**
   * The token of everything on local port `port`: each open listener's, each connection's that
   * has not ended (TIME-WAIT ones have); undefined for a use no WSK socket marked.
   */
  portOwners(port: number): readonly (PortOwner | undefined)[];
}
