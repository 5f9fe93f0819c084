/**
 * The verifier's WSK rules (docs/design.md#the-verifier), one case per rule: a minimal driver that
 * breaks it, asserting the rule id and the reported file:line, and its correct twin (README, "The
 * verifier"): every catalogue rule whose id starts with WSK- (violations and advisories), and the
 * end-of-run rules IRP-LEAKED, IRP-NEVER-COMPLETED and POOL-LEAKED.
 *
 * The line that breaks a rule carries the trailing comment `// breaks RULE-ID`; the expected
 * site is this file at that line, read from the file's own source (a call written over several
 * lines is marked on the line that opens it, where the stack frame points). The exceptions are
 * the callback return rules, checked after the callback returned: their site is the driver's call
 * during which the callback ran, marked `// runs RULE-ID`, or none when the event loop ran it
 * (no driver frame is left; the test's frames above the loop are not a driver's). A rule checked at the call
 * is asserted on k.violations / k.advisories; a rule found at the end of a run goes through
 * runScenario, whose re-run with sites recorded names the ALLOCATION site (IoAllocateIrp,
 * ExAllocatePoolWithTag, WskSocket, WskRegister), the line marked for those rules. Each twin
 * does the same thing right and reports nothing (a leak twin cleans up and its scenario
 * passes). Last, the set of rules covered here must equal the catalogue's WSK-* rules plus the
 * three leak rules, so a new rule without a test fails CI, and a scenario may not lower a rule.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import type { TcpProfileOptions } from '../../src/tcp/index.ts';
import type { Simulation } from '../../src/simulation.ts';
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
  NonPagedPoolNx,
  NotificationEvent,
  RULES,
  SECURITY_DESCRIPTOR,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_CONDITIONAL_ACCEPT,
  SO_EXCLUSIVEADDRUSE,
  SO_REUSEADDR,
  SO_WSK_EVENT_CALLBACK,
  STATUS_CANCELLED,
  STATUS_DATA_NOT_ACCEPTED,
  STATUS_PENDING,
  STATUS_CONNECTION_REFUSED,
  STATUS_INVALID_PARAMETER,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  WSK_CACHE_SD,
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISABLE,
  WSK_EVENT_RECEIVE,
  WSK_EVENT_RECEIVE_FROM,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_SEND_BACKLOG,
  WSK_FLAG_DRAIN,
  WSK_FLAG_WAITALL,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_DATA_INDICATION,
  WSK_FLAG_CONNECTION_SOCKET,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_INFINITE_WAIT,
  WSK_INSPECT_ID,
  WSK_NO_WAIT,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  WSK_RELEASE_SD,
  WSK_SET_STATIC_EVENT_CALLBACKS,
  WSK_TRANSPORT_LIST_QUERY,
  WSK_TRANSPORT_SIZE,
  WskInspectAccept,
  WskInspectMax,
  WskInspectPend,
  WskInspectReject,
  WskSetOption,
  sockaddr,
  type IO_COMPLETION_ROUTINE,
  type Kernel,
  type KernelOptions,
  type PFN_WSK_ABORT_EVENT,
  type PFN_WSK_ACCEPT_EVENT,
  type PFN_WSK_CONTROL_SOCKET,
  type PFN_WSK_INSPECT_EVENT,
  type PWSK_SOCKET,
  type SOCKADDR,
  type SOCKADDR_IN,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_CLIENT_NPI,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';
import {
  bind,
  connectionSocket,
  listenSocket,
  socketConnect,
  socketOf,
  world,
  type Driver,
  type World,
} from './support.ts';
import { markers } from '../support/markers.ts';

// ---- sites ------------------------------------------------------------------------------------

const { lineOf, siteOf } = markers(import.meta.url);

// ---- helpers (setup only: a breaking call is always written out in its case) ---------------

const L = (Socket: PWSK_SOCKET) => Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
const C = (Socket: PWSK_SOCKET) => Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;

/** WskControlSocket's arguments to set a ULONG-valued (or other) socket option. */
function setOption(
  Socket: PWSK_SOCKET,
  ControlCode: number,
  InputBuffer: unknown,
  Irp: IRP | null,
  InputSize = 4,
): Parameters<PFN_WSK_CONTROL_SOCKET> {
  const Level = SOL_SOCKET;
  return [Socket, WskSetOption, ControlCode, Level, InputSize, InputBuffer, 0, null, null, Irp];
}

/** WskControlSocket's arguments for SO_WSK_EVENT_CALLBACK with `EventMask`. */
function events(
  Socket: PWSK_SOCKET,
  EventMask: number,
  Irp: IRP | null = null,
): Parameters<PFN_WSK_CONTROL_SOCKET> {
  const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: EventMask >>> 0 };
  return setOption(Socket, SO_WSK_EVENT_CALLBACK, control, Irp, 16);
}

function clientNpi(Reserved = 0): WSK_CLIENT_NPI {
  return {
    ClientContext: null,
    Dispatch: { Version: MAKE_WSK_VERSION(1, 0), Reserved, WskClientEvent: null },
  };
}

const accepting: PFN_WSK_ACCEPT_EVENT = () => STATUS_SUCCESS;

function listenDispatch(WskAcceptEvent: PFN_WSK_ACCEPT_EVENT | null): WSK_CLIENT_LISTEN_DISPATCH {
  return { WskAcceptEvent, WskInspectEvent: null, WskAbortEvent: null };
}

