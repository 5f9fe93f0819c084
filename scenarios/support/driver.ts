/**
 * The DriverEntry preamble and helpers the WSK scenarios share, written as a driver writes them:
 * registration and capture of the provider NPI, the synchronous-call helper (an IRP whose
 * completion routine signals a KEVENT, waited on when the call pends), a sleep, and the client
 * driver of the accept scenarios.
 *
 * The drivers are careful ones: an allocation may fail (a campaign fails them on purpose,
 * src/explore/strategies), so every IoAllocateIrp is checked, a call that could not be made or
 * that failed is noted in the driver's `errors` and the driver cleans up and unloads instead of
 * crashing the machine; a scenario's check requires no errors on a run without injected faults.
 * Closing a socket needs an IRP and cannot be given up, so `closeSocket` tries again a little
 * later when none can be had (`retried`).
 */
import {
  AF_INET,
  Executive,
  IO_NO_INCREMENT,
  IPPROTO_TCP,
  IRP,
  KEVENT,
  KernelMode,
  MAKE_WSK_VERSION,
  NPI_WSK_INTERFACE_ID,
  NotificationEvent,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_CONDITIONAL_ACCEPT,
  SO_WSK_EVENT_CALLBACK,
  STATUS_INSUFFICIENT_RESOURCES,
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
  type Simulation,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_BASIC_DISPATCH,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from 'wsksim';

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
  return async (call: (Irp: IRP) => NTSTATUS): Promise<IRP | null> => {
    const Irp = k.IoAllocateIrp(1, false);
    if (!Irp) return null;
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    k.IoSetCompletionRoutine(Irp, SyncComplete, Event, true, true, true);
    if (call(Irp) === STATUS_PENDING)
      await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
    return Irp;
  };
}

/** The synchronous-call helper's type: the completed IRP, or null when none could be had. */
export type SyncCall = ReturnType<typeof syncCaller>;

/** What a synchronous call came to, its IRP freed. */
export interface CallResult {
  readonly Status: NTSTATUS;
  readonly Information: unknown;
}

/**
 * The IoStatus of a call `sync` made, read before its IRP is freed; STATUS_INSUFFICIENT_RESOURCES
 * when no IRP could be had and the call was not made.
 */
export function completed(k: Kernel, Irp: IRP | null): CallResult {
  if (!Irp) return { Status: STATUS_INSUFFICIENT_RESOURCES, Information: 0 };
  const { Status, Information } = Irp.IoStatus;
  k.IoFreeIrp(Irp);
  return { Status, Information };
}

/** How often, and how many milliseconds apart, a call is tried when no IRP can be had. */
const TRIES = 100;
const RETRY_MS = 10;

/**
 * A call the driver cannot give up (a close; a client's graceful disconnect, on a path where a
 * lost reset would leave its peer waiting for ever): when no IRP can be had it waits a little and
 * tries again. Its outcome, or STATUS_INSUFFICIENT_RESOURCES when every try failed.
 */
export async function retried(k: Kernel, sync: SyncCall, call: (Irp: IRP) => NTSTATUS) {
  for (let tries = 1; ; tries++) {
    const Irp = await sync(call);
    if (Irp || tries === TRIES) return completed(k, Irp);
    await sleep(k, RETRY_MS);
  }
}

/**
 * WskCloseSocket with a fresh IRP, waited for and tried again while no IRP can be had (a socket
 * left open is a leak the verifier reports); its status.
 */
export async function closeSocket(k: Kernel, sync: SyncCall, Socket: PWSK_SOCKET) {
  const Basic = Socket.Dispatch as WSK_PROVIDER_BASIC_DISPATCH;
  return (await retried(k, sync, (Irp) => Basic.WskCloseSocket(Socket, Irp))).Status;
}

/**
 * How long a server waits for clients, 10 s (a relative timeout): far past the last one's
 * connect, so only a client that never came (its own allocation failed) makes it give up.
 */
export const CLIENTS_TIMEOUT = Object.freeze({ QuadPart: -100_000_000 });

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
  /** What the drivers could not do ('<host>: <call>: <status>'), in order; a check wants none. */
  readonly errors: string[];
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
    const connected = completed(
      k,
      await sync((Irp) =>
        Dispatch.WskSocketConnect(
          Npi.Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr('0.0.0.0:0'), sockaddr(`${server}:80`),
          0, null, null, null, null, null, Irp,
        ),
      ),
    );
    const Status = connected.Status;
    const at = sim.now;
    const Socket = connected.Information as PWSK_SOCKET | 0;
    if (Status !== STATUS_SUCCESS || Socket === 0) {
      h.connects.set(host, { status: Status, at, local: '', outcome: null });
    } else {
      const Connection = Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
      const Local = sockaddr('0.0.0.0:0');
      const named = completed(
        k,
        await sync((Irp) => Connection.WskGetLocalAddress(Socket, Local, Irp)),
      );
      if (named.Status !== STATUS_SUCCESS)
        h.errors.push(`${host}: WskGetLocalAddress: ${statusName(named.Status)}`);
      await sleep(k, 300);
      // What became of the connection: the model's record of it (a WskReceive or
      // WskDisconnectEvent would tell the driver; the data path is a later part).
      const outcome = Socket.state.connection?.outcome ?? null;
      h.connects.set(host, { status: Status, at, local: sockaddrText(Local), outcome });
      await closeSocket(k, sync, Socket);
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

/** The drivers did all they set out to do: no call failed. */
export function checkNoErrors(errors: readonly string[]): void {
  if (errors.length > 0) throw new Error(errors.join('; '));
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
 * accepts arrives through its WskAcceptEvent. Null when a step failed (noted in `errors`; a socket
 * made is closed again).
 */
export async function conditionalListener(
  Npi: WSK_PROVIDER_NPI,
  sync: SyncCall,
  k: Kernel,
  ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH,
  errors: string[],
): Promise<PWSK_SOCKET | null> {
  const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
  const made = completed(
    k,
    await sync((Irp) =>
      Dispatch.WskSocket(
        Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null,
        ListenDispatch, null, null, null, Irp,
      ),
    ),
  );
  if (made.Status !== STATUS_SUCCESS) {
    errors.push(`${k.host}: listening socket: ${statusName(made.Status)}`);
    return null;
  }
  const Socket = made.Information as PWSK_SOCKET;
  const Listen = Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
  for (const call of [
    (Irp: IRP) =>
      Listen.WskControlSocket(
        Socket, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, 4, { value: 1 }, 0, null, null,
        Irp,
      ),
    (Irp: IRP) => Listen.WskBind(Socket, sockaddr('0.0.0.0:80'), 0, Irp),
  ]) {
    const { Status } = completed(k, await sync(call));
    if (Status !== STATUS_SUCCESS) {
      errors.push(`${k.host}: listening socket: ${statusName(Status)}`);
      await closeSocket(k, sync, Socket);
      return null;
    }
  }
  const Control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_ACCEPT };
  Listen.WskControlSocket(
    Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, Control, 0, null, null, null,
  );
  return Socket;
}
