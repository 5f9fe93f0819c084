/**
 * The trace catalogue (src/sim/records.ts and each layer's records.ts) types every record
 * emitted and read: a misspelt type, a missing or an extra field, and a reader's comparison with
 * a type that does not exist are compile errors, which `tsc` checks here through
 * @ts-expect-error (each line below must stay an error), and every type is named `layer.thing`.
 */
import { describe, expect, it } from 'vitest';
import { Trace, type TraceRecord, type TraceType } from '../../src/index.ts';

/** The record types not named `layer.thing` after a layer that emits records: none. */
type Misnamed = Exclude<TraceType, `${'net' | 'tcp' | 'udp' | 'nt' | 'wsk'}.${string}`>;
const misnamed: [Misnamed] extends [never] ? 'none' : Misnamed = 'none';

describe('trace catalogue', () => {
  it('types what is emitted and what is read', () => {
    const trace = new Trace({ keep: true });
    trace.emit({ at: 0, type: 'tcp.outcome', host: 'a', conn: 1, outcome: 'closed' });
    // @ts-expect-error a misspelt record type
    trace.emit({ at: 0, type: 'tcp.outcom', host: 'a', conn: 1, outcome: 'closed' });
    // @ts-expect-error a missing field
    trace.emit({ at: 0, type: 'tcp.outcome', host: 'a', outcome: 'closed' });
    // @ts-expect-error an extra field
    trace.emit({ at: 0, type: 'tcp.outcome', host: 'a', conn: 1, outcome: 'closed', extra: 1 });
    const record = trace.records()[0] as TraceRecord;
    // @ts-expect-error a comparison with a type the catalogue does not have
    expect(record.type === 'tcp.outcom').toBe(false);
    if (record.type === 'tcp.outcome') expect(record.outcome).toBe('closed');
  });

  it('every record type is named layer.thing', () => {
    expect(misnamed).toBe('none');
  });
});
