/**
 * The WSK provider's trace records (docs/design.md#simulation-core-time-queue-choices-and-trace),
 * added to the catalogue of src/sim/records.ts; fields in the order they are emitted and hashed:
 * - `wsk.call`: a client's call into the provider and the status it returned (absent for calls
 *   that return none: WskDeregister, WskReleaseProviderNPI) (socket-core.ts, registration.ts);
 * - `wsk.callback`: what a client's event callback returned (`status`: the status's name, or
 *   WskInspectEvent's action), with the conditional-accept `request` it was about
 *   (socket-events.ts);
 * - `wsk.socket`: a socket created (socket-core.ts);
 * - `wsk.provider-ready`: the provider attached and ready for clients (registration.ts).
 */
import type { TraceRecordOf, TraceType } from '../sim/index.ts';

declare module '../sim/records.ts' {
  interface TraceCatalogue {
    'wsk.call': {
      readonly host: string;
      readonly call: string;
      readonly status: string | undefined;
    };
    'wsk.callback': {
      readonly host: string;
      readonly socket: number;
      readonly callback: string;
      readonly status: string;
      readonly request: number | undefined;
    };
    'wsk.socket': { readonly host: string; readonly socket: number; readonly event: string };
    'wsk.provider-ready': { readonly host: string };
  }
}

/** The WSK provider's records: those whose type starts with `wsk.`. */
export type WskRecord = TraceRecordOf<Extract<TraceType, `wsk.${string}`>>;
