/**
 * wsk_accept_vs_tcp (docs/design.md#performance-metrics): 1e5 connections, 100 in flight at a time,
 * each kept established to the end, made through the WSK model: every client calls
 * WskSocketConnect, whose completion routine keeps the socket and starts the next connect; the
 * server has one WSK_FLAG_LISTEN_SOCKET per port, bound (so listening), with ACCEPTS_QUEUED
 * WskAccept IRPs queued on each of its sixteen ports, every accept's completion routine posting the
 * next. Every IRP is allocated, given a completion routine and freed as a driver would. Kernel
 * options are the defaults: verifier on, half of the calls Windows may complete either way pend.
 * Every host runs the default windows10 TCP profile.
 *
 * Topology: CLIENTS client hosts (10.0.0.1 ... 10.0.0.7), each joined to the server (10.0.1.1)
 * by its own direct 100 µs link, each with its own WSK kernel and captured provider NPI.
 * Several client addresses because WskSocketConnect binds its socket to an ephemeral port for the
 * socket's exclusive use, and Windows has ≈16 k such ports per local IP
 * (docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples: "An implicit bind takes a port for that
 * socket's exclusive use, so one local address holds about 16 k outbound connections at once"; the
 * windows range 49152–65535 is 16,384 ports); a host here has one IPv4 address, so 1e5 kept
 * connections need ⌈1e5 / 16,384⌉ = 7 clients. Connection n is made by client n mod 7 (round-robin,
 * ≤ 14,286 each) to server port 80 + n mod 16. Direct links rather than a switch: through a switch
 * every packet makes two hops (two link admissions, two arrival events and a forwarding lookup at
 * the switch), on a direct link one, and the server's route to each client is one array lookup
 * either way.
 *
 * Ratio: WSK handshakes/s ÷ the TCP-only figure on the same topology (benchTcpOnlyOnce: the same
 * hosts, links and profiles, the TCP port's connect and listen used directly, as bench/tcp.ts's
 * buildHandshakes does), measured side by side in alternating rounds in the same process.
 */
import { Simulation } from '../src/simulation.ts';
import type { ConnectionHandler, ListenerHandler, TcpConnection } from '../src/tcp/index.ts';
import {
  AF_INET,
  IPPROTO_TCP,
  MAKE_WSK_VERSION,
  SOCK_STREAM,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_NO_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  sockaddr,
  statusName,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type NTSTATUS,
  type PWSK_SOCKET,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../src/wsk/index.ts';
import { sideBySide, type Metric } from './measure.ts';

const CONNECTIONS = 100_000;
const IN_FLIGHT = 100;
/**
 * Ephemeral ports per client address under Windows' exclusive implicit bind
 * (docs/tcp.md#ephemeral-ports-time-wait-and-4-tuples).
 */
const PORTS_PER_CLIENT = 16_384;
/** ⌈CONNECTIONS / PORTS_PER_CLIENT⌉ client hosts. */
const CLIENTS = 7;
const SERVER_PORTS = 16;
const SERVER_ADDRESS = '10.0.1.1';
/** WskAccept IRPs kept queued on each listening socket (100 in flight over 16 ports is ≤ 7). */
const ACCEPTS_QUEUED = 16;
const ROUNDS = 3;

/** The clients' names: client0 ... client6. */
const CLIENT_NAMES = Array.from({ length: CLIENTS }, (_, c) => `client${c}`);

/**
 * The topology both sides run on: CLIENTS hosts, each with its own direct link to the server,
 * every host with the default (windows10) TCP stack.
 */
function buildTopology(connections: number): Simulation {
  if (Math.ceil(connections / CLIENTS) > PORTS_PER_CLIENT) {
    throw new Error(`bench: ${connections} connections need more than ${CLIENTS} clients`);
  }
  const sim = new Simulation({ seed: 1 });
  sim.addHost({ name: 'server', ipv4: SERVER_ADDRESS });
  CLIENT_NAMES.forEach((name, c) => {
    sim.addHost({ name, ipv4: `10.0.0.${c + 1}` });
    sim.addLink(name, 'server', { latency: '100us' });
  });
  sim.tcp('server');
  for (const name of CLIENT_NAMES) sim.tcp(name);
  return sim;
}

function capture(k: Kernel): WSK_PROVIDER_NPI {
  const ClientNpi: WSK_CLIENT_NPI = {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved: 0, WskClientEvent: null },
  };
  const Registration = new WSK_REGISTRATION();
  const Npi = new WSK_PROVIDER_NPI();
  const registered = k.WskRegister(ClientNpi, Registration);
  const captured = k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi);
  if (registered !== STATUS_SUCCESS || captured !== STATUS_SUCCESS)
    throw new Error(`bench: register ${statusName(registered)}, capture ${statusName(captured)}`);
  return Npi;
}

