/**
 * c_driver_runs_vs_ts (docs/design.md#performance-metrics): runs per second of seed-samples-c,
 * whose server is the C driver scenarios/c/seed-samples.c compiled to WebAssembly, ÷ runs per
 * second of its TypeScript twin seed-samples, side by side in alternating rounds in the same
 * process: RUNS consecutive seeds each, check included, the best round of each kept. The runs
 * are the same kernel calls at the same virtual times (their trace hashes are equal), so the ratio
 * is the bridge's cost: a fresh instance and linear memory per run, the mirrors, asyncify.
 * Builds the driver first when .wsksim/c has none, or one older than its source or than
 * build-driver's flags (a stale build would measure without the pool checks); needs clang, lld
 * and binaryen.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDriver } from '../src/cli/build-driver.ts';
import { loadScenario } from '../src/cli/load.ts';
import { runScenario } from '../src/explore/scenario.ts';
import { sideBySide, type Metric } from './measure.ts';

const RUNS = 200;
const ROUNDS = 5;
const SOURCE = fileURLToPath(new URL('../scenarios/c/seed-samples.c', import.meta.url));
const WASM = fileURLToPath(new URL('../.wsksim/c/seed-samples.wasm', import.meta.url));
const BUILD = fileURLToPath(new URL('../src/cli/build-driver.ts', import.meta.url));

/** Whether the built driver is missing or older than what it is built from. */
function stale(): boolean {
  if (!existsSync(WASM)) return true;
  const built = statSync(WASM).mtimeMs;
  return [SOURCE, BUILD].some((input) => statSync(input).mtimeMs > built);
}

export async function benchCDriver(): Promise<Metric[]> {
  if (stale()) {
    mkdirSync(dirname(WASM), { recursive: true });
    buildDriver({ sources: [SOURCE], output: WASM });
  }
  const [c, ts] = [await loadScenario('seed-samples-c'), await loadScenario('seed-samples')];
  const runs = (scenario: typeof c) => async (): Promise<void> => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const outcome = await runScenario(scenario, { seed });
      if (outcome.failure !== undefined) throw new Error(`${scenario.name} seed ${seed} failed`);
    }
  };
  const { ours, baseline } = await sideBySide(ROUNDS, RUNS, runs(c), runs(ts));
  return [
    {
      name: 'c_driver_runs_vs_ts',
      value: ours,
      unit: 'runs/s',
      ratio: ours / baseline,
      baseline: { value: baseline, unit: 'runs/s' },
    },
  ];
}
