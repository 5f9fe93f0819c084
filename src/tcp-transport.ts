/**
 * A host's TCP stack as the WSK provider's transport (src/wsk/transport.ts): the adapter
 * Simulation.kernel hands the host's WSK provider. It lives here, above both layers: src/tcp
 * must not know WSK (layers import downward only, docs/design.md#layers), and src/wsk knows only
 * the seam.
 */
import type {
  ConnectRequest,
  ConnectResult,
  ConnectionHandler,
  ListenRequest,
  ListenResult,
  ListenerHandler,
  TcpStack,
} from './tcp/index.ts';
import type { OwnedRequest, PortOwner, PortRange, Transport } from './wsk/index.ts';

export class TcpTransport implements Transport {
  readonly #stack: TcpStack;
  readonly ephemeralPorts: PortRange;

  constructor(stack: TcpStack) {
    this.#stack = stack;
    const profile = stack.profile;
    this.ephemeralPorts = { min: profile.ephemeralPortMin, max: profile.ephemeralPortMax };
  }

  get addresses(): readonly string[] {
    return this.#stack.host.addresses;
  }

  listen(request: OwnedRequest<ListenRequest>, handler: ListenerHandler): ListenResult {
    return this.#stack.listen(request, handler);
  }

  connect(request: OwnedRequest<ConnectRequest>, handler: ConnectionHandler): ConnectResult {
    return this.#stack.connect(request, handler);
  }

  /**
   * The stack's `user`s of the port: the tokens WSK sockets passed down with their requests or
   * set on the connections they accepted, and undefined for a scenario's raw listener or
   * connection (only the WSK provider marks requests on a host it runs on).
   */
  portOwners(port: number): readonly (PortOwner | undefined)[] {
    return this.#stack.portUsers(port) as readonly (PortOwner | undefined)[];
  }
}