/** A client host's WSK side: its kernel and the provider NPI it captured. */
interface WskClient {
  readonly kernel: Kernel;
  readonly Npi: WSK_PROVIDER_NPI;
}

/** One simulated run of the WSK handshake model; returns the clients' completed connects. */
export async function benchWskOnce(connections = CONNECTIONS): Promise<number> {
  const sim = buildTopology(connections);
  const server = sim.kernel('server');
  const ServerNpi = capture(server);
  const clients: WskClient[] = CLIENT_NAMES.map((name) => {
    const kernel = sim.kernel(name);
    return { kernel, Npi: capture(kernel) };
  });
  const kept: PWSK_SOCKET[] = [];
  let accepted = 0;
  let started = 0;
  let established = 0;
  let failed: string | null = null;

  // Server: the listening page's AcceptConnection / AcceptComplete, re-posting on completion.
  const AcceptComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
    void DeviceObject;
    if (Irp.IoStatus.Status === STATUS_SUCCESS) {
      kept.push(Irp.IoStatus.Information as PWSK_SOCKET);
      accepted++;
      AcceptConnection(Context as PWSK_SOCKET);
    } else {
      failed ??= `accept ${statusName(Irp.IoStatus.Status)}`;
    }
    server.IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  function AcceptConnection(Socket: PWSK_SOCKET): NTSTATUS {
    const Dispatch = Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
    const Irp = server.IoAllocateIrp(1, false);
    if (!Irp) throw new Error('bench: IoAllocateIrp failed');
    server.IoSetCompletionRoutine(Irp, AcceptComplete, Socket, true, true, true);
    return Dispatch.WskAccept(Socket, 0, null, null, null, null, Irp);
  }
  const ServerDispatch = ServerNpi.Dispatch as WSK_PROVIDER_DISPATCH;
  const Listeners: PWSK_SOCKET[] = [];
  const ListenComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp) => {
    void DeviceObject;
    if (Irp.IoStatus.Status === STATUS_SUCCESS && Irp.IoStatus.Information !== 0)
      Listeners.push(Irp.IoStatus.Information as PWSK_SOCKET);
    else failed ??= `listen ${statusName(Irp.IoStatus.Status)}`;
    server.IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  for (let i = 0; i < SERVER_PORTS; i++) {
    const Irp = server.IoAllocateIrp(1, false);
    if (!Irp) throw new Error('bench: IoAllocateIrp failed');
    server.IoSetCompletionRoutine(Irp, ListenComplete, null, true, true, true);
    ServerDispatch.WskSocket(
      ServerNpi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
      null, null, null, null, null, Irp,
    );
  }
  // WskSocket and WskBind may pend (a zero-delay event): run until the listeners exist.
  await sim.run({ until: () => Listeners.length === SERVER_PORTS });
  let bound = 0;
  const BindComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
    void DeviceObject;
    if (Irp.IoStatus.Status !== STATUS_SUCCESS)
      failed ??= `bind ${statusName(Irp.IoStatus.Status)}`;
    server.IoFreeIrp(Irp);
    bound++;
    for (let a = 0; a < ACCEPTS_QUEUED; a++) AcceptConnection(Context as PWSK_SOCKET);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  Listeners.forEach((Socket, i) => {
    const Irp = server.IoAllocateIrp(1, false);
    if (!Irp) throw new Error('bench: IoAllocateIrp failed');
    server.IoSetCompletionRoutine(Irp, BindComplete, Socket, true, true, true);
    const Dispatch = Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
    Dispatch.WskBind(Socket, sockaddr(`0.0.0.0:${80 + i}`), 0, Irp);
  });
  await sim.run({ until: () => bound === SERVER_PORTS });

  // Clients: WskSocketConnect, the next one (on the next client, round-robin) started from each
  // completion routine; the routine's context is the client whose kernel allocated the IRP.
  const Local = sockaddr('0.0.0.0:0');
  const Remotes = Array.from(
    { length: SERVER_PORTS }, (_, i) => sockaddr(`${SERVER_ADDRESS}:${80 + i}`),
  );
  const ConnectComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp, Context) => {
    void DeviceObject;
    if (Irp.IoStatus.Status === STATUS_SUCCESS) {
      kept.push(Irp.IoStatus.Information as PWSK_SOCKET);
      established++;
      if (started < connections) open();
    } else {
      failed ??= `connect ${statusName(Irp.IoStatus.Status)}`;
    }
    (Context as WskClient).kernel.IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  const open = (): void => {
    const client = clients[started % CLIENTS]!;
    const Remote = Remotes[started % SERVER_PORTS]!;
    started++;
    const Irp = client.kernel.IoAllocateIrp(1, false);
    if (!Irp) throw new Error('bench: IoAllocateIrp failed');
    client.kernel.IoSetCompletionRoutine(Irp, ConnectComplete, client, true, true, true);
    const Dispatch = client.Npi.Dispatch as WSK_PROVIDER_DISPATCH;
    Dispatch.WskSocketConnect(
      client.Npi.Client!, SOCK_STREAM, IPPROTO_TCP, Local, Remote, 0,
      null, null, null, null, null, Irp,
    );
  };
  for (let i = 0; i < IN_FLIGHT; i++) open();
  // Kept connections and queued accepts hold no timer: the run ends at quiescence.
  await sim.run();
  if (failed !== null) throw new Error(`bench: ${failed}`);
  if (established !== connections || accepted !== connections) {
    throw new Error(`bench: ${established} connects and ${accepted} accepts completed`);
  }
  const violations = [server, ...clients.map((c) => c.kernel)].flatMap((k) => k.violations);
  if (violations.length > 0) throw new Error(`bench: verifier: ${JSON.stringify(violations[0])}`);
  return established;
}

