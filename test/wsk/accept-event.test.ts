/**
 * WskAcceptEvent and SO_WSK_EVENT_CALLBACK on listening sockets
 * (docs/model.md#client-dispatch-tables, #events-per-category, #wskaccept,
 * #rules-for-every-callback, #wskacceptevent, #enabling-and-disabling-events,
 * #static-event-callbacks, #pitfalls-and-races, pitfalls 7, 8, 9): events off by default, enable
 * timing and arguments, the callback's arguments and out-parameters, STATUS_REQUEST_NOT_ACCEPTED
 * (RST on the wire), indication of waiting connections on enable, precedence of queued WskAccept
 * IRPs and the race choice, inheritance, static callbacks, disable and close from inside the
 * callback, the listening socket's death, and a bad return value.
 *
 * The world: client 10.0.0.1 and server 10.0.0.2 on one 5 ms link, so a client SYN sent at 0
 * completes the client's connect at 10 ms (one round trip) and the server's handshake (the
 * client's ACK arriving) at 15 ms, when WskAcceptEvent runs.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/simulation.ts';
import { packetRecords } from '../../src/topology/index.ts';
import {
  AF_INET,
  DISPATCH_LEVEL,
  IPPROTO_TCP,
  IRP,
  Kernel,
  NPI_WSK_INTERFACE_ID,
  PASSIVE_LEVEL,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_WSK_EVENT_CALLBACK,
  STATUS_EVENT_PENDING,
  STATUS_FILE_FORCED_CLOSED,
  STATUS_INVALID_PARAMETER,
  STATUS_PENDING,
  STATUS_REQUEST_NOT_ACCEPTED,
  STATUS_SUCCESS,
  WSK_EVENT_ACCEPT,
  WSK_EVENT_DISABLE,
  WSK_EVENT_DISCONNECT,
  WSK_EVENT_RECEIVE,
  WSK_FLAG_AT_DISPATCH_LEVEL,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_SET_STATIC_EVENT_CALLBACKS,
  WSK_SOCKET,
  WskSetOption,
  sockaddr,
  statusName,
  type KIRQL,
  type KernelOptions,
  type NTSTATUS,
  type PFN_WSK_ACCEPT_EVENT,
  type PWSK_SOCKET,
  type SOCKADDR,
  type WSK_CLIENT_CONNECTION_DISPATCH,
  type WSK_CLIENT_LISTEN_DISPATCH,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
} from '../../src/wsk/index.ts';
import { MS, world, type Driver } from './support.ts';

const LATENCY_MS = 5; // support.ts's world: a 5 ms link

/** A listening socket whose SocketContext is 'listen-ctx' and client dispatch `Dispatch`. */
function listenSocket(d: Driver, Dispatch: WSK_CLIENT_LISTEN_DISPATCH | null): PWSK_SOCKET {
  const Irp = d.irp('socket');
  d.Dispatch.WskSocket(
    d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,
    'listen-ctx', Dispatch, null, null, null, Irp,
  );
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  return Irp.IoStatus.Information as PWSK_SOCKET;
}

function listenDispatch(WskAcceptEvent: PFN_WSK_ACCEPT_EVENT | null): WSK_CLIENT_LISTEN_DISPATCH {
  return { WskAcceptEvent, WskInspectEvent: null, WskAbortEvent: null };
}

function provider(Socket: PWSK_SOCKET): WSK_PROVIDER_LISTEN_DISPATCH {
  return Socket.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
}

function bind(d: Driver, Socket: PWSK_SOCKET, text: string): NTSTATUS {
  const Irp = d.irp('bind');
  provider(Socket).WskBind(Socket, sockaddr(text), 0, Irp);
  return Irp.IoStatus.Status;
}

/** WskControlSocket(SO_WSK_EVENT_CALLBACK) with a WSK_EVENT_CALLBACK_CONTROL. */
function eventControl(Socket: PWSK_SOCKET, EventMask: number, Irp: IRP | null = null): NTSTATUS {
  const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask };
  return provider(Socket).WskControlSocket(
    Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, 16, control, 0, null, null, Irp,
  );
}

function disable(Socket: PWSK_SOCKET, event: number, Irp: IRP | null = null): NTSTATUS {
  return eventControl(Socket, (event | WSK_EVENT_DISABLE) >>> 0, Irp);
}

