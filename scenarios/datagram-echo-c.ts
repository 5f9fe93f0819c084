/**
 * datagram-echo.ts with its server driver in C: scenarios/c/datagram-echo.c, the WskReceiveFromEvent
 * echo as a Windows driver writes it, compiled to WebAssembly by `wsksim build-driver` and loaded
 * with `sim.loadDriver`, beside the same TypeScript client, on the same lossy link, with the same
 * check. It makes the twin's kernel calls in the twin's order, so its runs have the twin's trace
 * hashes, seed for seed (test/cdriver/datagram-echo.test.ts): the indicated list the C callback
 * reads is written into its memory by the bridge, which adds no record.
 *
 * The driver is built, not shipped: the tests' global setup builds it
 * (test/support/c-drivers-setup.ts); by hand,
 *
 *   npx wsksim build-driver scenarios/c/datagram-echo.c -o .wsksim/c/datagram-echo.wasm
 *   npx wsksim run datagram-echo-c --trace
 */
import { fileURLToPath } from 'node:url';
import { defineScenario, statusName, type NTSTATUS, type Simulation } from 'wsksim';
import {
  FUZZ,
  buildDatagramEcho,
  checkDatagramEcho,
  newHandles,
  type Handles,
} from './datagram-echo.ts';

/** Where the build puts the driver (gitignored). */
export const DATAGRAM_ECHO_WASM = fileURLToPath(
  new URL('../.wsksim/c/datagram-echo.wasm', import.meta.url),
);

/** The twin's handles, and how often each C completion routine ran, by its IRP's address. */
interface CHandles extends Handles {
  readonly completions: Map<number, number>;
}

function loadServer(sim: Simulation, h: CHandles): void {
  const status = (value: number): string => statusName(value as NTSTATUS);
  sim.loadDriver('server', DATAGRAM_ECHO_WASM, {
    sources: ['scenarios/c/datagram-echo.c'],
    name: 'datagram-echo.wasm',
    hooks: {
      Error: (d, what, code) => void h.errors.push(`${d.cString(what)}: ${status(code)}`),
      // Each completion routine's run, by the IRP's address, as the twin counts its IRPs'.
      Completed: (_d, irp) => void h.completions.set(irp, (h.completions.get(irp) ?? 0) + 1),
      Unloaded: () => void h.unloaded.add('server'),
    },
  });
}

export default defineScenario({
  name: 'datagram-echo-c',
  description:
    'datagram-echo with its server in C (scenarios/c/datagram-echo.c), compiled to ' +
    'WebAssembly: the same client, check and trace hashes',
  seeds: [1, 2, 3, 4],
  build: (sim) => buildDatagramEcho(sim, { ...newHandles(), completions: new Map() }, loadServer),
  check: ({ sim }, h) => {
    checkDatagramEcho(sim, h);
    const extra = [...h.completions.values()].filter((n) => n !== 1);
    if (extra.length > 0) throw new Error(`completion routines ran ${extra.join(', ')} times`);
  },
  limits: { time: '1m' },
  fuzz: FUZZ,
});
