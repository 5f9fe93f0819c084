/**
 * wsk_accept_vs_tcp (DESIGN.md §8): the connections of tcp_handshakes_vs_loopback (bench/tcp.ts:
 * between two hosts, 100 in flight, each kept established to the end, windows10 profile on both,
 * the client stack sharing ports by 4-tuple, the server listening on sixteen ports) made through
 * the WSK model instead of the TCP port directly: the client calls WskSocketConnect, whose
 * completion routine keeps the socket and starts the next connect; the server has one
 * WSK_FLAG_LISTEN_SOCKET per port, bound (so listening), with ACCEPTS_QUEUED WskAccept IRPs
 * queued on each, every accept's completion routine posting the next. Every IRP is allocated,
 * given a completion routine and freed as a driver would. Kernel options are the defaults:
 * verifier on, half of the calls Windows may complete either way pend.
 *
 * Size: DESIGN.md §8 asks for the same 1e5 connections. The WSK model cannot make them yet:
 * WskSocketConnect binds its socket to an ephemeral port that no other WSK socket of the host may
 * hold (socket.ts's bind check has no sharing table and ignores the stack's 4-tuple sharing), so
 * one client address runs out after the 16,384 ports of the windows range
 * (STATUS_INSUFFICIENT_RESOURCES). Until src/wsk shares ports by 4-tuple where the profile does,
 * the bench makes CONNECTIONS = 1e4 and compares with the TCP-only model making the same 1e4
 * (bench/tcp.ts's own builder); set CONNECTIONS to 100_000 when it can. (The bind check itself
 * is constant-time per port since it stopped scanning every socket and TCP connection.)
 *
 * Ratio: WSK handshakes/s ÷ the TCP-only figure, measured side by side in alternating rounds in
 * the same process.
 */
import { Simulation } from '../src/simulation.ts';
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
import { benchTcpOnce } from './tcp.ts';

/** DESIGN.md §8 says 100_000; see the header for why not yet. */
const CONNECTIONS = 10_000;
const IN_FLIGHT = 100;
const SERVER_PORTS = 16;
/** WskAccept IRPs kept queued on each listening socket (100 in flight over 16 ports is ≤ 7). */
const ACCEPTS_QUEUED = 16;
const ROUNDS = 3;

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

/** One simulated run of the WSK handshake model; returns the client's completed connects. */
export async function benchWskOnce(connections = CONNECTIONS): Promise<number> {
  const sim = new Simulation({ seed: 1 });
  sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
  sim.addLink('client', 'server', { latency: '100us' });
  sim.tcp('client', { portSharing: 'four-tuple' });
  sim.tcp('server');
  const client = sim.kernel('client');
  const server = sim.kernel('server');
  const ClientNpi = capture(client);
  const ServerNpi = capture(server);
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

  // Client: WskSocketConnect, the next one started from each completion routine.
  const ClientDispatch = ClientNpi.Dispatch as WSK_PROVIDER_DISPATCH;
  const Local = sockaddr('0.0.0.0:0');
  const Remotes = Array.from({ length: SERVER_PORTS }, (_, i) => sockaddr(`10.0.0.2:${80 + i}`));
  const ConnectComplete: IO_COMPLETION_ROUTINE = (DeviceObject, Irp) => {
    void DeviceObject;
    if (Irp.IoStatus.Status === STATUS_SUCCESS) {
      kept.push(Irp.IoStatus.Information as PWSK_SOCKET);
      established++;
      if (started < connections) open();
    } else {
      failed ??= `connect ${statusName(Irp.IoStatus.Status)}`;
    }
    client.IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
  };
  const open = (): void => {
    const Remote = Remotes[started % SERVER_PORTS]!;
    started++;
    const Irp = client.IoAllocateIrp(1, false);
    if (!Irp) throw new Error('bench: IoAllocateIrp failed');
    client.IoSetCompletionRoutine(Irp, ConnectComplete, null, true, true, true);
    ClientDispatch.WskSocketConnect(
      ClientNpi.Client!, SOCK_STREAM, IPPROTO_TCP, Local, Remote, 0,
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
  const violations = [...client.violations, ...server.violations];
  if (violations.length > 0) throw new Error(`bench: verifier: ${JSON.stringify(violations[0])}`);
  return established;
}

export async function benchWsk(): Promise<Metric[]> {
  const { ours, baseline } = await sideBySide(
    ROUNDS,
    CONNECTIONS,
    () => benchWskOnce(CONNECTIONS),
    () => benchTcpOnce(CONNECTIONS),
  );
  return [
    {
      name: 'wsk_accept_vs_tcp',
      value: ours,
      unit: `handshakes/s (${CONNECTIONS} connections, see bench/wsk.ts)`,
      ratio: ours / baseline,
      baseline: { value: baseline, unit: 'handshakes/s (TCP port only, bench/tcp.ts)' },
    },
  ];
}
