/**
 * WskSocketConnect's outcomes, each from a driver's own completion routine
 * (docs/policies.md#socket-bind-and-connect-policies; docs/model.md#wsksocketconnect,
 * #connect-and-connection-failures). From a windows10 client: to a listener → STATUS_SUCCESS after
 * one round trip; to a closed port → STATUS_CONNECTION_REFUSED at 2.0 s plus one round trip (the
 * SYN retried 0.5 s after the previous SYN, four times); to a black hole (a host whose closed ports stay
 * silent) and across a partition → STATUS_IO_TIMEOUT at 21 s (SYNs at 0, 1, 3, 7, 15 s); to an
 * address with no route → STATUS_NETWORK_UNREACHABLE at once. From a linux client: the closed port
 * is refused after one round trip. And the local failures, completed at once: Flags ≠ 0 →
 * STATUS_INVALID_PARAMETER, SOCK_DGRAM → STATUS_NOT_SUPPORTED, an IPv6 remote for an IPv4 local
 * address → STATUS_INVALID_PARAMETER, a local address a listening socket holds →
 * STATUS_ADDRESS_ALREADY_EXISTS. The round trip is 10 ms (2.5 ms a hop, two hops each way).
 *
 *   npx wsksim run socket-connect --trace --pcap connect.pcap
 */
import {
  AF_INET,
  Executive,
  IO_NO_INCREMENT,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IRP,
  KEVENT,
  KernelMode,
  MAKE_WSK_VERSION,
  NotificationEvent,
  SOCK_DGRAM,
  SOCK_STREAM,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_INFINITE_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  defineScenario,
  sockaddr,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type NTSTATUS,
  type PWSK_SOCKET,
  type Simulation,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from 'wsksim';
import { checkNoErrors } from './support/driver.ts';

const MS = 1e6;

/** One WskSocketConnect call and the outcome it must have. */
interface Case {
  readonly name: string;
  readonly host: 'windows' | 'linux';
  readonly local: string;
  readonly remote: string;
  readonly Flags?: number;
  readonly SocketType?: number;
  readonly status: string;
  /** Virtual time of the completion, in ms. */
  readonly at: number;
}

const CASES: readonly Case[] = [
  { name: 'listener', host: 'windows', local: '0.0.0.0:0', remote: '10.0.0.2:80',
    status: 'STATUS_SUCCESS', at: 10 },
  { name: 'closed port', host: 'windows', local: '0.0.0.0:0', remote: '10.0.0.2:81',
    status: 'STATUS_CONNECTION_REFUSED', at: 2010 },
  { name: 'closed port (linux)', host: 'linux', local: '0.0.0.0:0', remote: '10.0.0.2:81',
    status: 'STATUS_CONNECTION_REFUSED', at: 10 },
  { name: 'black hole', host: 'windows', local: '0.0.0.0:0', remote: '10.0.0.4:80',
    status: 'STATUS_IO_TIMEOUT', at: 21_000 },
  { name: 'partition', host: 'windows', local: '0.0.0.0:0', remote: '10.0.0.5:80',
    status: 'STATUS_IO_TIMEOUT', at: 21_000 },
  { name: 'no route', host: 'windows', local: '0.0.0.0:0', remote: '10.9.9.9:80',
    status: 'STATUS_NETWORK_UNREACHABLE', at: 0 },
  { name: 'Flags 1', host: 'windows', local: '0.0.0.0:0', remote: '10.0.0.2:80', Flags: 1,
    status: 'STATUS_INVALID_PARAMETER', at: 0 },
  { name: 'SOCK_DGRAM', host: 'windows', local: '0.0.0.0:0', remote: '10.0.0.2:80',
    SocketType: SOCK_DGRAM, status: 'STATUS_NOT_SUPPORTED', at: 0 },
  { name: 'family mismatch', host: 'windows', local: '0.0.0.0:0', remote: '[fd00::2]:80',
    status: 'STATUS_INVALID_PARAMETER', at: 0 },
  { name: 'address in use', host: 'windows', local: '0.0.0.0:5000', remote: '10.0.0.2:80',
    status: 'STATUS_ADDRESS_ALREADY_EXISTS', at: 0 },
];

interface Handles {
  /** Per case: 'STATUS_X @ms', and how often its completion routine ran. */
  readonly outcomes: Map<string, { status: string; at: number; calls: number }>;
  readonly unloaded: Set<string>;
  /** What the drivers could not do, in order. */
  readonly errors: string[];
}

/** Registration, capture and a synchronous-call helper: the preamble of every driver here. */
async function open(k: Kernel) {
  const ClientNpi: WSK_CLIENT_NPI = {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
  };
  const Registration = new WSK_REGISTRATION();
  const Npi = new WSK_PROVIDER_NPI();
  let Status = k.WskRegister(ClientNpi, Registration);
  if (Status !== STATUS_SUCCESS) throw new Error(`WskRegister: ${statusName(Status)}`);
  Status = await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi);
  if (Status !== STATUS_SUCCESS) throw new Error(`WskCaptureProviderNPI: ${statusName(Status)}`);
  const SyncComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
    void DeviceObject;
    void Irp;
    k.KeSetEvent(Context as KEVENT, IO_NO_INCREMENT, false);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  /**
   * Issues `call` with a fresh IRP, waits for it, frees it, returns status and information;
   * STATUS_INSUFFICIENT_RESOURCES when no IRP could be had (the call was not made).
   */
  const sync = async (call: (Irp: IRP) => NTSTATUS) => {
    const Irp = k.IoAllocateIrp(1, false);
    if (!Irp) return { status: STATUS_INSUFFICIENT_RESOURCES, Information: 0 as unknown };
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    k.IoSetCompletionRoutine(Irp, SyncComplete, Event, true, true, true);
    if (call(Irp) === STATUS_PENDING)
      await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
    const { Status: status, Information } = Irp.IoStatus;
    k.IoFreeIrp(Irp);
    return { status, Information };
  };
  const close = async () => {
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
  };
  /** Waits `ms` milliseconds (a relative timeout on an event nobody signals). */
  const sleep = async (ms: number) => {
    const Never = new KEVENT();
    k.KeInitializeEvent(Never, NotificationEvent, false);
    await k.KeWaitForSingleObject(Never, Executive, KernelMode, false, { QuadPart: -ms * 10_000 });
  };
  return { Npi, Dispatch: Npi.Dispatch as WSK_PROVIDER_DISPATCH, sync, close, sleep };
}

