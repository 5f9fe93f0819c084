/**
 * Conditional accept end to end (docs/model.md#conditional-accept; docs/tcp.md#deferred-accept,
 * #scenario-expectations, S8–S10; docs/policies.md#conditional-accept-policies): every row of the
 * table in docs/model.md#inspect-pend-complete-abort as the exact sequence of callbacks and IRP
 * completions with their virtual times, what the client sees, and the segments on the wire.
 *
 * The world (support.ts): client 10.0.0.1 (windows10: SYNs at 0, 1, 3, 7, 15 s, gives up at
 * 21 s; after a RST it retries 0.5 s later, four times) and server 10.0.0.2 on a 5 ms link.
 * A client SYN sent at 0 reaches the server at 5 ms, when WskInspectEvent runs. The server's
 * log holds its callbacks and IRP completions in order: '<what> @<ms>'.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/simulation.ts';
import { NO_OPTIONS, TcpSegment } from '../../src/tcp/payload.ts';
import { ACK, RST, SYN } from '../../src/tcp/segment.ts';
import { packetRecords, type Host } from '../../src/topology/index.ts';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_TCP,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  InspectAccept,
  InspectPend,
  InspectReject,
  IRP,
  NPI_WSK_INTERFACE_ID,
  SIO_WSK_QUERY_INSPECT_ID,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_CONDITIONAL_ACCEPT,
  SO_WSK_EVENT_CALLBACK,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_CONNECTION_REFUSED,
  STATUS_FILE_FORCED_CLOSED,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_IO_TIMEOUT,
  STATUS_SUCCESS,
  WSK_EVENT_ACCEPT,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_INSPECT_ID,
  WskInspectAccept,
  WskInspectPend,
  WskInspectReject,
  WskIoctl,
  WskSetOption,
  sockaddr,
  sockaddrText,
  statusName,
  type NTSTATUS,
  type PWSK_SOCKET,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_INSPECT_ACTION,
  type WSK_PROVIDER_BASIC_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';
import { MS, driver, socketConnect, world, type Driver } from './support.ts';

const L = (Socket: PWSK_SOCKET) => Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;

const ACTION_NAMES = ['reject', 'accept', 'pend'];

/** A conditional listening socket and what its callbacks saw. */
interface Conditional {
  readonly listen: PWSK_SOCKET;
  /** Copies of the IDs WskInspectEvent was given, in order (null for the NULL indication). */
  readonly ids: (WSK_INSPECT_ID | null)[];
  /** The remote address of each inspection, copied during the call. */
  readonly remotes: string[];
  /** Sockets WskAcceptEvent was given. */
  readonly accepted: (PWSK_SOCKET | null)[];
}

/**
 * A listening socket with SO_CONDITIONAL_ACCEPT (set with an IRP before bind) bound to
 * `address`. WskInspectEvent answers `answer(n)` for the n-th request (from 0) and logs
 * 'inspect #n <action> @ms'; WskAbortEvent logs 'abort #n @ms', n found by comparing IDs by
 * content as the documentation says. The setup's own completions are taken off the log.
 */
