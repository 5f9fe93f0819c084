/**
 * receive-callback-race.ts with its server driver in C: scenarios/c/receive-callback-race.c, the
 * same upload server as a Windows driver writes it, its WskReceiveEvent copying the
 * WSK_DATA_INDICATION list from its own memory and its work item posting a WskReceive for the
 * rest, compiled to WebAssembly by `wsksim build-driver` and loaded with `sim.loadDriver`, beside
 * the same TypeScript clients, on the same topology, with the same checks. The same calls in the
 * same order, with the same pool tag and size: the same seed gives the twin's trace but for the
 * twin's pool 'touched' records, which a C driver's loads and stores do not make
 * (test/scenarios/receive-callback-race-c.test.ts).
 *
 * The bug: WskReceiveEvent called while the driver's WskReceive is queued, a race Microsoft
 * documents, and the work item reusing that IRP (IRP-REUSED-WHILE-PENDING). Plain seeds never see
 * it; swarm finds it when it draws a race rate, or by hand:
 *
 *   npx wsksim build-driver scenarios/c/receive-callback-race.c \
 *     -o .wsksim/c/receive-callback-race.wasm
 *   npx wsksim run receive-callback-race-c --set kernel.server.receiveCallbackRace=1
 */
import { fileURLToPath } from 'node:url';
import { defineScenario, type ScenarioHooks, type Simulation } from 'wsksim';
import {
  CLIENTS,
  PORT,
  SERVER,
  checkReceiveCallbackRace,
  fingerprint,
  newHandles,
  type Handles,
} from './receive-callback-race.ts';
import { addServerAndSenders } from './support/careful.ts';

/** Where the build puts the drivers (gitignored). */
export const RECEIVE_CALLBACK_RACE_WASM = fileURLToPath(
  new URL('../.wsksim/c/receive-callback-race.wasm', import.meta.url),
);
export const RECEIVE_CALLBACK_RACE_FIXED_WASM = fileURLToPath(
  new URL('../.wsksim/c/receive-callback-race-fixed.wasm', import.meta.url),
);

/** The world of receive-callback-race with the C server `wasm` (the bug's or the twin's). */
export function buildReceiveCallbackRaceC(sim: Simulation, wasm: string): Handles {
  const h = newHandles();
  const hooks: ScenarioHooks = {
    Uploaded: (d, body, length) => {
      const at = body as number;
      h.uploads.push(fingerprint(d.bytes.slice(at, at + (length as number))));
    },
    Unloaded: () => void h.unloaded.add('server'),
  };
  const loadServer = () => void sim.loadDriver('server', wasm, { hooks });
  addServerAndSenders(sim, SERVER, PORT, { loadServer }, CLIENTS, h);
  return h;
}

export default defineScenario({
  name: 'receive-callback-race-c',
  description:
    'receive-callback-race with its server in C (scenarios/c/receive-callback-race.c): every ' +
    'receive indication taken as new data although WSK may indicate while its WskReceive is ' +
    'queued, and that IRP reused (expected: IRP-REUSED-WHILE-PENDING)',
  seeds: [1, 2, 3],
  expect: 'IRP-REUSED-WHILE-PENDING',
  failingRuns: [{ strategy: 'swarm', seed: 16 }],
  build: (sim) => buildReceiveCallbackRaceC(sim, RECEIVE_CALLBACK_RACE_WASM),
  check: ({ sim }, h) => checkReceiveCallbackRace(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
