/**
 * The catalogue of trace records (docs/design.md#simulation-core-time-queue-choices-and-trace):
 * every record type a run can emit, with its fields. Each layer declares its own record types in a
 * records.ts of its own (src/topology/records.ts, src/tcp/records.ts, src/nt/records.ts,
 * src/wsk/records.ts) by adding them to `TraceCatalogue` (module augmentation), so this file
 * imports nothing from above and yet `Trace.emit` takes only catalogued records: a misspelt type, a
 * missing field or an extra one is a compile error, and so is a reader's comparison with a type
 * that does not exist. The simulator itself emits no records of its own.
 *
 * A record type is named `layer.thing`: the layer that emits it (`net` for src/topology, `tcp`,
 * `nt`, `wsk`), then what the record is (`net.packet`, `tcp.transition`, `nt.irp`, `wsk.call`).
 *
 * A record is a flat object: `at` (virtual time), `type`, then its fields, each a string, a
 * number or a boolean, or undefined when absent (undefined is neither hashed nor printed). The
 * hash folds the values in the order the emitter writes them, so each catalogue entry lists its
 * fields in that order, and a record type always has the same fields (V8 keeps one shape).
 */

export type TraceValue = string | number | boolean;

/**
 * Record type → its fields other than `at` and `type`, in emission order. Empty here: each
 * layer adds its records with `declare module '../sim/records.ts' { interface TraceCatalogue }`.
 * A field's type must be a TraceValue, or a TraceValue or undefined.
 */
export interface TraceCatalogue {}

/** The type of a catalogued record. */
export type TraceType = keyof TraceCatalogue;

/**
 * The records of the catalogued types `T`: for each, time, type and its fields as one flat
 * object type (a union of them when `T` is a union; a layer names its own records this way).
 */
export type TraceRecordOf<T extends TraceType> = T extends TraceType
  ? Flatten<{ readonly at: number; readonly type: T } & TraceCatalogue[T]>
  : never;

/** Any catalogued record; `record.type === '…'` narrows it to that type's fields. */
export type TraceRecord = TraceRecordOf<TraceType>;

/**
 * What the trace's own machinery (hash, formatting) sees of a record: its fields by name, with
 * no per-type code. Every catalogued record is one.
 */
export interface FlatRecord {
  readonly at: number;
  readonly type: string;
  readonly [field: string]: TraceValue | undefined;
}

type Flatten<T> = { readonly [K in keyof T]: T[K] };
