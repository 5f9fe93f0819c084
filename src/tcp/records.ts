/**
 * The TCP layer's trace records (docs/design.md#simulation-core-time-queue-choices-and-trace),
 * added to the catalogue of src/sim/records.ts; fields in the order they are emitted and hashed
 * (tracer.ts emits them all). `conn` 0 stands for the stack itself (a RST sent without a
 * connection).
 * - `tcp.transition`: a connection's state transition, with its cause;
 * - `tcp.outcome`: how a connection ended;
 * - `tcp.drop`: a segment TCP rejected, with the reason (the segment in the display-only `info`);
 * - `tcp.listener`: a listener's queue event; `tcp.offer`: a deferred-accept offer's event;
 * - `tcp.crash`: the stack crashed with its host, losing `connections`.
 * Segments themselves have no record of their own: the network's packet record carries the
 * segment's digest (and its description when records are kept).
 */
import type { TraceRecordOf, TraceType } from '../sim/index.ts';
import type { Outcome, TcpState } from './state.ts';

declare module '../sim/records.ts' {
  interface TraceCatalogue {
    'tcp.transition': {
      readonly host: string;
      readonly conn: number;
      readonly from: TcpState;
      readonly to: TcpState;
      readonly cause: string;
    };
    'tcp.outcome': { readonly host: string; readonly conn: number; readonly outcome: Outcome };
    'tcp.drop': {
      readonly host: string;
      readonly conn: number;
      readonly reason: string;
      readonly info: string | undefined;
    };
    'tcp.listener': {
      readonly host: string;
      readonly listener: number;
      readonly event: string;
      readonly conn: number;
      readonly detail: string;
    };
    'tcp.offer': {
      readonly host: string;
      readonly listener: number;
      readonly offer: number;
      readonly event: string;
      readonly detail: string;
    };
    'tcp.crash': { readonly host: string; readonly connections: number };
  }
}

/** The TCP layer's records: those whose type starts with `tcp.`. */
export type TcpRecord = TraceRecordOf<Extract<TraceType, `tcp.${string}`>>;
