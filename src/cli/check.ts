/**
 * The determinism check (docs/design.md#determinism-contract): run one seed of a scenario here and
 * once more in a child process, compare the trace hashes and, when they differ, name the first
 * event at which the two runs diverge. Each run logs (event, time, label, trace hash after it); the
 * child prints its log as JSON on stdout.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario, type RunRequest } from '../explore/scenario.ts';
import { firstDivergence, type Divergence, type EventLogEntry } from '../sim/index.ts';
import { loadScenario } from './load.ts';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'wsksim.js');

export interface CheckReport {
  readonly hashes: readonly [string, string];
  readonly events: readonly [number, number];
  readonly divergence: Divergence | null;
}

interface LoggedRun {
  readonly traceHash: string;
  readonly eventLog: readonly EventLogEntry[];
}

/** What a run is asked besides its seed, and the flags that ask it (given to the child). */
export interface RunKnobs {
  readonly request: Omit<RunRequest, 'seed'>;
  readonly flags: readonly string[];
}

const NO_KNOBS: RunKnobs = { request: {}, flags: [] };

export async function logRun(
  reference: string,
  seed: number,
  knobs: RunKnobs = NO_KNOBS,
): Promise<LoggedRun> {
  const scenario = await loadScenario(reference);
  const result = await runScenario(scenario, { ...knobs.request, seed, logEvents: true });
  return { traceHash: result.traceHash, eventLog: result.eventLog ?? [] };
}

export async function checkDeterminism(
  reference: string,
  seed: number,
  knobs: RunKnobs = NO_KNOBS,
): Promise<CheckReport> {
  const here = await logRun(reference, seed, knobs);
  const argv = [BIN, 'event-log', reference, '--seed', String(seed), ...knobs.flags];
  const child = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (child.status !== 0)
    throw new Error(`the child run failed (exit ${child.status}): ${child.stderr.trim()}`);
  const there = JSON.parse(child.stdout) as LoggedRun;
  const divergence =
    here.traceHash === there.traceHash ? null : firstDivergence(here.eventLog, there.eventLog);
  return {
    hashes: [here.traceHash, there.traceHash],
    events: [here.eventLog.length, there.eventLog.length],
    divergence,
  };
}
