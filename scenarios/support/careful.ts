/**
 * What the rare-bug scenarios share (accept-loop-leak, receive-event-dpc-lock,
 * inline-receive-depth, receive-callback-race and their twins): helpers written the way a careful
 * WSK driver writes them, so that whatever a campaign varies (allocation failures, inline or pended
 * completions, callbacks at PASSIVE_LEVEL, the documented callback races) reaches only the one bug
 * a scenario shows.
 *
 * - `carefulCaller`: support/driver.ts's synchronous-call helper, except that IoAllocateIrp may
 *   fail ("IoAllocateIrp function (wdm.h)",
 *   https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateirp:
 *   NULL when no IRP can be allocated): the call then returns null instead of throwing. A caller
 *   that must not fail (a close) passes an IRP it allocated beforehand.
 * - `openListener`: WskSocket, WskBind to 0.0.0.0:<port> and the event callbacks asked for; null
 *   on any failure, the socket closed again.
 * - `senderClient` and `addSenders`: client drivers that connect, send their messages one WskSend
 *   each, disconnect gracefully and close, every allocation checked; what they managed is recorded.
 * - `ConnectionCount`: the server's count of live connections under a spin lock, and the event its
 *   unload waits on until the last one has closed.
 */
import {
  AF_INET,
  Executive,
  IO_NO_INCREMENT,
  IPPROTO_TCP,
  IRP,
  KEVENT,
  KSPIN_LOCK,
  KernelMode,
  NPI_WSK_INTERFACE_ID,
  NotificationEvent,
  PASSIVE_LEVEL,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_WSK_EVENT_CALLBACK,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WskSetOption,
  sockaddr,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type KIRQL,
  type Kernel,
  type NTSTATUS,
  type PWSK_SOCKET,
  type Simulation,
  type WSK_BUF,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_PROVIDER_BASIC_DISPATCH,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from 'wsksim';
import { checkUnloaded, register, sleep } from './driver.ts';

/** A WSK call given its IRP; returns what the call returned. */
export type WskCall = (Irp: IRP) => NTSTATUS;
/** Makes a call and waits for it: its completed IRP, or null when no IRP could be allocated. */
export type CarefulCall = (call: WskCall, Preallocated?: IRP) => Promise<IRP | null>;

/**
 * The synchronous-call helper: an IRP whose completion routine signals a KEVENT, waited on when
 * the call pends ("Using IRPs with Winsock Kernel Functions",
 * https://learn.microsoft.com/en-us/windows-hardware/drivers/network/using-irps-with-winsock-kernel-functions).
 * The IRPs are reused (IoReuseIrp), so a completion routine that ran twice shows as the verifier's
 * IRP-COMPLETED-TWICE rather than in a count per IRP.
 */
export function carefulCaller(k: Kernel): CarefulCall {
  const SyncComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
    void DeviceObject, void Irp;
    k.KeSetEvent(Context as KEVENT, IO_NO_INCREMENT, false);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  return async (call, Preallocated) => {
    if (Preallocated !== undefined) k.IoReuseIrp(Preallocated, STATUS_UNSUCCESSFUL);
    const Irp = Preallocated ?? k.IoAllocateIrp(1, false);
    if (Irp === null) return null;
    const Event = new KEVENT();
    k.KeInitializeEvent(Event, NotificationEvent, false);
    k.IoSetCompletionRoutine(Irp, SyncComplete, Event, true, true, true);
    if (call(Irp) === STATUS_PENDING)
      await k.KeWaitForSingleObject(Event, Executive, KernelMode, false, null);
    return Irp;
  };
}

/** Makes a call with a fresh IRP, waits, frees the IRP; the status, or null when no IRP. */
export async function callAndFree(k: Kernel, sync: CarefulCall, call: WskCall) {
  const Irp = await sync(call);
  if (Irp === null) return null;
  const Status = Irp.IoStatus.Status;
  k.IoFreeIrp(Irp);
  return Status;
}

/**
 * A listening socket on 0.0.0.0:`port` with `ListenDispatch`, its `EventMask` enabled after the
 * bind (docs/model.md#enabling-and-disabling-events). `CloseIrp` is kept for the listener's close;
 * when any step fails it closes what was made and is freed, and the result is null.
 */
export async function openListener(
  k: Kernel,
  Npi: WSK_PROVIDER_NPI,
  sync: CarefulCall,
  ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH | null,
  EventMask: number,
  port: number,
  CloseIrp: IRP,
): Promise<PWSK_SOCKET | null> {
  const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
  const Irp = await sync((Irp) =>
    Dispatch.WskSocket(
      Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null,
      ListenDispatch, null, null, null, Irp,
    ),
  );
  const Status = Irp?.IoStatus.Status;
  const Socket = Irp?.IoStatus.Information as PWSK_SOCKET;
  if (Irp !== null) k.IoFreeIrp(Irp);
  if (Status !== STATUS_SUCCESS) {
    k.IoFreeIrp(CloseIrp);
    return null;
  }
  const Listen = Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
  const Bound = await callAndFree(k, sync, (Irp) =>
    Listen.WskBind(Socket, sockaddr(`0.0.0.0:${port}`), 0, Irp),
  );
  let Enabled: NTSTATUS = STATUS_SUCCESS;
  if (Bound === STATUS_SUCCESS && EventMask !== 0) {
    const Control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask };
    Enabled = Listen.WskControlSocket(
      Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, Control, 0, null, null, null,
    );
  }
  if (Bound === STATUS_SUCCESS && Enabled === STATUS_SUCCESS) return Socket;
  await closeSocket(k, sync, Socket, CloseIrp);
  return null;
}

