/**
 * Captures of a whole simulation (docs/design.md#scenarios-cli-and-reports;
 * docs/tcp.md#capture-format): every packet that leaves a host, at the instant it leaves, as a
 * capture on every sender's interface would record it. A packet lost on the way is in the file (so
 * its retransmission shows as one); a packet refused at its host (no route, host down) never
 * reached a wire and is not. A TCP segment is written as the IP packet that carries it
 * (src/tcp/wire.ts); any other payload as a UDP datagram whose data is the payload's description
 * (datagram.ts), so a run whose traffic is not TCP, like the showcase, still gives a capture to
 * read.
 *
 * - `PcapCapture`: classic pcap (`--pcap`), the packets alone.
 * - `PcapngCapture`: pcapng (`--pcapng`), with one interface per link end a host sent on, named
 *   like the link direction (`client→server`, the name its choices carry: `link client→server
 *   loss`), and on each packet comments telling its fate from the trace records: delivered when, or
 *   dropped when and why (and the choice that decided a loss); duplicated; reordered. Each packet
 *   appears once, on its sender's interface where it left, so Wireshark's TCP analysis sees what
 *   the classic file shows, and a drop is a comment on the packet in place.
 */
import type { TraceRecord } from '../sim/index.ts';
import type { Network, Packet, Payload } from '../topology/index.ts';
import type { Segment } from '../tcp/segment.ts';
import { encodeSegment, type IpFields } from '../tcp/wire.ts';
import { IcmpPortUnreachable } from '../udp/index.ts';
import { encodeDatagram } from './datagram.ts';
import { encodeIcmp } from './icmp.ts';
import { PcapWriter } from './pcap.ts';
import { PcapngWriter } from './pcapng.ts';

export interface CaptureOptions {
  /** IP header fields per sending address (a profile's TTL, say); default TTL 64. */
  readonly ipFor?: (source: string) => IpFields;
}

function isSegment(payload: unknown): payload is Segment {
  const candidate = payload as Partial<Segment> & { readonly protocol?: number };
  return (
    candidate.protocol === undefined && // a UDP datagram has ports and data too
    typeof candidate.sourcePort === 'number' &&
    typeof candidate.targetPort === 'number' &&
    candidate.data instanceof Uint8Array
  );
}

/**
 * Encodes packets as on the wire, numbering each source address's IPv4 packets with its own
 * identification counter from 1 (docs/tcp.md#ipv4-ipv6-and-tcp-encoding).
 */
export class PacketEncoder {
  readonly #identifications = new Map<string, number>();
  readonly #ipFor: ((source: string) => IpFields) | undefined;

  constructor(options: CaptureOptions = {}) {
    this.#ipFor = options.ipFor;
  }

  encode(packet: Packet): Uint8Array {
    const next = this.#identifications.get(packet.source) ?? 1;
    this.#identifications.set(packet.source, (next + 1) & 0xffff);
    const ip = { ...this.#ipFor?.(packet.source) };
    const fields = { ...ip, identification: ip.identification ?? next };
    const payload: Payload = packet.payload;
    if (isSegment(payload)) return encodeSegment(payload, fields);
    // src/udp's ICMP port unreachable (icmp.ts); a UDP datagram is datagram.ts's, real data.
    if (payload instanceof IcmpPortUnreachable) {
      return encodeIcmp(packet.source, packet.target, payload, fields);
    }
    return encodeDatagram(packet.source, packet.target, payload, fields);
  }
}

export class PcapCapture {
  readonly #writer = new PcapWriter();
  readonly #remove: () => void;

  constructor(network: Network, options: CaptureOptions = {}) {
    const encoder = new PacketEncoder(options);
    this.#remove = network.addTap((packet: Packet, now: number) => {
      this.#writer.add(now, encoder.encode(packet));
    });
  }

  /** Packets captured so far. */
  get count(): number {
    return this.#writer.count;
  }

  /** The pcap file so far. */
  bytes(): Uint8Array {
    return this.#writer.bytes();
  }

  /** Stops capturing. */
  stop(): void {
    this.#remove();
  }
}

/** One packet of a pcapng capture and what became of it. */
interface Captured {
  readonly id: number;
  readonly at: number;
  readonly iface: string;
  readonly bytes: Uint8Array;
  /** The nodes of its route when it left: [sender, …, receiver]. */
  readonly route: readonly string[];
  readonly delivered: number[];
  readonly dropped: { readonly at: number; readonly reason: string }[];
  /** A packet of the same flow, sent after this one and delivered before it. */
  overtakenBy: number | null;
}

export class PcapngCapture {
  readonly #network: Network;
  readonly #encoder: PacketEncoder;
  readonly #remove: () => void;
  readonly #packets: Captured[] = [];
  readonly #byId = new Map<number, Captured>();
  /** Per flow (`source>target`): the highest packet id delivered so far. */
  readonly #lastDelivered = new Map<string, number>();