function socketConnect(d: Driver, name = 'connect') {
  const Irp = d.irp(name);
  const returned = d.Dispatch.WskSocketConnect(
    d.Npi.Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr('0.0.0.0:0'), sockaddr('10.0.0.2:80'), 0,
    null, null, null, null, null, Irp,
  );
  return { Irp, returned };
}

function accept(d: Driver, Listen: PWSK_SOCKET, name = 'accept'): { Irp: IRP; status: NTSTATUS } {
  const Irp = d.irp(name);
  const status = provider(Listen).WskAccept(Listen, 0, null, null, null, null, Irp);
  return { Irp, status };
}

function close(d: Driver, Socket: PWSK_SOCKET, name = 'close'): { Irp: IRP; status: NTSTATUS } {
  const Irp = d.irp(name);
  return { Irp, status: provider(Socket).WskCloseSocket(Socket, Irp) };
}

function localOf(d: Driver, Socket: PWSK_SOCKET): SOCKADDR {
  const Local = sockaddr('0.0.0.0:0');
  const Irp = d.irp('local');
  (Socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH).WskGetLocalAddress(Socket, Local, Irp);
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  return Local;
}

/** TCP segments sent on the wire: '<ms> <source>><target> <flags and numbers>'. */
function wire(sim: Simulation): string[] {
  return packetRecords(sim.records())
    .filter((r) => r.phase === 'sent')
    .map((r) => `${r.at / MS} ${r.source}>${r.target} ${String(r.info)}`);
}

function rstSegments(sim: Simulation): string[] {
  return wire(sim).filter((line) => / RST/.test(line));
}

function advisoryRules(k: Kernel): string[] {
  return k.advisories.map((a) => a.rule);
}

/** What one WskAcceptEvent call saw. */
interface Indication {
  at: number;
  SocketContext: unknown;
  Flags: number;
  irql: KIRQL;
  LocalAddress: SOCKADDR;
  RemoteAddress: SOCKADDR;
  AcceptSocket: PWSK_SOCKET | null;
}

/**
 * A WskAcceptEvent that records its arguments, sets the out-parameters to `context` and
 * `dispatch`, runs `during` and returns `status`.
 */
function recorder(
  k: Kernel,
  seen: Indication[],
  options: {
    status?: NTSTATUS;
    context?: unknown;
    dispatch?: WSK_CLIENT_CONNECTION_DISPATCH | null;
    during?: (AcceptSocket: PWSK_SOCKET | null) => void;
  } = {},
): PFN_WSK_ACCEPT_EVENT {
  return (
    SocketContext, Flags, LocalAddress, RemoteAddress, AcceptSocket, AcceptSocketContext,
    AcceptSocketDispatch,
  ) => {
    // The addresses are valid during the call only (docs/model.md#wskacceptevent): kept as copies.
    seen.push({
      at: k.sim.now / MS, SocketContext, Flags, irql: k.KeGetCurrentIrql(),
      LocalAddress: { ...LocalAddress }, RemoteAddress: { ...RemoteAddress }, AcceptSocket,
    });
    options.during?.(AcceptSocket);
    AcceptSocketContext.value = options.context ?? null;
    AcceptSocketDispatch.value = options.dispatch ?? null;
    return options.status ?? STATUS_SUCCESS;
  };
}

const CONNECTION_DISPATCH: WSK_CLIENT_CONNECTION_DISPATCH = Object.freeze({
  WskReceiveEvent: () => STATUS_SUCCESS,
  WskDisconnectEvent: () => STATUS_SUCCESS,
  WskSendBacklogEvent: () => STATUS_SUCCESS,
});

// ---- tests --------------------------------------------------------------------------------------

