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
 * Trace: the twin's, record for record, but for one field and for pool touches: the record holds
 * its KTIMER and KDPC, so its pool allocation is 96 bytes where the twin's is 64 (nt.pool
 * `bytes`); and its list of records is the records' own LIST_ENTRYs, so inserting, finding and
 * removing one touches the records beside it, which the twin's list (model objects outside its
 * pool proxies) does not: the C run has each of the twin's `nt.pool` 'touched' records and more.
 * Without those, the twin built with 96-byte records has this scenario's trace
 * (test/scenarios/inspect-abort-race-c.test.ts).
 *
 * The driver is built, not shipped: vitest's global setup builds it
 * (test/support/c-drivers-setup.ts), or by hand:
 *
 *   npx wsksim build-driver scenarios/c/inspect-abort-race.c -o .wsksim/c/inspect-abort-race.wasm
 *   npx wsksim fuzz inspect-abort-race-c --runs 50
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  SimConfigError,
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

/** The WebAssembly API's part used here (the project's lib has no DOM declarations). */
interface WasmApi {
  Module: { new (bytes: Uint8Array): object; imports(module: object): { name: string }[] };
}

/** Where the build puts the drivers (gitignored). */
export const INSPECT_ABORT_RACE_WASM = fileURLToPath(
  new URL('../.wsksim/c/inspect-abort-race.wasm', import.meta.url),
);
export const INSPECT_ABORT_RACE_FIXED_WASM = fileURLToPath(
  new URL('../.wsksim/c/inspect-abort-race-fixed.wasm', import.meta.url),
);

/**
 * Whether the driver's loads and stores are checked against the pool's shadow map: its module
 * imports the hooks `wasm-opt --instrument-memory` adds (load_ptr, store_ptr). Without them the
 * DPC's read of the freed record goes unseen and the run fails later, another way.
 */
export function hasPoolChecks(wasm: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(wasm);
  } catch {
    return true; // no driver: loadDriver says so, naming the build command
  }
  const { Module } = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  return Module.imports(new Module(bytes)).some((entry) => entry.name === 'load_ptr');
}

/**
 * The world of inspect-abort-race with the C server `wasm` (the bug's or the twin's). The bug's
 * driver needs pool checks (`poolChecks`): a build without them is a SimConfigError saying so.
 */
export function buildInspectAbortRaceC(sim: Simulation, wasm: string, poolChecks = false): Handles {
  if (poolChecks && !hasPoolChecks(wasm)) {
    throw new SimConfigError(
      'inspect-abort-race-c',
      `${wasm} has no pool checks (its loads and stores are not instrumented against the ` +
        "pool's shadow map), so the use after free it shows would go unseen",
    );
  }
  const h = newHandles();
  const hooks: ScenarioHooks = {
    // The decision's delay: the twin's choice point, drawn when the C driver asks.
    DecisionDelayMs: (_d, max) => sim.choices.between('decision delay ms', 0, max as number),
    Outcome: (d, what) => void h.outcomes.push(d.cString(what as number)),
    Error: (d, what, code) =>
      void h.errors.push(`${d.cString(what as number)}: ${statusName(code as NTSTATUS)}`),
    Unloaded: () => void h.unloaded.add('server'),
  };
  inspectAbortRaceWorld(sim, h, () => void sim.loadDriver('server', wasm, { hooks }));
  return h;
}

/**
 * inspect-abort-race's check. Its count of completion routine runs per IRP (checkOncePerIrp)
 * has nothing to count in C, where an IRP is an address the heap hands out again after
 * IoFreeIrp; a routine run twice for one IRP is the verifier's IRP-COMPLETED-TWICE instead,
 * which checkUnloaded sees.
 */
export function checkInspectAbortRaceC(sim: Simulation, h: Handles): void {
  checkInspectAbortRace(sim, h);
}

export default defineScenario({
  name: 'inspect-abort-race-c',
  description:
    'inspect-abort-race with its server in C (scenarios/c/inspect-abort-race.c): WskAbortEvent ' +
    'frees the record the DPC still reads (expected: POOL-USE-AFTER-FREE)',
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  expect: 'POOL-USE-AFTER-FREE',
  build: (sim) => buildInspectAbortRaceC(sim, INSPECT_ABORT_RACE_WASM, true),
  check: ({ sim }, h) => checkInspectAbortRaceC(sim, h),
  limits: { time: '5m' },
});