/** A listening socket bound to `address`, or null when a step failed (noted in `errors`). */
async function listenOn(
  d: Awaited<ReturnType<typeof open>>,
  address: string,
  errors: string[],
): Promise<PWSK_SOCKET | null> {
  const made = await d.sync((Irp) =>
    d.Dispatch.WskSocket(
      d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
      null, null, null, null, null, Irp,
    ),
  );
  if (made.status !== STATUS_SUCCESS) {
    errors.push(`WskSocket: ${statusName(made.status)}`);
    return null;
  }
  const Socket = made.Information as PWSK_SOCKET;
  const Dispatch = Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
  const bound = await d.sync((Irp) => Dispatch.WskBind(Socket, sockaddr(address), 0, Irp));
  if (bound.status === STATUS_SUCCESS) return Socket;
  errors.push(`WskBind: ${statusName(bound.status)}`);
  await closeSocket(d, Socket);
  return null;
}

/** How often, and how many milliseconds apart, a close is tried when no IRP can be had. */
const CLOSE_TRIES = 100;
const CLOSE_RETRY_MS = 10;

/** WskCloseSocket; a socket cannot be left open, so when no IRP can be had it tries again. */
async function closeSocket(d: Awaited<ReturnType<typeof open>>, Socket: PWSK_SOCKET) {
  const Dispatch = Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
  for (let tries = 1; tries <= CLOSE_TRIES; tries++) {
    const { status } = await d.sync((Irp) => Dispatch.WskCloseSocket(Socket, Irp));
    if (status !== STATUS_INSUFFICIENT_RESOURCES) return;
    await d.sleep(CLOSE_RETRY_MS);
  }
}

/** The server: a listening socket on port 80 for a second, nothing on port 81. */
function serverDriver(handles: Handles) {
  return async (k: Kernel): Promise<void> => {
    const d = await open(k);
    const Socket = await listenOn(d, '0.0.0.0:80', handles.errors);
    if (Socket !== null) {
      await d.sleep(1000);
      await closeSocket(d, Socket);
    }
    await d.close();
  };
}

