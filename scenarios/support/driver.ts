/**
 * The DriverEntry preamble and helpers the WSK scenarios share, written as a driver writes them:
 * registration and capture of the provider NPI, the synchronous-call helper (an IRP whose
 * completion routine signals a KEVENT, waited on when the call pends), a sleep, and the client
 * driver of the accept scenarios.
 */
import type { Simulation } from '../../src/simulation.ts';
import {
  AF_INET,
  Executive,
  IPPROTO_TCP,
  SOCK_STREAM,
  IO_NO_INCREMENT,
  IRP,
  KEVENT,
  KernelMode,
  MAKE_WSK_VERSION,
  NPI_WSK_INTERFACE_ID,
  NotificationEvent,
  SOL_SOCKET,
  SO_CONDITIONAL_ACCEPT,
  SO_WSK_EVENT_CALLBACK,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_EVENT_ACCEPT,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_INFINITE_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WskSetOption,
  sockaddr,
  sockaddrText,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type KernelOptions,
  type NTSTATUS,
  type PWSK_SOCKET,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';

/** Client NPI and registration: the driver's DriverEntry preamble. */
export async function register(k: Kernel, Registration: WSK_REGISTRATION, Npi: WSK_PROVIDER_NPI) {
  const ClientNpi: WSK_CLIENT_NPI = {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
  };
  let Status = k.WskRegister(ClientNpi, Registration);
  if (Status !== STATUS_SUCCESS) throw new Error(`WskRegister: ${statusName(Status)}`);
  Status = await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi);
  if (Status !== STATUS_SUCCESS) throw new Error(`WskCaptureProviderNPI: ${statusName(Status)}`);
}

/**
 * The usual synchronous-call helper of WSK drivers: an IRP whose completion routine signals a
 * KEVENT, waited on when the call pends.
 */
export function syncCaller(k: Kernel, calls: Map<IRP, number>) {
  const SyncComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
    void DeviceObject;
    calls.set(Irp, (calls.get(Irp) ?? 0) + 1);
    k.KeSetEvent(Context as KEVENT, IO_NO_INCREMENT, false);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  return async (call: (Irp: IRP) => NTSTATUS): Promise<IRP> => {
    const Irp = k.IoAllocateIrp(1, false);
    if (!Irp) throw new Error('IoAllocateIrp failed');
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    k.IoSetCompletionRoutine(Irp, SyncComplete, Event, true, true, true);
    if (call(Irp) === STATUS_PENDING)
      await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
    return Irp;
  };
}

/** Waits `ms` milliseconds (a relative timeout on an event nobody signals). */
export async function sleep(k: Kernel, ms: number): Promise<void> {
  const Never = new KEVENT();
  k.KeInitializeEvent(Never, NotificationEvent, false);
  await k.KeWaitForSingleObject(Never, Executive, KernelMode, false, { QuadPart: -ms * 10_000 });
}

/** A client's connect: status, when, its local address, and its connection's fate 300 ms on. */
export interface ClientConnect {
  readonly status: NTSTATUS;
  readonly at: number;
  readonly local: string;
  /** The TCP outcome 300 ms after the connect (null: still established). */
  readonly outcome: string | null;
}

/** What the client driver records into. */
export interface ClientHandles {
  readonly calls: Map<IRP, number>;
  readonly connects: Map<string, ClientConnect>;
  readonly unloaded: Set<string>;
}

/**
 * A client driver: WskSocketConnect to `server`:80, WskGetLocalAddress, keep the connection
 * 300 ms (the server's close resets it, or it does not), close, deregister.
 */
export function clientDriver(sim: Simulation, host: string, server: string, h: ClientHandles) {
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
    const sync = syncCaller(k, h.calls);
    let Irp = await sync((Irp) =>
      Dispatch.WskSocketConnect(
        Npi.Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr('0.0.0.0:0'), sockaddr(`${server}:80`),
        0, null, null, null, null, null, Irp,
      ),
    );
    const Status = Irp.IoStatus.Status;
    const at = sim.now;
    const Socket = Irp.IoStatus.Information as PWSK_SOCKET | 0;
    k.IoFreeIrp(Irp);
    if (Status !== STATUS_SUCCESS || Socket === 0) {
      h.connects.set(host, { status: Status, at, local: '', outcome: null });
    } else {
      const Connection = Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
      const Local = sockaddr('0.0.0.0:0');
      Irp = await sync((Irp) => Connection.WskGetLocalAddress(Socket, Local, Irp));
      k.IoFreeIrp(Irp);
      await sleep(k, 300);
      // What became of the connection: the model's record of it (a WskReceive or
      // WskDisconnectEvent would tell the driver; the data path is a later part).
      const outcome = Socket.state.connection?.outcome ?? null;
      h.connects.set(host, { status: Status, at, local: sockaddrText(Local), outcome });
      k.IoFreeIrp(await sync((Irp) => Connection.WskCloseSocket(Socket, Irp)));
    }
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    h.unloaded.add(host);
  };
}