/**
 * The baseline: the same connections on the same topology through the TCP port directly (as
 * bench/tcp.ts's buildHandshakes: listen on the sixteen ports with backlog 200, accept every
 * ready connection, connect with an ephemeral port, the next connect from onEstablished).
 */
export async function benchTcpOnlyOnce(connections = CONNECTIONS): Promise<number> {
  const sim = buildTopology(connections);
  const server = sim.tcp('server');
  const clients = CLIENT_NAMES.map((name) => sim.tcp(name));
  const kept: TcpConnection[] = [];
  let started = 0;
  let established = 0;
  const onServer: ListenerHandler = {
    onReady(listener) {
      for (let c = listener.accept(); c !== null; c = listener.accept()) kept.push(c);
    },
  };
  for (let i = 0; i < SERVER_PORTS; i++) {
    const result = server.listen({ local: { port: 80 + i }, backlog: 200 }, onServer);
    if (!result.ok) throw new Error(`bench: listen failed: ${result.error}`);
  }
  const onClient: ConnectionHandler = {
    onEstablished(connection) {
      kept.push(connection);
      established++;
      if (started < connections) open();
    },
  };
  const open = (): void => {
    const client = clients[started % CLIENTS]!;
    const port = 80 + (started % SERVER_PORTS);
    started++;
    const result = client.connect({ remote: { address: SERVER_ADDRESS, port } }, onClient);
    if (!result.ok) throw new Error(`bench: connect failed: ${result.error}`);
  };
  for (let i = 0; i < IN_FLIGHT; i++) open();
  // Established connections keep no timer, so the run ends at quiescence once all are made.
  await sim.run();
  if (established !== connections || kept.length !== 2 * connections) {
    throw new Error(`bench: ${established} connects, ${kept.length} connection ends established`);
  }
  return established;
}

export async function benchWsk(): Promise<Metric[]> {
  const { ours, baseline } = await sideBySide(
    ROUNDS,
    CONNECTIONS,
    () => benchWskOnce(CONNECTIONS),
    () => benchTcpOnlyOnce(CONNECTIONS),
  );
  return [
    {
      name: 'wsk_accept_vs_tcp',
      value: ours,
      unit: `handshakes/s (${CONNECTIONS} connections, ${CLIENTS} clients, see bench/wsk.ts)`,
      ratio: ours / baseline,
      baseline: { value: baseline, unit: 'handshakes/s (TCP port only, same topology)' },
    },
  ];
}
