/**
 * echo-server.ts with its server in C: scenarios/c/echo-server/echo-server.c, the WSK echo server
 * sample's structure in our own C, compiled to WebAssembly by `wsksim build-driver` and loaded
 * with `sim.loadDriver`, in the same world (topology, lossy links, TypeScript clients, unload
 * 100 ms after the last accept) with the same check (checkEchoServer). It makes the TypeScript
 * port's calls in the same order, so a seed gives the same wire, segment for segment and time for
 * time, and the same trace but for one field: the socket context's pool block is sizeof() of the
 * C structure on wasm32, 76 bytes, where the port allocates the x64 size, 152; and for where
 * some `nt.pool` 'touched' records stand within their event (the same blocks touched in the same
 * events; the C reads the SLIST entry inside a context's block before the port's first access)
 * (test/scenarios/echo-server-c.test.ts; README, "Running with a seed", `echo-server-c`).
 *
 * The scenario reads the driver as the port's log: the C's DoTraceMessage (echo-server.tmh,
 * WPP's stand-in) hands each message to the hook below, which formats it as the port's
 * DoTraceMessage does ('<ms> <text>'; a context named 'L', 'c1', ... by its order of allocation
 * where the C prints its address; a status by its name), and records the peer of each accept and
 * the unload's start and end. The I/O manager's part the bridge lacks, keeping the DRIVER_OBJECT
 * and calling its DriverUnload, is io-manager.c beside the driver. The listener's death fault
 * (EchoOptions.invalidateListenerAt) needs the model's socket behind the C one: not offered.
 *
 * The driver is built, not shipped: the tests' global setup builds each folder of scenarios/c as
 * one driver (test/support/c-drivers-setup.ts); by hand,
 *
 *   npx wsksim build-driver scenarios/c/echo-server/*.c -o .wsksim/c/echo-server.wasm
 *   npx wsksim run echo-server-c --seed 1 --trace
 */
import { fileURLToPath } from 'node:url';
import { defineScenario, statusName, type CDriver, type NTSTATUS } from 'wsksim';
import {
  buildEchoServer,
  checkEchoServer,
  type EchoOptions,
  type Handles,
  type LoadEchoServer,
} from './echo-server.ts';

/** Where the build puts the driver (gitignored). */
export const ECHO_SERVER_WASM = fileURLToPath(
  new URL('../.wsksim/c/echo-server.wasm', import.meta.url),
);

/** The sources `wsksim build-driver` compiles into ECHO_SERVER_WASM. */
export const ECHO_SERVER_SOURCES = ['echo-server.c', 'io-manager.c'].map((file) =>
  fileURLToPath(new URL(`c/echo-server/${file}`, import.meta.url)),
);

/** The sample's TRCERROR flag (scenarios/c/echo-server.tmh). */
const TRCERROR = 1;

/** The conversions the driver's messages use: %p, %u, %s and WPP's %!STATUS!. */
const CONVERSION = /%(!STATUS!|[pus%])/g;

/** Loads the C build on 'server'; its unload calls DriverObject->DriverUnload in C. */
export const loadCEchoServer: LoadEchoServer = (sim, handles) => {
  // The names the port's log gives contexts, by address; a freed context's address is
  // forgotten, so a later context at the same address gets a name of its own.
  const names = new Map<number, string>();
  let named = 0;
  const nameOf = (address: number): string => {
    let name = names.get(address);
    if (name === undefined) {
      name = named === 0 ? 'L' : `c${named}`;
      named++;
      names.set(address, name);
    }
    return name;
  };
  let driver: CDriver | null = null;
  sim.loadDriver('server', ECHO_SERVER_WASM, {
    entry: 'IoManagerLoadDriver',
    name: 'echo-server.wasm',
    hooks: {
      // WsksimDoTraceMessage(Flags, Format, ...): the arguments one 4-byte slot each (wasm32).
      DoTraceMessage: (d, flags, format, args) => {
        let at = args;
        let freed = -1;
        const text = d.cString(format).replace(CONVERSION, (_all, c: string) => {
          if (c === '%') return '%';
          const value = d.u32(at);
          at += 4;
          if (c === 'p') {
            freed = value;
            return nameOf(value);
          }
          if (c === 'u') return String(value);
          if (c === 's') return d.cString(value);
          return statusName(value as NTSTATUS);
        });
        if (text.startsWith('FreeSocketContext: ')) names.delete(freed);
        if (text.startsWith('AcceptEvent: ') && !text.endsWith(' NULL')) {
          handles.accepted.push(text.slice(text.lastIndexOf(' ') + 1));
          for (const hook of handles.onProgress) hook();
        }
        if (text === 'UNLOAD START') handles.unload.start = sim.now / 1e6;
        handles.log.push(`${sim.now / 1e6} ${flags === TRCERROR ? 'ERROR ' : ''}${text}`);
        if (text === 'UNLOAD END') handles.unload.end = sim.now / 1e6;
      },
      DriverEntryReturned: (d, status) => {
        driver = d;
        if (status !== 0) {
          handles.errors.push(`server: DriverEntry: ${statusName(status as NTSTATUS)}`);
        }
      },
    },
  });
  return async () => {
    const d = driver;
    if (d === null) return;
    const unload = d.exports['IoManagerUnloadDriver'] as () => void;
    await d.runThread('server/DriverUnload', () => {
      unload();
      return 0;
    });
  };
};

/** The echo server's world with the C build as its server. */
export function buildEchoServerC(
  sim: Parameters<typeof buildEchoServer>[0],
  options: EchoOptions = {},
): Handles {
  return buildEchoServer(sim, options, loadCEchoServer);
}

export default defineScenario({
  name: 'echo-server-c',
  description:
    'echo-server with its server in C (scenarios/c/echo-server), compiled to WebAssembly: ' +
    'the same clients and check, the same wire',
  seeds: [1, 2, 3],
  build: (sim) => buildEchoServerC(sim),
  check: ({ sim }, handles) => checkEchoServer(sim, handles),
  limits: { time: '5m' },
});
