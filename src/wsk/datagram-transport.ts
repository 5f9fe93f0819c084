/**
 * What the WSK provider needs of a datagram transport (the host's UDP stack, src/udp, through the
 * adapter src/udp-transport.ts): the host's addresses, the ephemeral range, who uses a UDP port,
 * and binding one. UDP ports are a namespace of their own beside TCP's (src/udp/stack.ts), so
 * datagram sockets have their own bind table (socket-core.ts `portSpaceOf`), under the same
 * sharing rules (binding.ts, sharing.ts).
 */
import type { DatagramHandler, UdpBindRequest, UdpPort } from '../udp/port.ts';
import type { OwnedRequest, PortOwner, PortRange } from './transport.ts';

export interface DatagramTransport {
  readonly addresses: readonly string[];
  readonly ephemeralPorts: PortRange;
  /** The tokens of everything bound on UDP port `port`; undefined for a use no socket marked. */
  portOwners(port: number): readonly (PortOwner | undefined)[];
  bind(request: OwnedRequest<UdpBindRequest>, handler: DatagramHandler): UdpPort;
}
