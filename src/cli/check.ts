/**
 * The determinism check (docs/design.md#determinism-contract): run one seed of a scenario here and
 * once more in a child process, compare the trace hashes and, when they differ, name the first
 * event at which the two runs diverge. Each run logs (event, time, label, trace hash after it); the
 * child prints its log as JSON on stdout.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../explore/scenario.ts';
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

export async function logRun(reference: string, seed: number): Promise<LoggedRun> {
  const result = await runScenario(await loadScenario(reference), { seed, logEvents: true });
  return { traceHash: result.traceHash, eventLog: result.eventLog ?? [] };
}

export async function checkDeterminism(reference: string, seed: number): Promise<CheckReport> {
  const here = await logRun(reference, seed);
  const child = spawnSync(process.execPath, [BIN, 'event-log', reference, '--seed', String(seed)], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
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
