/**
 * The UDP stack of one host (RFC 768): bound ports, demultiplexing of arriving datagrams to
 * them, sending, and the answer to a datagram no port takes. It attaches to a topology Host as
 * the receiver of protocol 17 (and of ICMP, to hear port unreachables), beside the TCP stack:
 * UDP ports are a namespace of their own, so a UDP port never conflicts with a TCP one (RFC 768:
 * ports are UDP's; Microsoft's "Sharing Transport Addresses" rules sockets of one transport).
 *
 * - Bind: the stack takes any binding; who may share a port is decided above it (the WSK bind
 *   table, src/wsk/binding.ts), as for TCP. The ephemeral range is the profile-free default of
 *   Windows, 49152–65535 (KB929851, "The default dynamic port range for TCP/IP has changed in
 *   Windows Vista and in Windows Server 2008"), overridable.
 * - Demultiplexing: the binding of the datagram's target address wins over a wildcard one (an
 *   IPv6 wildcard takes IPv4 datagrams only when dual stack); of equals, the one bound first
 *   [policy 'udp-demux-first', docs/policies.md#datagram-policies: Microsoft's "Using SO_REUSEADDR
 *   and SO_EXCLUSIVEADDRUSE" leaves it undefined which socket gets the data].
 * - A datagram for a port nobody binds: `closedPort` policy (docs/policies.md#datagram-policies):
 *   'icmp' answers ICMP port unreachable (RFC 1122 §4.1.3.1: UDP "SHOULD send an ICMP Port
 *   Unreachable message"); 'silent' drops it, as Windows Firewall's stealth mode does. Either
 *   way it is traced `udp.drop` 'no-port'. An ICMP port unreachable that arrives is traced
 *   `udp.unreachable` and goes no further (src/wsk/datagram-socket.ts: WSK reports nothing).
 * - No checksum is computed here: the model's datagrams do not corrupt (the capture computes
 *   RFC 768's checksum, src/report/datagram.ts). No fragmentation: a datagram is one packet
 *   whatever its size (docs/not-modelled.md).
 * - A crash loses every binding, silently (the host's upper layers die with it).
 */
import type { Simulator } from '../sim/index.ts';
import type { Packet, Payload, SendResult } from '../topology/index.ts';
import {
  IcmpPortUnreachable,
  PROTOCOL_ICMP,
  PROTOCOL_ICMPV6,
  PROTOCOL_UDP,
  UdpDatagram,
  isIpv6,
} from './payload.ts';
import type {
  DatagramHandler, UdpBindRequest, UdpEndpoint, UdpPort, UdpSendFailure,
} from './port.ts';
import './records.ts';

/** What the stack needs of a topology host; src/topology's Host satisfies it. */
export interface UdpHost {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
  send(source: string, target: string, bytes: number, payload: Payload): SendResult;
  onReceiveProtocol(protocol: number, handler: (packet: Packet) => void): void;
  onCrash(handler: () => void): void;
}

/** The stack's options (docs/policies.md#datagram-policies). */
export interface UdpOptions {
  /** What a datagram for an unbound port gets. @defaultValue 'icmp' */
  readonly closedPort?: 'icmp' | 'silent';
  /** @defaultValue 49152 */
  readonly ephemeralPortMin?: number;
  /** @defaultValue 65535 */
  readonly ephemeralPortMax?: number;
}

/** One bound port. */
class Binding implements UdpPort {
  readonly local: UdpEndpoint;
  readonly dualStack: boolean;
  readonly user: unknown;
  readonly handler: DatagramHandler;
  readonly #stack: UdpStack;
  open = true;

  constructor(stack: UdpStack, request: UdpBindRequest, handler: DatagramHandler) {
    this.#stack = stack;
    this.local = { address: request.address, port: request.port };
    this.dualStack = request.dualStack ?? false;
    this.user = request.user;
    this.handler = handler;
  }

  send(target: UdpEndpoint, data: Uint8Array): UdpSendFailure | null {
    if (!this.open) return 'closed';
    return this.#stack.sendFrom(this, target, data);
  }

  close(): void {
    if (this.open) this.#stack.unbind(this);
  }

  /** Whether it takes a datagram sent to `address`: 2 exactly, 1 as a wildcard, 0 not. */
  matches(address: string): number {
    const bound = this.local.address;
    if (bound === address) return 2;
    if (bound === '0.0.0.0') return isIpv6(address) ? 0 : 1;
    if (bound === '::') return isIpv6(address) || this.dualStack ? 1 : 0;
    return 0;
  }
}

export class UdpStack {
  readonly sim: Simulator;
  readonly host: UdpHost;
  readonly closedPort: 'icmp' | 'silent';
  readonly ephemeralPorts: { readonly min: number; readonly max: number };
  /** Bindings by port, in bind order. */
  readonly #ports = new Map<number, Binding[]>();
  /** Datagrams sent, handed up and dropped (a bench and a test read them). */
  sent = 0;
  delivered = 0;
  dropped = 0;

