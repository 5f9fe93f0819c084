/**
 * How big a failing run is, before and after shrinking (shrink.ts): its tape's entries (trailing
 * defaults cut), how many of them are not the default, the events it fired, the virtual time it
 * took, and the hosts involved. The hosts are counted from the trace when the run kept it
 * (RunRequest.keepTrace): the distinct `host` fields of its records (nt, tcp and wsk records name
 * their host). Without a trace they are counted from the tape's labels: a link's choices are
 * labelled 'link <from>→<to> …', so the distinct endpoints of the links that made a non-default
 * choice (a lost, reordered, duplicated or delayed packet). `hostsFrom` says which.
 */
import type { Tape, TraceRecord } from '../sim/index.ts';
import type { ScenarioResult } from './scenario.ts';
import { nonDefaultCount, trimDefaults } from './tape-order.ts';

export interface RunSizes {
  /** Tape entries, trailing defaults cut. */
  readonly entries: number;
  /** Entries whose value is not the default. */
  readonly nonDefault: number;
  readonly events: number;
  /** Virtual time at the end of the run, in nanoseconds. */
  readonly time: number;
  readonly hosts: number;
  /** Where `hosts` was counted: the trace's records or the tape's link labels. */
  readonly hostsFrom: 'trace' | 'tape';
}

/** The sizes of a run made from `tape` whose result is `result`. */
export function runSizes(tape: Tape, result: ScenarioResult): RunSizes {
  const trimmed = trimDefaults(tape);
  const trace = result.trace;
  return {
    entries: trimmed.length,
    nonDefault: nonDefaultCount(trimmed),
    events: result.events,
    time: result.now,
    hosts: trace !== undefined ? hostsInTrace(trace).size : hostsInTape(trimmed).size,
    hostsFrom: trace !== undefined ? 'trace' : 'tape',
  };
}

/** The distinct `host` fields of the records. */
export function hostsInTrace(trace: readonly TraceRecord[]): Set<string> {
  const hosts = new Set<string>();
  for (const record of trace) {
    const host = (record as { readonly host?: unknown }).host;
    if (typeof host === 'string') hosts.add(host);
  }
  return hosts;
}

const LINK_LABEL = /^link (.+?)→(.+?) /;

/** The endpoints of the links whose choices in the tape are not the default. */
export function hostsInTape(tape: Tape): Set<string> {
  const hosts = new Set<string>();
  for (const entry of tape) {
    const match = entry.value === null ? null : LINK_LABEL.exec(entry.label);
    if (match !== null) hosts.add(match[1] as string).add(match[2] as string);
  }
  return hosts;
}