function conditional(
  d: Driver,
  answer: (n: number) => WSK_INSPECT_ACTION,
  options: { address?: string; family?: number; acceptEvent?: boolean; dualStack?: boolean } = {},
): Conditional {
  const ids: (WSK_INSPECT_ID | null)[] = [];
  const remotes: string[] = [];
  const accepted: (PWSK_SOCKET | null)[] = [];
  const now = () => d.k.sim.now / MS;
  const indexOf = (Id: WSK_INSPECT_ID) =>
    ids.findIndex((c) => c !== null && c.Key === Id.Key && c.SerialNumber === Id.SerialNumber);
  const Dispatch: WSK_CLIENT_LISTEN_DISPATCH = {
    WskAcceptEvent: (_ctx, _flags, _local, RemoteAddress, AcceptSocket, _c, _d) => {
      d.log.push(`accept-event ${sockaddrText(RemoteAddress)} @${now()}`);
      accepted.push(AcceptSocket);
      return STATUS_SUCCESS;
    },
    WskInspectEvent: (_ctx, _local, RemoteAddress, InspectID) => {
      if (InspectID === null) {
        ids.push(null);
        d.log.push(`inspect NULL @${now()}`);
        return WskInspectReject;
      }
      const n = ids.push({ ...InspectID }) - 1;
      remotes.push(sockaddrText(RemoteAddress));
      const action = answer(n);
      d.log.push(`inspect #${n} ${ACTION_NAMES[action] ?? action} @${now()}`);
      return action;
    },
    WskAbortEvent: (_ctx, InspectID) => {
      d.log.push(`abort #${indexOf(InspectID)} @${now()}`);
      return STATUS_SUCCESS;
    },
  };
  const family = options.family ?? AF_INET;
  const Irp = d.irp('socket');
  d.Dispatch.WskSocket(
    d.Npi.Client!, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, 'listen-ctx',
    Dispatch, null, null, null, Irp,
  );
  const listen = Irp.IoStatus.Information as PWSK_SOCKET;
  expect(setUlong(d, listen, SO_CONDITIONAL_ACCEPT, 1)).toBe(STATUS_SUCCESS);
  if (options.dualStack === true) {
    const Level = IPPROTO_IPV6;
    const off = { value: 0 };
    L(listen).WskControlSocket(listen, WskSetOption, IPV6_V6ONLY, Level, 4, off, 0, null, null, null);
  }
  const bound = d.irp('bind');
  L(listen).WskBind(listen, sockaddr(options.address ?? '0.0.0.0:80'), 0, bound);
  expect(bound.IoStatus.Status).toBe(STATUS_SUCCESS);
  if (options.acceptEvent === true) {
    const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_ACCEPT };
    const status = L(listen).WskControlSocket(
      listen, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, control, 0, null, null, null,
    );
    expect(status).toBe(STATUS_SUCCESS);
  }
  d.log.splice(0);
  return { listen, ids, remotes, accepted };
}

function setUlong(d: Driver, Socket: PWSK_SOCKET, code: number, value: number): NTSTATUS {
  const Irp = d.irp('option');
  const input = { value };
  L(Socket).WskControlSocket(Socket, WskSetOption, code, SOL_SOCKET, 4, input, 0, null, null, Irp);
  return Irp.IoStatus.Status;
}

function complete(d: Driver, c: Conditional, n: number, Action: WSK_INSPECT_ACTION): NTSTATUS {
  const Id = c.ids[n];
  if (Id === null || Id === undefined) throw new Error(`no inspection #${n}`);
  return L(c.listen).WskInspectComplete(c.listen, { ...Id }, Action, d.irp(`complete #${n}`));
}

function acceptIrp(d: Driver, Listen: PWSK_SOCKET, name = 'accept'): IRP {
  const Irp = d.irp(name);
  L(Listen).WskAccept(Listen, 0, null, null, null, null, Irp);
  return Irp;
}

function closeSocket(d: Driver, Socket: PWSK_SOCKET, name = 'close'): NTSTATUS {
  return L(Socket).WskCloseSocket(Socket, d.irp(name));
}

/** SIO_WSK_QUERY_INSPECT_ID on `Socket`: its status and what it wrote. */
function queryId(Socket: PWSK_SOCKET, OutputSize = 16) {
  const Output = new WSK_INSPECT_ID();
  const returned = { value: -1 };
  const status = (Socket.Dispatch as WSK_PROVIDER_BASIC_DISPATCH).WskControlSocket(
    Socket, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, null, OutputSize, Output, returned, null,
  );
  return { status, id: { ...Output }, size: returned.value };
}

