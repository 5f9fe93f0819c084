/**
 * campaign_jobs_speedup (`npm run bench -- --only jobs`): runs/s of `wsksim fuzz
 * inspect-abort-race-fixed --jobs 2` ÷ runs/s of the same campaign with `--jobs 1`, measured side
 * by side in one process (alternating rounds, each side's best). Each side is what the CLI does:
 * the default strategy (portfolio), the campaign on a fresh worker pool (src/cli/pool), its
 * workers' start (tsx, the scenario, their JIT warm-up) included, since every `wsksim fuzz` pays
 * it; the main thread is warmed up first by one campaign each way, not timed. Both campaigns are
 * the same runs (the result does not depend on N), so the ratio is of time alone.
 *
 * campaign_jobs_speedup_warm is the same ratio once the workers' code is compiled (warmRate).
 *
 * campaign_jobs_ceiling says what the machine gives two threads at the time: runs/s of two worker
 * threads, each running the plain seed loop on its own (jobs-ceiling.ts: no pool, no campaign,
 * warmed up, started together), ÷ runs/s of one, side by side. On a quiet 2-core machine it is
 * near 2; another process busy on one core takes it toward 1, and campaign_jobs_speedup with it.
 *
 * In a child process with the V8 flag bin/wsksim.js sets, as bench/fuzz.ts does.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WorkerPool, typeScriptWorker } from '../src/cli/pool/pool.ts';
import type { Worker } from 'node:worker_threads';
import { scenarioPath } from '../src/cli/load.ts';
import { runCampaign } from '../src/explore/campaign.ts';
import scenario from '../scenarios/inspect-abort-race-fixed.ts';
import { sideBySide, type Metric } from './measure.ts';

const RUNS = 8000;
const WARM_UP_RUNS = 300;
const ROUNDS = 2;

/** The V8 flags bin/wsksim.js sets before anything else runs. */
const WSKSIM_V8_FLAGS = ['--no-allocation-site-pretenuring'];

/** One CLI-equivalent campaign of `runs` runs on `jobs` workers. */
async function campaign(jobs: number, runs: number, onRun?: () => void): Promise<void> {
  const request = { runs, seed: 1 };
  const pool = new WorkerPool({
    scenarioPath: scenarioPath(scenario.name),
    scenarioName: scenario.name,
    campaign: request,
    run: {},
    jobs,
    runTimeout: 60e9,
  });
  const watched = { ...request, ...(onRun !== undefined && { onRun }) };
  const result = await runCampaign(scenario, watched, pool).finally(() => pool.close());
  if (!result.ok || result.runs !== runs) throw new Error(`bench jobs: ${scenario.name} failed`);
}

/**
 * campaign_jobs_speedup_warm: the same campaign, longer, timed from run WARM_FROM on, when every
 * worker's code is compiled (a worker's JIT warm-up takes a few thousand of its own runs, so with
 * two workers it lasts twice as many of the campaign's): what `--jobs 2` gives a campaign of
 * minutes, such as a CI budget's.
 */
const WARM_RUNS = 24000;
const WARM_FROM = 8000;

/** runs/s of a WARM_RUNS-run campaign on `jobs` workers, from run WARM_FROM to its end. */
async function warmRate(jobs: number): Promise<number> {
  let runs = 0;
  let from = 0;
  await campaign(jobs, WARM_RUNS, () => {
    if (++runs === WARM_FROM) from = performance.now();
  });
  return (WARM_RUNS - WARM_FROM) / ((performance.now() - from) / 1000);
}

const CEILING_RUNS = 4000;
/** A ceiling thread's warm-up: a few thousand runs, as a worker's JIT needs (warmRate). */
const CEILING_WARM_UP_RUNS = 3000;

/** runs/s of `threads` threads each running CEILING_RUNS seeds on its own, started together. */
async function alone(threads: number): Promise<number> {
  const entry = new URL('./jobs-ceiling.ts', import.meta.url).href;
  const workers: Worker[] = [];
  const warm: Promise<unknown>[] = [];
  for (let i = 0; i < threads; i++) {
    const worker = typeScriptWorker(entry, { runs: CEILING_RUNS, warmUp: CEILING_WARM_UP_RUNS });
    workers.push(worker);
    warm.push(new Promise((resolve) => worker.once('message', resolve)));
  }
  await Promise.all(warm);
  const start = performance.now();
  const done = workers.map((w) => new Promise((resolve) => w.once('message', resolve)));
  for (const worker of workers) worker.postMessage('go');
  await Promise.all(done);
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(workers.map((worker) => worker.terminate()));
  return (threads * CEILING_RUNS) / seconds;
}

export async function benchJobs(): Promise<Metric[]> {
  const out = execFileSync(
    process.execPath,
    // As `npm run bench` runs: 'wsksim' (the scenarios' import) resolves to src/, no build needed.
    [...WSKSIM_V8_FLAGS, '--conditions=wsksim-source', '--import', 'tsx', fileURLToPath(import.meta.url)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out) as Metric[];
}

async function measure(): Promise<Metric[]> {
  await campaign(1, WARM_UP_RUNS);
  await campaign(2, WARM_UP_RUNS);
  const both = await sideBySide(
    ROUNDS,
    RUNS,
    () => campaign(2, RUNS),
    () => campaign(1, RUNS),
  );
  let two = 0;
  let one = 0;
  let warmTwo = 0;
  let warmOne = 0;
  for (let round = 0; round < ROUNDS; round++) {
    one = Math.max(one, await alone(1));
    two = Math.max(two, await alone(2));
    warmOne = Math.max(warmOne, await warmRate(1));
    warmTwo = Math.max(warmTwo, await warmRate(2));
  }
  return [
    {
      name: 'campaign_jobs_ceiling',
      value: two,
      unit: 'runs/s (2 threads alone)',
      ratio: two / one,
      baseline: { value: one, unit: 'runs/s (1 thread)' },
    },
    {
      name: 'campaign_jobs_speedup',
      value: both.ours,
      unit: 'runs/s (--jobs 2)',
      ratio: both.ours / both.baseline,
      baseline: { value: both.baseline, unit: 'runs/s (--jobs 1)' },
    },
    {
      name: 'campaign_jobs_speedup_warm',
      value: warmTwo,
      unit: `runs/s (--jobs 2, runs ${WARM_FROM}–${WARM_RUNS})`,
      ratio: warmTwo / warmOne,
      baseline: { value: warmOne, unit: 'runs/s (--jobs 1)' },
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(JSON.stringify(await measure()));
}