/** A listening socket of `d` on 0.0.0.0:80 with the client dispatch `Dispatch`. */
function boundListener(d: Driver, Dispatch: WSK_CLIENT_LISTEN_DISPATCH | null = null) {
  const Listen = socketOf(d, WSK_FLAG_LISTEN_SOCKET, AF_INET, Dispatch);
  expect(bind(d, Listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
  return Listen;
}

const aborted: PFN_WSK_ABORT_EVENT = () => STATUS_SUCCESS;
const pending: PFN_WSK_INSPECT_EVENT = () => WskInspectPend;

function inspectDispatch(
  WskInspectEvent: PFN_WSK_INSPECT_EVENT,
  WskAbortEvent: PFN_WSK_ABORT_EVENT = aborted,
): WSK_CLIENT_LISTEN_DISPATCH {
  return { WskAcceptEvent: null, WskInspectEvent, WskAbortEvent };
}

/** A listening socket of `d` with SO_CONDITIONAL_ACCEPT, bound to 0.0.0.0:80. */
function conditionalListener(d: Driver, Dispatch: WSK_CLIENT_LISTEN_DISPATCH): PWSK_SOCKET {
  const Listen = socketOf(d, WSK_FLAG_LISTEN_SOCKET, AF_INET, Dispatch);
  const on = setOption(Listen, SO_CONDITIONAL_ACCEPT, { value: 1 }, irpOf(d.k));
  expect(L(Listen).WskControlSocket(...on)).toBe(STATUS_SUCCESS);
  expect(bind(d, Listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
  return Listen;
}

/** A conditional listener that pends every request, with one request pended; its ID's copy. */
async function pended(w: World, Dispatch = inspectDispatch(pending)) {
  let Id: WSK_INSPECT_ID | null = null;
  const Listen = conditionalListener(w.server, {
    ...Dispatch,
    WskInspectEvent: (context, local, remote, InspectID) => {
      if (InspectID !== null) Id = { ...InspectID };
      return (Dispatch.WskInspectEvent as PFN_WSK_INSPECT_EVENT)(context, local, remote, InspectID);
    },
  });
  socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
  await w.sim.run({ until: '100ms' });
  return { Listen, Id: Id as unknown as WSK_INSPECT_ID };
}

/** An IRP of `k` whose completion routine runs on success, error and cancel. */
function irpOf(k: Kernel, routine: IO_COMPLETION_ROUTINE = quiet): IRP {
  const Irp = k.IoAllocateIrp(1, false) as IRP;
  k.IoSetCompletionRoutine(Irp, routine, null, true, true, true);
  return Irp;
}

/** A completion routine that reads nothing (as a driver that ignores the status). */
const quiet: IO_COMPLETION_ROUTINE = () => STATUS_MORE_PROCESSING_REQUIRED;

/** A server listening on 80 and a client connection the server has accepted (WskAccept). */
async function accepted(w: World): Promise<{ Listen: PWSK_SOCKET; Accepted: PWSK_SOCKET }> {
  const Listen = listenSocket(w.server);
  expect(bind(w.server, Listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
  socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
  await w.sim.run({ until: '100ms' });
  const Irp = w.server.irp('accept');
  expect(L(Listen).WskAccept(Listen, 0, null, null, null, null, Irp)).toBe(STATUS_SUCCESS);
  return { Listen, Accepted: Irp.IoStatus.Information as PWSK_SOCKET };
}

/** A server socket accepted (WskAccept) with the client `Dispatch`, the events `mask` on. */
async function acceptedWith(
  w: World,
  Dispatch: WSK_CLIENT_CONNECTION_DISPATCH,
  mask: number,
): Promise<{ Client: PWSK_SOCKET; Server: PWSK_SOCKET }> {
  const Listen = listenSocket(w.server);
  expect(bind(w.server, Listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
  const { Irp: Connect } = socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
  await w.sim.run({ until: '100ms' });
  const Irp = w.server.irp('accept');
  expect(L(Listen).WskAccept(Listen, 0, null, Dispatch, null, null, Irp)).toBe(STATUS_SUCCESS);
  const Server = Irp.IoStatus.Information as PWSK_SOCKET;
  if (mask !== 0) expect(C(Server).WskControlSocket(...events(Server, mask))).toBe(STATUS_SUCCESS);
  return { Client: Connect.IoStatus.Information as PWSK_SOCKET, Server };
}

/** A client socket (WskSocketConnect) with the client `Dispatch`, the events `mask` on. */
async function connectedWith(
  w: World,
  Dispatch: WSK_CLIENT_CONNECTION_DISPATCH,
  mask: number,
): Promise<PWSK_SOCKET> {
  boundListener(w.server);
  const Irp = w.client.irp('connect');
  w.client.Dispatch.WskSocketConnect(
    w.client.Npi.Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr('0.0.0.0:0'), sockaddr('10.0.0.2:80'),
    0, null, Dispatch, null, null, null, Irp,
  );
  await w.sim.run({ until: '100ms' });
  const Client = Irp.IoStatus.Information as PWSK_SOCKET;
  expect(C(Client).WskControlSocket(...events(Client, mask))).toBe(STATUS_SUCCESS);
  return Client;
}

/** WskSend of `text` on a fresh IRP. */
function sendText(d: Driver, Socket: PWSK_SOCKET, text: string): IRP {
  const bytes = new TextEncoder().encode(text);
  const Mdl = d.k.IoAllocateMdl(bytes, bytes.length, false, false, null);
  const Irp = d.irp('send');
  C(Socket).WskSend(Socket, { Mdl, Offset: 0, Length: bytes.length }, 0, Irp);
  return Irp;
}

/** A client dispatch with the given callbacks, the others NULL. */
function connectionDispatch(
  callbacks: Partial<WSK_CLIENT_CONNECTION_DISPATCH>,
): WSK_CLIENT_CONNECTION_DISPATCH {
  return {
    WskReceiveEvent: null,
    WskDisconnectEvent: null,
    WskSendBacklogEvent: null,
    ...callbacks,
  };
}

/** Runs until `Irp`'s completion routine has run (support.ts's log counts the calls). */
async function completion(w: World, d: Driver, Irp: IRP): Promise<void> {
  await w.sim.run({ until: () => d.calls.has(Irp) });
  expect(d.calls.get(Irp)).toBe(1);
}

// ---- rules checked at the call ------------------------------------------------------------

interface Case {
  readonly rule: string;
  readonly kernel?: KernelOptions;
  /** The TCP profiles of the world, when the case needs other than the defaults. */
  readonly tcp?: { readonly clientTcp?: TcpProfileOptions; readonly serverTcp?: TcpProfileOptions };
  /** The driver that breaks the rule, on the line marked `// breaks <rule>`. */
  readonly breaks: (w: World) => void | Promise<void>;
  /** The same driver done right. */
  readonly twin: (w: World) => void | Promise<void>;
  /**
   * Where the site is when it cannot be the breaking line, for a rule the model checks after the
   * driver's callback has returned, when no driver frame of the callback is left: 'runs', the
   * line marked `// runs <rule>` (the driver's call during which the callback ran), or 'none'
   * when the event loop ran it (the frames above the loop are the test's, not a driver's: no site).
   */
  readonly reportedAt?: 'runs' | 'none';
}

const CASES: readonly Case[] = [
  // ---- registration -------------------------------------------------------------------------
  {
    rule: 'WSK-REGISTRATION-INVALID',
    breaks: ({ server: { k } }) => {
      const Registration = new WSK_REGISTRATION();
      k.WskCaptureProviderNPI( // breaks WSK-REGISTRATION-INVALID
        Registration, WSK_NO_WAIT, new WSK_PROVIDER_NPI(),
      );
    },
    twin: ({ server: { k } }) => {
      const Registration = new WSK_REGISTRATION();
      expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS);
      const Npi = new WSK_PROVIDER_NPI();
      expect(k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi)).toBe(STATUS_SUCCESS);
      k.WskReleaseProviderNPI(Registration);
    },
  },
  {
    rule: 'WSK-REGISTRATION-IN-USE',
    breaks: ({ server: { k, Registration } }) => {
      k.WskRegister(clientNpi(), Registration); // breaks WSK-REGISTRATION-IN-USE
    },
    twin: ({ server: { k } }) => {
      expect(k.WskRegister(clientNpi(), new WSK_REGISTRATION())).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-REGISTER-INPUT',
    breaks: ({ server: { k } }) => {
      k.WskRegister(clientNpi(1), new WSK_REGISTRATION()); // breaks WSK-REGISTER-INPUT
    },
    twin: ({ server: { k } }) => {
      expect(k.WskRegister(clientNpi(0), new WSK_REGISTRATION())).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-DEREGISTER-TWICE',
    breaks: async ({ server: { k } }) => {
      const Registration = new WSK_REGISTRATION();
      expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS);
      await k.WskDeregister(Registration);
      await k.WskDeregister(Registration); // breaks WSK-DEREGISTER-TWICE
    },
    twin: async ({ server: { k } }) => {
      const Registration = new WSK_REGISTRATION();
      expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS);
      await k.WskDeregister(Registration);
    },
  },
  {
    rule: 'WSK-RELEASE-WITHOUT-CAPTURE',
    breaks: ({ server: { k } }) => {
      const Registration = new WSK_REGISTRATION();
      expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS);
      k.WskReleaseProviderNPI(Registration); // breaks WSK-RELEASE-WITHOUT-CAPTURE
    },
    twin: ({ server: { k } }) => {
      const Registration = new WSK_REGISTRATION();
      expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS);
      expect(k.WskCaptureProviderNPI(Registration, WSK_NO_WAIT, new WSK_PROVIDER_NPI())).toBe(
        STATUS_SUCCESS,
      );
      k.WskReleaseProviderNPI(Registration);
    },
  },
  {
    rule: 'WSK-CALL-AFTER-RELEASE',
    breaks: ({ server: d }) => {
      d.k.WskReleaseProviderNPI(d.Registration);
      const Irp = d.irp('socket');
      d.Dispatch.WskSocket( // breaks WSK-CALL-AFTER-RELEASE
        d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null,
        null, null, Irp,
      );
    },
    twin: ({ server: d }) => {
      const Irp = d.irp('socket');
      d.Dispatch.WskSocket(
        d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null,
        null, null, Irp,
      );
      expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
      d.k.WskReleaseProviderNPI(d.Registration);
    },
  },
  {
    rule: 'WSK-CLIENT-INVALID',
    breaks: ({ server: d, client }) => {
      // The client host's PWSK_CLIENT given to the server host's provider dispatch.
      const Irp = d.irp('socket');
      d.Dispatch.WskSocket( // breaks WSK-CLIENT-INVALID
        client.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null,
        null, null, null, Irp,
      );
    },
    twin: ({ server: d }) => {
      const Irp = d.irp('socket');
      d.Dispatch.WskSocket(
        d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null,
        null, null, null, Irp,
      );
      expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-CONTROL-CLIENT-INPUT',
    breaks: ({ server: d }) => {
      const Returned = { value: 0 };
      const Client = d.Npi.Client!;
      const Irp = d.irp('query');
      d.Dispatch.WskControlClient( // breaks WSK-CONTROL-CLIENT-INPUT
        Client, WSK_TRANSPORT_LIST_QUERY, 0, null, 0, null, Returned, Irp,
      );
    },
    twin: ({ server: d }) => {
      const Returned = { value: 0 };
      const Transports: unknown[] = [];
      const Size = 4 * WSK_TRANSPORT_SIZE;
      const status = d.Dispatch.WskControlClient(
        d.Npi.Client!, WSK_TRANSPORT_LIST_QUERY, 0, null, Size, Transports, Returned, null,
      );
      expect(status).toBe(STATUS_SUCCESS);
      expect(Transports).toHaveLength(4);
    },
  },
  {
    rule: 'WSK-RELEASE-SD-UNKNOWN',
    breaks: ({ server: d }) => {
      const Client = d.Npi.Client!;
      const Cached = { value: null as unknown };
      const Sd = { value: new SECURITY_DESCRIPTOR('Everyone') };
      d.Dispatch.WskControlClient(Client, WSK_CACHE_SD, 8, Sd, 8, Cached, null, null);
      d.Dispatch.WskControlClient(Client, WSK_RELEASE_SD, 8, Cached, 0, null, null, null);
      d.Dispatch.WskControlClient( // breaks WSK-RELEASE-SD-UNKNOWN
        Client, WSK_RELEASE_SD, 8, Cached, 0, null, null, null,
      );
    },
    twin: ({ server: d }) => {
      const Client = d.Npi.Client!;
      const Cached = { value: null as unknown };
      const Sd = { value: new SECURITY_DESCRIPTOR('Everyone') };
      d.Dispatch.WskControlClient(Client, WSK_CACHE_SD, 8, Sd, 8, Cached, null, null);
      expect(
        d.Dispatch.WskControlClient(Client, WSK_RELEASE_SD, 8, Cached, 0, null, null, null),
      ).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-SD-RELEASED-IN-USE',
    kernel: { pendingCompletions: 1 },
    breaks: ({ server: d }) => {
      const Client = d.Npi.Client!;
      const Cached = { value: null as unknown };
      const Sd = { value: new SECURITY_DESCRIPTOR('Everyone') };
      d.Dispatch.WskControlClient(Client, WSK_CACHE_SD, 8, Sd, 8, Cached, null, null);
      const Descriptor = Cached.value as SECURITY_DESCRIPTOR;
      d.Dispatch.WskSocket(
        Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null, null,
        Descriptor, d.irp('socket'),
      );
      // The WskSocket IRP is pending: its descriptor must stay cached until it completes.
      d.Dispatch.WskControlClient( // breaks WSK-SD-RELEASED-IN-USE
        Client, WSK_RELEASE_SD, 8, Cached, 0, null, null, null,
      );
    },
    twin: async (w) => {
      const d = w.server;
      const Client = d.Npi.Client!;
      const Cached = { value: null as unknown };
      const Sd = { value: new SECURITY_DESCRIPTOR('Everyone') };
      d.Dispatch.WskControlClient(Client, WSK_CACHE_SD, 8, Sd, 8, Cached, null, null);
      const Descriptor = Cached.value as SECURITY_DESCRIPTOR;
      const Irp = d.irp('socket');
      d.Dispatch.WskSocket(
        Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null, null,
        Descriptor, Irp,
      );
      await completion(w, d, Irp);
      expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
      expect(
        d.Dispatch.WskControlClient(Client, WSK_RELEASE_SD, 8, Cached, 0, null, null, null),
      ).toBe(STATUS_SUCCESS);
    },
  },

  {
    // Issue 18, defect 2: "must be a cached copy ... obtained by calling WskControlClient with
    // the WSK_CACHE_SD control code" (PFN_WSK_SOCKET_CONNECT).
    rule: 'WSK-SD-NOT-CACHED',
    breaks: ({ server: d }) => {
      const Client = d.Npi.Client!;
      d.Dispatch.WskSocket( // breaks WSK-SD-NOT-CACHED
        Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null, null,
        new SECURITY_DESCRIPTOR('Everyone'), d.irp('socket'),
      );
    },
    twin: ({ server: d }) => {
      const Client = d.Npi.Client!;
      const Cached = { value: null as unknown };
      const Sd = { value: new SECURITY_DESCRIPTOR('Everyone') };
      d.Dispatch.WskControlClient(Client, WSK_CACHE_SD, 8, Sd, 8, Cached, null, null);
      const Irp = d.irp('socket');
      d.Dispatch.WskSocket(
        Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null, null,
        Cached.value as SECURITY_DESCRIPTOR, Irp,
      );
      expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    },
  },

  // ---- sockets ------------------------------------------------------------------------------
  {
    rule: 'WSK-SOCKET-INVALID',
    breaks: ({ server, client }) => {
      const Listen = listenSocket(server);
      const Foreign = listenSocket(client); // the client host's socket
      L(Listen).WskCloseSocket(Foreign, server.irp('close')); // breaks WSK-SOCKET-INVALID
    },
    twin: ({ server }) => {
      const Listen = listenSocket(server);
      expect(L(Listen).WskCloseSocket(Listen, server.irp('close'))).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-CALL-AFTER-CLOSE',
    breaks: ({ server }) => {
      const Socket = connectionSocket(server);
      L(Socket).WskCloseSocket(Socket, server.irp('close'));
      C(Socket).WskBind( // breaks WSK-CALL-AFTER-CLOSE
        Socket, sockaddr('0.0.0.0:0'), 0, server.irp('bind'),
      );
    },
    twin: ({ server }) => {
      const Socket = connectionSocket(server);
      expect(C(Socket).WskBind(Socket, sockaddr('0.0.0.0:0'), 0, server.irp('bind'))).toBe(
        STATUS_SUCCESS,
      );
      expect(L(Socket).WskCloseSocket(Socket, server.irp('close'))).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-CLOSE-DURING-CALL',
    breaks: ({ server: d }) => {
      const Socket = connectionSocket(d);
      const Close = d.irp('close');
      // WskBind completes inline (pendingCompletions 0): its routine runs inside WskBind.
      const Bind = irpOf(d.k, () => {
        C(Socket).WskCloseSocket(Socket, Close); // breaks WSK-CLOSE-DURING-CALL
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      C(Socket).WskBind(Socket, sockaddr('0.0.0.0:0'), 0, Bind);
    },
    twin: ({ server: d }) => {
      const Socket = connectionSocket(d);
      let bound = false;
      const Bind = irpOf(d.k, (_device, Irp) => {
        bound = Irp.IoStatus.Status === STATUS_SUCCESS; // note it; close once WskBind returned
        return STATUS_MORE_PROCESSING_REQUIRED;
      });
      C(Socket).WskBind(Socket, sockaddr('0.0.0.0:0'), 0, Bind);
      expect(bound).toBe(true);
      expect(C(Socket).WskCloseSocket(Socket, d.irp('close'))).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-WRONG-DISPATCH',
    breaks: async (w) => {
      const { Listen, Accepted } = await accepted(w);
      // The listening socket's table used for the accepted (connection) socket.
      L(Listen).WskCloseSocket(Accepted, w.server.irp('close')); // breaks WSK-WRONG-DISPATCH
    },
    twin: async (w) => {
      const { Accepted } = await accepted(w);
      expect(C(Accepted).WskCloseSocket(Accepted, w.server.irp('close'))).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-RESERVED-FLAGS',
    breaks: ({ server }) => {
      const Socket = connectionSocket(server);
      C(Socket).WskBind( // breaks WSK-RESERVED-FLAGS
        Socket, sockaddr('0.0.0.0:0'), 1, server.irp('bind'),
      );
    },
    twin: ({ server }) => {
      const Socket = connectionSocket(server);
      expect(C(Socket).WskBind(Socket, sockaddr('0.0.0.0:0'), 0, server.irp('bind'))).toBe(
        STATUS_SUCCESS,
      );
    },
  },
  {
    rule: 'WSK-SOCKET-FLAGS',
    breaks: ({ server: d }) => {
      const Flags = WSK_FLAG_LISTEN_SOCKET | WSK_FLAG_CONNECTION_SOCKET; // not one category
      const Irp = d.irp('socket');
      d.Dispatch.WskSocket( // breaks WSK-SOCKET-FLAGS
        d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, Flags, null, null, null, null, null, Irp,
      );
    },
    twin: ({ server: d }) => {
      const Irp = d.irp('socket');
      d.Dispatch.WskSocket(
        d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, null, null,
        null, null, null, Irp,
      );
      expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-FAMILY-MISMATCH',
    breaks: ({ server }) => {
      const Socket = connectionSocket(server); // AF_INET
      C(Socket).WskBind( // breaks WSK-FAMILY-MISMATCH
        Socket, sockaddr('[::]:0'), 0, server.irp('bind'),
      );
    },
    twin: ({ server }) => {
      const Socket = connectionSocket(server);
      expect(C(Socket).WskBind(Socket, sockaddr('0.0.0.0:0'), 0, server.irp('bind'))).toBe(
        STATUS_SUCCESS,
      );
    },
  },
  {
    rule: 'WSK-DOUBLE-BIND',
    breaks: ({ server }) => {
      const Socket = connectionSocket(server);
      C(Socket).WskBind(Socket, sockaddr('0.0.0.0:0'), 0, server.irp('bind'));
      C(Socket).WskBind( // breaks WSK-DOUBLE-BIND
        Socket, sockaddr('0.0.0.0:0'), 0, server.irp('bind'),
      );
    },
    twin: ({ server }) => {
      const Socket = connectionSocket(server);
      expect(C(Socket).WskBind(Socket, sockaddr('0.0.0.0:0'), 0, server.irp('bind'))).toBe(
        STATUS_SUCCESS,
      );
    },
  },
  {
    rule: 'WSK-CONNECT-TWICE',
    breaks: async (w) => {
      boundListener(w.server);
      const Socket = connectionSocket(w.client);
      expect(bind(w.client, Socket, '0.0.0.0:0')).toBe(STATUS_SUCCESS);
      const Connect = w.client.irp('connect');
      C(Socket).WskConnect(Socket, sockaddr('10.0.0.2:80'), 0, Connect);
      await completion(w, w.client, Connect);
      expect(Connect.IoStatus.Status).toBe(STATUS_SUCCESS);
      C(Socket).WskConnect( // breaks WSK-CONNECT-TWICE
        Socket, sockaddr('10.0.0.2:80'), 0, w.client.irp('again'),
      );
    },
    twin: async (w) => {
      boundListener(w.server);
      const Socket = connectionSocket(w.client);
      expect(bind(w.client, Socket, '0.0.0.0:0')).toBe(STATUS_SUCCESS);
      const Connect = w.client.irp('connect');
      C(Socket).WskConnect(Socket, sockaddr('10.0.0.2:80'), 0, Connect);
      await completion(w, w.client, Connect);
      expect(Connect.IoStatus.Status).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-OPTION-NO-IRP',
    breaks: ({ server }) => {
      const Socket = connectionSocket(server);
      C(Socket).WskControlSocket( // breaks WSK-OPTION-NO-IRP
        ...setOption(Socket, SO_REUSEADDR, { value: 1 }, null),
      );
    },
    twin: ({ server }) => {
      const Socket = connectionSocket(server);
      const Irp = server.irp('option');
      const Reuse = setOption(Socket, SO_REUSEADDR, { value: 1 }, Irp);
      const status = C(Socket).WskControlSocket(...Reuse);
      expect(status).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-OPTION-TIMING',
    breaks: ({ server }) => {
      const Socket = connectionSocket(server);
      expect(bind(server, Socket, '0.0.0.0:0')).toBe(STATUS_SUCCESS);
      const Irp = server.irp('option');
      C(Socket).WskControlSocket( // breaks WSK-OPTION-TIMING
        ...setOption(Socket, SO_REUSEADDR, { value: 1 }, Irp),
      );
    },
    twin: ({ server }) => {
      const Socket = connectionSocket(server);
      const Irp = server.irp('option');
      const Reuse = setOption(Socket, SO_REUSEADDR, { value: 1 }, Irp);
      const status = C(Socket).WskControlSocket(...Reuse);
      expect(status).toBe(STATUS_SUCCESS);
      expect(bind(server, Socket, '0.0.0.0:0')).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-OPTION-INPUT',
    breaks: ({ server }) => {
      const Socket = connectionSocket(server);
      const Irp = server.irp('option');
      C(Socket).WskControlSocket( // breaks WSK-OPTION-INPUT
        ...setOption(Socket, SO_REUSEADDR, { value: 1 }, Irp, 2),
      );
    },
    twin: ({ server }) => {
      const Socket = connectionSocket(server);
      const Irp = server.irp('option');
      expect(
        C(Socket).WskControlSocket(...setOption(Socket, SO_REUSEADDR, { value: 1 }, Irp, 4)),
      ).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-OPTION-CONFLICT',
    breaks: ({ server }) => {
      const Socket = connectionSocket(server);
      const [Reuse, Exclusive] = [server.irp('reuse'), server.irp('exclusive')];
      C(Socket).WskControlSocket(...setOption(Socket, SO_REUSEADDR, { value: 1 }, Reuse));
      C(Socket).WskControlSocket( // breaks WSK-OPTION-CONFLICT
        ...setOption(Socket, SO_EXCLUSIVEADDRUSE, { value: 1 }, Exclusive),
      );
    },
    twin: ({ server }) => {
      const Socket = connectionSocket(server);
      const [Reuse, Exclusive] = [server.irp('reuse'), server.irp('exclusive')];
      C(Socket).WskControlSocket(...setOption(Socket, SO_REUSEADDR, { value: 1 }, Reuse));
      const Off = server.irp('off');
      C(Socket).WskControlSocket(...setOption(Socket, SO_REUSEADDR, { value: 0 }, Off));
      const On = setOption(Socket, SO_EXCLUSIVEADDRUSE, { value: 1 }, Exclusive);
      expect(C(Socket).WskControlSocket(...On)).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-STATUS-IGNORED',
    breaks: async (w) => {
      const { k } = w.client;
      const Socket = connectionSocket(w.client);
      expect(bind(w.client, Socket, '0.0.0.0:0')).toBe(STATUS_SUCCESS);
      const Connect = irpOf(k); // its routine does not read IoStatus.Status
      C(Socket).WskConnect(Socket, sockaddr('10.0.0.2:81'), 0, Connect); // nobody listens: RST
      await w.sim.run();
      k.IoFreeIrp(Connect); // breaks WSK-STATUS-IGNORED
    },
    twin: async (w) => {
      const { k } = w.client;
      const Socket = connectionSocket(w.client);
      expect(bind(w.client, Socket, '0.0.0.0:0')).toBe(STATUS_SUCCESS);
      const Connect = irpOf(k);
      C(Socket).WskConnect(Socket, sockaddr('10.0.0.2:81'), 0, Connect);
      await w.sim.run();
      expect(Connect.IoStatus.Status).toBe(STATUS_CONNECTION_REFUSED);
      k.IoFreeIrp(Connect);
    },
  },

  // ---- callbacks ----------------------------------------------------------------------------
  {
    rule: 'WSK-EVENT-ENABLE-IRP',
    breaks: ({ server }) => {
      const Listen = boundListener(server, listenDispatch(accepting));
      L(Listen).WskControlSocket( // breaks WSK-EVENT-ENABLE-IRP
        ...events(Listen, WSK_EVENT_ACCEPT, server.irp('enable')),
      );
    },
    twin: ({ server }) => {
      const Listen = boundListener(server, listenDispatch(accepting));
      expect(L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT, null))).toBe(
        STATUS_SUCCESS,
      );
    },
  },
  {
    rule: 'WSK-EVENT-DISABLE-SEVERAL',
    breaks: ({ server }) => {
      const Listen = boundListener(server, listenDispatch(accepting));
      L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT));
      const Mask = WSK_EVENT_DISABLE | WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE;
      L(Listen).WskControlSocket(...events(Listen, Mask)); // breaks WSK-EVENT-DISABLE-SEVERAL
    },
    twin: ({ server }) => {
      const Listen = boundListener(server, listenDispatch(accepting));
      L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT));
      const Mask = WSK_EVENT_DISABLE | WSK_EVENT_ACCEPT;
      expect(L(Listen).WskControlSocket(...events(Listen, Mask))).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-EVENT-INVALID',
    breaks: ({ server }) => {
      const Listen = boundListener(server, listenDispatch(accepting));
      L(Listen).WskControlSocket( // breaks WSK-EVENT-INVALID
        ...events(Listen, WSK_EVENT_RECEIVE_FROM),
      );
    },
    twin: ({ server }) => {
      const Listen = boundListener(server, listenDispatch(accepting));
      expect(L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT))).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-EVENT-STATIC',
    breaks: ({ server: d }) => {
      const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_ACCEPT };
      const Client = d.Npi.Client!;
      const Static = WSK_SET_STATIC_EVENT_CALLBACKS;
      d.Dispatch.WskControlClient(Client, Static, 16, control, 0, null, null, null);
      const Listen = boundListener(d, listenDispatch(accepting));
      L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT)); // breaks WSK-EVENT-STATIC
    },
    twin: ({ server: d }) => {
      const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_ACCEPT };
      const Client = d.Npi.Client!;
      const Static = WSK_SET_STATIC_EVENT_CALLBACKS;
      d.Dispatch.WskControlClient(Client, Static, 16, control, 0, null, null, null);
      const Listen = boundListener(d, listenDispatch(accepting));
      expect(Listen.state.events & WSK_EVENT_ACCEPT).toBe(WSK_EVENT_ACCEPT); // on already
    },
  },
  {
    rule: 'WSK-EVENT-NO-CALLBACK',
    breaks: ({ server }) => {
      const Listen = boundListener(server, listenDispatch(null));
      L(Listen).WskControlSocket( // breaks WSK-EVENT-NO-CALLBACK
        ...events(Listen, WSK_EVENT_ACCEPT),
      );
    },
    twin: ({ server }) => {
      const Listen = boundListener(server, listenDispatch(accepting));
      expect(L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT))).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-ACCEPT-EVENT-RETURN',
    breaks: async (w) => {
      const Listen = boundListener(
        w.server,
        listenDispatch(() => {
          return STATUS_INVALID_PARAMETER; // breaks WSK-ACCEPT-EVENT-RETURN
        }),
      );
      L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT));
      socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
      await w.sim.run({ until: '100ms' });
    },
    // The return value is checked once the callback has returned, which the event loop ran: no
    // driver frame is left on the stack, so the report has no site (site.ts).
    reportedAt: 'none',
    twin: async (w) => {
      const Listen = boundListener(
        w.server,
        listenDispatch(() => {
          return STATUS_SUCCESS;
        }),
      );
      L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT));
      socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
      await w.sim.run({ until: '100ms' });
    },
  },
  {
    rule: 'WSK-CALLBACK-ADDRESS-AFTER-RETURN',
    breaks: async (w) => {
      let Kept: SOCKADDR | null = null;
      const Listen = boundListener(
        w.server,
        listenDispatch((_context, _flags, _local, RemoteAddress) => {
          Kept = RemoteAddress; // keeps the callback's view, valid during the call only
          return STATUS_SUCCESS;
        }),
      );
      L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT));
      socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
      await w.sim.run({ until: '100ms' });
      const Remote = Kept as SOCKADDR_IN | null;
      expect(Remote?.sin_addr).toBe('10.0.0.1'); // breaks WSK-CALLBACK-ADDRESS-AFTER-RETURN
    },
    twin: async (w) => {
      let Kept: SOCKADDR | null = null;
      const Listen = boundListener(
        w.server,
        listenDispatch((_context, _flags, _local, RemoteAddress) => {
          Kept = { ...RemoteAddress }; // a copy made during the call
          return STATUS_SUCCESS;
        }),
      );
      L(Listen).WskControlSocket(...events(Listen, WSK_EVENT_ACCEPT));
      socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
      await w.sim.run({ until: '100ms' });
      const Remote = Kept as SOCKADDR_IN | null;
      expect(Remote?.sin_addr).toBe('10.0.0.1');
    },
  },
  // ---- conditional accept -------------------------------------------------------------------
  {
    rule: 'WSK-CONDITIONAL-NO-CALLBACK',
    breaks: ({ server }) => {
      const Listen = socketOf(server, WSK_FLAG_LISTEN_SOCKET, AF_INET, listenDispatch(accepting));
      L(Listen).WskControlSocket( // breaks WSK-CONDITIONAL-NO-CALLBACK
        ...setOption(Listen, SO_CONDITIONAL_ACCEPT, { value: 1 }, irpOf(server.k)),
      );
    },
    twin: ({ server }) => {
      const Listen = socketOf(server, WSK_FLAG_LISTEN_SOCKET, AF_INET, inspectDispatch(pending));
      const on = setOption(Listen, SO_CONDITIONAL_ACCEPT, { value: 1 }, irpOf(server.k));
      expect(L(Listen).WskControlSocket(...on)).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-INSPECT-EVENT-RETURN',
    breaks: async (w) => {
      conditionalListener(
        w.server,
        inspectDispatch(() => {
          return WskInspectMax; // breaks WSK-INSPECT-EVENT-RETURN
        }),
      );
      socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
      await w.sim.run({ until: '100ms' });
    },
    // Checked once the callback has returned, as WSK-ACCEPT-EVENT-RETURN.
    reportedAt: 'none',
    twin: async (w) => {
      conditionalListener(w.server, inspectDispatch(() => WskInspectAccept));
      socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
      await w.sim.run({ until: '100ms' });
    },
  },
  {
    rule: 'WSK-ABORT-EVENT-RETURN',
    breaks: async (w) => {
      const { Listen } = await pended(
        w,
        inspectDispatch(pending, () => {
          return STATUS_UNSUCCESSFUL; // breaks WSK-ABORT-EVENT-RETURN
        }),
      );
      // Closing the listening socket aborts the pended request, inside this call.
      L(Listen).WskCloseSocket(Listen, irpOf(w.server.k)); // runs WSK-ABORT-EVENT-RETURN
    },
    reportedAt: 'runs',
    twin: async (w) => {
      const { Listen } = await pended(w);
      expect(L(Listen).WskCloseSocket(Listen, irpOf(w.server.k))).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-INSPECT-ID-AFTER-RETURN',
    breaks: async (w) => {
      let Kept: WSK_INSPECT_ID | null = null;
      const Listen = conditionalListener(
        w.server,
        inspectDispatch((_context, _local, _remote, InspectID) => {
          Kept = InspectID; // keeps the pointer, valid during the call only
          return WskInspectPend;
        }),
      );
      socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
      await w.sim.run({ until: '100ms' });
      const Id = Kept as unknown as WSK_INSPECT_ID;
      L(Listen).WskInspectComplete(Listen, Id, WskInspectAccept, irpOf(w.server.k)); // breaks WSK-INSPECT-ID-AFTER-RETURN
    },
    twin: async (w) => {
      const { Listen, Id } = await pended(w);
      const Irp = irpOf(w.server.k);
      expect(L(Listen).WskInspectComplete(Listen, Id, WskInspectAccept, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-INSPECT-COMPLETE-TWICE',
    breaks: async (w) => {
      const { Listen, Id } = await pended(w);
      L(Listen).WskInspectComplete(Listen, Id, WskInspectReject, irpOf(w.server.k));
      L(Listen).WskInspectComplete(Listen, Id, WskInspectReject, irpOf(w.server.k)); // breaks WSK-INSPECT-COMPLETE-TWICE
    },
    twin: async (w) => {
      const { Listen, Id } = await pended(w);
      const Irp = irpOf(w.server.k);
      expect(L(Listen).WskInspectComplete(Listen, Id, WskInspectReject, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-INSPECT-COMPLETE-ACTION',
    breaks: async (w) => {
      const { Listen, Id } = await pended(w);
      L(Listen).WskInspectComplete(Listen, Id, WskInspectPend, irpOf(w.server.k)); // breaks WSK-INSPECT-COMPLETE-ACTION
    },
    twin: async (w) => {
      const { Listen, Id } = await pended(w);
      const Irp = irpOf(w.server.k);
      expect(L(Listen).WskInspectComplete(Listen, Id, WskInspectAccept, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-INSPECT-UNKNOWN-ID',
    breaks: async (w) => {
      const { Listen, Id } = await pended(w);
      const Other = new WSK_INSPECT_ID(Id.Key, Id.SerialNumber + 1);
      L(Listen).WskInspectComplete(Listen, Other, WskInspectAccept, irpOf(w.server.k)); // breaks WSK-INSPECT-UNKNOWN-ID
    },
    twin: async (w) => {
      const { Listen, Id } = await pended(w);
      const Same = new WSK_INSPECT_ID(Id.Key, Id.SerialNumber);
      const Irp = irpOf(w.server.k);
      expect(L(Listen).WskInspectComplete(Listen, Same, WskInspectAccept, Irp)).toBe(STATUS_SUCCESS);
    },
  },
  // ---- the data path (docs/model.md#the-data-path) ------------------------------------------
  {
    rule: 'WSK-DATA-FLAGS',
    breaks: async (w) => {
      const { Server } = await acceptedWith(w, connectionDispatch({}), 0);
      const Flags = WSK_FLAG_WAITALL | WSK_FLAG_DRAIN; // exclusive (docs/model.md#wskreceive)
      C(Server).WskReceive(Server, { Mdl: null, Offset: 0, Length: 0 }, Flags, w.server.irp('r')); // breaks WSK-DATA-FLAGS
    },
    twin: async (w) => {
      const { Server } = await acceptedWith(w, connectionDispatch({}), 0);
      const Flags = WSK_FLAG_DRAIN;
      C(Server).WskReceive(Server, { Mdl: null, Offset: 0, Length: 0 }, Flags, w.server.irp('r'));
    },
  },
  {
    rule: 'WSK-BUF-INVALID',
    breaks: async (w) => {
      const { Client } = await acceptedWith(w, connectionDispatch({}), 0);
      const Irp = w.client.irp('send');
      C(Client).WskSend(Client, { Mdl: null, Offset: 0, Length: 4 }, 0, Irp); // breaks WSK-BUF-INVALID
    },
    twin: async (w) => {
      const { Client } = await acceptedWith(w, connectionDispatch({}), 0);
      const Data = new Uint8Array(4);
      const Mdl = w.client.k.IoAllocateMdl(Data, 4, false, false, null);
      C(Client).WskSend(Client, { Mdl, Offset: 0, Length: 4 }, 0, w.client.irp('send'));
    },
  },
  {
    rule: 'WSK-RELEASE-NOT-RETAINED',
    breaks: async (w) => {
      const kept: WSK_DATA_INDICATION[] = [];
      const Dispatch = connectionDispatch({
        WskReceiveEvent: (_c, _f, Indication) => {
          if (Indication !== null) kept.push(Indication);
          return STATUS_PENDING;
        },
      });
      const { Client, Server } = await acceptedWith(w, Dispatch, WSK_EVENT_RECEIVE);
      sendText(w.client, Client, 'data');
      await w.sim.run({ until: '200ms' });
      const Indication = kept[0] as WSK_DATA_INDICATION;
      expect(C(Server).WskRelease(Server, Indication)).toBe(STATUS_SUCCESS);
      C(Server).WskRelease(Server, Indication); // breaks WSK-RELEASE-NOT-RETAINED
    },
    twin: async (w) => {
      const kept: WSK_DATA_INDICATION[] = [];
      const Dispatch = connectionDispatch({
        WskReceiveEvent: (_c, _f, Indication) => {
          if (Indication !== null) kept.push(Indication);
          return STATUS_PENDING;
        },
      });
      const { Client, Server } = await acceptedWith(w, Dispatch, WSK_EVENT_RECEIVE);
      sendText(w.client, Client, 'data');
      await w.sim.run({ until: '200ms' });
      expect(C(Server).WskRelease(Server, kept[0] as WSK_DATA_INDICATION)).toBe(STATUS_SUCCESS);
    },
  },
  {
    rule: 'WSK-INDICATION-NOT-RELEASED',
    breaks: async (w) => {
      const Dispatch = connectionDispatch({ WskReceiveEvent: () => STATUS_PENDING });
      const { Client, Server } = await acceptedWith(w, Dispatch, WSK_EVENT_RECEIVE);
      sendText(w.client, Client, 'data');
      await w.sim.run({ until: '200ms' });
      C(Server).WskCloseSocket(Server, w.server.irp('close')); // breaks WSK-INDICATION-NOT-RELEASED
    },
    twin: async (w) => {
      const kept: WSK_DATA_INDICATION[] = [];
      const Dispatch = connectionDispatch({
        WskReceiveEvent: (_c, _f, Indication) => {
          if (Indication !== null) kept.push(Indication);
          return STATUS_PENDING;
        },
      });
      const { Client, Server } = await acceptedWith(w, Dispatch, WSK_EVENT_RECEIVE);
      sendText(w.client, Client, 'data');
      await w.sim.run({ until: '200ms' });
      for (const Indication of kept) C(Server).WskRelease(Server, Indication);
      C(Server).WskCloseSocket(Server, w.server.irp('close'));
    },
  },
  {
    rule: 'WSK-RECEIVE-EVENT-RETURN',
    breaks: async (w) => {
      const Dispatch = connectionDispatch({
        WskReceiveEvent: () => {
          return STATUS_INVALID_PARAMETER; // breaks WSK-RECEIVE-EVENT-RETURN
        },
      });
      const { Client } = await acceptedWith(w, Dispatch, WSK_EVENT_RECEIVE);
      sendText(w.client, Client, 'data');
      await w.sim.run({ until: '200ms' });
    },
    reportedAt: 'none',
    twin: async (w) => {
      const Dispatch = connectionDispatch({
        WskReceiveEvent: () => {
          return STATUS_DATA_NOT_ACCEPTED;
        },
      });
      const { Client } = await acceptedWith(w, Dispatch, WSK_EVENT_RECEIVE);
      sendText(w.client, Client, 'data');
      await w.sim.run({ until: '200ms' });
    },
  },
  {
    rule: 'WSK-DISCONNECT-EVENT-RETURN',
    breaks: async (w) => {
      const Dispatch = connectionDispatch({
        WskDisconnectEvent: () => {
          return STATUS_PENDING; // breaks WSK-DISCONNECT-EVENT-RETURN
        },
      });
      const { Client } = await acceptedWith(w, Dispatch, WSK_EVENT_DISCONNECT);
      C(Client).WskDisconnect(Client, null, 0, w.client.irp('disconnect'));
      await w.sim.run({ until: '200ms' });
    },
    reportedAt: 'none',
    twin: async (w) => {
      const Dispatch = connectionDispatch({
        WskDisconnectEvent: () => {
          return STATUS_SUCCESS;
        },
      });
      const { Client } = await acceptedWith(w, Dispatch, WSK_EVENT_DISCONNECT);
      C(Client).WskDisconnect(Client, null, 0, w.client.irp('disconnect'));
      await w.sim.run({ until: '200ms' });
    },
  },
  {
    rule: 'WSK-SEND-BACKLOG-EVENT-RETURN',
    // The server's ACK of the data opens a window wider than its SYN-ACK's: the backlog grows.
    tcp: { serverTcp: { receiveBuffer: 262144 }, clientTcp: { sendWindowLimit: 1048576 } },
    breaks: async (w) => {
      const Dispatch = connectionDispatch({
        WskSendBacklogEvent: () => {
          return STATUS_DATA_NOT_ACCEPTED; // breaks WSK-SEND-BACKLOG-EVENT-RETURN
        },
      });
      const Client = await connectedWith(w, Dispatch, WSK_EVENT_SEND_BACKLOG);
      sendText(w.client, Client, 'data');
      await w.sim.run({ until: '200ms' });
    },
    reportedAt: 'none',
    twin: async (w) => {
      let told = 0;
      const Dispatch = connectionDispatch({
        WskSendBacklogEvent: (_context, IdealBacklogSize) => {
          told = IdealBacklogSize;
          return STATUS_SUCCESS;
        },
      });
      const Client = await connectedWith(w, Dispatch, WSK_EVENT_SEND_BACKLOG);
      sendText(w.client, Client, 'data');
      await w.sim.run({ until: '200ms' });
      expect(told).toBeGreaterThan(65535);
    },
  },
];

type Reported = readonly [rule: string, site: string | undefined];

function violationsOf(w: World): Reported[] {
  return [w.server, w.client].flatMap((d) => d.k.violations.map((v) => [v.rule, v.site] as const));
}

function advisoriesOf(w: World): Reported[] {
  return [w.server, w.client].flatMap((d) => d.k.advisories.map((a) => [a.rule, a.site] as const));
}

describe('verifier: WSK rules checked at the call', () => {
  for (const c of CASES) {
    const channel = RULES.get(c.rule)?.channel;

    it(`${c.rule}: the breaking driver is reported at its line`, async () => {
      expect(channel).toBeDefined();
      const w = world({ ...c.tcp, kernel: c.kernel ?? {} });
      await c.breaks(w);
      const site = c.reportedAt === 'none' ? undefined : siteOf(c.rule, c.reportedAt);
      const expected: Reported = [c.rule, site];
      if (channel === 'violation') {
        expect(violationsOf(w)).toEqual([expected]);
        expect(w.sim.core.failure?.details?.rule).toBe(c.rule);
      } else {
        expect(violationsOf(w)).toEqual([]);
        expect(advisoriesOf(w).filter(([rule]) => rule === c.rule)).toEqual([expected]);
      }
    });

    it(`${c.rule}: the correct twin reports nothing`, async () => {
      const w = world({ ...c.tcp, kernel: c.kernel ?? {} });
      await c.twin(w);
      expect(violationsOf(w)).toEqual([]);
      expect(advisoriesOf(w)).toEqual([]);
      expect(w.sim.core.failure).toBeNull();
    });
  }
});

// ---- rules checked at the end of a run ---------------------------------------------------

interface Session {
  readonly Registration: WSK_REGISTRATION;
  readonly Dispatch: WSK_PROVIDER_DISPATCH;
  readonly Client: NonNullable<WSK_PROVIDER_NPI['Client']>;
}

/** WskRegister and WskCaptureProviderNPI, from DriverEntry. */
async function attach(k: Kernel): Promise<Session> {
  const Registration = new WSK_REGISTRATION();
  expect(k.WskRegister(clientNpi(), Registration)).toBe(STATUS_SUCCESS);
  const Npi = new WSK_PROVIDER_NPI();
  expect(await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi)).toBe(STATUS_SUCCESS);
  return { Registration, Dispatch: Npi.Dispatch!, Client: Npi.Client! };
}

/** WskReleaseProviderNPI, then WskDeregister (waiting in the system thread). */
async function detach(k: Kernel, s: Session): Promise<void> {
  k.WskReleaseProviderNPI(s.Registration);
  await k.WskDeregister(s.Registration);
}

/** Runs one socket call on a fresh IRP that completes inline; frees the IRP; its Information. */
function inline(k: Kernel, call: (Irp: IRP) => unknown): unknown {
  const Irp = irpOf(k);
  call(Irp);
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  const Information = Irp.IoStatus.Information;
  k.IoFreeIrp(Irp);
  return Information;
}

function newListener(k: Kernel, s: Session): PWSK_SOCKET {
  const Listen = inline(k, (Irp) =>
    s.Dispatch.WskSocket(
      s.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null, null,
      null, Irp,
    ),
  ) as PWSK_SOCKET;
  inline(k, (Irp) => L(Listen).WskBind(Listen, sockaddr('0.0.0.0:80'), 0, Irp));
  return Listen;
}

function closeSocket(k: Kernel, Socket: PWSK_SOCKET): void {
  inline(k, (Irp) => L(Socket).WskCloseSocket(Socket, Irp));
}

interface LeakCase {
  readonly rule: string;
  /** The first end-of-run line, before its site: the object, its state and since when. */
  readonly says: string;
  /** A client host (10.0.0.1) whose TCP stack connects to the server's port 80 at 10 ms. */
  readonly client?: boolean;
  /** DriverEntry of the breaking driver; its allocation is on the line marked for the rule. */
  readonly breaks: (k: Kernel) => Promise<void>;
  /** DriverEntry of the twin, which cleans up before it returns. */
  readonly twin: (k: Kernel) => Promise<void>;
}

const LEAKS: readonly LeakCase[] = [
  {
    rule: 'WSK-INSPECTION-PENDED',
    says:
      'WSK-INSPECTION-PENDED server: inspection {Key 1, SerialNumber 2} on socket #1 never ' +
      'completed or aborted; pended since 0.011000s',
    client: true,
    breaks: async (k) => {
      const s = await attach(k);
      const Listen = inline(k, (Irp) =>
        s.Dispatch.WskSocket( // breaks WSK-INSPECTION-PENDED
          s.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null,
          inspectDispatch(pending), null, null, null, Irp,
        ),
      ) as PWSK_SOCKET;
      inline(k, (Irp) => L(Listen).WskControlSocket(...setOption(Listen, SO_CONDITIONAL_ACCEPT, { value: 1 }, Irp)));
      inline(k, (Irp) => L(Listen).WskBind(Listen, sockaddr('0.0.0.0:80'), 0, Irp));
      // Pends the request and never decides; the listening socket stays open.
    },
    twin: async (k) => {
      const s = await attach(k);
      const Done = new KEVENT();
      k.KeInitializeEvent(Done, NotificationEvent, false);
      let Id: WSK_INSPECT_ID | null = null;
      const Dispatch = inspectDispatch((_context, _local, _remote, InspectID) => {
        Id = InspectID === null ? null : { ...InspectID };
        k.KeSetEvent(Done, IO_NO_INCREMENT, false);
        return WskInspectPend;
      });
      const Listen = inline(k, (Irp) =>
        s.Dispatch.WskSocket(
          s.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, Dispatch,
          null, null, null, Irp,
        ),
      ) as PWSK_SOCKET;
      inline(k, (Irp) => L(Listen).WskControlSocket(...setOption(Listen, SO_CONDITIONAL_ACCEPT, { value: 1 }, Irp)));
      inline(k, (Irp) => L(Listen).WskBind(Listen, sockaddr('0.0.0.0:80'), 0, Irp));
      await k.KeWaitForSingleObject(Done, Executive, KernelMode, false, null);
      const Pended = Id as unknown as WSK_INSPECT_ID;
      inline(k, (Irp) => L(Listen).WskInspectComplete(Listen, Pended, WskInspectReject, Irp));
      closeSocket(k, Listen);
      await detach(k, s);
    },
  },
  {
    rule: 'IRP-LEAKED',
    says:
      'IRP-LEAKED server: IRP #1 never freed; idle since 0.000000s',
    breaks: async (k) => {
      const s = await attach(k);
      k.IoAllocateIrp(1, false); // breaks IRP-LEAKED
      await detach(k, s);
    },
    twin: async (k) => {
      const s = await attach(k);
      const Irp = k.IoAllocateIrp(1, false);
      if (Irp !== null) k.IoFreeIrp(Irp);
      await detach(k, s);
    },
  },
  {
    rule: 'IRP-NEVER-COMPLETED',
    says:
      'IRP-NEVER-COMPLETED server: IRP #3 (WskAccept) never completed; pending since 0.000000s',
    breaks: async (k) => {
      const s = await attach(k);
      const Listen = newListener(k, s);
      const Accept = k.IoAllocateIrp(1, false) as IRP; // breaks IRP-NEVER-COMPLETED
      k.IoSetCompletionRoutine(Accept, quiet, null, true, true, true);
      L(Listen).WskAccept(Listen, 0, null, null, null, null, Accept); // no client ever connects
    },
    twin: async (k) => {
      const s = await attach(k);
      const Listen = newListener(k, s);
      const Accept = k.IoAllocateIrp(1, false) as IRP;
      k.IoSetCompletionRoutine(Accept, quiet, null, true, true, true);
      L(Listen).WskAccept(Listen, 0, null, null, null, null, Accept);
      closeSocket(k, Listen); // completes the pending WskAccept with STATUS_CANCELLED
      expect(Accept.IoStatus.Status).toBe(STATUS_CANCELLED);
      k.IoFreeIrp(Accept);
      await detach(k, s);
    },
  },
  {
    rule: 'POOL-LEAKED',
    says:
      'POOL-LEAKED server: pool tag Vwsk, 64 bytes never freed',
    breaks: async (k) => {
      const s = await attach(k);
      k.ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'Vwsk'); // breaks POOL-LEAKED
      await detach(k, s);
    },
    twin: async (k) => {
      const s = await attach(k);
      const Block = k.ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'Vwsk');
      if (Block !== null) k.ExFreePoolWithTag(Block, 'Vwsk');
      await detach(k, s);
    },
  },
  {
    rule: 'WSK-SOCKET-LEAKED',
    says:
      'WSK-SOCKET-LEAKED server: listen socket #1 never closed; open since 0.000000s',
    breaks: async (k) => {
      const s = await attach(k);
      const Irp = irpOf(k);
      s.Dispatch.WskSocket( // breaks WSK-SOCKET-LEAKED
        s.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null, null,
        null, Irp,
      );
      expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
      k.IoFreeIrp(Irp);
      await detach(k, s); // WskDeregister waits for the socket's close, forever
    },
    twin: async (k) => {
      const s = await attach(k);
      const Irp = irpOf(k);
      s.Dispatch.WskSocket(
        s.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null, null, null, null,
        null, Irp,
      );
      expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
      const Socket = Irp.IoStatus.Information as PWSK_SOCKET;
      k.IoFreeIrp(Irp);
      closeSocket(k, Socket);
      await detach(k, s);
    },
  },
  {
    rule: 'WSK-NOT-DEREGISTERED',
    says:
      'WSK-NOT-DEREGISTERED server: WskRegister without WskDeregister returning; registered ' +
      'since 0.000000s',
    breaks: async (k) => {
      const Registration = new WSK_REGISTRATION();
      k.WskRegister(clientNpi(), Registration); // breaks WSK-NOT-DEREGISTERED
      const Npi = new WSK_PROVIDER_NPI();
      expect(await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi)).toBe(
        STATUS_SUCCESS,
      );
      k.WskReleaseProviderNPI(Registration);
    },
    twin: async (k) => {
      const Registration = new WSK_REGISTRATION();
      k.WskRegister(clientNpi(), Registration);
      const Npi = new WSK_PROVIDER_NPI();
      expect(await k.WskCaptureProviderNPI(Registration, WSK_INFINITE_WAIT, Npi)).toBe(
        STATUS_SUCCESS,
      );
      k.WskReleaseProviderNPI(Registration);
      await k.WskDeregister(Registration);
    },
  },
];

/**
 * One host with a TCP stack and a kernel whose calls complete inline, running `entry`; with
 * `client`, a second host whose stack connects to it at 10 ms.
 */
function hostWith(sim: Simulation, entry: (k: Kernel) => Promise<void>, client = false): void {
  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
  sim.tcp('server');
  sim.kernel('server', { pendingCompletions: 0 });
  sim.load('server', entry);
  if (!client) return;
  sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
  sim.addLink('client', 'server', { latency: '1ms' });
  const stack = sim.tcp('client');
  sim.at('10ms', 'connect', () => void stack.connect({ remote: { address: '10.0.0.2', port: 80 } }, {}));
}

/** With a client, the run stops at 1 s, before the pend lifetime (30 s) would abort. */
function leakScenario(name: string, entry: (k: Kernel) => Promise<void>, client = false) {
  return defineScenario({
    name,
    description: `verifier-wsk.test.ts: ${name}`,
    build: (sim) => {
      hostWith(sim, entry, client);
      return sim;
    },
    ...(client && { until: (sim: Simulation) => sim.now >= 1e9 }),
    settle: '1s',
  });
}

describe('verifier: rules checked at the end of a run', () => {
  for (const c of LEAKS) {
    const name = c.rule.toLowerCase();

    it(`${c.rule}: the breaking driver fails the run, naming its allocation site`, async () => {
      const scenario = leakScenario(`breaks-${name}`, c.breaks, c.client);
      const result = await runScenario(scenario, { seed: 1 });
      expect(result.status).toBe('failed');
      expect(result.failure?.kind).toBe('violation');
      expect(result.failure?.details?.rule).toBe(c.rule);
      expect(result.failure?.details?.site).toBe(siteOf(c.rule));
      expect(result.failure?.details?.outstanding?.[0]).toBe(`${c.says} (${siteOf(c.rule)})`);
    });

    it(`${c.rule}: the correct twin cleans up and passes`, async () => {
      const result = await runScenario(leakScenario(`twin-${name}`, c.twin, c.client), { seed: 1 });
      expect(result.failure).toBeUndefined();
      expect(result.status).toBe('passed');
      expect(result.advisories).toEqual([]);
    });
  }
});

// ---- the catalogue and the scenario lock ---------------------------------------------------

describe('verifier: coverage of the catalogue', () => {
  it('every WSK-* rule and the three leak rules have a case here, and nothing else', () => {
    const covered = [...CASES, ...LEAKS].map((c) => c.rule);
    expect(new Set(covered).size).toBe(covered.length);
    // The datagram rules' cases are verifier-datagram.test.ts's, which checks their coverage.
    const wanted = [...RULES.keys()].filter(
      (id) => id.startsWith('WSK-') && !id.startsWith('WSK-DATAGRAM-'),
    );
    wanted.push('IRP-LEAKED', 'IRP-NEVER-COMPLETED', 'POOL-LEAKED');
    expect([...covered].sort()).toEqual(wanted.sort());
    for (const rule of covered) expect(() => lineOf(rule)).not.toThrow();
  });

  it('lineOf throws for a rule without a marker', () => {
    expect(() => lineOf('NO-SUCH-RULE')).toThrow(/^0 lines of test\/wsk\/verifier-wsk.test.ts end in '\/\/ breaks NO-SUCH-RULE'/);
  });

  it('a scenario lowering a rule fails: config, naming kernel(<host>).disabledRules', async () => {
    const scenario = defineScenario({
      name: 'lowers-a-rule',
      description: 'verifier-wsk.test.ts: switches POOL-LEAKED off',
      build: (sim) => {
        sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
        sim.kernel('server', { disabledRules: ['POOL-LEAKED'] });
      },
    });
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.status).toBe('failed');
    expect(result.failure?.kind).toBe('config');
    expect(result.failure?.message).toContain('kernel(server).disabledRules');
  });
});
