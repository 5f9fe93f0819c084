/**
 * Trace records outside the catalogue (src/sim/records.ts), for tests of the trace's own
 * machinery (hashing, the display-only field) and of the determinism check: the catalogue types
 * what the model emits, and a test of the simulator alone has no model to emit anything. This is
 * the one place a record of a test's own making gets past `Trace.emit`'s type.
 */
import type { FlatRecord, Trace, TraceRecord } from '../../src/sim/index.ts';

/** Emits a record of a test's own making, e.g. `{ at: sim.now, type: 'test.note', what }`. */
export function emitUncatalogued(trace: Trace, record: FlatRecord): void {
  trace.emit(record as unknown as TraceRecord);
}
