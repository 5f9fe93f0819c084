/**
 * The WSK routines that block a system thread with no timeout, at the end of a run
 * (src/wsk/registration.ts through nt/dispatcher.ts's blockedIn; nt/outstanding.ts,
 * WAIT-NEVER-SATISFIED): WskCaptureProviderNPI with WSK_INFINITE_WAIT on a provider that never
 * becomes ready, and WskDeregister on a registration that never drains. Each report names the
 * routine, what it waits on, since when, and the line of the wait, marked `// waits for ever`
 * below (runScenario's re-run records sites). Each has a twin whose wait ends, which passes.
 * The waiting thread starts at 5 ms and waits from 15 ms, so every time in a line is its own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import type { Simulation } from '../../src/simulation.ts';
import {
  AF_INET,
  Executive,
  IPPROTO_TCP,
  KEVENT,
  KernelMode,
  MAKE_WSK_VERSION,
  NotificationEvent,
  SOCK_STREAM,
  STATUS_DEVICE_NOT_READY,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_INFINITE_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  type IRP,
  type Kernel,
  type KernelOptions,
  type NTSTATUS,
  type PWSK_SOCKET,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';

const FILE = 'test/wsk/waits-at-end.test.ts';
const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
/** The line of the n-th line ending with `mark` (0-based). */
function markedLine(mark: string, n = 0): string {
  const lines = SOURCE.flatMap((l, i) => (l.endsWith(mark) ? [i + 1] : []));
  return `${FILE}:${lines[n]}`;
}
const waitLine = (n: number): string => markedLine('// waits for ever', n);

function clientNpi(): WSK_CLIENT_NPI {
  return {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
  };
}

/** Waits 10 ms in KeWaitForSingleObject with a timeout (an event never set): its wait ends. */
async function pause(k: Kernel): Promise<void> {
  const Never = new KEVENT();
  k.KeInitializeEvent(Never, NotificationEvent, false);
  await k.KeWaitForSingleObject(Never, Executive, KernelMode, false, { QuadPart: -100_000 });
}

/**
 * Host 'server' with a kernel (and `options`), whose system thread starts at 5 ms and runs `body`;
 * `also` adds its own events.
 */
function threadAt5ms(
  name: string,
  options: KernelOptions,
  body: (k: Kernel) => Promise<void>,
  also: (sim: Simulation, k: Kernel) => void = () => undefined,
) {
  return defineScenario({
    name,
    description: `waits-at-end.test.ts: ${name}`,
    build(sim) {
      sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
      sim.tcp('server');
      const k = sim.kernel('server', { pendingCompletions: 0, ...options });
      sim.at('5ms', 'start the thread', () => {
        k.PsCreateSystemThread({ value: null }, 0, null, null, null, () => body(k), null);
      });
      also(sim, k);
      return {};
    },
    settle: '1s',
  });
}

describe('WskCaptureProviderNPI with WSK_INFINITE_WAIT at the end of a run', () => {
  const capture = async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS); // registers
    await pause(k);
    const Npi = new WSK_PROVIDER_NPI();
    const status = await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi); // waits for ever
    if (status === STATUS_SUCCESS) k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
  };

  it('a provider never ready: the thread is reported in WskCaptureProviderNPI, with its line', async () => {
    const scenario = threadAt5ms('capture-never-ready', { wskProviderReadyAt: 'never' }, capture);
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.status).toBe('failed');
    expect(result.failure?.details?.outstanding).toEqual([
      'WSK-NOT-DEREGISTERED server: WskRegister without WskDeregister returning; registered since ' +
        `0.005000s (${markedLine('// registers')})`,
      'WAIT-NEVER-SATISFIED server: thread server/system-1 blocked since 0.015000s in ' +
        'WskCaptureProviderNPI on the WSK provider (WSK_INFINITE_WAIT), never ready ' +
        `(${waitLine(0)})`,
    ]);
  });

  it('its twin, whose provider becomes ready at 1 s, captures, deregisters and passes', async () => {
    const scenario = threadAt5ms('capture-ready-late', { wskProviderReadyAt: '1s' }, capture);
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('passed');
  });

  it('a capture released by WskDeregister (STATUS_DEVICE_NOT_READY) is no longer listed', async () => {
    let seen: NTSTATUS | null = null;
    const Registration = new WSK_REGISTRATION();
    const scenario = threadAt5ms(
      'capture-released-by-deregister',
      { wskProviderReadyAt: 'never' },
      async (k) => {
        k.WskRegister(clientNpi(), Registration);
        seen = await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, new WSK_PROVIDER_NPI());
      },
      (sim, k) => {
        // A second thread deregisters at 20 ms: the blocked capture returns, nothing is left.
        sim.at('20ms', 'deregister', () => {
          const deregister = async (): Promise<void> => void (await k.WskDeregister(Registration));
          k.PsCreateSystemThread({ value: null }, 0, null, null, null, deregister, null);
        });
      },
    );
    const result = await runScenario(scenario, { seed: 1 });
    expect(seen).toBe(STATUS_DEVICE_NOT_READY);
    expect(result.failure).toBeUndefined();
  });
});

describe('WskDeregister at the end of a run', () => {
  /** Registers, captures, makes a listening socket, then deregisters: with `release` and `close`. */
  const deregister =
    (release: boolean, close: (Socket: PWSK_SOCKET, k: Kernel) => void) =>
    async (k: Kernel): Promise<void> => {
      const Registration = new WSK_REGISTRATION();
      k.WskRegister(clientNpi(), Registration);
      const Npi = new WSK_PROVIDER_NPI();
      await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi);
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
      Npi.Dispatch!.WskSocket(
        Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null,
        null, null, Irp,
      );
      const Socket = Irp.IoStatus.Information as PWSK_SOCKET;
      k.IoFreeIrp(Irp);
      close(Socket, k);
      if (release) k.WskReleaseProviderNPI(Registration);
      await pause(k);
      await k.WskDeregister(Registration); // waits for ever
    };

  it('a socket never closed, a capture never released: reported in WskDeregister, saying what is left', async () => {
    const scenario = threadAt5ms('deregister-never-drains', {}, deregister(false, () => undefined));
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.status).toBe('failed');
    const outstanding = result.failure?.details?.outstanding ?? [];
    expect(outstanding.slice(-1)).toEqual([
      'WAIT-NEVER-SATISFIED server: thread server/system-1 blocked since 0.015000s in ' +
        'WskDeregister on its registration, never drained (1 capture not released, 1 socket not ' +
        `closed) (${waitLine(1)})`,
    ]);
    expect(outstanding.map((line) => line.split(' ')[0])).toEqual([
      'WSK-SOCKET-LEAKED',
      'WSK-NOT-DEREGISTERED',
      'WAIT-NEVER-SATISFIED',
    ]);
    expect(outstanding[1]).toContain('deregistering since 0.015000s');
  });

  it('its twin closes the socket and releases the capture: WskDeregister returns, the run passes', async () => {
    const close = (Socket: PWSK_SOCKET, k: Kernel): void => {
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, () => STATUS_MORE_PROCESSING_REQUIRED, null, true, true, true);
      (Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH).WskCloseSocket(Socket, Irp);
      k.IoFreeIrp(Irp);
    };
    const result = await runScenario(threadAt5ms('deregister-drains', {}, deregister(true, close)), {
      seed: 1,
    });
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('passed');
  });
});
