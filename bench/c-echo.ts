/**
 * c_echo_runs_vs_ts (`npm run bench -- --only c-echo`): runs/s of the echo server scenario with
 * its server in C (scenarios/echo-server-c.ts: the driver compiled to WebAssembly, a module
 * instance with its own linear memory per run, every kernel and WSK call through the bridge) ÷
 * runs/s of its TypeScript twin (scenarios/echo-server.ts), the same seeds on both sides, measured
 * side by side in one process (alternating rounds, each side's best). Both sides run the same
 * world, clients and check and put the same segments on the wire, so the ratio is the cost of
 * the C driver alone. The driver is built first, as the tests' global setup builds it (needs
 * clang, lld and binaryen); each side is warmed up, untimed, before the rounds.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import echoServerC, {
  ECHO_SERVER_SOURCES,
  ECHO_SERVER_WASM,
} from '../scenarios/echo-server-c.ts';
import echoServer from '../scenarios/echo-server.ts';
import { buildDriver } from '../src/cli/build-driver.ts';
import { runScenario, type Scenario } from '../src/explore/scenario.ts';
import { sideBySide, type Metric } from './measure.ts';

const RUNS = 300;
const WARM_UP_RUNS = 50;
const ROUNDS = 3;

/** Seeds 1..runs of `scenario`, each passing (a failure would time another path). */
async function runs<H>(scenario: Scenario<H>, count: number): Promise<void> {
  for (let seed = 1; seed <= count; seed++) {
    const result = await runScenario(scenario, { seed });
    if (result.failure !== undefined) {
      throw new Error(`bench c-echo: ${scenario.name} seed ${seed}: ${result.failure.message}`);
    }
  }
}

export async function benchCEcho(): Promise<Metric[]> {
  mkdirSync(dirname(ECHO_SERVER_WASM), { recursive: true });
  buildDriver({ sources: ECHO_SERVER_SOURCES, output: ECHO_SERVER_WASM });
  const c = echoServerC;
  const ts = echoServer;
  await runs(ts, WARM_UP_RUNS);
  await runs(c, WARM_UP_RUNS);
  const { ours, baseline } = await sideBySide(
    ROUNDS,
    RUNS,
    () => runs(c, RUNS),
    () => runs(ts, RUNS),
  );
  return [
    {
      name: 'c_echo_runs_vs_ts',
      value: ours,
      unit: 'runs/s (echo-server-c)',
      ratio: ours / baseline,
      baseline: { value: baseline, unit: 'runs/s (echo-server)' },
    },
  ];
}