/** Segments on the wire: '<ms> <source>><target> <flags>' (numbers left out). */
function wire(sim: Simulation): string[] {
  return packetRecords(sim.records())
    .filter((r) => r.phase === 'sent')
    .map((r) => `${r.at / MS} ${r.source}>${r.target} ${String(r.info).split(' ')[0]}`);
}

/** The client's connect: WskSocketConnect from 10.0.0.1 to the server's port 80. */
function connect(d: Driver, name = 'connect') {
  return socketConnect(d, '0.0.0.0:0', '10.0.0.2:80', 0, name);
}

/** A server world whose client host has no TCP stack: the test writes its segments by hand. */
function rawClientWorld(): { sim: Simulation; server: Driver; client: Host } {
  const sim = new Simulation({ seed: 3, keepTrace: true });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
  const client = sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
  sim.addLink('client', 'server', { latency: '5ms' });
  sim.tcp('server');
  return { sim, server: driver(sim, 'server', { pendingCompletions: 0 }), client };
}

const CLIENT_ISN = 7777;

/** A segment from the raw client's port 40000 to the server's port 80. */
function rawSegment(flags: number, seq: number, ack = 0): TcpSegment {
  const options = (flags & SYN) !== 0 ? { mss: 1460 } : NO_OPTIONS;
  return new TcpSegment(
    '10.0.0.1', '10.0.0.2', 40000, 80, seq, ack, flags, 64240, options, new Uint8Array(0),
    CLIENT_ISN, 0,
  );
}

function sendRaw(client: Host, segment: TcpSegment): void {
  client.send('10.0.0.1', '10.0.0.2', 40, segment);
}

// ---- tests ------------------------------------------------------------------------------------

