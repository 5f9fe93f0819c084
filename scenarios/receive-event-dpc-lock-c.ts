/**
 * receive-event-dpc-lock.ts with its server driver in C: scenarios/c/receive-event-dpc-lock.c,
 * the same log collector as a Windows driver writes it, its WskReceiveEvent walking the
 * WSK_DATA_INDICATION list in its own memory, compiled to WebAssembly by `wsksim build-driver` and
 * loaded with `sim.loadDriver`, beside the same TypeScript clients, on the same topology, with the
 * same checks. The same calls in the same order, with the same pool tag and size: the same seed
 * gives the twin's trace but for the twin's pool 'touched' records, which a C driver's loads and
 * stores do not make (test/scenarios/receive-event-dpc-lock-c.test.ts).
 *
 * The bug: KeAcquireSpinLockAtDpcLevel in WskReceiveEvent, wrong when the callback runs at
 * PASSIVE_LEVEL (IRQL-NOT-DISPATCH). Plain seeds never see it; swarm finds it when it draws a
 * passiveCallbacks rate above 0, or by hand:
 *
 *   npx wsksim build-driver scenarios/c/receive-event-dpc-lock.c \
 *     -o .wsksim/c/receive-event-dpc-lock.wasm
 *   npx wsksim run receive-event-dpc-lock-c --set kernel.server.passiveCallbacks=1
 */
import { fileURLToPath } from 'node:url';
import { defineScenario, type ScenarioHooks, type Simulation } from 'wsksim';
import {
  CLIENTS,
  PORT,
  SERVER,
  checkReceiveEventDpcLock,
  newHandles,
  type Handles,
} from './receive-event-dpc-lock.ts';
import { addServerAndSenders } from './support/careful.ts';

/** Where the build puts the drivers (gitignored). */
export const RECEIVE_EVENT_DPC_LOCK_WASM = fileURLToPath(
  new URL('../.wsksim/c/receive-event-dpc-lock.wasm', import.meta.url),
);
export const RECEIVE_EVENT_DPC_LOCK_FIXED_WASM = fileURLToPath(
  new URL('../.wsksim/c/receive-event-dpc-lock-fixed.wasm', import.meta.url),
);

/** The world of receive-event-dpc-lock with the C server `wasm` (the bug's or the twin's). */
export function buildReceiveEventDpcLockC(sim: Simulation, wasm: string): Handles {
  const h = newHandles();
  const hooks: ScenarioHooks = {
    Accepted: () => void h.log.connections++,
    Logged: (_d, bytes, lines) => {
      h.log.bytes += bytes as number;
      h.log.lines += lines as number;
    },
    Unloaded: () => void h.unloaded.add('server'),
  };
  const loadServer = () => void sim.loadDriver('server', wasm, { hooks });
  addServerAndSenders(sim, SERVER, PORT, { loadServer }, CLIENTS, h);
  return h;
}

export default defineScenario({
  name: 'receive-event-dpc-lock-c',
  description:
    'receive-event-dpc-lock with its server in C (scenarios/c/receive-event-dpc-lock.c): ' +
    'KeAcquireSpinLockAtDpcLevel in WskReceiveEvent, wrong when the callback runs at ' +
    'PASSIVE_LEVEL (expected: IRQL-NOT-DISPATCH)',
  seeds: [1, 2, 3],
  expect: 'IRQL-NOT-DISPATCH',
  failingRuns: [{ strategy: 'swarm', seed: 55 }],
  build: (sim) => buildReceiveEventDpcLockC(sim, RECEIVE_EVENT_DPC_LOCK_WASM),
  check: ({ sim }, h) => checkReceiveEventDpcLock(sim, h),
  fuzz: { hosts: ['server'] },
  limits: { time: '1m' },
});
