/**
 * One side of campaign_jobs_ceiling (jobs.ts): a worker thread that runs `runs` seeds of
 * inspect-abort-race-fixed in a loop of its own, after a warm-up, and says how long they took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import scenario from '../scenarios/inspect-abort-race-fixed.ts';
import { runSeeds } from '../src/explore/seeds.ts';

const { runs, warmUp } = workerData as { runs: number; warmUp: number };
await runSeeds(scenario, { from: 1, runs: warmUp });
parentPort?.postMessage('warm');
await new Promise<void>((resolve) => parentPort?.once('message', () => resolve()));
const start = performance.now();
await runSeeds(scenario, { from: warmUp + 1, runs });
parentPort?.postMessage((performance.now() - start) / 1000);
