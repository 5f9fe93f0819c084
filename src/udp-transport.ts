/**
 * A host's UDP stack as the WSK provider's datagram transport (src/wsk/datagram-transport.ts),
 * made where the host's kernel is wired (src/simulation.ts): src/udp must not know WSK, and
 * src/wsk knows only the seam (docs/design.md#layers), as for TCP (src/tcp-transport.ts).
 */
import type { DatagramHandler, UdpBindRequest, UdpPort, UdpStack } from './udp/index.ts';
import type { DatagramTransport, OwnedRequest, PortOwner, PortRange } from './wsk/index.ts';

export class UdpTransport implements DatagramTransport {
  readonly #stack: UdpStack;

  constructor(stack: UdpStack) {
    this.#stack = stack;
  }

  get addresses(): readonly string[] {
    return this.#stack.host.addresses;
  }

  get ephemeralPorts(): PortRange {
    return this.#stack.ephemeralPorts;
  }

  portOwners(port: number): readonly (PortOwner | undefined)[] {
    return this.#stack.portUsers(port) as readonly (PortOwner | undefined)[];
  }

  bind(request: OwnedRequest<UdpBindRequest>, handler: DatagramHandler): UdpPort {
    return this.#stack.bind(request, handler);
  }
}
