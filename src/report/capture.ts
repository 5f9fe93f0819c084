/**
 * A capture of a whole simulation: every TCP segment that leaves a host, at the instant it
 * leaves, written as classic pcap (docs/design.md#scenarios-cli-and-reports, `--pcap`;
 * docs/tcp.md#capture-format). This is what a capture on every sender's interface would record: a
 * segment lost on the way is in the file (so its retransmission shows as one), a packet refused at
 * its host (no route) is not. Packets whose payload is not a TCP segment are skipped.
 */
import type { Network, Packet } from '../topology/index.ts';
import type { Segment } from '../tcp/segment.ts';
import type { IpFields } from '../tcp/wire.ts';
import { SegmentCapture } from './pcap.ts';

export interface CaptureOptions {
  /** IP header fields per sending address (a profile's TTL, say); default TTL 64. */
  readonly ipFor?: (source: string) => IpFields;
}

function isSegment(payload: unknown): payload is Segment {
  const candidate = payload as Partial<Segment>;
  return (
    typeof candidate.sourcePort === 'number' &&
    typeof candidate.targetPort === 'number' &&
    candidate.data instanceof Uint8Array
  );
}

export class PcapCapture {
  readonly #capture = new SegmentCapture();
  readonly #remove: () => void;

  constructor(network: Network, options: CaptureOptions = {}) {
    const ipFor = options.ipFor;
    this.#remove = network.addTap((packet: Packet, now: number) => {
      const payload: unknown = packet.payload;
      if (isSegment(payload))
        this.#capture.add(now, payload, ipFor === undefined ? {} : ipFor(payload.source));
    });
  }

  /** Segments captured so far. */
  get count(): number {
    return this.#capture.count;
  }

  /** The pcap file so far. */
  bytes(): Uint8Array {
    return this.#capture.bytes();
  }

  /** Stops capturing. */
  stop(): void {
    this.#remove();
  }
}
