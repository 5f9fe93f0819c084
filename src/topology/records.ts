/**
 * The network layer's trace records (docs/design.md#simulation-core-time-queue-choices-and-trace),
 * added to the catalogue of src/sim/records.ts; fields in the order they are emitted and hashed:
 * - `net.packet`: a packet sent, delivered or dropped (`phase`), with the drop's `reason`, the
 *   payload's `digest` (what the hash sees of it) and its description in the display-only `info`,
 *   filled only when records are kept (emitted by transit.ts);
 * - `net.fault`: a fault applied, with its verb and the nodes it names (faults.ts).
 */
import type { TraceRecord, TraceRecordOf, TraceType } from '../sim/index.ts';

export type PacketPhase = 'sent' | 'delivered' | 'dropped';

declare module '../sim/records.ts' {
  interface TraceCatalogue {
    'net.packet': {
      readonly phase: PacketPhase;
      readonly id: number;
      readonly source: string;
      readonly target: string;
      readonly bytes: number;
      readonly reason: string | undefined;
      readonly digest: number | undefined;
      readonly info: string | undefined;
    };
    'net.fault': {
      readonly verb: string;
      readonly a: string;
      readonly b: string | undefined;
    };
  }
}

/** A packet trace record. */
export type PacketRecord = TraceRecordOf<'net.packet'>;

/** A fault trace record: the verb and the nodes it names. */
export type FaultRecord = TraceRecordOf<'net.fault'>;

/** The network layer's records: those whose type starts with `net.`. */
export type NetRecord = TraceRecordOf<Extract<TraceType, `net.${string}`>>;

/** True for the packet records among a trace's records. */
export function isPacketRecord(record: TraceRecord): record is PacketRecord {
  return record.type === 'net.packet';
}

/** The packet records of a trace, in order (for tests, reports and checks). */
export function packetRecords(records: readonly TraceRecord[]): PacketRecord[] {
  return records.filter(isPacketRecord);
}

/** True for the fault records among a trace's records. */
export function isFaultRecord(record: TraceRecord): record is FaultRecord {
  return record.type === 'net.fault';
}
