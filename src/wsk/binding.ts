/**
 * The host's WSK bindings: which open socket holds which port, whether a new WskBind may share
 * an address (sharing.ts, docs/model.md#address-sharing), and the ephemeral pick of port 0
 * (docs/model.md#bind: assigned at bind; docs/policies.md#socket-bind-and-connect-policies).
 *
 * Who holds a port: every open socket bound with WskBind or WskSocketConnect, and a socket
 * accepted from an SO_EXCLUSIVEADDRUSE listener, which keeps the listener's address exclusive
 * until it closes (docs/policies.md#socket-bind-and-connect-policies: "an exclusive listener's port
 * may stay busy until its connections close"). Other accepted sockets hold nothing [gap, the
 * model's choice, in the same table], and connections still waiting in a listener's queue are the
 * listener's.
 *
 * SO_REUSEADDR sharers once bound [doc]. Microsoft's "Sharing Transport Addresses" rules a
 * bind against an address "already in use by another socket"; "Using SO_REUSEADDR and
 * SO_EXCLUSIVEADDRUSE" says that once the second socket "has successfully bound", the sockets
 * share the port and which one takes an incoming request is undefined; the Winsock listen and
 * connect pages give WSAEADDRINUSE there only to a socket "not marked to allow address reuse
 * with SO_REUSEADDR". Hence:
 * - a connection waiting in an SO_REUSEADDR listener's queue is no other socket (no WSK_SOCKET
 *   exists until accept): the table's cell against the listener alone decides the bind;
 * - an SO_REUSEADDR socket listens (STATUS_SUCCESS, and takes the requests no connection's
 *   4-tuple matches) on a port another SO_REUSEADDR socket's live connection uses, and connects
 *   from a port another SO_REUSEADDR socket listens on; only the 4-tuple must be unique
 *   (STATUS_ADDRESS_ALREADY_EXISTS otherwise). The stack is told with `shared` (tcp/port.ts).
 * The pages:
 * https://learn.microsoft.com/windows-hardware/drivers/network/sharing-transport-addresses
 * https://learn.microsoft.com/windows/win32/winsock/using-so-reuseaddr-and-so-exclusiveaddruse
 * https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-listen
 * https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-connect
 *
 * Users of the host's transport that are not WSK sockets (a scenario's raw TCP listener or
 * connection; a use whose token, transport.ts, is no open WSK socket's) count as a binding that
 * shares with nothing: any live one on the port, of either family, makes the bind
 * STATUS_ADDRESS_ALREADY_EXISTS. TIME-WAIT endpoints never block a bind [gap,
 * docs/policies.md#socket-bind-and-connect-policies].
 *
 * Port 0 never shares: the pick is the first port of the profile's ephemeral range, after the
 * last one handed out, that no binding of an overlapping family and address holds and no
 * foreign user has. Windows gives an explicitly bound socket its port for its exclusive use
 * (docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples: ≈16 k outbound connections per local
 * address), whatever the stack's 4-tuple sharing does for connections made without a bind.
 */
