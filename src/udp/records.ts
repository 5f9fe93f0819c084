/**
 * The UDP layer's trace records (docs/design.md#simulation-core-time-queue-choices-and-trace),
 * added to the catalogue of src/sim/records.ts; fields in the order they are emitted. Datagrams
 * themselves have no record of their own: the network's packet record carries each one's digest.
 * - `udp.port`: a port bound or closed (`event`), with its address;
 * - `udp.drop`: a datagram the stack did not hand up (`reason`: 'no-port', 'buffer-full'), with
 *   the port it was for;
 * - `udp.unreachable`: an ICMP port unreachable arrived for a datagram this host sent from
 *   `port` to `remote` (RFC 1122 §4.1.3.1).
 */
import type { TraceRecordOf, TraceType } from '../sim/index.ts';

declare module '../sim/records.ts' {
  interface TraceCatalogue {
    'udp.port': {
      readonly host: string;
      readonly event: string;
      readonly address: string;
      readonly port: number;
    };
    'udp.drop': { readonly host: string; readonly reason: string; readonly port: number };
    'udp.unreachable': { readonly host: string; readonly port: number; readonly remote: string };
  }
}

/** The UDP layer's records: those whose type starts with `udp.`. */
export type UdpRecord = TraceRecordOf<Extract<TraceType, `udp.${string}`>>;
