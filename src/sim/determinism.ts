/**
 * The pure half of the determinism check (docs/design.md#determinism-contract): given the event
 * logs of two runs of the same seed, name the first event at which they differ. Running the second
 * copy in a child process is the CLI's job (src/cli is the one door to processes); comparing is
 * done here. Each log entry carries the trace hash after its event, so the first differing entry is
 * the first event whose label, time or emitted records differ.
 */
import type { EventLogEntry } from './simulator.ts';
import { formatInstant } from './time.ts';

export interface Divergence {
  /** Index of the first event that differs. */
  readonly index: number;
  readonly first: EventLogEntry | undefined;
  readonly second: EventLogEntry | undefined;
  /** One line naming the event in both runs. */
  readonly message: string;
}

export function firstDivergence(
  first: readonly EventLogEntry[],
  second: readonly EventLogEntry[],
): Divergence | null {
  const length = Math.max(first.length, second.length);
  for (let index = 0; index < length; index++) {
    const a = first[index];
    const b = second[index];
    if (
      a !== undefined &&
      b !== undefined &&
      a.at === b.at &&
      a.label === b.label &&
      a.hash === b.hash
    )
      continue;
    return {
      index,
      first: a,
      second: b,
      message: `runs diverge at event ${index}: ${describe(a)} vs ${describe(b)}`,
    };
  }
  return null;
}

function describe(entry: EventLogEntry | undefined): string {
  if (entry === undefined) return '(no such event: the run ended)';
  return `'${entry.label}' at ${formatInstant(entry.at)} (trace hash ${entry.hash})`;
}
