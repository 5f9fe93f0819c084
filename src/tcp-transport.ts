/**
 * A host's TCP stack as the WSK provider's transport (src/wsk/transport.ts): the adapter
 * Simulation.kernel hands the host's WSK provider. It lives here, above both layers, because
 * src/tcp must not know WSK and src/wsk must not know the stack (DESIGN.md §1).
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
  TcpStack,
} from './tcp/index.ts';
import type { PortRange, Transport } from './wsk/index.ts';

const NO_CONNECTIONS: readonly TcpConnection[] = Object.freeze([]);

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

  listen(request: ListenRequest, handler: ListenerHandler): ListenResult {
    return this.#stack.listen(request, handler);
  }

  connect(request: ConnectRequest, handler: ConnectionHandler): ConnectResult {
    return this.#stack.connect(request, handler);
  }

  listenersOnPort(port: number): readonly TcpListener[] {
    return this.#stack.listenersOnPort(port);
  }

  liveConnectionsOnPort(port: number): readonly TcpConnection[] {
    const stack = this.#stack;
    if (!stack.hasLiveConnectionOnPort(port)) return NO_CONNECTIONS;
    return stack
      .connections()
      .filter((c) => c.localPort === port && c.outcome === null && c.state !== 'TIME-WAIT');
  }
}
