/** The simulation core: clock, event queue, choice source and tape, trace, threads, assertions. */
export { AssertionError, assert, assertNever, maybe } from './assert.ts';
export { SimConfigError, checkInteger, checkNumber, describeValue } from './errors.ts';
export {
  formatDuration,
  formatInstant,
  ms,
  ns,
  parseDuration,
  seconds,
  us,
  type Duration,
  type DurationInput,
  type DurationValue,
  type Instant,
} from './time.ts';
export {
  ChoiceSource,
  ChoiceStream,
  RecordingDecider,
  ReplayingDecider,
  SeededDecider,
  TapeDivergedError,
  type ChoiceSourceOptions,
  type FaultTaken,
  type Tape,
  type TapeEntry,
} from './choice.ts';
export type {
  Candidate,
  Choice,
  ChoiceKind,
  DecideFunction,
  Decider,
  DeciderOption,
  EventAbout,
} from './decider.ts';
export { EventQueue, SimEvent } from './event-queue.ts';
export { DISPLAY_ONLY, Trace, formatRecord } from './trace.ts';
export type {
  FlatRecord,
  TraceCatalogue,
  TraceRecord,
  TraceRecordOf,
  TraceType,
  TraceValue,
} from './records.ts';
export { Parking, SimThread, ThreadHost, type ThreadState } from './threads.ts';
export {
  Simulator,
  type EventLogEntry,
  type Failure,
  type FailureDetails,
  type FailureKind,
  type RunOptions,
  type RunOutcome,
  type RunStatus,
  type SimulatorOptions,
} from './simulator.ts';
export { firstDivergence, type Divergence } from './determinism.ts';
export {
  callerSite,
  frameSites,
  nameWasmSites,
  wasmModuleOf,
  type SitedFrame,
  type WasmSiteNamer,
} from './site.ts';
export {
  LocatedDriverError,
  driverCrashOf,
  noteCrashContext,
  throwerOf,
  type CrashContext,
  type DriverCrash,
  type Thrower,
} from './crash.ts';
export { streamState, type Xor128State } from './stream-seed.ts';
