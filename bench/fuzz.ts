/**
 * fuzz_run_cost_vs_tinyqueue: the wall time of one fuzz run of inspect-abort-race-fixed (96
 * events a run) in raw-event-equivalents: ÷ the wall time of one event of
 * core_events_vs_tinyqueue's raw tinyqueue hold model (1e5 pending), measured side by side.
 *
 * The fuzz side is `wsksim fuzz`'s seed loop (explore/seeds.ts `runSeeds`): the scenario module
 * loaded once, consecutive seeds, strategy-free seeded runs, one job, each run's check and settle
 * phase included. A warm-up loop runs first so both sides are measured compiled.
 *
 * Both sides run in a child process with the V8 flag `wsksim` sets for itself (bin/wsksim.js:
 * no allocation-site pretenuring), so the figure is the campaign's, and the flag cannot touch the
 * other groups' figures.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import scenario from '../scenarios/inspect-abort-race-fixed.ts';
import { runSeeds } from '../src/explore/seeds.ts';
import { EVENTS, PENDING, rawHold } from './core.ts';
import { sideBySide, type Metric } from './measure.ts';

const RUNS = 2000;
const WARM_UP_RUNS = 500;
const ROUNDS = 3;

let nextSeed = 1;

async function fuzzRuns(runs: number): Promise<void> {
  const loop = await runSeeds(scenario, { from: nextSeed, runs });
  nextSeed += runs;
  if (!loop.ok) throw new Error(`bench fuzz: ${scenario.name} failed on some seed`);
}

/** The V8 flags bin/wsksim.js sets before anything else runs. */
const WSKSIM_V8_FLAGS = ['--no-allocation-site-pretenuring'];

export async function benchFuzz(): Promise<Metric[]> {
  const out = execFileSync(
    process.execPath,
    // As `npm run bench` runs: 'wsksim' (the scenarios' import) resolves to src/, no build needed.
    [...WSKSIM_V8_FLAGS, '--conditions=wsksim-source', '--import', 'tsx', fileURLToPath(import.meta.url)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out) as Metric[];
}

async function measure(): Promise<Metric[]> {
  await fuzzRuns(WARM_UP_RUNS);
  // Each side's work per second of its best round: one fuzz loop of RUNS runs, one hold model.
  const { ours, baseline } = await sideBySide(ROUNDS, 1, () => fuzzRuns(RUNS), rawHold);
  const runsPerSecond = ours * RUNS;
  const eventsPerSecond = baseline * (EVENTS + PENDING);
  return [
    {
      name: 'fuzz_run_cost_vs_tinyqueue',
      value: eventsPerSecond / runsPerSecond,
      unit: 'raw-event-equivalents per run',
      measured: { value: runsPerSecond, unit: 'runs/s' },
      baseline: { value: eventsPerSecond, unit: 'events/s (raw tinyqueue)' },
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(JSON.stringify(await measure()));
}