  constructor(network: Network, options: CaptureOptions = {}) {
    this.#network = network;
    this.#encoder = new PacketEncoder(options);
    this.#remove = network.addTap((packet: Packet, now: number) => this.#tap(packet, now));
  }

  /** Packets captured so far. */
  get count(): number {
    return this.#packets.length;
  }

  /**
   * Reads a trace record (the run's `onRecord`): a packet's delivery or drop becomes a comment
   * on the packet. Records of packets that never left their host are ignored.
   */
  record(record: TraceRecord): void {
    if (record.type !== 'net.packet' || record.phase === 'sent') return;
    const captured = this.#byId.get(record.id);
    if (captured === undefined) return;
    if (record.phase === 'dropped') {
      captured.dropped.push({ at: record.at, reason: record.reason ?? 'unknown' });
      return;
    }
    captured.delivered.push(record.at);
    if (captured.delivered.length > 1) return;
    const flow = `${record.source}>${record.target}`;
    const last = this.#lastDelivered.get(flow) ?? 0;
    if (last > record.id) captured.overtakenBy = last;
    else this.#lastDelivered.set(flow, record.id);
  }

  /** The pcapng file of the packets so far, with their fates so far. */
  bytes(): Uint8Array {
    const writer = new PcapngWriter();
    const interfaces = new Map<string, number>();
    for (const packet of this.#packets) {
      let iface = interfaces.get(packet.iface);
      if (iface === undefined) {
        iface = writer.addInterface(interfaceOf(packet.iface));
        interfaces.set(packet.iface, iface);
      }
      writer.addPacket(iface, packet.at, packet.bytes, comments(packet));
    }
    return writer.bytes();
  }

  /** Stops capturing. */
  stop(): void {
    this.#remove();
  }

  #tap(packet: Packet, now: number): void {
    const network = this.#network;
    const from = network.hostByAddress(packet.source)?.name ?? packet.source;
    const to = network.hostByAddress(packet.target)?.name ?? packet.target;
    const route = from === to ? [from] : network.route(from, to);
    const iface = route.length >= 2 ? `${route[0]}→${route[1]}` : `${from} loopback`;
    const captured: Captured = {
      id: packet.id,
      at: now,
      iface,
      bytes: this.#encoder.encode(packet),
      route,
      delivered: [],
      dropped: [],
      overtakenBy: null,
    };
    this.#packets.push(captured);
    this.#byId.set(packet.id, captured);
  }
}

function interfaceOf(name: string): { name: string; description: string } {
  const [host, peer] = name.split('→');
  const description =
    peer === undefined
      ? `${name.replace(/ loopback$/, '')}'s packets to itself`
      : `${host}'s end of the link ${host}-${peer}: what ${host} sends on it`;
  return { name, description };
}

/** The choice label of a link fate, named when the packet's route is one link. */
function choiceOf(packet: Captured, fate: 'loss' | 'duplicate' | 'reorder'): string {
  if (packet.route.length === 2) return `choice "link ${packet.iface} ${fate}"`;
  return `"${fate}" choice of a link on the route ${packet.route.join('→')}`;
}

/** `0.021068317s`: virtual time to the nanosecond, as the frame's own timestamp. */
function formatInstant(at: number): string {
  return `${Math.floor(at / 1e9)}.${String(at % 1e9).padStart(9, '0')}s`;
}

/** The comments of a captured packet: its fate (see the module header). */
function comments(packet: Captured): string[] {
  const out: string[] = [];
  const [first, ...again] = packet.delivered;
  const idText = `net.packet id=${packet.id}`;
  if (first !== undefined) out.push(`delivered at ${formatInstant(first)} (${idText})`);
  for (const { at, reason } of packet.dropped) {
    const why = reason === 'loss' ? `loss, by the ${choiceOf(packet, 'loss')}` : reason;
    out.push(`dropped at ${formatInstant(at)}: ${why} (${idText})`);
  }
  if (again.length > 0 || (first !== undefined && packet.dropped.length > 0)) {
    const times = again.map((at) => formatInstant(at)).join(', ');
    const copy = again.length === 0 ? 'a copy was dropped' : `delivered again at ${times}`;
    out.push(`duplicated: ${copy}, by the ${choiceOf(packet, 'duplicate')}`);
  }
  if (packet.overtakenBy !== null) {
    out.push(
      `reordered: delivered after packet id=${packet.overtakenBy}, sent after it ` +
        `(the ${choiceOf(packet, 'reorder')}, or a hold or rule delay)`,
    );
  }
  if (first === undefined && packet.dropped.length === 0) out.push('in flight when the run ended');
  return out;
}
