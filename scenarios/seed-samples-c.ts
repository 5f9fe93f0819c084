/**
 * seed-samples.ts with its server driver in C: scenarios/c/seed-samples.c, the listening page's
 * samples as a Windows driver writes them, compiled to WebAssembly by `wsksim build-driver` and
 * loaded with `sim.loadDriver`, beside the same TypeScript clients, on the same topology, with
 * the same checks. Its runs have the TypeScript twin's trace hashes, seed for seed
 * (test/cdriver/seed-samples.test.ts).
 *
 * The driver is built, not shipped: `npm test` builds it (test/cdriver/global-setup.ts); by hand,
 *
 *   npx wsksim build-driver scenarios/c/seed-samples.c -o .wsksim/c/seed-samples.wasm
 *   npx wsksim run seed-samples-c --trace
 */
import { fileURLToPath } from 'node:url';
import { defineScenario, statusName, type CDriver, type NTSTATUS, type Simulation } from 'wsksim';
import { CLIENTS, SERVER, check, clientDriver, type Handles } from './seed-samples.ts';

/** Where the build puts the driver (gitignored). */
export const SEED_SAMPLES_WASM = fileURLToPath(
  new URL('../.wsksim/c/seed-samples.wasm', import.meta.url),
);

/** The twin's handles, and how often each C completion routine ran, by its IRP's address. */
interface CHandles extends Handles {
  readonly completions: Map<number, number>;
}

/** An IPv4 SOCKADDR_IN in the driver's memory as '10.0.0.11:49152' (network byte order). */
function sockaddrAt(d: CDriver, address: number): string {
  const port = (d.u8(address + 2) << 8) | d.u8(address + 3);
  return `${[4, 5, 6, 7].map((i) => d.u8(address + i)).join('.')}:${port}`;
}

function build(sim: Simulation): CHandles {
  const completions = new Map<number, number>();
  const h: CHandles = { calls: new Map(), seen: [], errors: [], unloaded: new Set(), completions };
  const status = (value: number): string => statusName(value as NTSTATUS);
  sim.addHost({ name: 'server', ipv4: SERVER });
  sim.addSwitch('lan');
  sim.addLink('server', 'lan', { latency: '2500us' });
  sim.loadDriver('server', SEED_SAMPLES_WASM, {
    sources: ['scenarios/c/seed-samples.c'],
    hooks: {
      // What the driver saw: '<ms> server <callback> <address or status>', as the twin notes.
      Seen: (d, what, address, code) => {
        const name = d.cString(what);
        const detail = address === 0 ? status(code) : sockaddrAt(d, address);
        h.seen.push(`${sim.now / 1e6} server ${name} ${detail}`);
      },
      Error: (d, what, code) => void h.errors.push(`${d.cString(what)}: ${status(code)}`),
      // Each completion routine's run, by the IRP's address, for checkOncePerIrp.
      Completed: (_d, irp) => void completions.set(irp, (completions.get(irp) ?? 0) + 1),
      Unloaded: () => void h.unloaded.add('server'),
    },
  });
  for (const { host, ipv4, port, at } of CLIENTS) {
    sim.addHost({ name: host, ipv4 });
    sim.addLink(host, 'lan', { latency: '2500us' });
    sim.load(host, clientDriver(sim, h, host, port, at));
  }
  return h;
}

export default defineScenario({
  name: 'seed-samples-c',
  description:
    "seed-samples with its server in C (scenarios/c/seed-samples.c), compiled to WebAssembly: " +
    'the same clients, checks and trace hashes',
  seeds: [1, 2, 3],
  build: (sim) => build(sim),
  check: ({ sim }, h) => {
    check(sim, h);
    const extra = [...h.completions.values()].filter((n) => n !== 1);
    if (extra.length > 0) throw new Error(`completion routines ran ${extra.join(', ')} times`);
  },
  limits: { time: '1m' },
});
