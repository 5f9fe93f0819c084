/**
 * What the UDP stack offers the layer above (the WSK provider, through src/udp-transport.ts): a
 * port bound on an address, datagrams sent from it, and datagrams handed up to it. The stack
 * keeps the layer's `user` token without looking inside (as src/tcp/port.ts does), so the layer's
 * bind table can ask who uses a port.
 */

/** An address and a port. */
export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
}

/** What the layer above hears on a bound port. */
export interface DatagramHandler {
  /**
   * A datagram for the port: from `source`, sent to `target` (one of the host's addresses), its
   * data. False: the layer had no room for it, the stack drops it (`udp.drop` 'buffer-full').
   */
  datagram(source: UdpEndpoint, target: string, data: Uint8Array): boolean;
}

/** Why a datagram could not be sent. */
export type UdpSendFailure = 'no-route' | 'host-down' | 'not-local-address' | 'closed';

export interface UdpBindRequest {
  /** The address bound: one of the host's, or the wildcard of its family ('0.0.0.0', '::'). */
  readonly address: string;
  readonly port: number;
  /** An IPv6 wildcard binding that also takes IPv4 datagrams (IPV6_V6ONLY off). */
  readonly dualStack?: boolean;
  /** The layer's token for the binding (transport.ts's PortOwner for a WSK socket). */
  readonly user?: unknown;
}

/** A bound port. */
export interface UdpPort {
  readonly local: UdpEndpoint;
  /**
   * Sends `data` to `target` as one datagram from this port. The source address is the bound
   * one, or the host's address of the target's family for a wildcard binding.
   */
  send(target: UdpEndpoint, data: Uint8Array): UdpSendFailure | null;
  /** Gives the port back; idempotent. */
  close(): void;
}