/** A client host of the accept scenarios: its name, address and when its driver loads (ns). */
export interface ClientSpec {
  readonly host: string;
  readonly ipv4: string;
  readonly at: number;
}

/** Adds each client on the 'lan' switch (2.5 ms a hop) and loads its driver at its time. */
export function addClients(
  sim: Simulation,
  clients: readonly ClientSpec[],
  server: string,
  kernel: KernelOptions,
  h: ClientHandles,
): void {
  for (const { host, ipv4, at } of clients) {
    sim.addHost({ name: host, ipv4 });
    sim.addLink(host, 'lan', { latency: '2500us' });
    sim.tcp(host);
    sim.kernel(host, kernel);
    const driver = clientDriver(sim, host, server, h);
    sim.at(`${at / 1e6}ms`, `load ${host}`, () => void sim.load(host, driver));
  }
}

/** Each client connected one round trip after it started; their connects, in client order. */
export function checkConnected(
  clients: readonly ClientSpec[],
  connects: ReadonlyMap<string, ClientConnect>,
  roundTrip: number,
): ClientConnect[] {
  return clients.map(({ host, at }) => {
    const connect = connects.get(host);
    const expected = { status: 'STATUS_SUCCESS', at: at + roundTrip };
    const actual = connect && { status: statusName(connect.status), at: connect.at };
    if (connect === undefined || JSON.stringify(actual) !== JSON.stringify(expected)) {
      const [want, got] = [JSON.stringify(expected), JSON.stringify(actual)];
      throw new Error(`${host}: expected ${want}, got ${got}`);
    }
    return connect;
  });
}

/** Every host's driver deregistered with no violation, no socket left open, no pool leak. */
export function checkUnloaded(sim: Simulation, hosts: readonly string[], unloaded: Set<string>) {
  for (const host of hosts) {
    if (!unloaded.has(host)) throw new Error(`${host}: driver did not deregister`);
    const k = sim.kernel(host);
    if (k.violations.length > 0) throw new Error(`${host}: ${JSON.stringify(k.violations)}`);
    if (k.wsk.sockets.openSockets !== 0) throw new Error(`${host}: sockets left open`);
    if (k.leaks().length > 0) throw new Error(`${host}: pool leaks ${JSON.stringify(k.leaks())}`);
  }
}

/** Each completion routine ran exactly once. */
export function checkOncePerIrp(calls: ReadonlyMap<IRP, number>): void {
  const extra = [...calls.values()].filter((n) => n !== 1);
  if (extra.length > 0) throw new Error(`completion routines ran ${extra.join(', ')} times`);
}

/** Callbacks of accepted sockets that take what they are told and nothing more. */
export const QUIET_CONNECTION_DISPATCH: WSK_CLIENT_CONNECTION_DISPATCH = Object.freeze({
  WskReceiveEvent: () => STATUS_SUCCESS,
  WskDisconnectEvent: () => STATUS_SUCCESS,
  WskSendBacklogEvent: () => STATUS_SUCCESS,
});

/**
 * The conditional-accept scenarios' listening socket: WskSocket with `ListenDispatch`,
 * SO_CONDITIONAL_ACCEPT with an IRP before WskBind to 0.0.0.0:80
 * (docs/model.md#turning-conditional-accept-on), then WSK_EVENT_ACCEPT enabled, so what the driver
 * accepts arrives through its WskAcceptEvent.
 */
export async function conditionalListener(
  Npi: WSK_PROVIDER_NPI,
  sync: ReturnType<typeof syncCaller>,
  k: Kernel,
  ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH,
): Promise<PWSK_SOCKET> {
  const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
  let Irp = await sync((Irp) =>
    Dispatch.WskSocket(
      Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null,
      ListenDispatch, null, null, null, Irp,
    ),
  );
  const Socket = Irp.IoStatus.Information as PWSK_SOCKET;
  k.IoFreeIrp(Irp);
  const Listen = Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
  for (const call of [
    (Irp: IRP) =>
      Listen.WskControlSocket(
        Socket, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, 4, { value: 1 }, 0, null, null,
        Irp,
      ),
    (Irp: IRP) => Listen.WskBind(Socket, sockaddr('0.0.0.0:80'), 0, Irp),
  ]) {
    Irp = await sync(call);
    const Status = Irp.IoStatus.Status;
    k.IoFreeIrp(Irp);
    if (Status !== STATUS_SUCCESS) throw new Error(`listening socket: ${statusName(Status)}`);
  }
  const Control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_ACCEPT };
  Listen.WskControlSocket(
    Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, Control, 0, null, null, null,
  );
  return Socket;
}