/** Closes `Socket` with an IRP allocated beforehand, so the close cannot fail for want of one. */
export async function closeSocket(
  k: Kernel,
  sync: CarefulCall,
  Socket: PWSK_SOCKET,
  CloseIrp: IRP,
): Promise<void> {
  const Dispatch = Socket.Dispatch as WSK_PROVIDER_BASIC_DISPATCH;
  k.IoFreeIrp((await sync((Irp) => Dispatch.WskCloseSocket(Socket, Irp), CloseIrp)) as IRP);
}

/**
 * The live connections of a server and the event its unload waits on: signalled when the unload
 * has begun and the last connection has closed.
 */
export class ConnectionCount {
  readonly #k: Kernel;
  readonly #lock = new KSPIN_LOCK();
  readonly #none = new KEVENT();
  #live = 0;
  #unloading = false;

  constructor(k: Kernel) {
    this.#k = k;
    k.KeInitializeSpinLock(this.#lock);
    k.KeInitializeEvent(this.#none, NotificationEvent, false);
  }

  /** A connection started (any IRQL up to DISPATCH_LEVEL). */
  opened(): void {
    this.#locked(() => this.#live++);
  }

  /** A connection's close completed (any IRQL up to DISPATCH_LEVEL). */
  closed(): void {
    this.#locked(() => this.#live--);
  }

  /** From the unload, once no new connection can start: waits until the last one closed. */
  async drain(): Promise<void> {
    this.#locked(() => (this.#unloading = true));
    await this.#k.KeWaitForSingleObject(this.#none, Executive, KernelMode, false, null);
  }

  #locked(update: () => void): void {
    const OldIrql: { value: KIRQL } = { value: PASSIVE_LEVEL };
    this.#k.KeAcquireSpinLock(this.#lock, OldIrql);
    update();
    if (this.#unloading && this.#live === 0) this.#k.KeSetEvent(this.#none, IO_NO_INCREMENT, false);
    this.#k.KeReleaseSpinLock(this.#lock, OldIrql.value);
  }
}

/** What a careful server driver holds from DriverEntry to its unload. */
export interface CarefulServer {
  readonly Registration: WSK_REGISTRATION;
  readonly Npi: WSK_PROVIDER_NPI;
  readonly sync: CarefulCall;
  readonly Connections: ConnectionCount;
}

/** DriverEntry's start: registers with WSK, captures the provider NPI, counts connections. */
export async function startServer(k: Kernel): Promise<CarefulServer> {
  const Registration = new WSK_REGISTRATION();
  const Npi = new WSK_PROVIDER_NPI();
  await register(k, Registration, Npi);
  return { Registration, Npi, sync: carefulCaller(k), Connections: new ConnectionCount(k) };
}

/**
 * A server driver's DriverEntry tail and its unload: a listener on `port` with `ListenDispatch`
 * and `EventMask` (its close IRP allocated first), kept until `unloadAtMs`, then closed; the
 * unload waits for every connection to close, releases the NPI and deregisters. Shared by the
 * servers of the rare-bug scenarios, whose bugs are elsewhere.
 */
export async function listenUntilUnload(
  k: Kernel,
  server: CarefulServer,
  ListenDispatch: WSK_CLIENT_LISTEN_DISPATCH,
  EventMask: number,
  port: number,
  unloadAtMs: number,
): Promise<void> {
  const { Registration, Npi, sync, Connections } = server;
  const ListenCloseIrp = k.IoAllocateIrp(1, false);
  const Listener =
    ListenCloseIrp === null
      ? null
      : await openListener(k, Npi, sync, ListenDispatch, EventMask, port, ListenCloseIrp);
  if (Listener !== null) {
    await sleep(k, unloadAtMs);
    await closeSocket(k, sync, Listener, ListenCloseIrp as IRP);
    await Connections.drain();
  }
  k.WskReleaseProviderNPI(Registration);
  await k.WskDeregister(Registration);
}

/**
 * The rare-bug scenarios' world: a server host (its TCP stack and kernel made here) and the
 * sender clients, each on a 2.5 ms link to one switch; `driver` is loaded on the server.
 */
export function addServerAndSenders(
  sim: Simulation,
  server: string,
  port: number,
  driver: ((k: Kernel) => Promise<void>) | ServerLoader,
  specs: readonly SenderSpec[],
  h: SenderHandles,
): void {
  sim.addHost({ name: 'server', ipv4: server });
  sim.addSwitch('lan');
  sim.addLink('server', 'lan', { latency: '2500us' });
  sim.tcp('server');
  sim.kernel('server', {});
  void (typeof driver === 'function' ? sim.load('server', driver) : driver.loadServer());
  addSenders(sim, specs, `${server}:${port}`, h);
}

// ---- the clients ---------------------------------------------------------------------------

/** A client host: its name, address, when its driver loads (ns) and the messages it sends. */
export interface SenderSpec {
  readonly host: string;
  readonly ipv4: string;
  readonly at: number;
  readonly messages: readonly Uint8Array[];
}

/** What a client managed: its connect's status and the bytes its sends delivered. */
export interface SenderRecord {
  readonly connect: string;
  readonly sent: number;
}

/** What the client drivers record into. */
export interface SenderHandles {
  readonly senders: Map<string, SenderRecord>;
  readonly unloaded: Set<string>;
}

/**
 * A client driver: WskSocketConnect to `server` (an 'address:port'), one WskSend per message,
 * a graceful WskDisconnect, WskCloseSocket (with an IRP allocated before the connect), deregister.
 * Gives up quietly where an allocation fails or a call fails.
 */
export function senderClient(spec: SenderSpec, server: string, h: SenderHandles) {
  return async (k: Kernel): Promise<void> => {
    const Registration = new WSK_REGISTRATION();
    const Npi = new WSK_PROVIDER_NPI();
    await register(k, Registration, Npi);
    const sync = carefulCaller(k);
    const CloseIrp = k.IoAllocateIrp(1, false);
    const Socket = CloseIrp === null ? null : await connect(k, Npi, sync, server, spec.host, h);
    if (Socket !== null) {
      const Connection = Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
      let sent = 0;
      for (const Message of spec.messages) {
        if (!(await sendMessage(k, sync, Socket, Message))) break;
        sent += Message.length;
      }
      h.senders.set(spec.host, { connect: 'STATUS_SUCCESS', sent });
      await callAndFree(k, sync, (Irp) => Connection.WskDisconnect(Socket, null, 0, Irp));
      await closeSocket(k, sync, Socket, CloseIrp as IRP);
    } else if (CloseIrp !== null) k.IoFreeIrp(CloseIrp);
    k.WskReleaseProviderNPI(Registration);
    await k.WskDeregister(Registration);
    h.unloaded.add(spec.host);
  };
}

async function connect(
  k: Kernel,
  Npi: WSK_PROVIDER_NPI,
  sync: CarefulCall,
  server: string,
  host: string,
  h: SenderHandles,
): Promise<PWSK_SOCKET | null> {
  const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
  const Irp = await sync((Irp) =>
    Dispatch.WskSocketConnect(
      Npi.Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr('0.0.0.0:0'), sockaddr(server),
      0, null, null, null, null, null, Irp,
    ),
  );
  if (Irp === null) return null;
  const Status = Irp.IoStatus.Status;
  const Socket = Irp.IoStatus.Information as PWSK_SOCKET | 0;
  k.IoFreeIrp(Irp);
  if (Status === STATUS_SUCCESS && Socket !== 0) return Socket;
  h.senders.set(host, { connect: statusName(Status), sent: 0 });
  return null;
}

/** One WskSend of `Message` (an MDL over it); true when every byte was sent. */
async function sendMessage(
  k: Kernel,
  sync: CarefulCall,
  Socket: PWSK_SOCKET,
  Message: Uint8Array,
): Promise<boolean> {
  const Connection = Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
  const Mdl = k.IoAllocateMdl(Message, Message.length, false, false, null);
  if (Mdl === null) return false;
  const Buffer: WSK_BUF = { Mdl, Offset: 0, Length: Message.length };
  const Status = await callAndFree(k, sync, (Irp) => Connection.WskSend(Socket, Buffer, 0, Irp));
  k.IoFreeMdl(Mdl);
  return Status === STATUS_SUCCESS;
}

/** Adds each client on the 'lan' switch (2.5 ms a hop) and loads its driver at its time. */
export function addSenders(
  sim: Simulation,
  specs: readonly SenderSpec[],
  server: string,
  h: SenderHandles,
): void {
  for (const spec of specs) {
    sim.addHost({ name: spec.host, ipv4: spec.ipv4 });
    sim.addLink(spec.host, 'lan', { latency: '2500us' });
    sim.tcp(spec.host);
    sim.kernel(spec.host, {});
    const driver = senderClient(spec, server, h);
    sim.at(`${spec.at / 1e6}ms`, `load ${spec.host}`, () => void sim.load(spec.host, driver));
  }
}

/** Every client connected and sent all it had. */
export function checkSent(
  specs: readonly SenderSpec[],
  senders: ReadonlyMap<string, SenderRecord>,
): void {
  for (const { host, messages } of specs) {
    const record = senders.get(host);
    const total = messages.reduce((n, m) => n + m.length, 0);
    if (record?.connect !== 'STATUS_SUCCESS' || record.sent !== total)
      throw new Error(`${host}: connect ${record?.connect ?? 'none'}, sent ${record?.sent ?? 0}`);
  }
}

/** The server and every client unloaded cleanly: no violation, open socket or pool leak. */
export function checkClean(sim: Simulation, specs: readonly SenderSpec[], h: SenderHandles) {
  checkUnloaded(sim, ['server', ...specs.map((s) => s.host)], h.unloaded);
}

/** `length` bytes of printable text, different for each `seed` (readable in a trace or a pcap). */
export function text(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = 0x61 + ((seed * 7 + i) % 26);
  return bytes;
}

/**
 * What loads a server driver that is not a TypeScript function: a C driver's
 * `sim.loadDriver('server', …)`, called where addServerAndSenders would call `sim.load`.
 */
export interface ServerLoader {
  readonly loadServer: () => void;
}
