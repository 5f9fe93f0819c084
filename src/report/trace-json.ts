/**
 * The trace as JSON lines (`--trace-json`): one record per line, exactly as the run emitted it,
 * `{"at":…,"type":"layer.thing",…fields}`, the fields in the catalogue's order and a field left
 * out when the record has none (docs/trace-record.schema.json, the record catalogue as a JSON
 * Schema, shipped with the package; src/sim/records.ts and each layer's records.ts say what
 * the records mean). `at` is virtual time in integer nanoseconds since the start of the run: a
 * run's clock stays far below 2^53 ns (104 days), so it is a plain JSON number read exactly by
 * any JSON reader. `info` (a payload's description, a note) is there because the records were
 * kept.
 *
 * `RECORD_FIELDS` lists every record type with its fields, in emission order. Its type makes the
 * compiler refuse a catalogue without it: a record type added to a layer's records.ts must be
 * added here and to the schema, which a test holds to this list.
 */
import type { TraceCatalogue, TraceRecord, TraceType } from '../sim/index.ts';

/** Every catalogued record type → its fields other than `at` and `type`, in emission order. */
export const RECORD_FIELDS: {
  readonly [T in TraceType]: readonly (keyof TraceCatalogue[T] & string)[];
} = {
  'net.packet': ['phase', 'id', 'source', 'target', 'bytes', 'reason', 'digest', 'info'],
  'net.fault': ['verb', 'a', 'b'],
  'tcp.transition': ['host', 'conn', 'from', 'to', 'cause'],
  'tcp.outcome': ['host', 'conn', 'outcome'],
  'tcp.drop': ['host', 'conn', 'reason', 'info'],
  'tcp.listener': ['host', 'listener', 'event', 'conn', 'detail'],
  'tcp.offer': ['host', 'listener', 'offer', 'event', 'detail'],
  'tcp.crash': ['host', 'connections'],
  'udp.port': ['host', 'event', 'address', 'port'],
  'udp.drop': ['host', 'reason', 'port'],
  'udp.unreachable': ['host', 'port', 'remote'],
  'nt.irp': ['host', 'irp', 'event', 'op', 'status'],
  'nt.pool': ['host', 'event', 'block', 'tag', 'bytes'],
  'nt.thread': ['host', 'thread', 'event', 'detail', 'status'],
  'nt.violation': ['host', 'rule'],
  'nt.advisory': ['host', 'rule', 'info'],
  'nt.debug-print': ['host', 'component', 'level', 'text'],
  'wsk.call': ['host', 'call', 'status'],
  'wsk.callback': ['host', 'socket', 'callback', 'status', 'request'],
  'wsk.socket': ['host', 'socket', 'event'],
  'wsk.provider-ready': ['host'],
};

/** One record as a JSON line, without the newline. */
export function traceJsonLine(record: TraceRecord): string {
  return JSON.stringify(record);
}

/** Every record, one JSON line each, each ending in '\n'. */
export function traceJsonLines(records: readonly TraceRecord[]): string {
  let out = '';
  for (const record of records) out += `${traceJsonLine(record)}\n`;
  return out;
}
