/**
 * accept-loop-leak.ts with its server driver in C: scenarios/c/accept-loop-leak.c, the same
 * discard server as a Windows driver writes it, compiled to WebAssembly by `wsksim build-driver`
 * and loaded with `sim.loadDriver`, beside the same TypeScript clients, on the same topology, with
 * the same checks. The same calls in the same order, with the same pool tag and size, and the same
 * pool blocks touched in the same events (a C driver's first load or store of a block in an event
 * is traced as the twin's first access through its proxy): the same seed gives the twin's trace
 * hash (test/scenarios/accept-loop-leak-c.test.ts).
 *
 * The bug: when the IoAllocateIrp for the next WskAccept fails, AcceptComplete bails out and
 * leaks the socket it has just accepted (WSK-SOCKET-LEAKED at the end). Plain seeds never see
 * it; swarm finds it when it draws an IRP failure rate, systematic when it fails that one
 * allocation site (AcceptComplete's IoAllocateIrp, a C line of its own).
 *
 * The driver is built, not shipped: the tests' global setup builds it; by hand,
 *
 *   npx wsksim build-driver scenarios/c/accept-loop-leak.c -o .wsksim/c/accept-loop-leak.wasm
 *   npx wsksim fuzz accept-loop-leak-c --strategy systematic
 */
import { fileURLToPath } from 'node:url';
import { defineScenario, type ScenarioHooks, type Simulation } from 'wsksim';
import {
  CLIENTS,
  PORT,
  SERVER,
  checkAcceptLoopLeak,
  newHandles,
  type Handles,
} from './accept-loop-leak.ts';
import { addServerAndSenders } from './support/careful.ts';

/** Where the build puts the drivers (gitignored). */
export const ACCEPT_LOOP_LEAK_WASM = fileURLToPath(
  new URL('../.wsksim/c/accept-loop-leak.wasm', import.meta.url),
);
export const ACCEPT_LOOP_LEAK_FIXED_WASM = fileURLToPath(
  new URL('../.wsksim/c/accept-loop-leak-fixed.wasm', import.meta.url),
);

/** The world of accept-loop-leak with the C server `wasm` (the bug's or the twin's). */
export function buildAcceptLoopLeakC(sim: Simulation, wasm: string): Handles {
  const h = newHandles();
  const hooks: ScenarioHooks = {
    Served: () => void h.server.connections++,
    Discarded: (_d, bytes) => void (h.server.bytes += bytes as number),
    Unloaded: () => void h.unloaded.add('server'),
  };
  const loadServer = () => void sim.loadDriver('server', wasm, { hooks });
  addServerAndSenders(sim, SERVER, PORT, { loadServer }, CLIENTS, h);
  return h;
}

export default defineScenario({
  name: 'accept-loop-leak-c',
  description:
    "accept-loop-leak with its server in C (scenarios/c/accept-loop-leak.c): the accept loop " +
    'leaks the socket it has just accepted when the next IRP cannot be allocated ' +
    '(expected: WSK-SOCKET-LEAKED)',
  seeds: [1, 2, 3],
  expect: 'WSK-SOCKET-LEAKED',
  // The twin's failing swarm run, the same run here (its trace hash): an IRP failure leaks.
  failingRuns: [{ strategy: 'swarm', seed: 94 }],
  build: (sim) => buildAcceptLoopLeakC(sim, ACCEPT_LOOP_LEAK_WASM),
  check: ({ sim }, h) => checkAcceptLoopLeak(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