describe('WskAcceptEvent: enabling', () => {
  it('every event is disabled by default: the connection waits and a later WskAccept takes it', async () => {
    const { sim, server, client } = world();
    const seen: Indication[] = [];
    const listen = listenSocket(server, listenDispatch(recorder(server.k, seen)));
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    expect(listen.state.events).toBe(0);
    const { Irp } = socketConnect(client);
    await sim.run({ until: '100ms' });
    expect(client.log).toEqual(['connect STATUS_SUCCESS @10']);
    expect(seen).toEqual([]);
    const a = accept(server, listen);
    expect(a.status).toBe(STATUS_SUCCESS);
    expect(a.Irp.PendingReturned).toBe(false);
    expect(server.log.at(-1)).toBe('accept STATUS_SUCCESS @100');
    const socket = a.Irp.IoStatus.Information as PWSK_SOCKET;
    expect(socket).toBeInstanceOf(WSK_SOCKET);
    expect(socket.state.connection?.remotePort).toBe(
      (localOf(client, Irp.IoStatus.Information as PWSK_SOCKET) as { sin_port: number }).sin_port,
    );
    expect(rstSegments(sim)).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('enable before bind, with an IRP (a violation), or without a WskAcceptEvent → invalid', () => {
    const { server } = world();
    const seen: Indication[] = [];
    const listen = listenSocket(server, listenDispatch(recorder(server.k, seen)));
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_INVALID_PARAMETER);
    expect(advisoryRules(server.k)).toEqual(['WSK-OPTION-TIMING']);
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const withIrp = server.irp('enable-irp');
    expect(eventControl(listen, WSK_EVENT_ACCEPT, withIrp)).toBe(STATUS_INVALID_PARAMETER);
    expect(withIrp.IoStatus.Status).toBe(STATUS_INVALID_PARAMETER);
    expect(server.calls.get(withIrp)).toBe(1);
    expect(listen.state.events).toBe(0);
    // docs/model.md#enabling-and-disabling-events: an enable takes no IRP [doc], so the verifier
    // reports it (docs/design.md#the-verifier).
    expect(server.k.violations.map((v) => [v.rule, v.socket])).toEqual([
      ['WSK-EVENT-ENABLE-IRP', listen.state.id],
    ]);

    const noCallback = listenSocket(server, listenDispatch(null));
    expect(bind(server, noCallback, '0.0.0.0:81')).toBe(STATUS_SUCCESS);
    expect(eventControl(noCallback, WSK_EVENT_ACCEPT)).toBe(STATUS_INVALID_PARAMETER);
    const noDispatch = listenSocket(server, null);
    expect(bind(server, noDispatch, '0.0.0.0:82')).toBe(STATUS_SUCCESS);
    expect(eventControl(noDispatch, WSK_EVENT_ACCEPT)).toBe(STATUS_INVALID_PARAMETER);
    expect(advisoryRules(server.k)).toEqual([
      'WSK-OPTION-TIMING', 'WSK-EVENT-NO-CALLBACK', 'WSK-EVENT-NO-CALLBACK',
    ]);
    expect([listen, noCallback, noDispatch].map((s) => s.state.events)).toEqual([0, 0, 0]);
    // The good enable, once bound, without an IRP.
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    expect(listen.state.events).toBe(WSK_EVENT_ACCEPT);
    expect(server.k.violations).toHaveLength(1);
  });

  it('enabling WSK_EVENT_ACCEPT with connections already waiting indicates them', async () => {
    const { sim, server, client } = world();
    const seen: Indication[] = [];
    const dispatch = listenDispatch(
      recorder(server.k, seen, { during: () => server.log.push(`event @${sim.now / MS}`) }),
    );
    const listen = listenSocket(server, dispatch);
    bind(server, listen, '0.0.0.0:80');
    socketConnect(client, 'c1');
    socketConnect(client, 'c2');
    await sim.run({ until: '100ms' });
    expect(client.log).toEqual(['c1 STATUS_SUCCESS @10', 'c2 STATUS_SUCCESS @10']);
    expect(seen).toEqual([]);
    sim.at('200ms', 'enable', () => {
      expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
      server.log.push('enabled');
    });
    await sim.run({ until: '1s' });
    expect(server.log.slice(2)).toEqual(['enabled', 'event @200', 'event @200']);
    expect(seen.every((s) => s.AcceptSocket instanceof WSK_SOCKET)).toBe(true);
    expect(new Set(seen.map((s) => s.AcceptSocket)).size).toBe(2);
    // Nothing left waiting: a WskAccept pends.
    expect(accept(server, listen).status).toBe(STATUS_PENDING);
    expect(server.k.wsk.sockets.openSockets).toBe(3);
  });
});

describe('WskAcceptEvent: the call', () => {
  async function indicated(kernel: KernelOptions = {}) {
    const { sim, server, client } = world({ kernel });
    const seen: Indication[] = [];
    const context = { per: 'connection' };
    const dispatch = listenDispatch(
      recorder(server.k, seen, { context, dispatch: CONNECTION_DISPATCH }),
    );
    const listen = listenSocket(server, dispatch);
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    const { Irp } = socketConnect(client);
    await sim.run({ until: '1s' });
    return { sim, server, client, seen, context, clientSocket: Irp.IoStatus.Information };
  }

  it('runs after the handshake with the listener context, DISPATCH flag, addresses and the socket', async () => {
    const { server, client, seen, context, clientSocket } = await indicated();
    expect(client.log).toEqual([`connect STATUS_SUCCESS @${2 * LATENCY_MS}`]);
    expect(seen).toHaveLength(1);
    const [one] = seen as [Indication];
    // The client's SYN reaches the server at 5 ms; one round trip later (SYN-ACK out, the
    // client's ACK back) the handshake completes: 15 ms.
    expect(one.at).toBe(3 * LATENCY_MS);
    expect(one.SocketContext).toBe('listen-ctx');
    expect(one.Flags).toBe(WSK_FLAG_AT_DISPATCH_LEVEL);
    expect(one.irql).toBe(DISPATCH_LEVEL);
    expect(one.LocalAddress).toEqual(sockaddr('10.0.0.2:80'));
    expect(one.RemoteAddress).toEqual(localOf(client, clientSocket as PWSK_SOCKET));
    const socket = one.AcceptSocket as PWSK_SOCKET;
    expect(socket).toBeInstanceOf(WSK_SOCKET);
    expect(socket.Dispatch).toBe(server.k.wsk.sockets.connectionDispatch);
    // The out-parameters became the accepted socket's context and dispatch.
    expect(socket.state.context).toBe(context);
    expect(socket.state.clientDispatch).toBe(CONNECTION_DISPATCH);
    expect(socket.state.events).toBe(0);
    const Remote = sockaddr('0.0.0.0:0');
    const r = server.irp('remote');
    (socket.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH).WskGetRemoteAddress(socket, Remote, r);
    expect(Remote).toEqual(one.RemoteAddress);
    expect(server.k.wsk.sockets.openSockets).toBe(2);
    expect(server.k.violations).toEqual([]);
  });

  it('Flags is 0 and the IRQL PASSIVE when the callback runs at PASSIVE_LEVEL', async () => {
    const { seen } = await indicated({ passiveCallbacks: 1 });
    expect(seen.map((s) => [s.Flags, s.irql])).toEqual([[0, PASSIVE_LEVEL]]);
  });

  it('STATUS_REQUEST_NOT_ACCEPTED: WSK closes the socket abortively, the client sees a RST', async () => {
    const { sim, server, client } = world();
    const seen: Indication[] = [];
    const dispatch = listenDispatch(
      recorder(server.k, seen, { status: STATUS_REQUEST_NOT_ACCEPTED }),
    );
    const listen = listenSocket(server, dispatch);
    bind(server, listen, '0.0.0.0:80');
    eventControl(listen, WSK_EVENT_ACCEPT);
    const { Irp } = socketConnect(client);
    await sim.run({ until: '1s' });
    expect(client.log).toEqual(['connect STATUS_SUCCESS @10']);
    expect(seen).toHaveLength(1);
    const clientSocket = Irp.IoStatus.Information as PWSK_SOCKET;
    const port = (localOf(client, clientSocket) as { sin_port: number }).sin_port;
    expect(rstSegments(sim)).toEqual([`15 10.0.0.2>10.0.0.1 RST,ACK 80→${port} seq=1 ack=1 win=0`]);
    expect(clientSocket.state.connection?.outcome).toBe('reset');
    // The client's TCP connection ended 'reset' when the RST arrived (one latency later).
    const outcomes = sim.records().filter((r) => r.type === 'tcp.outcome');
    expect(outcomes.map((r) => [r.at / MS, r['host'], r['outcome']])).toEqual([
      [15, 'server', 'aborted'],
      [20, 'client', 'reset'],
    ]);
    expect(server.k.wsk.sockets.openSockets).toBe(1);
    expect((seen[0] as Indication).AcceptSocket?.state.closed).toBe(true);
    expect(server.k.violations).toEqual([]);
  });

  it('a return other than SUCCESS / REQUEST_NOT_ACCEPTED is WSK-ACCEPT-EVENT-RETURN', async () => {
    const { sim, server, client } = world();
    const seen: Indication[] = [];
    const listen = listenSocket(
      server, listenDispatch(recorder(server.k, seen, { status: STATUS_PENDING })),
    );
    bind(server, listen, '0.0.0.0:80');
    eventControl(listen, WSK_EVENT_ACCEPT);
    socketConnect(client);
    const result = await sim.run({ until: '1s' });
    expect(result.failure?.kind).toBe('violation');
    expect(result.failure?.message).toMatch(/^WSK-ACCEPT-EVENT-RETURN: /);
    expect(server.k.violations.map((v) => v.rule)).toEqual(['WSK-ACCEPT-EVENT-RETURN']);
    expect(seen).toHaveLength(1);
  });
});

describe('WskAcceptEvent and queued WskAccept IRPs', () => {
  async function race(acceptCallbackRace: number) {
    const { sim, server, client } = world({ kernel: { acceptCallbackRace } });
    const seen: Indication[] = [];
    const listen = listenSocket(server, listenDispatch(recorder(server.k, seen)));
    bind(server, listen, '0.0.0.0:80');
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    const a = accept(server, listen);
    expect(a.status).toBe(STATUS_PENDING);
    socketConnect(client);
    await sim.run({ until: '1s' });
    return { sim, server, seen, listen, a };
  }

  it('a queued WskAccept IRP wins by default, even with the event enabled', async () => {
    const { server, seen, a } = await race(0);
    expect(seen).toEqual([]);
    expect(server.log.at(-1)).toBe('accept STATUS_SUCCESS @15');
    expect(a.Irp.IoStatus.Information).toBeInstanceOf(WSK_SOCKET);
  });

  it("with acceptCallbackRace 1 the callback takes the connection and the IRP stays queued", async () => {
    const { sim, server, seen, listen, a } = await race(1);
    expect(seen.map((s) => s.at)).toEqual([15]);
    expect(seen[0]?.AcceptSocket).toBeInstanceOf(WSK_SOCKET);
    expect(server.calls.get(a.Irp)).toBeUndefined();
    expect(listen.state.accepts.map((q) => q.irp)).toEqual([a.Irp]);
    // Still queued: the listener's close cancels it.
    close(server, listen);
    await sim.run({ until: '2s' });
    expect(server.log.slice(-2)).toEqual(['accept STATUS_CANCELLED @1000', 'close STATUS_SUCCESS @1000']);
  });
});

describe('event inheritance and static callbacks', () => {
  it('connection events enabled on the listener go to WskAcceptEvent sockets, not WskAccept ones', async () => {
    const { sim, server, client } = world();
    const seen: Indication[] = [];
    const listen = listenSocket(
      server, listenDispatch(recorder(server.k, seen, { dispatch: CONNECTION_DISPATCH })),
    );
    bind(server, listen, '0.0.0.0:80');
    const inherited = WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT;
    expect(eventControl(listen, inherited)).toBe(STATUS_SUCCESS);
    expect(disable(listen, WSK_EVENT_RECEIVE)).toBe(STATUS_INVALID_PARAMETER);
    expect(advisoryRules(server.k)).toEqual(['WSK-EVENT-INVALID']);
    // First connection: a queued WskAccept takes it.
    const a = accept(server, listen);
    socketConnect(client, 'c1');
    await sim.run({ until: '100ms' });
    const byIrp = a.Irp.IoStatus.Information as PWSK_SOCKET;
    expect(byIrp).toBeInstanceOf(WSK_SOCKET);
    // Second: WskAcceptEvent.
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    socketConnect(client, 'c2');
    await sim.run({ until: '200ms' });
    expect(seen).toHaveLength(1);
    const byEvent = seen[0]?.AcceptSocket as PWSK_SOCKET;
    expect(byEvent.state.events).toBe(inherited);
    expect(byIrp.state.events & inherited).toBe(0);
    // The inherited events stay, even across a disable and re-enable of WSK_EVENT_ACCEPT.
    expect(disable(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    expect(disable(listen, WSK_EVENT_DISCONNECT)).toBe(STATUS_INVALID_PARAMETER);
    socketConnect(client, 'c3');
    await sim.run({ until: '300ms' });
    expect(seen.map((s) => s.AcceptSocket?.state.events)).toEqual([inherited, inherited]);
    expect(listen.state.events).toBe(inherited | WSK_EVENT_ACCEPT);
  });

  it('a static WSK_EVENT_ACCEPT runs without SO_WSK_EVENT_CALLBACK and cannot be disabled', async () => {
    const { sim, server, client } = world();
    const control = { NpiId: NPI_WSK_INTERFACE_ID, EventMask: WSK_EVENT_ACCEPT };
    expect(
      server.Dispatch.WskControlClient(
        server.Npi.Client!, WSK_SET_STATIC_EVENT_CALLBACKS, 16, control, 0, null, null, null,
      ),
    ).toBe(STATUS_SUCCESS);
    const seen: Indication[] = [];
    const listen = listenSocket(server, listenDispatch(recorder(server.k, seen)));
    expect(listen.state.events).toBe(WSK_EVENT_ACCEPT);
    bind(server, listen, '0.0.0.0:80');
    socketConnect(client);
    await sim.run({ until: '1s' });
    expect(seen.map((s) => [s.at, s.SocketContext])).toEqual([[15, 'listen-ctx']]);
    expect(disable(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_INVALID_PARAMETER);
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_INVALID_PARAMETER);
    expect(listen.state.events).toBe(WSK_EVENT_ACCEPT);
    expect(advisoryRules(server.k)).toEqual(['WSK-EVENT-INVALID', 'WSK-EVENT-STATIC']);
  });
});

describe('disable and close from inside WskAcceptEvent', () => {
  /** A listener whose callback runs `during`; two connections 50 ms apart. */
  async function inside(during: (listen: PWSK_SOCKET, d: Driver) => void) {
    const { sim, server, client } = world();
    const seen: Indication[] = [];
    let listen: PWSK_SOCKET | null = null;
    const dispatch = listenDispatch(
      recorder(server.k, seen, {
        during: () => {
          server.log.push(`event @${sim.now / MS}`);
          during(listen as PWSK_SOCKET, server);
          server.log.push('event returns');
        },
      }),
    );
    listen = listenSocket(server, dispatch);
    bind(server, listen, '0.0.0.0:80');
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    socketConnect(client, 'c1');
    sim.at('50ms', 'second connect', () => void socketConnect(client, 'c2'));
    await sim.run({ until: '10s' });
    return { sim, server, client, seen, listen };
  }

  it('without an IRP: STATUS_EVENT_PENDING, and no callback afterwards', async () => {
    const statuses: NTSTATUS[] = [];
    const { server, client, seen, listen } = await inside((l) => {
      statuses.push(disable(l, WSK_EVENT_ACCEPT));
    });
    expect(statuses).toEqual([STATUS_EVENT_PENDING]);
    expect(seen).toHaveLength(1);
    expect(client.log).toEqual(['c1 STATUS_SUCCESS @10', 'c2 STATUS_SUCCESS @60']);
    expect(listen.state.events).toBe(0);
    // The second connection waits for a WskAccept.
    const a = accept(server, listen);
    expect(a.status).toBe(STATUS_SUCCESS);
  });

  it('with an IRP: STATUS_PENDING, the IRP completes right after the callback returns', async () => {
    const { server, seen, listen } = await inside((l, d) => {
      const status = disable(l, WSK_EVENT_ACCEPT, d.irp('disable'));
      d.log.push(`disable returned ${statusName(status)}`);
    });
    expect(server.log.slice(2)).toEqual([
      'event @15',
      'disable returned STATUS_PENDING',
      'event returns',
      'disable STATUS_SUCCESS @15',
    ]);
    expect(seen).toHaveLength(1);
    expect(listen.state.events).toBe(0);
    expect(accept(server, listen).status).toBe(STATUS_SUCCESS);
  });

  it('WskCloseSocket of the listener returns STATUS_PENDING and completes after the callback', async () => {
    const statuses: NTSTATUS[] = [];
    const { sim, server, client, seen, listen } = await inside((l, d) => {
      const { status } = close(d, l);
      statuses.push(status);
      d.log.push(`close returned ${statusName(status)}`);
    });
    expect(statuses).toEqual([STATUS_PENDING]);
    expect(server.log.slice(2)).toEqual([
      'event @15',
      'close returned STATUS_PENDING',
      'event returns',
      'close STATUS_SUCCESS @15',
    ]);
    expect(seen).toHaveLength(1);
    expect(listen.state.closed).toBe(true);
    // The accepted socket was taken (STATUS_SUCCESS) and stays open; the second client is
    // refused, as nothing listens any more.
    expect(server.k.wsk.sockets.openSockets).toBe(1);
    expect(client.log[0]).toBe('c1 STATUS_SUCCESS @10');
    expect(client.log[1]).toMatch(/^c2 STATUS_CONNECTION_REFUSED/);
    expect(rstSegments(sim).length).toBeGreaterThan(0);
  });

  it('disable with no callback running → STATUS_SUCCESS; two events in one disable → invalid', () => {
    const { server } = world();
    const listen = listenSocket(server, listenDispatch(recorder(server.k, [])));
    bind(server, listen, '0.0.0.0:80');
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    const both = (WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE) >>> 0;
    expect(eventControl(listen, both)).toBe(STATUS_INVALID_PARAMETER);
    expect(listen.state.events).toBe(WSK_EVENT_ACCEPT);
    const Irp = server.irp('disable');
    expect(disable(listen, WSK_EVENT_ACCEPT, Irp)).toBe(STATUS_SUCCESS);
    expect(server.log.at(-1)).toBe('disable STATUS_SUCCESS @0');
    expect(disable(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    expect(listen.state.events).toBe(0);
  });
});

describe("the listening socket's death (invalidate)", () => {
  it('queued accepts complete FORCED_CLOSED, one NULL indication, later calls FORCED_CLOSED', async () => {
    const { sim, server } = world();
    const seen: Indication[] = [];
    const dispatch = listenDispatch(
      recorder(server.k, seen, {
        status: STATUS_REQUEST_NOT_ACCEPTED,
        during: (AcceptSocket) => server.log.push(`event ${String(AcceptSocket)}`),
      }),
    );
    const listen = listenSocket(server, dispatch);
    bind(server, listen, '0.0.0.0:80');
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_SUCCESS);
    const a1 = accept(server, listen, 'a1');
    const a2 = accept(server, listen, 'a2');
    expect([a1.status, a2.status]).toEqual([STATUS_PENDING, STATUS_PENDING]);
    sim.at('10ms', 'invalidate', () => {
      server.k.wsk.sockets.invalidate(listen);
      server.k.wsk.sockets.invalidate(listen);
    });
    await sim.run({ until: '1s' });
    expect(server.log.slice(2)).toEqual([
      'a1 STATUS_FILE_FORCED_CLOSED @10',
      'a2 STATUS_FILE_FORCED_CLOSED @10',
      'event null',
    ]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ at: 10, SocketContext: 'listen-ctx', AcceptSocket: null });
    const late = accept(server, listen, 'late');
    expect(late.status).toBe(STATUS_FILE_FORCED_CLOSED);
    expect(server.calls.get(late.Irp)).toBe(1);
    expect(eventControl(listen, WSK_EVENT_ACCEPT)).toBe(STATUS_FILE_FORCED_CLOSED);
    const c = close(server, listen);
    expect(c.status).toBe(STATUS_SUCCESS);
    expect(server.log.at(-1)).toBe('close STATUS_SUCCESS @1000');
    expect(server.k.wsk.sockets.openSockets).toBe(0);
    expect(seen).toHaveLength(1);
    expect(server.k.violations).toEqual([]);
  });

  it('connections waiting at the death are reset; a client connecting later is refused', async () => {
    const { sim, server, client } = world();
    const listen = listenSocket(server, null);
    bind(server, listen, '0.0.0.0:80');
    const { Irp } = socketConnect(client, 'c1');
    sim.at('100ms', 'invalidate', () => server.k.wsk.sockets.invalidate(listen));
    sim.at('200ms', 'second connect', () => void socketConnect(client, 'c2'));
    await sim.run({ until: '10s' });
    expect(client.log[0]).toBe('c1 STATUS_SUCCESS @10');
    expect(client.log[1]).toMatch(/^c2 STATUS_CONNECTION_REFUSED/);
    expect((Irp.IoStatus.Information as PWSK_SOCKET).state.connection?.outcome).toBe('reset');
    const port = (localOf(client, Irp.IoStatus.Information as PWSK_SOCKET) as { sin_port: number })
      .sin_port;
    expect(rstSegments(sim)[0]).toBe(`100 10.0.0.2>10.0.0.1 RST,ACK 80→${port} seq=1 ack=1 win=0`);
  });
});