describe('conditional accept: the life of a request', () => {
  it('accept: WskInspectEvent before any SYN-ACK; handshake; the queued WskAccept IRP completes', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectAccept);
    const Irp = acceptIrp(server, c.listen);
    connect(client);
    await sim.run({ until: '1s' });
    expect(server.log).toEqual(['inspect #0 accept @5', 'accept STATUS_SUCCESS @15']);
    expect(client.log).toEqual(['connect STATUS_SUCCESS @10']);
    expect(wire(sim)).toEqual([
      '0 10.0.0.1>10.0.0.2 SYN', '5 10.0.0.2>10.0.0.1 SYN,ACK', '10 10.0.0.1>10.0.0.2 ACK',
    ]);
    expect(c.remotes[0]).toMatch(/^10\.0\.0\.1:\d+$/);
    // The accepted socket answers SIO_WSK_QUERY_INSPECT_ID with its request's ID
    // (docs/model.md#socket-options-and-control).
    const socket = Irp.IoStatus.Information as PWSK_SOCKET;
    expect(queryId(socket)).toEqual({ status: STATUS_SUCCESS, id: { ...c.ids[0] }, size: 16 });
    expect(queryId(socket, 8).status).toBe(STATUS_BUFFER_TOO_SMALL);
    expect(server.k.advisories).toEqual([]);
  });

  it('reject: RST,ACK to each SYN; the windows10 client retries: five inspections, refused at ≈2 s (S10)', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectReject);
    acceptIrp(server, c.listen);
    connect(client);
    await sim.run({ until: '5s' });
    expect(server.log).toEqual([
      'inspect #0 reject @5', 'inspect #1 reject @505', 'inspect #2 reject @1005',
      'inspect #3 reject @1505', 'inspect #4 reject @2005',
    ]);
    expect(client.log).toEqual(['connect STATUS_CONNECTION_REFUSED @2010']);
    expect(wire(sim).filter((line) => line.includes('10.0.0.2>'))).toEqual([
      '5 10.0.0.2>10.0.0.1 RST,ACK', '505 10.0.0.2>10.0.0.1 RST,ACK', '1005 10.0.0.2>10.0.0.1 RST,ACK',
      '1505 10.0.0.2>10.0.0.1 RST,ACK', '2005 10.0.0.2>10.0.0.1 RST,ACK',
    ]);
    // Each SYN is a new request with its own ID; neither accept nor abort follows a reject.
    const serials = c.ids.map((id) => id?.SerialNumber);
    expect(new Set(serials).size).toBe(5);
  });

  it('reject with the silent-drop policy: nothing on the wire; one inspection per SYN; timed out at 21 s', async () => {
    const { sim, server, client } = world({ serverTcp: { rejectAnswer: 'silent' } });
    conditional(server, () => WskInspectReject);
    connect(client);
    await sim.run({ until: '30s' });
    expect(server.log).toEqual([
      'inspect #0 reject @5', 'inspect #1 reject @1005', 'inspect #2 reject @3005',
      'inspect #3 reject @7005', 'inspect #4 reject @15005',
    ]);
    expect(wire(sim).filter((line) => line.includes('10.0.0.2>'))).toEqual([]);
    expect(client.log).toEqual([`connect ${statusName(STATUS_IO_TIMEOUT)} @21000`]);
  });

  it('pend, then accept at 300 ms: no SYN-ACK until the decision; connect completes at 305 ms (S8)', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectPend);
    acceptIrp(server, c.listen);
    connect(client);
    sim.at('300ms', 'decide', () => {
      expect(complete(server, c, 0, WskInspectAccept)).toBe(STATUS_SUCCESS);
    });
    await sim.run({ until: '2s' });
    expect(server.log).toEqual([
      'inspect #0 pend @5', 'complete #0 STATUS_SUCCESS @300', 'accept STATUS_SUCCESS @310',
    ]);
    expect(client.log).toEqual(['connect STATUS_SUCCESS @305']);
    expect(wire(sim)).toEqual([
      '0 10.0.0.1>10.0.0.2 SYN', '300 10.0.0.2>10.0.0.1 SYN,ACK', '305 10.0.0.1>10.0.0.2 ACK',
    ]);
  });

  it('pend, SYN retransmissions absorbed, then accept at 3.5 s: one inspection for three SYNs', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectPend);
    acceptIrp(server, c.listen);
    connect(client);
    sim.at('3500ms', 'decide', () => void complete(server, c, 0, WskInspectAccept));
    await sim.run({ until: '5s' });
    expect(server.log).toEqual([
      'inspect #0 pend @5', 'complete #0 STATUS_SUCCESS @3500', 'accept STATUS_SUCCESS @3510',
    ]);
    expect(wire(sim)).toEqual([
      '0 10.0.0.1>10.0.0.2 SYN', '1000 10.0.0.1>10.0.0.2 SYN', '3000 10.0.0.1>10.0.0.2 SYN',
      '3500 10.0.0.2>10.0.0.1 SYN,ACK', '3505 10.0.0.1>10.0.0.2 ACK',
    ]);
  });

  it('pend, then reject: RST,ACK then; the client retries and is inspected afresh', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, (n) => (n === 0 ? InspectPend : InspectAccept));
    acceptIrp(server, c.listen);
    connect(client);
    sim.at('300ms', 'decide', () => void complete(server, c, 0, WskInspectReject));
    await sim.run({ until: '2s' });
    expect(server.log).toEqual([
      'inspect #0 pend @5', 'complete #0 STATUS_SUCCESS @300', 'inspect #1 accept @505',
      'accept STATUS_SUCCESS @515',
    ]);
    expect(wire(sim).slice(0, 3)).toEqual([
      '0 10.0.0.1>10.0.0.2 SYN', '300 10.0.0.2>10.0.0.1 RST,ACK', '500 10.0.0.1>10.0.0.2 SYN',
    ]);
    expect(client.log).toEqual(['connect STATUS_SUCCESS @510']);
    expect(c.ids[1]?.SerialNumber).not.toBe(c.ids[0]?.SerialNumber);
  });

  it('pend, then the client sends RST: WskAbortEvent; WskInspectComplete(accept) after it succeeds and sends nothing', async () => {
    const { sim, server, client } = rawClientWorld();
    const c = conditional(server, () => InspectPend);
    const Irp = acceptIrp(server, c.listen);
    sendRaw(client, rawSegment(SYN, CLIENT_ISN));
    sim.at('200ms', 'client rst', () => sendRaw(client, rawSegment(RST, CLIENT_ISN + 1)));
    sim.at('400ms', 'decide', () => {
      expect(complete(server, c, 0, WskInspectAccept)).toBe(STATUS_SUCCESS);
    });
    await sim.run({ until: '2s' });
    expect(server.log).toEqual([
      'inspect #0 pend @5', 'abort #0 @205', 'complete #0 STATUS_SUCCESS @400',
    ]);
    expect(wire(sim)).toEqual(['0 10.0.0.1>10.0.0.2 SYN', '200 10.0.0.1>10.0.0.2 RST']);
    expect(server.calls.has(Irp)).toBe(false); // no delivery
    expect(server.k.advisories).toEqual([]);
  });

  it('pend for good: the client gives up at 21 s, nothing on the wire; WskAbortEvent at 30.005 s; a late accept establishes nothing (S9)', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectPend);
    const Irp = acceptIrp(server, c.listen);
    connect(client);
    sim.at('40s', 'decide', () => {
      expect(complete(server, c, 0, WskInspectAccept)).toBe(STATUS_SUCCESS);
    });
    await sim.run({ until: '50s' });
    expect(client.log).toEqual([`connect ${statusName(STATUS_IO_TIMEOUT)} @21000`]);
    expect(server.log).toEqual([
      'inspect #0 pend @5', 'abort #0 @30005', 'complete #0 STATUS_SUCCESS @40000',
    ]);
    expect(wire(sim).every((line) => line.includes(' 10.0.0.1>10.0.0.2 SYN'))).toBe(true);
    expect(wire(sim)).toHaveLength(5);
    expect(server.calls.has(Irp)).toBe(false);
  });

  it('pend, accept after the client gave up (25 s): the SYN-ACK draws a RST; WskAbortEvent (S9)', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectPend);
    const Irp = acceptIrp(server, c.listen);
    connect(client);
    sim.at('25s', 'decide', () => void complete(server, c, 0, WskInspectAccept));
    await sim.run({ until: '40s' });
    expect(server.log).toEqual([
      'inspect #0 pend @5', 'complete #0 STATUS_SUCCESS @25000', 'abort #0 @25010',
    ]);
    expect(wire(sim).slice(-2)).toEqual([
      '25000 10.0.0.2>10.0.0.1 SYN,ACK', '25005 10.0.0.1>10.0.0.2 RST',
    ]);
    expect(server.calls.has(Irp)).toBe(false);
  });

  it('accept, then the handshake fails: SYN-ACKs at 5 ms, 1 s and 3 s unanswered; WskAbortEvent at 7 s, no delivery', async () => {
    const { sim, server, client } = rawClientWorld();
    const c = conditional(server, () => InspectAccept);
    const Irp = acceptIrp(server, c.listen);
    sendRaw(client, rawSegment(SYN, CLIENT_ISN));
    await sim.run({ until: '10s' });
    expect(server.log).toEqual(['inspect #0 accept @5', 'abort #0 @7005']);
    expect(wire(sim)).toEqual([
      '0 10.0.0.1>10.0.0.2 SYN', '5 10.0.0.2>10.0.0.1 SYN,ACK', '1005 10.0.0.2>10.0.0.1 SYN,ACK',
      '3005 10.0.0.2>10.0.0.1 SYN,ACK',
    ]);
    expect(server.calls.has(Irp)).toBe(false);
  });

  it('accept, handshake complete, reset before anyone accepts it: WskAbortEvent, never a delivery', async () => {
    const { sim, server, client } = rawClientWorld();
    const c = conditional(server, () => InspectAccept);
    sendRaw(client, rawSegment(SYN, CLIENT_ISN));
    await sim.run({ until: '100ms' });
    const synAck = packetRecords(sim.records()).find((r) => r.source === '10.0.0.2');
    const serverIsn = Number(/seq=(\d+)/.exec(String(synAck?.info))?.[1]);
    sendRaw(client, rawSegment(ACK, CLIENT_ISN + 1, serverIsn + 1));
    sim.at('200ms', 'rst', () =>
      sendRaw(client, rawSegment(RST | ACK, CLIENT_ISN + 1, serverIsn + 1)),
    );
    await sim.run({ until: '300ms' });
    const Irp = acceptIrp(server, c.listen);
    await sim.run({ until: '400ms' });
    expect(server.log).toEqual(['inspect #0 accept @5', 'abort #0 @205']);
    expect(server.calls.has(Irp)).toBe(false);
  });

  it('the listening socket closed with two inspections pended: an abort each before the close IRP completes; the next SYN meets a closed port', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectPend);
    const queued = acceptIrp(server, c.listen);
    connect(client, 'connect-a');
    sim.at('100ms', 'second', () => void connect(client, 'connect-b'));
    sim.at('500ms', 'close', () => {
      expect(closeSocket(server, c.listen)).toBe(STATUS_SUCCESS);
    });
    await sim.run({ until: '5s' });
    expect(server.log).toEqual([
      'inspect #0 pend @5', 'inspect #1 pend @105', 'accept STATUS_CANCELLED @500',
      'abort #0 @500', 'abort #1 @500', 'close STATUS_SUCCESS @500',
    ]);
    expect(server.calls.get(queued)).toBe(1);
    expect(wire(sim).filter((line) => line.startsWith('500 '))).toEqual([]);
    // The client's SYN retransmissions meet a closed port: RST,ACK, then the windows10 retries.
    expect(wire(sim).find((line) => line.includes('10.0.0.2>'))).toBe('1005 10.0.0.2>10.0.0.1 RST,ACK');
    expect(client.log).toEqual([
      'connect-a STATUS_CONNECTION_REFUSED @3010', 'connect-b STATUS_CONNECTION_REFUSED @3110',
    ]);
  });

  it('delivery through WskAcceptEvent; the ID matches SIO_WSK_QUERY_INSPECT_ID on that socket', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectAccept, { acceptEvent: true });
    connect(client);
    await sim.run({ until: '1s' });
    expect(server.log).toEqual(['inspect #0 accept @5', `accept-event ${c.remotes[0]} @15`]);
    const socket = c.accepted[0] as PWSK_SOCKET;
    expect(queryId(socket)).toEqual({ status: STATUS_SUCCESS, id: { ...c.ids[0] }, size: 16 });
  });

  it('a dual-stack AF_INET6 listener inspects an IPv4 request with IPv4-mapped addresses', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectAccept, {
      family: AF_INET6, address: '[::]:80', dualStack: true,
    });
    acceptIrp(server, c.listen);
    connect(client);
    await sim.run({ until: '1s' });
    expect(c.remotes[0]).toMatch(/^\[::ffff:10\.0\.0\.1\]:\d+$/);
    expect(server.log).toEqual(['inspect #0 accept @5', 'accept STATUS_SUCCESS @15']);
  });
});

