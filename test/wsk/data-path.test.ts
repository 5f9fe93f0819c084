/**
 * The WSK data path (src/wsk/connection-data.ts, receive-indications.ts, socket-ioctl.ts):
 * WskSend under both completion policies, WskReceive (FIFO, WAITALL, DRAIN, the FIN), graceful
 * and abortive WskDisconnect with what reaches the wire, failure statuses after a peer RST and
 * the retransmission limit, close without RST after a graceful disconnect, every return-value
 * rule of WskReceiveEvent, WskDisconnectEvent, WskRelease, the ideal send backlog, and the
 * receive race choice (docs/model.md#the-data-path, #socket-options-and-control, #wskclosesocket;
 * docs/tcp.md#wire-events-and-the-status-a-driver-sees).
 *
 * The world (support.ts): client 10.0.0.1, server 10.0.0.2, 5 ms one way; the client connects at
 * 0 and the server accepts at 100 ms, so data sent at 100 ms arrives at 105 and is acknowledged
 * at 110.
 */
import { describe, expect, it } from 'vitest';
import type { Simulation } from '../../src/simulation.ts';
import type { DeciderOption } from '../../src/sim/index.ts';
import { packetRecords } from '../../src/topology/index.ts';
import {
  SIO_WSK_QUERY_IDEAL_SEND_BACKLOG,
  SOL_SOCKET,
  SO_WSK_EVENT_CALLBACK,
  NPI_WSK_INTERFACE_ID,
  STATUS_CANCELLED,
  STATUS_CONNECTION_ABORTED,
  STATUS_CONNECTION_RESET,
  STATUS_DATA_NOT_ACCEPTED,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  WSK_FLAG_ABORTIVE,
  WSK_FLAG_AT_DISPATCH_LEVEL,
  WSK_FLAG_DRAIN,
  WSK_FLAG_NODELAY,
  WSK_FLAG_WAITALL,
  WskIoctl,
  WskSetOption,
  statusName,
  type IRP,
  type KernelOptions,
  type NTSTATUS,
  type PWSK_SOCKET,
  type WSK_BUF,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_DATA_INDICATION,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';
import type { TcpProfileOptions } from '../../src/tcp/index.ts';
import { MS, bind, listenSocket, socketConnect, world, type Driver, type World } from './support.ts';
import {
  AF_INET,
  IPPROTO_TCP,
  SOCK_STREAM,
  WSK_FLAG_LISTEN_SOCKET,
  sockaddr,
} from '../../src/wsk/index.ts';

const C = (Socket: PWSK_SOCKET) => Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
const text = new TextEncoder();
const bytesOf = (s: string) => text.encode(s);
const textOf = (b: Uint8Array) => new TextDecoder().decode(b);

interface Pair {
  w: World;
  sim: Simulation;
  Client: PWSK_SOCKET;
  Server: PWSK_SOCKET;
  /** The server driver's callback log: '<ms> <what>'. */
  events: string[];
}

interface PairOptions {
  kernel?: KernelOptions;
  clientTcp?: TcpProfileOptions;
  serverTcp?: TcpProfileOptions;
  /** The accepted socket's client dispatch (events enabled after the accept). */
  dispatch?: WSK_CLIENT_CONNECTION_DISPATCH;
  enable?: number;
  seed?: number;
  sameInstant?: DeciderOption;
}

/** A client connected to the server, the server's socket accepted at 100 ms. */
async function pair(options: PairOptions = {}): Promise<Pair> {
  const w = world({
    kernel: options.kernel ?? {},
    ...(options.clientTcp !== undefined && { clientTcp: options.clientTcp }),
    ...(options.serverTcp !== undefined && { serverTcp: options.serverTcp }),
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.sameInstant !== undefined && { sameInstant: options.sameInstant }),
  });
  const Listen = listenSocket(w.server);
  expect(bind(w.server, Listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
  const connect = socketConnect(w.client, '0.0.0.0:0', '10.0.0.2:80');
  await w.sim.run({ until: '100ms' });
  expect(connect.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  const Accept = w.server.irp('accept');
  const Dispatch = Listen.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
  Dispatch.WskAccept(Listen, 0, 'ctx', options.dispatch ?? null, null, null, Accept);
  const Server = Accept.IoStatus.Information as PWSK_SOCKET;
  if (options.enable !== undefined) {
    const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: options.enable };
    const status = C(Server).WskControlSocket(
      Server, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, control, 0, null, null, null,
    );
    expect(status).toBe(STATUS_SUCCESS);
  }
  return {
    w,
    sim: w.sim,
    Client: connect.Irp.IoStatus.Information as PWSK_SOCKET,
    Server,
    events: [],
  };
}

/** A WSK_BUF over a new MDL of `bytes` (or of `size` zero bytes). */
function buf(d: Driver, bytes: Uint8Array | number): WSK_BUF {
  const data = typeof bytes === 'number' ? new Uint8Array(bytes) : bytes;
  if (data.length === 0) return { Mdl: null, Offset: 0, Length: 0 };
  return { Mdl: d.k.IoAllocateMdl(data, data.length, false, false, null), Offset: 0, Length: data.length };
}

/** The bytes a receive's WSK_BUF got. */
function got(buffer: WSK_BUF, Irp: IRP): string {
  const count = Irp.IoStatus.Information as number;
  return textOf((buffer.Mdl?.bytes ?? new Uint8Array(0)).subarray(0, count));
}

function send(d: Driver, Socket: PWSK_SOCKET, data: string, name = 'send', Flags = 0) {
  const Irp = d.irp(name);
  const returned = C(Socket).WskSend(Socket, buf(d, bytesOf(data)), Flags, Irp);
  return { Irp, returned };
}

function receive(d: Driver, Socket: PWSK_SOCKET, size: number, name = 'receive', Flags = 0) {
  const Irp = d.irp(name);
  const buffer = buf(d, size);
  const returned = C(Socket).WskReceive(Socket, buffer, Flags, Irp);
  return { Irp, buffer, returned };
}

function disconnect(d: Driver, Socket: PWSK_SOCKET, Flags = 0, name = 'disconnect') {
  const Irp = d.irp(name);
  const returned = C(Socket).WskDisconnect(Socket, null, Flags, Irp);
  return { Irp, returned };
}

function close(d: Driver, Socket: PWSK_SOCKET): IRP {
  const Irp = d.irp('close');
  C(Socket).WskCloseSocket(Socket, Irp);
  return Irp;
}

/** TCP segments sent: '<ms> <source>><target> <flags and numbers>'. */
function wire(sim: Simulation): string[] {
  return packetRecords(sim.records())
    .filter((r) => r.phase === 'sent')
    .map((r) => `${r.at / MS} ${r.source}>${r.target} ${String(r.info)}`);
}

const flagsOf = (sim: Simulation, flag: string) =>
  wire(sim).filter((line) => line.includes(flag)).map((line) => line.split(' ').slice(0, 2).join(' '));

describe('wsk: WskSend', () => {
  it('completes when its bytes are acknowledged (default), Information = all bytes', async () => {
    const { w, sim, Client, Server } = await pair();
    const r = receive(w.server, Server, 16);
    const s = send(w.client, Client, 'hello', 'send', WSK_FLAG_NODELAY);
    expect(s.returned).toBe(STATUS_PENDING);
    await sim.run({ until: '200ms' });
    expect(w.client.log.slice(-1)).toEqual(['send STATUS_SUCCESS @110']);
    expect(s.Irp.IoStatus.Information).toBe(5);
    expect(w.server.log.slice(-1)).toEqual(['receive STATUS_SUCCESS @105']);
    expect(got(r.buffer, r.Irp)).toBe('hello');
  });

  it("wskSendCompletion 'transmitted': completes when the bytes left, before the ACK", async () => {
    const { w, sim, Client } = await pair({ kernel: { wskSendCompletion: 'transmitted' } });
    send(w.client, Client, 'hello');
    await sim.run({ until: '200ms' });
    expect(w.client.log.slice(-1)).toEqual(['send STATUS_SUCCESS @100']);
  });

  it('the driver may reuse its buffer once the send completed: the data was copied', async () => {
    const { w, sim, Client, Server } = await pair({ kernel: { wskSendCompletion: 'transmitted' } });
    const data = bytesOf('abc');
    const Irp = w.client.irp('send');
    C(Client).WskSend(Client, buf(w.client, data), 0, Irp);
    data.set(bytesOf('xyz'));
    const r = receive(w.server, Server, 8);
    await sim.run({ until: '200ms' });
    expect(got(r.buffer, r.Irp)).toBe('abc');
  });

  it('bad Flags, a bad WSK_BUF, an unconnected socket: invalid parameter / invalid state', async () => {
    const { w, Client } = await pair();
    const bad = w.client.irp('bad');
    expect(C(Client).WskSend(Client, buf(w.client, 4), 0x1, bad)).toBe(STATUS_INVALID_PARAMETER);
    const nomdl = { Mdl: null, Offset: 0, Length: 4 };
    const bad2 = w.client.irp('bad2');
    expect(C(Client).WskSend(Client, nomdl, 0, bad2)).toBe(STATUS_INVALID_PARAMETER);
    expect(w.client.k.advisories.map((a) => a.rule)).toEqual(['WSK-DATA-FLAGS', 'WSK-BUF-INVALID']);
    const Idle = w.client.irp('socket');
    w.client.Dispatch.WskSocket(
      w.client.Npi.Client!, 2, 1, 6, 2, null, null, null, null, null, Idle,
    );
    const Fresh = Idle.IoStatus.Information as PWSK_SOCKET;
    const s = send(w.client, Fresh, 'x');
    expect(s.returned).toBe(STATUS_INVALID_DEVICE_STATE);
  });
});

describe('wsk: WskReceive', () => {
  it('queued receives complete in FIFO order with the bytes each took', async () => {
    const { w, sim, Client, Server } = await pair();
    const rs = ['r1', 'r2', 'r3'].map((name) => receive(w.server, Server, 4, name));
    expect(rs.map((r) => r.returned)).toEqual([STATUS_PENDING, STATUS_PENDING, STATUS_PENDING]);
    send(w.client, Client, 'abcdefghij');
    await sim.run({ until: '200ms' });
    expect(w.server.log.slice(-3)).toEqual([
      'r1 STATUS_SUCCESS @105', 'r2 STATUS_SUCCESS @105', 'r3 STATUS_SUCCESS @105',
    ]);
    expect(rs.map((r) => got(r.buffer, r.Irp))).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('a served receive whose completion pends keeps the next one behind it (FIFO, ECHO)', async () => {
    const { w, sim, Client, Server } = await pair();
    send(w.client, Client, 'abcdefgh');
    await sim.run({ until: '150ms' });
    // The 'IRP pends' choice pends the first receive's completion, not the second's: the second
    // must still complete after the first, or a driver echoing in completion order (the WSK echo
    // sample, two receives outstanding) sends 'efgh' before 'abcd'.
    const options = w.server.k.options as { pendingCompletions?: number };
    options.pendingCompletions = 1;
    const r1 = receive(w.server, Server, 4, 'r1');
    options.pendingCompletions = 0;
    const r2 = receive(w.server, Server, 4, 'r2');
    expect([r1.returned, r2.returned]).toEqual([STATUS_PENDING, STATUS_PENDING]);
    await sim.run({ until: '200ms' });
    expect(w.server.log.slice(-2)).toEqual(['r1 STATUS_SUCCESS @150', 'r2 STATUS_SUCCESS @150']);
    expect([got(r1.buffer, r1.Irp), got(r2.buffer, r2.Irp)]).toEqual(['abcd', 'efgh']);
    // With nothing left waiting, the next receive served at the call completes inline again.
    send(w.client, Client, 'ij');
    await sim.run({ until: '250ms' });
    expect(receive(w.server, Server, 4, 'r3').returned).toBe(STATUS_SUCCESS);
  });

  it('the FIFO holds whichever completion event a same-instant choice fires first', async () => {
    // From 150 ms on, every set of events due at one instant fires last-scheduled first.
    let reverse = false;
    const { w, sim, Client, Server } = await pair({
      sameInstant: (choice) => (reverse && choice.candidates !== null ? choice.max : undefined),
    });
    send(w.client, Client, 'abcdefgh');
    await sim.run({ until: '150ms' });
    reverse = true;
    const options = w.server.k.options as { pendingCompletions?: number };
    options.pendingCompletions = 1;
    const r1 = receive(w.server, Server, 4, 'r1');
    options.pendingCompletions = 0;
    const r2 = receive(w.server, Server, 4, 'r2');
    expect([r1.returned, r2.returned]).toEqual([STATUS_PENDING, STATUS_PENDING]);
    await sim.run({ until: '200ms' });
    // r2's completion event fires first, and completes r1: the receive served first.
    expect(w.server.log.slice(-2)).toEqual(['r1 STATUS_SUCCESS @150', 'r2 STATUS_SUCCESS @150']);
    expect([got(r1.buffer, r1.Irp), got(r2.buffer, r2.Irp)]).toEqual(['abcd', 'efgh']);
  });

  it('a served receive waiting behind a pended completion is no longer cancellable', async () => {
    const { w, sim, Client, Server } = await pair();
    sim.core.betweenEvents = () => sim.checkInvariants();
    send(w.client, Client, 'abc');
    await sim.run({ until: '150ms' });
    // At 165 ms, before the client's 'def' (sent at 160 ms) arrives: r1 takes 'abc' and its
    // completion pends; r2 queues. 'def' fills r2, whose completion waits behind r1's (FIFO);
    // r1's completion routine cancels r2 meanwhile: too late, r2 completes with its bytes.
    const k = w.server.k;
    const r2 = w.server.irp('r2');
    const r1 = k.IoAllocateIrp(1, false) as IRP;
    let cancelled: boolean | null = null;
    k.IoSetCompletionRoutine(r1, () => {
      cancelled = k.IoCancelIrp(r2);
      return STATUS_MORE_PROCESSING_REQUIRED;
    }, null, true, true, true);
    const options = k.options as { pendingCompletions?: number };
    const into = buf(w.server, 3);
    sim.core.scheduleAt(165 * MS, 'receives', () => {
      options.pendingCompletions = 1;
      expect(C(Server).WskReceive(Server, buf(w.server, 3), 0, r1)).toBe(STATUS_PENDING);
      options.pendingCompletions = 0;
      expect(C(Server).WskReceive(Server, into, 0, r2)).toBe(STATUS_PENDING);
    });
    sim.core.scheduleAt(160 * MS, 'send', () => send(w.client, Client, 'def'));
    expect((await sim.run({ until: '200ms' })).failure).toBeUndefined();
    expect(cancelled).toBe(false);
    expect(w.server.log.slice(-1)).toEqual(['r2 STATUS_SUCCESS @165']);
    expect(got(into, r2)).toBe('def');
  });

  it('WAITALL completes only with a full buffer; data already there completes a receive inline', async () => {
    const { w, sim, Client, Server } = await pair();
    const all = receive(w.server, Server, 8, 'all', WSK_FLAG_WAITALL);
    send(w.client, Client, 'abc');
    await sim.run({ until: '150ms' });
    expect(w.server.log.slice(-1)).toEqual(['accept STATUS_SUCCESS @100']);
    send(w.client, Client, 'defghijk');
    await sim.run({ until: '200ms' });
    expect(w.server.log.slice(-1)).toEqual(['all STATUS_SUCCESS @155']);
    expect(got(all.buffer, all.Irp)).toBe('abcdefgh');
    const late = receive(w.server, Server, 8, 'late');
    expect(late.returned).toBe(STATUS_SUCCESS);
    expect(got(late.buffer, late.Irp)).toBe('ijk');
  });

  it("after the peer's FIN every queued and later receive completes STATUS_SUCCESS, 0 bytes", async () => {
    const { w, sim, Client, Server } = await pair();
    const rs = ['r1', 'r2'].map((name) => receive(w.server, Server, 4, name));
    send(w.client, Client, 'hi');
    disconnect(w.client, Client);
    await sim.run({ until: '200ms' });
    expect(w.server.log.slice(-2)).toEqual(['r1 STATUS_SUCCESS @105', 'r2 STATUS_SUCCESS @105']);
    expect(rs.map((r) => r.Irp.IoStatus.Information)).toEqual([2, 0]);
    const later = receive(w.server, Server, 4, 'later');
    expect(later.returned).toBe(STATUS_SUCCESS);
    expect(later.Irp.IoStatus.Information).toBe(0);
  });

  it('DRAIN discards the data and completes at the FIN; DRAIN with a buffer is invalid', async () => {
    const { w, sim, Client, Server } = await pair();
    const bad = receive(w.server, Server, 4, 'bad', WSK_FLAG_DRAIN);
    expect(bad.returned).toBe(STATUS_INVALID_PARAMETER);
    const drain = receive(w.server, Server, 0, 'drain', WSK_FLAG_DRAIN);
    send(w.client, Client, 'lost');
    await sim.run({ until: '150ms' });
    disconnect(w.client, Client);
    await sim.run({ until: '200ms' });
    expect(w.server.log.slice(-1)).toEqual(['drain STATUS_SUCCESS @155']);
    expect(drain.Irp.IoStatus.Information).toBe(0);
  });

  it('a pending receive is cancellable: STATUS_CANCELLED, the next receive gets the data', async () => {
    const { w, sim, Client, Server } = await pair();
    const first = receive(w.server, Server, 4, 'first');
    expect(w.server.k.IoCancelIrp(first.Irp)).toBe(true);
    expect(first.Irp.IoStatus.Status).toBe(STATUS_CANCELLED);
    const second = receive(w.server, Server, 4, 'second');
    send(w.client, Client, 'ok');
    await sim.run({ until: '200ms' });
    expect(got(second.buffer, second.Irp)).toBe('ok');
  });
});

describe('wsk: WskDisconnect', () => {
  it('graceful: FIN on the wire, completes when the FIN is acknowledged; close sends no RST', async () => {
    const { w, sim, Client, Server } = await pair();
    const d = disconnect(w.client, Client);
    expect(d.returned).toBe(STATUS_PENDING);
    const r = receive(w.server, Server, 4, 'eof');
    await sim.run({ until: '200ms' });
    expect(w.client.log.slice(-1)).toEqual(['disconnect STATUS_SUCCESS @110']);
    expect(w.server.log.slice(-1)).toEqual(['eof STATUS_SUCCESS @105']);
    expect(send(w.client, Client, 'late').returned).toBe(STATUS_INVALID_DEVICE_STATE);
    // The echo server's ending (docs/model.md#echo-server-per-connection-flow): 0 bytes → graceful
    // disconnect → close.
    disconnect(w.server, Server);
    await sim.run({ until: '300ms' });
    close(w.server, Server);
    close(w.client, Client);
    await sim.run({ until: '400ms' });
    expect(flagsOf(sim, 'FIN')).toEqual(['100 10.0.0.1>10.0.0.2', '200 10.0.0.2>10.0.0.1']);
    expect(flagsOf(sim, 'RST')).toEqual([]);
    expect(r.Irp.IoStatus.Information).toBe(0);
  });

  it('graceful with a final buffer: the data goes first, then the FIN', async () => {
    const { w, sim, Client, Server } = await pair();
    const Irp = w.client.irp('disconnect');
    C(Client).WskDisconnect(Client, buf(w.client, bytesOf('bye')), 0, Irp);
    const rs = ['r1', 'r2'].map((name) => receive(w.server, Server, 8, name));
    await sim.run({ until: '200ms' });
    expect(rs.map((r) => got(r.buffer, r.Irp))).toEqual(['bye', '']);
    expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  });

  it('abortive: RST on the wire, pending sends STATUS_CANCELLED, the peer sees RESET', async () => {
    const { w, sim, Client, Server } = await pair();
    const rs = ['r1', 'r2'].map((name) => receive(w.server, Server, 8, name));
    const s = send(w.client, Client, 'data');
    const a = disconnect(w.client, Client, WSK_FLAG_ABORTIVE, 'abort');
    expect(a.returned).toBe(STATUS_SUCCESS);
    expect(s.Irp.IoStatus.Status).toBe(STATUS_CANCELLED);
    await sim.run({ until: '200ms' });
    // The second RST answers the server's ACK of the data, which reaches a connection gone.
    expect(flagsOf(sim, 'RST')).toEqual(['100 10.0.0.1>10.0.0.2', '110 10.0.0.1>10.0.0.2']);
    expect(rs.map((r) => statusName(r.Irp.IoStatus.Status))).toEqual([
      'STATUS_SUCCESS', 'STATUS_CONNECTION_RESET',
    ]);
    expect(got(rs[0]!.buffer, rs[0]!.Irp)).toBe('data');
    expect(send(w.client, Client, 'x').returned).toBe(STATUS_CONNECTION_ABORTED);
    expect(send(w.server, Server, 'x').returned).toBe(STATUS_CONNECTION_RESET);
    expect(receive(w.server, Server, 4).returned).toBe(STATUS_CONNECTION_RESET);
  });

  it('a graceful disconnect the peer never acknowledges is forced by an abortive one', async () => {
    const { w, sim, Client } = await pair();
    sim.partition('client', 'server');
    const g = disconnect(w.client, Client, 0, 'graceful');
    await sim.run({ until: '150ms' });
    expect(g.Irp.IoStatus.Status).toBe(STATUS_PENDING);
    disconnect(w.client, Client, WSK_FLAG_ABORTIVE, 'abort');
    expect(w.client.log.slice(-2)).toEqual(['graceful STATUS_CANCELLED @150', 'abort STATUS_SUCCESS @150']);
  });

  it('or by close: the disconnect completes STATUS_CANCELLED before the close, RST sent', async () => {
    const { w, sim, Client } = await pair();
    sim.partition('client', 'server');
    disconnect(w.client, Client, 0, 'graceful');
    await sim.run({ until: '150ms' });
    close(w.client, Client);
    expect(w.client.log.slice(-2)).toEqual(['graceful STATUS_CANCELLED @150', 'close STATUS_SUCCESS @150']);
    expect(flagsOf(sim, 'RST')).toEqual(['150 10.0.0.1>10.0.0.2']);
  });
});

describe('wsk: data calls after the connection failed', () => {
  it('the retransmission limit fails a pending send with STATUS_CONNECTION_ABORTED', async () => {
    const { w, sim, Client } = await pair({ clientTcp: { dataRetransmissions: 2 } });
    sim.partition('client', 'server');
    const s = send(w.client, Client, 'lost');
    await sim.run({ until: '60s' });
    expect(s.Irp.IoStatus.Status).toBe(STATUS_CONNECTION_ABORTED);
    expect(receive(w.client, Client, 4).returned).toBe(STATUS_CONNECTION_ABORTED);
  });
});

describe('wsk: WskReceiveEvent', () => {
  function receiver(events: string[], sim: () => Simulation, answer: (n: number) => NTSTATUS,
    accepted?: (n: number) => number) {
    const dispatch: WSK_CLIENT_CONNECTION_DISPATCH = {
      WskReceiveEvent: (_ctx, Flags, DataIndication, BytesIndicated, BytesAccepted) => {
        const data = DataIndication === null ? 'NULL'
          : textOf(DataIndication.Buffer.Mdl!.bytes.subarray(0, BytesIndicated));
        events.push(`${sim().now / MS} receive ${data} ${BytesIndicated} flags=${Flags}`);
        if (accepted !== undefined) BytesAccepted.value = accepted(BytesIndicated);
        return answer(events.length);
      },
      WskDisconnectEvent: (_ctx, Flags) => {
        events.push(`${sim().now / MS} disconnect flags=${Flags}`);
        return STATUS_SUCCESS;
      },
      WskSendBacklogEvent: null,
    };
    return dispatch;
  }

  async function withEvents(answer: (n: number) => NTSTATUS, accepted?: (n: number) => number,
    kernel: KernelOptions = {}) {
    const events: string[] = [];
    let sim: Simulation | null = null;
    const p = await pair({
      dispatch: receiver(events, () => sim!, answer, accepted),
      enable: WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT,
      kernel,
    });
    sim = p.sim;
    return { ...p, events };
  }
  const D = WSK_FLAG_AT_DISPATCH_LEVEL;

  it('STATUS_SUCCESS: all consumed, later data indicated again', async () => {
    const { w, sim, Client, events } = await withEvents(() => STATUS_SUCCESS);
    send(w.client, Client, 'one');
    await sim.run({ until: '150ms' });
    send(w.client, Client, 'two');
    await sim.run({ until: '200ms' });
    expect(events).toEqual([`105 receive one 3 flags=${D}`, `155 receive two 3 flags=${D}`]);
  });

  it('partial BytesAccepted: paused until a WskReceive completes, which gets the rest', async () => {
    const { w, sim, Client, Server, events } = await withEvents(() => STATUS_SUCCESS, () => 2);
    send(w.client, Client, 'abcde');
    await sim.run({ until: '150ms' });
    send(w.client, Client, 'fg');
    await sim.run({ until: '200ms' });
    expect(events).toEqual([`105 receive abcde 5 flags=${D}`]);
    const r = receive(w.server, Server, 3);
    expect(r.returned).toBe(STATUS_SUCCESS);
    expect(got(r.buffer, r.Irp)).toBe('cde');
    await sim.run({ until: '250ms' });
    expect(events).toEqual([`105 receive abcde 5 flags=${D}`, `200 receive fg 2 flags=${D}`]);
  });

  it('STATUS_PENDING: the list is retained until WskRelease; indications go on', async () => {
    const kept: WSK_DATA_INDICATION[] = [];
    const events: string[] = [];
    let now = () => 0;
    const p = await pair({
      dispatch: {
        WskReceiveEvent: (_c, _f, DataIndication) => {
          events.push(`${now()} receive`);
          if (DataIndication !== null) kept.push(DataIndication);
          return STATUS_PENDING;
        },
        WskDisconnectEvent: null,
        WskSendBacklogEvent: null,
      },
      enable: WSK_EVENT_RECEIVE,
    });
    now = () => p.sim.now / MS;
    send(p.w.client, p.Client, 'one');
    await p.sim.run({ until: '150ms' });
    send(p.w.client, p.Client, 'two');
    await p.sim.run({ until: '200ms' });
    expect(events).toEqual(['105 receive', '155 receive']);
    expect(kept.map((i) => textOf(p.w.server.k.MmGetSystemAddressForMdlSafe(i.Buffer.Mdl!, 0)!)))
      .toEqual(['one', 'two']);
    for (const i of kept) expect(C(p.Server).WskRelease(p.Server, i)).toBe(STATUS_SUCCESS);
    expect(p.w.server.k.violations).toEqual([]);
  });

  it('STATUS_DATA_NOT_ACCEPTED: nothing consumed; a zero-length WskReceive re-arms', async () => {
    let first = true;
    const { w, sim, Client, Server, events } = await withEvents(() => {
      const answer = first ? STATUS_DATA_NOT_ACCEPTED : STATUS_SUCCESS;
      first = false;
      return answer;
    });
    send(w.client, Client, 'abc');
    await sim.run({ until: '150ms' });
    send(w.client, Client, 'de');
    await sim.run({ until: '200ms' });
    expect(events).toEqual([`105 receive abc 3 flags=${D}`]);
    const zero = receive(w.server, Server, 0, 'zero');
    expect(zero.returned).toBe(STATUS_SUCCESS);
    expect(zero.Irp.IoStatus.Information).toBe(0);
    await sim.run({ until: '250ms' });
    expect(events).toEqual([`105 receive abc 3 flags=${D}`, `200 receive abcde 5 flags=${D}`]);
  });

  it('a queued WskReceive takes precedence; the race choice lets the callback have the data', async () => {
    const plain = await withEvents(() => STATUS_SUCCESS);
    const r = receive(plain.w.server, plain.Server, 8);
    send(plain.w.client, plain.Client, 'abc');
    await plain.sim.run({ until: '200ms' });
    expect(got(r.buffer, r.Irp)).toBe('abc');
    expect(plain.events).toEqual([]);
    const raced = await withEvents(() => STATUS_SUCCESS, undefined, { receiveCallbackRace: 1 });
    const waiting = receive(raced.w.server, raced.Server, 8);
    send(raced.w.client, raced.Client, 'abc');
    await raced.sim.run({ until: '200ms' });
    expect(raced.events).toEqual([`105 receive abc 3 flags=${D}`]);
    expect(waiting.Irp.IoStatus.Status).toBe(STATUS_PENDING);
  });

  it('graceful peer close: WskDisconnectEvent(0); peer RST: ABORTIVE, then one NULL indication', async () => {
    const graceful = await withEvents(() => STATUS_SUCCESS);
    disconnect(graceful.w.client, graceful.Client);
    await graceful.sim.run({ until: '200ms' });
    expect(graceful.events).toEqual([`105 disconnect flags=${D}`]);
    const reset = await withEvents(() => STATUS_SUCCESS);
    disconnect(reset.w.client, reset.Client, WSK_FLAG_ABORTIVE);
    await reset.sim.run({ until: '200ms' });
    expect(reset.events).toEqual([
      `105 disconnect flags=${WSK_FLAG_ABORTIVE | D}`,
      `105 receive NULL 0 flags=${D}`,
    ]);
  });
});

describe('wsk: WskRelease, close with retained indications, the ideal send backlog', () => {
  it('close does not release retained indications: the verifier reports them at the close', async () => {
    const p = await pair({
      dispatch: { WskReceiveEvent: () => STATUS_PENDING, WskDisconnectEvent: null, WskSendBacklogEvent: null },
      enable: WSK_EVENT_RECEIVE,
    });
    send(p.w.client, p.Client, 'kept');
    await p.sim.run({ until: '200ms' });
    close(p.w.server, p.Server);
    expect(p.w.server.k.violations.map((v) => v.rule)).toEqual(['WSK-INDICATION-NOT-RELEASED']);
  });

  it('retained indications on a socket still open are listed at the end of the run', async () => {
    const p = await pair({
      dispatch: { WskReceiveEvent: () => STATUS_PENDING, WskDisconnectEvent: null, WskSendBacklogEvent: null },
      enable: WSK_EVENT_RECEIVE,
    });
    send(p.w.client, p.Client, 'kept');
    await p.sim.run({ until: '200ms' });
    const rules = p.sim.outstanding().map((o) => `${o.host} ${o.rule}`);
    expect(rules).toContain('server WSK-INDICATION-NOT-RELEASED');
    expect(rules.indexOf('server WSK-INDICATION-NOT-RELEASED'))
      .toBeLessThan(rules.indexOf('server WSK-SOCKET-LEAKED'));
    // Each says since when: the list retained when the data arrived, the sockets' last changes.
    const details = p.sim.outstanding().filter((o) => o.host === 'server').map((o) => o.detail);
    expect(details.slice(3)).toEqual([
      'socket #2: 1 retained indication list(s) not released; retained since 0.105000s',
      'listen socket #1 never closed; listening since 0.000000s',
      'connection socket #2 never closed; connected since 0.100000s',
      'WskRegister without WskDeregister returning; registered since 0.000000s',
    ]);
  });

  it('SIO_WSK_QUERY_IDEAL_SEND_BACKLOG: the most the connection keeps in flight', async () => {
    const { Client } = await pair();
    const out = { value: 0 };
    const status = C(Client).WskControlSocket(
      Client, WskIoctl, SIO_WSK_QUERY_IDEAL_SEND_BACKLOG, 0, 0, null, 8, out, null, null,
    );
    expect(status).toBe(STATUS_SUCCESS);
    expect(out.value).toBe(64240);
    const small = C(Client).WskControlSocket(
      Client, WskIoctl, SIO_WSK_QUERY_IDEAL_SEND_BACKLOG, 0, 0, null, 4, out, null, null,
    );
    expect(statusName(small)).toBe('STATUS_BUFFER_TOO_SMALL');
  });
});

describe('wsk: data path determinism', () => {
  async function echoRun(seed: number) {
    const p = await pair({ seed });
    const rs = ['r1', 'r2'].map((name) => receive(p.w.server, p.Server, 4, name));
    send(p.w.client, p.Client, 'abcdef');
    disconnect(p.w.client, p.Client);
    await p.sim.run({ until: '300ms' });
    return { hash: p.sim.traceHash(), got: rs.map((r) => got(r.buffer, r.Irp)) };
  }

  it('the same seed twice gives the same trace hash', async () => {
    const one = await echoRun(21);
    const two = await echoRun(21);
    expect(one.hash).toBe(two.hash);
    expect(one.got).toEqual(['abcd', 'ef']);
    expect(two.got).toEqual(one.got);
  });
});

describe('wsk: issue 18 — indications when events are enabled late, receives inside WskReceiveEvent', () => {
  const D = WSK_FLAG_AT_DISPATCH_LEVEL;

  /** A connection dispatch logging '<ms> <what>' into `events`. */
  function logging(events: string[], now: () => number,
    onReceive: (data: string, BytesAccepted: { value: number }) => NTSTATUS = () => STATUS_SUCCESS,
  ): WSK_CLIENT_CONNECTION_DISPATCH {
    return {
      WskReceiveEvent: (_ctx, Flags, DataIndication, BytesIndicated, BytesAccepted) => {
        const data = DataIndication === null ? 'NULL'
          : textOf(DataIndication.Buffer.Mdl!.bytes.subarray(0, BytesIndicated));
        events.push(`${now()} receive ${data} flags=${Flags}`);
        return onReceive(data, BytesAccepted);
      },
      WskDisconnectEvent: (_ctx, Flags) => {
        events.push(`${now()} disconnect flags=${Flags}`);
        return STATUS_SUCCESS;
      },
      WskSendBacklogEvent: null,
    };
  }

  function enable(Server: PWSK_SOCKET, mask: number): NTSTATUS {
    const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: mask };
    return C(Server).WskControlSocket(
      Server, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, control, 0, null, null, null,
    );
  }

  async function lateEnable(kernel: KernelOptions = {}) {
    const events: string[] = [];
    let sim: Simulation | null = null;
    const p = await pair({ dispatch: logging(events, () => sim!.now / MS), kernel });
    sim = p.sim;
    // Data at 105 and the peer's FIN at 155, both before the driver enables its events at 200.
    send(p.w.client, p.Client, 'early');
    await p.sim.run({ until: '150ms' });
    disconnect(p.w.client, p.Client);
    await p.sim.run({ until: '200ms' });
    expect(enable(p.Server, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT)).toBe(STATUS_SUCCESS);
    const inline = events.slice();
    await p.sim.run({ until: '300ms' });
    return { ...p, events, inline };
  }

  it("defect 1, default 'buffered': data and a FIN that came before the enable are indicated after it", async () => {
    const { events, inline } = await lateEnable();
    // Not inside WskControlSocket: on a zero-delay event, at DISPATCH_LEVEL like any indication.
    expect(inline).toEqual([]);
    expect(events).toEqual([`200 receive early flags=${D}`, `200 disconnect flags=${D}`]);
  });

  it("defect 1, wskIndicateOnEnable 'arrivals': nothing until more arrives (the hang the default avoids)", async () => {
    const { events } = await lateEnable({ wskIndicateOnEnable: 'arrivals' });
    // Only a later arrival would run the callback: the peer's FIN came already, so none will.
    expect(events).toEqual([]);
  });

  it('defect 1: enabling with nothing buffered schedules nothing and changes nothing', async () => {
    const events: string[] = [];
    let sim: Simulation | null = null;
    const p = await pair({ dispatch: logging(events, () => sim!.now / MS) });
    sim = p.sim;
    expect(enable(p.Server, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT)).toBe(STATUS_SUCCESS);
    send(p.w.client, p.Client, 'later');
    await p.sim.run({ until: '200ms' });
    expect(events).toEqual([`105 receive later flags=${D}`]);
  });

  it('defect 4: a WskReceive posted inside WskReceiveEvent gets what follows, not the indicated bytes', async () => {
    const events: string[] = [];
    let sim: Simulation | null = null;
    let posted: ReturnType<typeof receive> | null = null;
    let server: Driver | null = null;
    let Server: PWSK_SOCKET | null = null;
    const p = await pair({
      dispatch: logging(events, () => sim!.now / MS, () => {
        posted ??= receive(server!, Server!, 16, 'inner');
        return STATUS_SUCCESS;
      }),
      enable: WSK_EVENT_RECEIVE,
    });
    sim = p.sim;
    server = p.w.server;
    Server = p.Server;
    send(p.w.client, p.Client, 'abc');
    await p.sim.run({ until: '150ms' });
    expect(posted!.returned).toBe(STATUS_PENDING);
    send(p.w.client, p.Client, 'def');
    await p.sim.run({ until: '200ms' });
    expect(events).toEqual([`105 receive abc flags=${D}`]);
    expect(got(posted!.buffer, posted!.Irp)).toBe('def');
    // Every byte once, in order: 'abc' by the callback, 'def' by the receive.
    expect(p.w.server.log.at(-1)).toBe('inner STATUS_SUCCESS @155');
  });

  it('defect 4: after STATUS_DATA_NOT_ACCEPTED or a partial accept, the inner receive gets the rest', async () => {
    for (const [answer, accepted, expected] of [
      [STATUS_DATA_NOT_ACCEPTED, 0, 'abcde'],
      [STATUS_SUCCESS, 2, 'cde'],
    ] as const) {
      const events: string[] = [];
      let ctx: { p: Pair; posted: ReturnType<typeof receive> | null } | null = null;
      const p = await pair({
        dispatch: logging(events, () => ctx!.p.sim.now / MS, (_data, BytesAccepted) => {
          ctx!.posted ??= receive(ctx!.p.w.server, ctx!.p.Server, 16, 'inner');
          BytesAccepted.value = accepted;
          return answer;
        }),
        enable: WSK_EVENT_RECEIVE,
      });
      ctx = { p, posted: null };
      send(p.w.client, p.Client, 'abcde');
      await p.sim.run({ until: '200ms' });
      expect(events).toEqual([`105 receive abcde flags=${D}`]);
      expect(got(ctx.posted!.buffer, ctx.posted!.Irp)).toBe(expected);
      expect(p.w.server.log.at(-1)).toBe('inner STATUS_SUCCESS @105');
    }
  });

  it('defect 4: paused indications resume when the WskReceive completes, not when it is served', async () => {
    // Every known result pends (pendingCompletions 1): the receive is served at once and completes
    // on a later event; the next indication comes only after its completion routine ran
    // (docs/model.md#wskreceiveevent: "until a WskReceive completes").
    const w = world({ kernel: { pendingCompletions: 1 } });
    const { sim, server, client } = w;
    const events: string[] = [];
    const completedFirst: boolean[] = [];
    let inner: IRP | null = null;
    const dispatch = logging(events, () => sim.now / MS, (data, BytesAccepted) => {
      if (data === 'abcde') BytesAccepted.value = 2;
      else completedFirst.push(inner !== null && server.calls.has(inner));
      return STATUS_SUCCESS;
    });
    const made = server.irp('socket');
    server.Dispatch.WskSocket(
      server.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
      null, null, null, null, null, made,
    );
    await sim.run({ until: '1ms' });
    const Listen = made.IoStatus.Information as PWSK_SOCKET;
    const L = Listen.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
    L.WskBind(Listen, sockaddr('0.0.0.0:80'), 0, server.irp('bind'));
    await sim.run({ until: '2ms' });
    const connect = socketConnect(client, '0.0.0.0:0', '10.0.0.2:80');
    await sim.run({ until: '100ms' });
    const Accept = server.irp('accept');
    expect(L.WskAccept(Listen, 0, null, dispatch, null, null, Accept)).toBe(STATUS_SUCCESS);
    const Server = Accept.IoStatus.Information as PWSK_SOCKET;
    const Client = connect.Irp.IoStatus.Information as PWSK_SOCKET;
    expect(enable(Server, WSK_EVENT_RECEIVE)).toBe(STATUS_SUCCESS);
    send(client, Client, 'abcde');
    await sim.run({ until: '150ms' });
    send(client, Client, 'fg');
    await sim.run({ until: '200ms' });
    expect(events).toEqual([`105 receive abcde flags=${D}`]);
    const r = receive(server, Server, 3);
    inner = r.Irp;
    expect(r.returned).toBe(STATUS_PENDING);
    await sim.run({ until: '300ms' });
    expect(got(r.buffer, r.Irp)).toBe('cde');
    expect(events).toEqual([`105 receive abcde flags=${D}`, `200 receive fg flags=${D}`]);
    expect(completedFirst).toEqual([true]);
  });
});