  constructor(sim: Simulator, host: UdpHost, options: UdpOptions = {}) {
    this.sim = sim;
    this.host = host;
    this.closedPort = options.closedPort ?? 'icmp';
    this.ephemeralPorts = {
      min: options.ephemeralPortMin ?? 49152,
      max: options.ephemeralPortMax ?? 65535,
    };
    const stack = this;
    host.onReceiveProtocol(PROTOCOL_UDP, (packet) => stack.#onDatagram(packet));
    host.onReceiveProtocol(PROTOCOL_ICMP, (packet) => stack.#onIcmp(packet));
    host.onReceiveProtocol(PROTOCOL_ICMPV6, (packet) => stack.#onIcmp(packet));
    host.onCrash(() => stack.#ports.clear());
  }

  /** Binds a port (see the header: the layer above decides sharing). */
  bind(request: UdpBindRequest, handler: DatagramHandler): UdpPort {
    const binding = new Binding(this, request, handler);
    const list = this.#ports.get(request.port);
    if (list === undefined) this.#ports.set(request.port, [binding]);
    else list.push(binding);
    this.#tracePort('bound', binding.local);
    return binding;
  }

  /** The `user` tokens of the bindings on `port`, in bind order. */
  portUsers(port: number): readonly unknown[] {
    return this.#ports.get(port)?.map((binding) => binding.user) ?? [];
  }

  /** Bound ports, for the invariant checker and tests. */
  get boundPorts(): number {
    let count = 0;
    for (const list of this.#ports.values()) count += list.length;
    return count;
  }

  /** @internal Binding.close */
  unbind(binding: Binding): void {
    binding.open = false;
    const list = this.#ports.get(binding.local.port);
    const index = list?.indexOf(binding) ?? -1;
    if (list === undefined || index < 0) return;
    list.splice(index, 1);
    if (list.length === 0) this.#ports.delete(binding.local.port);
    this.#tracePort('closed', binding.local);
  }

  /** @internal Binding.send */
  sendFrom(binding: Binding, target: UdpEndpoint, data: Uint8Array): UdpSendFailure | null {
    const source = this.#sourceFor(binding.local.address, target.address);
    if (source === undefined) return 'no-route';
    const datagram = new UdpDatagram(source, binding.local.port, target.address, target.port,
      data);
    const result = this.host.send(source, target.address, datagram.bytes, datagram);
    if (!result.ok) return result.reason;
    this.sent++;
    return null;
  }

  #sourceFor(bound: string, target: string): string | undefined {
    if (bound !== '0.0.0.0' && bound !== '::') return bound;
    return isIpv6(target) ? this.host.ipv6 : this.host.ipv4;
  }

  #onDatagram(packet: Packet): void {
    const datagram = packet.payload as unknown as UdpDatagram;
    if (!(datagram instanceof UdpDatagram)) return;
    const binding = this.#demux(datagram.target, datagram.targetPort);
    if (binding === null) return this.#noPort(datagram);
    const from = { address: datagram.source, port: datagram.sourcePort };
    if (!binding.handler.datagram(from, datagram.target, datagram.data)) {
      this.#drop('buffer-full', datagram.targetPort);
      return;
    }
    this.delivered++;
  }

  #demux(address: string, port: number): Binding | null {
    const list = this.#ports.get(port);
    if (list === undefined) return null;
    let best: Binding | null = null;
    let rank = 0;
    for (const binding of list) {
      const match = binding.matches(address);
      if (match > rank) {
        best = binding;
        rank = match;
      }
    }
    return best;
  }

  #noPort(datagram: UdpDatagram): void {
    this.#drop('no-port', datagram.targetPort);
    if (this.closedPort !== 'icmp') return;
    const answer = new IcmpPortUnreachable(datagram.target, datagram.source, datagram);
    void this.host.send(datagram.target, datagram.source, answer.bytes, answer);
  }

  #onIcmp(packet: Packet): void {
    const icmp = packet.payload as unknown as IcmpPortUnreachable;
    if (!(icmp instanceof IcmpPortUnreachable)) return;
    const original = icmp.original;
    const sim = this.sim;
    sim.trace.emit({
      at: sim.now,
      type: 'udp.unreachable',
      host: this.host.name,
      port: original.sourcePort,
      remote: `${original.target}:${original.targetPort}`,
    });
  }

  #drop(reason: string, port: number): void {
    this.dropped++;
    const sim = this.sim;
    sim.trace.emit({ at: sim.now, type: 'udp.drop', host: this.host.name, reason, port });
  }

  #tracePort(event: string, local: UdpEndpoint): void {
    const sim = this.sim;
    sim.trace.emit({
      at: sim.now,
      type: 'udp.port',
      host: this.host.name,
      event,
      address: local.address,
      port: local.port,
    });
  }
}
