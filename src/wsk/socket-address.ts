/**
 * A socket's addresses: WskBind's checks and the port it takes (docs/model.md#bind), and the
 * translation between a socket's SOCKADDRs and the TCP stack's endpoints, dual stack included
 * (docs/model.md#family-wildcard-and-ephemeral-ports: an AF_INET6 socket with IPV6_V6ONLY = 0 meets
 * IPv4 peers as IPv4-mapped addresses '::ffff:a.b.c.d' in every SOCKADDR_IN6).
 *
 * Bind statuses (source in brackets):
 * - Bound already, or an address of the other family → STATUS_INVALID_PARAMETER with an advisory
 *   [gaps, docs/model.md#bind, #family-wildcard-and-ephemeral-ports;
 *   docs/policies.md#socket-bind-and-connect-policies]. A port outside 0–65535 →
 *   STATUS_INVALID_PARAMETER.
 * - An address that is neither the family's wildcard nor the host's own (for a dual-stack
 *   socket: nor the mapped form of the host's IPv4 address) → STATUS_INVALID_ADDRESS_COMPONENT
 *   [docs/policies.md#socket-bind-and-connect-policies].
 * - Sharing (docs/model.md#address-sharing, binding.ts): STATUS_ADDRESS_ALREADY_EXISTS or
 *   STATUS_ACCESS_DENIED.
 * - Port 0 → the ephemeral pick (binding.ts); none left → STATUS_INSUFFICIENT_RESOURCES.
 * - No transport on the host → STATUS_NOT_SUPPORTED.
 */
import type { Endpoint as TcpEndpoint } from '../tcp/port.ts';
import {
  AF_INET,
  AF_INET6,
  sockaddrFamily,
  type ADDRESS_FAMILY,
  type SOCKADDR,
} from './address.ts';
import {
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_ADDRESS_COMPONENT,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SUPPORTED,
  STATUS_SUCCESS,
  type NTSTATUS,
} from '../nt/index.ts';
import { ipv4OfMapped } from './sharing.ts';
import type { SocketCore } from './socket-core.ts';
import type { Endpoint, SocketState } from './socket-state.ts';
import type { Transport } from './transport.ts';

/** Binds `state` to `LocalAddress` (see the module header); the caller completes the IRP. */
export function bindAddress(
  core: SocketCore,
  call: string,
  state: SocketState,
  LocalAddress: SOCKADDR,
): NTSTATUS {
  if (state.bound !== null) {
    core.k.advisory('WSK-DOUBLE-BIND', `${call}: socket #${state.id} is bound already`);
    return STATUS_INVALID_PARAMETER;
  }
  if (sockaddrFamily(LocalAddress) !== state.family) {
    core.k.advisory('WSK-FAMILY-MISMATCH', `${call}: address family differs from the socket's`);
    return STATUS_INVALID_PARAMETER;
  }
  const endpoint = endpointOf(LocalAddress);
  if (!Number.isInteger(endpoint.port) || endpoint.port < 0 || endpoint.port > 65535) {
    return STATUS_INVALID_PARAMETER;
  }
  const space = core.portSpaceOf(state);
  if (space === null) return STATUS_NOT_SUPPORTED;
  const { table, transport } = space;
  if (!isWildcard(endpoint.address) && !isLocal(transport, state, endpoint.address)) {
    return STATUS_INVALID_ADDRESS_COMPONENT;
  }
  let port = endpoint.port;
  if (port === 0) {
    const picked = table.ephemeral(transport, state, endpoint.address);
    if (picked === null) return STATUS_INSUFFICIENT_RESOURCES;
    port = picked;
  } else {
    const verdict = table.verdict(transport, state, endpoint);
    if (verdict !== STATUS_SUCCESS) return verdict;
  }
  state.bound = { address: endpoint.address, port };
  state.holdsPort = true;
  table.file(state);
  return STATUS_SUCCESS;
}

/** Gives up a bind whose follow-up (the listen) failed. */
export function unbind(core: SocketCore, state: SocketState): void {
  (core.portSpaceOf(state)?.table ?? core.bindings).unfile(state);
  state.bound = null;
  state.holdsPort = false;
}

function isLocal(
  transport: Pick<Transport, 'addresses'>,
  state: SocketState,
  address: string,
): boolean {
  if (transport.addresses.includes(address)) return true;
  const mapped = dualStack(state) ? ipv4OfMapped(address) : null;
  return mapped !== null && transport.addresses.includes(mapped);
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

export function dualStack(state: SocketState): boolean {
  return state.family === AF_INET6 && !state.options.v6only;
}

export function endpointOf(Address: SOCKADDR): Endpoint {
  if ('sin6_family' in Address) return { address: Address.sin6_addr, port: Address.sin6_port };
  return { address: Address.sin_addr, port: Address.sin_port };
}

/**
 * The address the TCP stack uses for a socket address: a dual-stack socket's IPv4-mapped
 * address is the IPv4 one; anything else is itself.
 */
export function transportAddress(state: SocketState, address: string): string {
  return (dualStack(state) && ipv4OfMapped(address)) || address;
}

/** A stack endpoint as the socket's family shows it (IPv4 on an AF_INET6 socket: mapped). */
export function socketEndpoint(family: ADDRESS_FAMILY, endpoint: TcpEndpoint): Endpoint {
  if (family === AF_INET6 && !endpoint.address.includes(':')) {
    return { address: `::ffff:${endpoint.address}`, port: endpoint.port };
  }
  return endpoint;
}

/** Fills a caller's SOCKADDR buffer with an endpoint of `family`. */
export function writeSockaddr(Buffer: SOCKADDR, family: ADDRESS_FAMILY, endpoint: Endpoint): void {
  const target = Buffer as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) delete target[key];
  const shown = socketEndpoint(family, endpoint);
  if (family === AF_INET6) {
    Object.assign(target, {
      sin6_family: AF_INET6,
      sin6_port: shown.port,
      sin6_flowinfo: 0,
      sin6_addr: shown.address,
      sin6_scope_id: 0,
    });
  } else {
    Object.assign(target, { sin_family: AF_INET, sin_port: shown.port, sin_addr: shown.address });
  }
}

/** A fresh SOCKADDR of `family` holding `endpoint` (event callbacks' transient addresses). */
export function newSockaddr(family: ADDRESS_FAMILY, endpoint: Endpoint): SOCKADDR {
  const Address = {} as SOCKADDR;
  writeSockaddr(Address, family, endpoint);
  return Address;
}