import { AF_INET6 } from './address.ts';
import {
  STATUS_ACCESS_DENIED,
  STATUS_ADDRESS_ALREADY_EXISTS,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../nt/index.ts';
import { bindVerdict, type Binding, type ShareMode } from './sharing.ts';
import type { Endpoint, SocketState } from './socket-state.ts';
import type { Transport } from './transport.ts';

/** What the table reads of a transport: its ephemeral range and who uses a port. */
type PortSpace = Pick<Transport, 'ephemeralPorts' | 'portOwners'>;

const VERDICT_STATUS = {
  success: STATUS_SUCCESS,
  'in-use': STATUS_ADDRESS_ALREADY_EXISTS,
  denied: STATUS_ACCESS_DENIED,
} as const;

export class BindTable {
  /**
   * Open sockets that hold their bound port, by port, in bind order: the socket itself when it
   * is the port's only holder (most ports: every ephemeral one), an array when several share.
   * Read through `#holdersOn`.
   */
  readonly #holders = new Map<number, SocketState | SocketState[]>();
  #nextEphemeral = 0;

  /** The status of `state` binding `endpoint`: SUCCESS, ADDRESS_ALREADY_EXISTS, ACCESS_DENIED. */
  verdict(transport: PortSpace, state: SocketState, endpoint: Endpoint): NTSTATUS {
    const second = bindingOf(state, endpoint, state.options.share);
    const holders = this.#holdersOn(endpoint.port);
    if (holders !== undefined) {
      const verdict = bindVerdict(holdings(holders), second);
      if (verdict !== 'success') return VERDICT_STATUS[verdict];
    }
    if (this.#foreign(transport, endpoint.port)) return STATUS_ADDRESS_ALREADY_EXISTS;
    return STATUS_SUCCESS;
  }

  /** Port 0's pick for `state` on `address`, or null when the range is exhausted. */
  ephemeral(transport: PortSpace, state: SocketState, address: string): number | null {
    const { min, max } = transport.ephemeralPorts;
    const span = max - min + 1;
    for (let i = 0; i < span; i++) {
      const port = min + ((this.#nextEphemeral + i) % span);
      if (this.#free(transport, state, { address, port })) {
        this.#nextEphemeral = (port - min + 1) % span;
        return port;
      }
    }
    return null;
  }

  /** Files an open socket that holds its bound port. */
  file(state: SocketState): void {
    const bound = state.bound;
    if (!state.holdsPort || bound === null || state.closed) return;
    const holders = this.#holders.get(bound.port);
    if (holders === undefined) this.#holders.set(bound.port, state);
    else if (!Array.isArray(holders)) {
      if (holders !== state) this.#holders.set(bound.port, [holders, state]);
    } else if (!holders.includes(state)) holders.push(state);
  }

  /** Takes a socket that left the open set out of the table. */
  unfile(state: SocketState): void {
    const bound = state.bound;
    if (bound === null) return;
    const holders = this.#holders.get(bound.port);
    if (holders === state) {
      this.#holders.delete(bound.port);
      return;
    }
    const index = Array.isArray(holders) ? holders.indexOf(state) : -1;
    if (index < 0) return;
    const rest = holders as SocketState[];
    rest.splice(index, 1);
    if (rest.length === 1) this.#holders.set(bound.port, rest[0] as SocketState);
  }

  /** @internal Every port with its holders in bind order (copies), for the invariant checker. */
  entries(): [number, readonly SocketState[]][] {
    return [...this.#holders].map(([port, holders]) => [port, [holders].flat()]);
  }

  /** Open sockets holding `port`, in bind order (a copy). */
  holdersOf(port: number): readonly SocketState[] {
    return this.#holdersOn(port)?.slice() ?? [];
  }

  /** The holders of `port` as a list, or undefined when none. */
  #holdersOn(port: number): readonly SocketState[] | undefined {
    const holders = this.#holders.get(port);
    return holders === undefined || Array.isArray(holders) ? holders : [holders];
  }

  #free(transport: PortSpace, state: SocketState, endpoint: Endpoint): boolean {
    const holders = this.#holdersOn(endpoint.port);
    if (holders !== undefined) {
      // An exclusive ask conflicts with every binding it meets: 'success' means it meets none.
      const ask = bindingOf(state, endpoint, 'exclusive');
      if (bindVerdict(holdings(holders), ask) !== 'success') return false;
    }
    return !this.#foreign(transport, endpoint.port);
  }

  /** A live listener or connection on `port` whose token is no open WSK socket's. */
  #foreign(transport: PortSpace, port: number): boolean {
    for (const owner of transport.portOwners(port)) {
      if (owner === undefined || owner.closed) return true;
    }
    return false;
  }
}

/** The sharing check's view of a socket bound (or asking to bind) to `endpoint`. */
function bindingOf(state: SocketState, endpoint: Endpoint, mode: ShareMode): Binding {
  const ipv6 = state.family === AF_INET6;
  return {
    family: ipv6 ? 'ipv6' : 'ipv4',
    address: endpoint.address,
    port: endpoint.port,
    mode,
    dualStack: ipv6 && !state.options.v6only,
    securityDescriptor: state.options.securityDescriptor,
    owner: state.owner,
  };
}

function* holdings(holders: Iterable<SocketState>): Iterable<Binding> {
  for (const holder of holders) {
    const bound = holder.bound;
    if (bound !== null) yield bindingOf(holder, bound, holder.options.share);
  }
}
