/**
 * A driver that throws is a driver crash (src/sim/crash.ts), the analogue of a bug check: the
 * failure names the routine or callback that was running, its host, socket and IRP, the driver's
 * line (marked `// crashes` below) and its frames; a throw from wsksim's own src/ stays a simulator
 * bug (kind 'assertion').
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/simulation.ts';
import {
  AF_INET,
  DelayedWorkQueue,
  IO_WORKITEM,
  Executive,
  KEVENT,
  KernelMode,
  NotificationEvent,
  NPI_WSK_INTERFACE_ID,
  SOL_SOCKET,
  SO_WSK_EVENT_CALLBACK,
  STATUS_SUCCESS,
  WSK_EVENT_ACCEPT,
  WSK_FLAG_LISTEN_SOCKET,
  WskSetOption,
  type IRP,
  type NTSTATUS,
  type PFN_WSK_ACCEPT_EVENT,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';
import { bind, socketConnect, socketOf, world } from './support.ts';

const FILE = 'test/wsk/driver-crash.test.ts';
const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');

/** This file's line marked `// crashes <what>`. */
function crashLine(what: string): string {
  const line = SOURCE.findIndex((text) => text.endsWith(`// crashes ${what}`));
  expect(line).toBeGreaterThanOrEqual(0);
  return `${FILE}:${line + 1}`;
}

/** A driver's per-listener state whose session the callback forgets is not set yet. */
interface ListenContext {
  Session: { Count: number } | null;
}

describe('driver crash', () => {
  it('a NULL dereference in WskAcceptEvent names the callback, host, socket and line', async () => {
    const w = world();
    const context: ListenContext = { Session: null };
    const WskAcceptEvent: PFN_WSK_ACCEPT_EVENT = () => {
      context.Session!.Count += 1; // crashes accept
      return STATUS_SUCCESS;
    };
    const Dispatch = { WskAcceptEvent, WskInspectEvent: null, WskAbortEvent: null };
    const Listen = socketOf(w.server, WSK_FLAG_LISTEN_SOCKET, AF_INET, Dispatch);
    expect(bind(w.server, Listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_ACCEPT };
    const L = Listen.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
    const enable = L.WskControlSocket(
      Listen, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, control, 0, null, null, null,
    );
    expect(enable).toBe(STATUS_SUCCESS);
    socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
    const outcome = await w.sim.run({ until: '1s' });
    expect(outcome.status).toBe('failed');
    const failure = outcome.failure;
    expect(failure?.kind).toBe('driver-crash');
    expect(failure?.message).toMatch(/^driver crash in WskAcceptEvent: TypeError: /);
    expect(failure?.details).toMatchObject({
      rule: 'DRIVER-CRASH',
      routine: 'WskAcceptEvent',
      host: 'server',
      site: crashLine('accept'),
    });
    expect(failure?.details?.socket).toEqual(expect.any(Number));
    expect(failure?.details?.stack?.[0]).toContain(crashLine('accept'));
  });

  it('a throw in a completion routine names the IRP', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'h', ipv4: '10.0.0.9' });
    let irp = 0;
    sim.load('h', (k) => {
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      irp = Irp.id;
      k.IoSetCompletionRoutine(
        Irp,
        (): NTSTATUS => {
          throw new RangeError('bad index'); // crashes completion
        },
        null, true, true, true,
      );
      k.irps.issue(Irp, 'test');
      Irp.IoStatus.Status = STATUS_SUCCESS;
      k.IoCompleteRequest(Irp, 0);
    });
    const outcome = await sim.run();
    expect(outcome.failure).toMatchObject({
      kind: 'driver-crash',
      message: `driver crash in completion routine of IRP #${irp}: RangeError: bad index`,
      details: { routine: `completion routine of IRP #${irp}`, irp, host: 'h' },
    });
    expect(outcome.failure?.details?.site).toBe(crashLine('completion'));
  });

  it('a throw in DriverEntry after a wait names DriverEntry and the line', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'h', ipv4: '10.0.0.9' });
    sim.load('h', async (k) => {
      const Event = new KEVENT();
      k.KeInitializeEvent(Event, NotificationEvent, false);
      await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, { QuadPart: -10_000 });
      const table = null as unknown as { entry: number };
      void table.entry; // crashes entry
    });
    const outcome = await sim.run();
    expect(outcome.failure?.kind).toBe('driver-crash');
    expect(outcome.failure?.details).toMatchObject({
      routine: 'DriverEntry',
      host: 'h',
      site: crashLine('entry'),
    });
  });

  it('a throw in a work item routine names the work item routine', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'h', ipv4: '10.0.0.9' });
    sim.load('h', (k) => {
      const Item = k.IoAllocateWorkItem(null) as IO_WORKITEM;
      k.IoQueueWorkItem(Item, (_device, Context) => {
        (Context as { Count: number }).Count += 1; // crashes work item
      }, DelayedWorkQueue, null);
    });
    const outcome = await sim.run();
    expect(outcome.failure?.kind).toBe('driver-crash');
    expect(outcome.failure?.details).toMatchObject({
      routine: 'work item routine',
      host: 'h',
      site: crashLine('work item'),
    });
  });

  it('a throw from wsksim\'s own src/ stays a simulator bug (assertion)', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'h', ipv4: '10.0.0.9' });
    sim.load('h', (k) => {
      k.IoCompleteRequest(null as unknown as IRP, 0);
    });
    const outcome = await sim.run();
    expect(outcome.failure?.kind).toBe('assertion');
    expect(outcome.failure?.details).toBeUndefined();
  });
});
