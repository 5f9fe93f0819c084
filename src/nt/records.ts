/**
 * The NT kernel layer's trace records
 * (docs/design.md#simulation-core-time-queue-choices-and-trace), added to the catalogue of
 * src/sim/records.ts; fields in the order they are emitted and hashed:
 * - `nt.irp`: an IRP event (allocated, issued, pending, completed, freed, …), with the operation
 *   holding the IRP and the completion status when there is one (irp-routines.ts);
 * - `nt.pool`: a pool allocation or free, with the block's id (the N of 'block #N' in a pool
 *   violation; undefined for a failed allocation), its tag and size (pool.ts); also 'touched', a
 *   read or write of the block by driver code, once per block per simulator event (after its
 *   free too: that touch is the POOL-USE-AFTER-FREE);
 * - `nt.thread`: a system thread's life (threads.ts, waits.ts): 'started' (detail: its name, as
 *   'DriverEntry', 'system-1', 'work-item'), 'waiting' (detail: the routine and what it waits on),
 *   'satisfied' or 'timed-out' (status: what the wait returned), 'ended' (status: the exit
 *   status); `thread` is the simulator thread's number, unique in the run;
 * - `nt.violation`: a verifier rule broken (the run fails); `nt.advisory`: a legal but almost
 *   always wrong use, its detail in the display-only `info` (kernel-core.ts);
 * - `nt.debug-print`: a DbgPrint, DbgPrintEx, KdPrint or KdPrintEx, with its component, level
 *   and formatted text (debug-print.ts).
 */
import type { TraceRecordOf, TraceType } from '../sim/index.ts';

declare module '../sim/records.ts' {
  interface TraceCatalogue {
    'nt.irp': {
      readonly host: string;
      readonly irp: number;
      readonly event: string;
      readonly op: string | undefined;
      readonly status: string | undefined;
    };
    'nt.pool': {
      readonly host: string;
      readonly event: string;
      readonly block: number | undefined;
      readonly tag: string;
      readonly bytes: number;
    };
    'nt.thread': {
      readonly host: string;
      readonly thread: number;
      readonly event: string;
      readonly detail: string | undefined;
      readonly status: string | undefined;
    };
    'nt.violation': { readonly host: string; readonly rule: string };
    'nt.advisory': { readonly host: string; readonly rule: string; readonly info: string };
    'nt.debug-print': {
      readonly host: string;
      readonly component: number;
      readonly level: number;
      readonly text: string;
    };
  }
}

/** The NT kernel layer's records: those whose type starts with `nt.`. */
export type NtRecord = TraceRecordOf<Extract<TraceType, `nt.${string}`>>;