describe('conditional accept: setup, misuse and the dead listener', () => {
  it('SO_CONDITIONAL_ACCEPT after bind: STATUS_INVALID_PARAMETER with an advisory; connections are not inspected', async () => {
    const { sim, server, client } = world();
    let inspected = 0;
    const Dispatch: WSK_CLIENT_LISTEN_DISPATCH = {
      WskAcceptEvent: null,
      WskInspectEvent: () => (inspected++, WskInspectAccept),
      WskAbortEvent: () => STATUS_SUCCESS,
    };
    const Irp = server.irp('socket');
    server.Dispatch.WskSocket(
      server.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, null,
      Dispatch, null, null, null, Irp,
    );
    const listen = Irp.IoStatus.Information as PWSK_SOCKET;
    const bound = server.irp('bind');
    L(listen).WskBind(listen, sockaddr('0.0.0.0:80'), 0, bound);
    expect(setUlong(server, listen, SO_CONDITIONAL_ACCEPT, 1)).toBe(STATUS_INVALID_PARAMETER);
    expect(server.k.advisories.map((a) => a.rule)).toEqual(['WSK-OPTION-TIMING']);
    connect(client);
    await sim.run({ until: '1s' });
    expect(inspected).toBe(0);
    expect(client.log).toEqual(['connect STATUS_SUCCESS @10']);
    // WskInspectComplete on a socket that is not conditional: STATUS_INVALID_DEVICE_STATE.
    const status = L(listen).WskInspectComplete(
      listen, new WSK_INSPECT_ID(1, 1), WskInspectAccept, server.irp('complete'),
    );
    expect(status).toBe(STATUS_INVALID_DEVICE_STATE);
  });

  it('SIO_WSK_QUERY_INSPECT_ID on a listening socket or a connection not from a conditional listener: STATUS_INVALID_DEVICE_REQUEST', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectAccept);
    const { Irp } = connect(client);
    await sim.run({ until: '1s' });
    expect(queryId(c.listen).status).toBe(STATUS_INVALID_DEVICE_REQUEST);
    const mine = Irp.IoStatus.Information as PWSK_SOCKET;
    expect(queryId(mine)).toEqual({
      status: STATUS_INVALID_DEVICE_REQUEST, id: { Key: 0, SerialNumber: 0 }, size: -1,
    });
  });

  it('WskInspectComplete with an unknown ID: STATUS_SUCCESS, nothing happens, an advisory', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectPend);
    connect(client);
    await sim.run({ until: '100ms' });
    const Id = c.ids[0] as WSK_INSPECT_ID;
    const other = new WSK_INSPECT_ID(Id.Key, Id.SerialNumber + 100);
    const status = L(c.listen).WskInspectComplete(c.listen, other, WskInspectAccept, server.irp('x'));
    expect(status).toBe(STATUS_SUCCESS);
    await sim.run({ until: '200ms' });
    expect(wire(sim)).toEqual(['0 10.0.0.1>10.0.0.2 SYN']);
    expect(server.k.advisories.map((a) => a.rule)).toEqual(['WSK-INSPECT-UNKNOWN-ID']);
  });

  it('the listening socket dies: pended requests are aborted, then WskInspectEvent once with a NULL ID; later calls answer STATUS_FILE_FORCED_CLOSED', async () => {
    const { sim, server, client } = world();
    const c = conditional(server, () => InspectPend);
    connect(client);
    sim.at('100ms', 'invalidate', () => server.k.wsk.sockets.invalidate(c.listen));
    sim.at('200ms', 'again', () => server.k.wsk.sockets.invalidate(c.listen));
    await sim.run({ until: '300ms' });
    expect(server.log).toEqual(['inspect #0 pend @5', 'abort #0 @100', 'inspect NULL @100']);
    expect(complete(server, c, 0, WskInspectAccept)).toBe(STATUS_FILE_FORCED_CLOSED);
    expect(closeSocket(server, c.listen)).toBe(STATUS_SUCCESS);
  });

  it('the sample spellings are wsk.h values: InspectReject 0, InspectAccept 1, InspectPend 2', () => {
    expect([InspectReject, InspectAccept, InspectPend]).toEqual([
      WskInspectReject, WskInspectAccept, WskInspectPend,
    ]);
    expect([WskInspectReject, WskInspectAccept, WskInspectPend]).toEqual([0, 1, 2]);
    expect(SIO_WSK_QUERY_INSPECT_ID).toBe(0x4f000005);
    expect(STATUS_CONNECTION_REFUSED).toBe(0xc0000236);
  });
});