/** A client: every case of its host at once, each IRP with its own completion routine. */
function clientDriver(sim: Simulation, host: string, handles: Handles) {
  return async (k: Kernel): Promise<void> => {
    const d = await open(k);
    const cases = CASES.filter((c) => c.host === host);
    // The address-in-use case needs a socket holding its local address first.
    const holder = host === 'windows' ? await listenOn(d, '0.0.0.0:5000', handles.errors) : null;
    const AllDone = new KEVENT();
    k.KeInitializeEvent(AllDone, NotificationEvent, false);
    const sockets: PWSK_SOCKET[] = [];
    let pending = cases.length;
    const ConnectComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
      void DeviceObject;
      const name = Context as string;
      const seen = handles.outcomes.get(name);
      if (seen !== undefined) {
        seen.calls++;
      } else {
        const status = statusName(Irp.IoStatus.Status);
        handles.outcomes.set(name, { status, at: sim.now / MS, calls: 1 });
        if (Irp.IoStatus.Status === STATUS_SUCCESS)
          sockets.push(Irp.IoStatus.Information as PWSK_SOCKET);
      }
      k.IoFreeIrp(Irp);
      if (--pending === 0) k.KeSetEvent(AllDone, IO_NO_INCREMENT, false);
      return STATUS_MORE_PROCESSING_REQUIRED;
    };
    for (const c of cases) {
      const Irp = k.IoAllocateIrp(1, false);
      if (!Irp) {
        // This case cannot be tried: noted, and no longer waited for.
        handles.errors.push(`${c.name}: IoAllocateIrp failed`);
        if (--pending === 0) k.KeSetEvent(AllDone, IO_NO_INCREMENT, false);
        continue;
      }
      k.IoSetCompletionRoutine(Irp, ConnectComplete, c.name, true, true, true);
      const SocketType = c.SocketType ?? SOCK_STREAM;
      const Protocol = SocketType === SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
      d.Dispatch.WskSocketConnect(
        d.Npi.Client!, SocketType, Protocol, sockaddr(c.local), sockaddr(c.remote), c.Flags ?? 0,
        null, null, null, null, null, Irp,
      );
    }
    await k.KeWaitForSingleObject(AllDone, Executive, KernelMode, false, null);
    for (const Socket of sockets) await closeSocket(d, Socket);
    if (holder !== null) await closeSocket(d, holder);
    await d.close();
    handles.unloaded.add(host);
  };
}

export default defineScenario({
  name: 'socket-connect',
  description:
    'WskSocketConnect to a listener, a closed port (windows10 and linux), a black hole, ' +
    'across a partition, with no route, and each local failure',
  seeds: [1, 2, 3],
  build(sim) {
    const hosts = [
      ['windows', '10.0.0.1', 'windows10'],
      ['server', '10.0.0.2', 'windows10'],
      ['linux', '10.0.0.3', 'linux'],
      ['blackhole', '10.0.0.4', 'windows10'],
      ['island', '10.0.0.5', 'windows10'],
    ] as const;
    sim.addSwitch('lan');
    for (const [name, ipv4, profile] of hosts) {
      sim.addHost({ name, ipv4 });
      sim.addLink(name, 'lan', { latency: '2500us' });
      sim.tcp(name, { profile, ...(name === 'blackhole' && { closedPortAnswer: 'silent' }) });
    }
    sim.partition('windows', 'island');
    const handles: Handles = { outcomes: new Map(), unloaded: new Set(), errors: [] };
    sim.load('server', serverDriver(handles));
    sim.load('windows', clientDriver(sim, 'windows', handles));
    sim.load('linux', clientDriver(sim, 'linux', handles));
    return handles;
  },
  check({ sim }, { outcomes, unloaded, errors }) {
    checkNoErrors(errors);
    for (const c of CASES) {
      const expected = { status: c.status, at: c.at, calls: 1 };
      const actual = outcomes.get(c.name);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new Error(
          `${c.name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
        );
      }
    }
    for (const host of ['windows', 'linux']) {
      if (!unloaded.has(host)) throw new Error(`${host}: driver did not deregister`);
    }
    for (const host of ['windows', 'linux', 'server']) {
      const k = sim.kernel(host);
      if (k.violations.length > 0) throw new Error(`${host}: ${JSON.stringify(k.violations)}`);
      if (k.wsk.sockets.openSockets !== 0) throw new Error(`${host}: sockets left open`);
    }
  },
  limits: { time: '2m' },
});
