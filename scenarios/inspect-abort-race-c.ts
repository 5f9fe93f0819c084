/**
 * inspect-abort-race.ts with its server driver in C: scenarios/c/inspect-abort-race.c, the same
 * conditional-accept server as a Windows driver writes it, compiled to WebAssembly by `wsksim
 * build-driver` and loaded with `sim.loadDriver`, beside the same TypeScript clients, on the same
 * topology, with the same checks and the same choice ('decision delay ms', drawn by the driver
 * through its DecisionDelayMs hook where the twin calls sim.choices).
 *
 * The bug is the natural C one: WskAbortEvent frees the request's record and the timer's DPC then
 * reads the freed pool memory (Record->WorkItem). The verifier sees it through the pool's shadow
 * map, which checks the driver's loads and stores, and reports POOL-USE-AFTER-FREE at the C line.
 *
 * Trace: the twin's, record for record, but for one field: the record holds its KTIMER and KDPC,
 * so its pool allocation is 104 bytes where the twin's is 64 (nt.pool `bytes`). The twin built
 * with 104-byte records gives this scenario's trace hash (test/scenarios/inspect-abort-race-c.test.ts).
 *
 * The driver is built, not shipped: by hand,
 *
 *   npx wsksim build-driver scenarios/c/inspect-abort-race.c -o .wsksim/c/inspect-abort-race.wasm
 *   npx wsksim fuzz inspect-abort-race-c --runs 50
 */
import { fileURLToPath } from 'node:url';
import {
  defineScenario,
  statusName,
  type NTSTATUS,
  type ScenarioHooks,
  type Simulation,
} from 'wsksim';
import {
  checkInspectAbortRace,
  inspectAbortRaceWorld,
  newHandles,
  type Handles,
} from './inspect-abort-race.ts';

/** Where the build puts the drivers (gitignored). */
export const INSPECT_ABORT_RACE_WASM = fileURLToPath(
  new URL('../.wsksim/c/inspect-abort-race.wasm', import.meta.url),
);
export const INSPECT_ABORT_RACE_FIXED_WASM = fileURLToPath(
  new URL('../.wsksim/c/inspect-abort-race-fixed.wasm', import.meta.url),
);

/** The twin's handles, and how often each C completion routine ran, by its IRP's address. */
export interface CHandles extends Handles {
  readonly completions: Map<number, number>;
}

/** The world of inspect-abort-race with the C server `wasm` (the bug's or the twin's). */
export function buildInspectAbortRaceC(sim: Simulation, wasm: string): CHandles {
  const h: CHandles = { ...newHandles(), completions: new Map() };
  const hooks: ScenarioHooks = {
    // The decision's delay: the twin's choice point, drawn when the C driver asks.
    DecisionDelayMs: (_d, max) => sim.choices.between('decision delay ms', 0, max as number),
    Outcome: (d, what) => void h.outcomes.push(d.cString(what as number)),
    Error: (d, what, code) =>
      void h.errors.push(`${d.cString(what as number)}: ${statusName(code as NTSTATUS)}`),
    Completed: (_d, irp) => void h.completions.set(irp as number, (h.completions.get(irp as number) ?? 0) + 1),
    Unloaded: () => void h.unloaded.add('server'),
  };
  inspectAbortRaceWorld(sim, h, () => void sim.loadDriver('server', wasm, { hooks }));
  return h;
}

/** inspect-abort-race's check, and each C completion routine ran once. */
export function checkInspectAbortRaceC(sim: Simulation, h: CHandles): void {
  checkInspectAbortRace(sim, h);
  const extra = [...h.completions.values()].filter((n) => n !== 1);
  if (extra.length > 0) throw new Error(`completion routines ran ${extra.join(', ')} times`);
}

export default defineScenario({
  name: 'inspect-abort-race-c',
  description:
    'inspect-abort-race with its server in C (scenarios/c/inspect-abort-race.c): WskAbortEvent ' +
    'frees the record the DPC still reads (expected: POOL-USE-AFTER-FREE)',
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  expect: 'POOL-USE-AFTER-FREE',
  build: (sim) => buildInspectAbortRaceC(sim, INSPECT_ABORT_RACE_WASM),
  check: ({ sim }, h) => checkInspectAbortRaceC(sim, h),
  limits: { time: '5m' },
});
