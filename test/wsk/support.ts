/**
 * Shared helpers of the WSK socket tests: a world of two hosts (client 10.0.0.1 / fd00::1,
 * server 10.0.0.2 / fd00::2) with TCP stacks and kernels, a registered driver per host with a
 * completion log, and short spellings of WskSocket, WskBind and WskSocketConnect.
 */
import { expect } from 'vitest';
import { Simulation, type SimulationOptions } from '../../src/simulation.ts';
import {
  AF_INET,
  IPPROTO_TCP,
  IRP,
  Kernel,
  MAKE_WSK_VERSION,
  SOCK_STREAM,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  WSK_FLAG_CONNECTION_SOCKET,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_NO_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  sockaddr,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type KernelOptions,
  type NTSTATUS,
  type PWSK_SOCKET,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';
import type { TcpProfileOptions } from '../../src/tcp/index.ts';

export const MS = 1e6;
export const S = 1e9;

export interface World {
  sim: Simulation;
  server: Driver;
  client: Driver;
}

export interface Driver {
  k: Kernel;
  Registration: WSK_REGISTRATION;
  Npi: WSK_PROVIDER_NPI;
  Dispatch: WSK_PROVIDER_DISPATCH;
  /** Completion log: '<name> <status> @<ms>'. */
  log: string[];
  /** Completion-routine calls per IRP. */
  calls: Map<IRP, number>;
  irp(name: string): IRP;
  /**
   * Unloads as a driver must for the verifier's end-of-run check
   * (docs/design.md#liveness-at-the-end-of-a-run), in a system thread: closes `sockets`, releases
   * the NPI, waits for WskDeregister, frees every IRP.
   */
  unload(sockets: readonly PWSK_SOCKET[]): void;
}

export function world(
  options: {
    kernel?: KernelOptions;
    clientTcp?: TcpProfileOptions;
    serverTcp?: TcpProfileOptions;
    seed?: number;
    /** More simulation options: same-instant choice and a decider, say. */
    simulation?: Omit<SimulationOptions, 'seed'>;
  } = {},
): World {
  const sim = new Simulation({ seed: options.seed ?? 3, keepTrace: true, ...options.simulation });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  sim.addHost({ name: 'client', ipv4: '10.0.0.1', ipv6: 'fd00::1' });
  sim.addLink('client', 'server', { latency: '5ms' });
  // Both stacks exist from the start (a host without one would be a black hole).
  sim.tcp('client', options.clientTcp ?? {});
  sim.tcp('server', options.serverTcp ?? {});
  const kernel = { pendingCompletions: 0, ...options.kernel };
  return { sim, server: driver(sim, 'server', kernel), client: driver(sim, 'client', kernel) };
}

export function driver(sim: Simulation, host: string, options: KernelOptions): Driver {
  const k = sim.kernel(host, options);
  const ClientNpi: WSK_CLIENT_NPI = {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
  };
  const Registration = new WSK_REGISTRATION();
  expect(k.WskRegister(ClientNpi, Registration)).toBe(STATUS_SUCCESS);
  const Npi = new WSK_PROVIDER_NPI();
  expect(k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi)).toBe(STATUS_SUCCESS);
  const log: string[] = [];
  const calls = new Map<IRP, number>();
  const irps: IRP[] = [];
  const routine: IO_COMPLETION_ROUTINE = (_device, Irp, Context) => {
    calls.set(Irp, (calls.get(Irp) ?? 0) + 1);
    log.push(`${String(Context)} ${statusName(Irp.IoStatus.Status)} @${sim.now / MS}`);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  return {
    k,
    Registration,
    Npi,
    Dispatch: Npi.Dispatch as WSK_PROVIDER_DISPATCH,
    log,
    calls,
    irp(name: string): IRP {
      const Irp = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Irp, routine, name, true, true, true);
      irps.push(Irp);
      return Irp;
    },
    unload(sockets: readonly PWSK_SOCKET[]): void {
      sim.load(host, async () => {
        for (const Socket of sockets) {
          (Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH).WskCloseSocket(Socket, this.irp('close'));
        }
        k.WskReleaseProviderNPI(Registration);
        await k.WskDeregister(Registration);
        for (const Irp of irps) k.IoFreeIrp(Irp);
      });
    },
  };
}

export function listenSocket(d: Driver, family = AF_INET): PWSK_SOCKET {
  const Irp = d.irp('socket');
  const client = d.Npi.Client;
  if (client === null) throw new Error('no client');
  d.Dispatch.WskSocket(
    client, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
    null, null, null, null, null, Irp,
  );
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  return Irp.IoStatus.Information as PWSK_SOCKET;
}

export function connectionSocket(d: Driver, family = AF_INET): PWSK_SOCKET {
  return socketOf(d, WSK_FLAG_CONNECTION_SOCKET, family);
}

export function socketOf(d: Driver, Flags: number, family = AF_INET, Dispatch: unknown = null) {
  const Irp = d.irp('socket');
  d.Dispatch.WskSocket(
    d.Npi.Client!, family, SOCK_STREAM, IPPROTO_TCP, Flags, null, Dispatch, null, null, null, Irp,
  );
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  return Irp.IoStatus.Information as PWSK_SOCKET;
}

export function bind(d: Driver, Socket: PWSK_SOCKET, text: string): NTSTATUS {
  const Irp = d.irp('bind');
  const Dispatch = Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
  Dispatch.WskBind(Socket, sockaddr(text), 0, Irp);
  return Irp.IoStatus.Status;
}

export function socketConnect(
  d: Driver, local: string, remote: string, Flags = 0, name = 'connect',
) {
  const Irp = d.irp(name);
  const returned = d.Dispatch.WskSocketConnect(
    d.Npi.Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr(local), sockaddr(remote), Flags,
    null, null, null, null, null, Irp,
  );
  return { Irp, returned };
}
