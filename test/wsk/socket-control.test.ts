/**
 * WskControlSocket's options (docs/model.md#socket-options-and-control) and what they do to
 * WskBind: the sharing table end to end (#address-sharing), dual stack
 * (#family-wildcard-and-ephemeral-ports), stream sockets' WskListen / WskConnect (#wsklisten), and
 * the advisories of bad arguments (docs/design.md#status-violation-or-advisory; socket.ts and
 * socket-control.ts headers).
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { Simulation } from '../../src/simulation.ts';
import { packetRecords } from '../../src/topology/records.ts';
import {
  AF_INET,
  AF_INET6,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_V6ONLY,
  IRP,
  SECURITY_DESCRIPTOR,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_CONDITIONAL_ACCEPT,
  SO_EXCLUSIVEADDRUSE,
  SO_REUSEADDR,
  SO_WSK_SECURITY,
  STATUS_ACCESS_DENIED,
  STATUS_ADDRESS_ALREADY_EXISTS,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_CONNECTION_REFUSED,
  STATUS_INVALID_ADDRESS_COMPONENT,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_PARAMETER,
  STATUS_NOT_SUPPORTED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  WSK_CACHED_SECURITY_DESCRIPTOR,
  WSK_CACHE_SD,
  WSK_RELEASE_SD,
  WSK_FLAG_BASIC_SOCKET,
  WSK_FLAG_LISTEN_SOCKET,
  WSK_FLAG_STREAM_SOCKET,
  WSK_SOCKET,
  WskGetOption,
  WskIoctl,
  WskSetOption,
  sockaddr,
  statusName,
  type NTSTATUS,
  type PSECURITY_DESCRIPTOR,
  type PWSK_SOCKET,
  type SOCKADDR,
  type WSK_PROVIDER_CONNECTION_DISPATCH,
  type WSK_PROVIDER_LISTEN_DISPATCH,
  type WSK_PROVIDER_STREAM_DISPATCH,
} from '../../src/wsk/index.ts';
import {
  bind,
  connectionSocket,
  driver,
  listenSocket,
  socketConnect,
  socketOf,
  world,
  type Driver,
} from './support.ts';

/** SO_KEEPALIVE (ws2def.h 0x0008): an option this part does not model. */
const SO_KEEPALIVE = 0x0008;

type Dispatch = WSK_PROVIDER_STREAM_DISPATCH;

function dispatchOf(Socket: PWSK_SOCKET): Dispatch {
  return Socket.Dispatch as Dispatch;
}

/** WskSetOption of a ULONG (holder `{ value }`, InputSize 4); `name` null: no IRP. */
function setOption(
  d: Driver,
  Socket: PWSK_SOCKET,
  code: number,
  value: number,
  { level = SOL_SOCKET, name = 'set' as string | null, size = 4 } = {},
) {
  const Irp = name === null ? null : d.irp(name);
  const returned = dispatchOf(Socket).WskControlSocket(
    Socket, WskSetOption, code, level, size, { value }, 0, null, null, Irp,
  );
  return { returned, Irp };
}

/** WskGetOption of a ULONG into a holder, with OutputSizeReturned, and an IRP. */
function getOption(
  d: Driver,
  Socket: PWSK_SOCKET,
  code: number,
  { level = SOL_SOCKET, name = 'get', size = 4 } = {},
) {
  const Irp = d.irp(name);
  const out = { value: -1 };
  const returnedSize = { value: -1 };
  const returned = dispatchOf(Socket).WskControlSocket(
    Socket, WskGetOption, code, level, 0, null, size, out, returnedSize, Irp,
  );
  return { returned, Irp, value: out.value, size: returnedSize.value };
}

function rules(d: Driver): string[] {
  return d.k.advisories.map((a) => a.rule);
}

/**
 * WskSocket with the security arguments the sharing table's CHECK cells read
 * (docs/model.md#address-sharing).
 */
function secureSocket(
  d: Driver,
  Flags: number,
  OwningProcess: unknown,
  SecurityDescriptor: PSECURITY_DESCRIPTOR | null,
): PWSK_SOCKET {
  const Irp = d.irp('socket');
  d.Dispatch.WskSocket(
    d.Npi.Client!, AF_INET, SOCK_STREAM, IPPROTO_TCP, Flags, null, null, OwningProcess, null,
    SecurityDescriptor, Irp,
  );
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  return Irp.IoStatus.Information as PWSK_SOCKET;
}

/** WskControlClient(WSK_CACHE_SD): the cached copy WskSocket and SO_WSK_SECURITY must be given. */
function cacheSd(d: Driver, sd: SECURITY_DESCRIPTOR): WSK_CACHED_SECURITY_DESCRIPTOR {
  const cached = { value: null as unknown };
  const status = d.Dispatch.WskControlClient(
    d.Npi.Client!, WSK_CACHE_SD, 8, { value: sd }, 8, cached, null, null,
  );
  expect(status).toBe(STATUS_SUCCESS);
  return cached.value as WSK_CACHED_SECURITY_DESCRIPTOR;
}

/** Queues a WskAccept; the accepted socket is the IRP's Information once it completes. */
function accept(d: Driver, listen: PWSK_SOCKET, name: string, Remote: SOCKADDR | null = null) {
  const Irp = d.irp(name);
  const returned = dispatchOf(listen).WskAccept(listen, 0, null, null, null, Remote, Irp);
  return { Irp, returned };
}

function close(d: Driver, Socket: PWSK_SOCKET, name = 'close'): NTSTATUS {
  const Irp = d.irp(name);
  dispatchOf(Socket).WskCloseSocket(Socket, Irp);
  return Irp.IoStatus.Status;
}

function remoteOf(d: Driver, Socket: PWSK_SOCKET, empty = '[::]:0'): SOCKADDR {
  const Remote = sockaddr(empty);
  const Irp = d.irp('remote');
  dispatchOf(Socket).WskGetRemoteAddress(Socket, Remote, Irp);
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  return Remote;
}

describe('WskControlSocket: options (docs/model.md#socket-options-and-control)', () => {
  it('SO_REUSEADDR set with an IRP reads back 1: Information and OutputSizeReturned are 4', () => {
    const { server } = world();
    const listen = listenSocket(server);
    const before = getOption(server, listen, SO_REUSEADDR, { name: 'get0' });
    expect(before.value).toBe(0);
    const set = setOption(server, listen, SO_REUSEADDR, 1);
    expect(set.returned).toBe(STATUS_SUCCESS);
    expect(set.Irp?.IoStatus.Information).toBe(0);
    const get = getOption(server, listen, SO_REUSEADDR);
    expect(get.returned).toBe(STATUS_SUCCESS);
    expect(get.value).toBe(1);
    expect(get.Irp.IoStatus.Information).toBe(4);
    expect(get.size).toBe(4);
    const exclusive = getOption(server, listen, SO_EXCLUSIVEADDRUSE, { name: 'get-excl' });
    expect(exclusive.value).toBe(0);
    expect(server.log).toEqual([
      'socket STATUS_SUCCESS @0',
      'get0 STATUS_SUCCESS @0',
      'set STATUS_SUCCESS @0',
      'get STATUS_SUCCESS @0',
      'get-excl STATUS_SUCCESS @0',
    ]);
    expect([...server.calls.values()].every((n) => n === 1)).toBe(true);
    expect(server.k.advisories).toEqual([]);
  });

  it('SO_EXCLUSIVEADDRUSE while SO_REUSEADDR is set: STATUS_INVALID_PARAMETER, WSK-OPTION-CONFLICT', () => {
    const { sim, server } = world();
    const listen = listenSocket(server);
    setOption(server, listen, SO_REUSEADDR, 1, { name: 'reuse' });
    const conflict = setOption(server, listen, SO_EXCLUSIVEADDRUSE, 1, { name: 'exclusive' });
    expect(conflict.returned).toBe(STATUS_INVALID_PARAMETER);
    expect(conflict.Irp?.IoStatus.Status).toBe(STATUS_INVALID_PARAMETER);
    expect(rules(server)).toEqual(['WSK-OPTION-CONFLICT']);
    // The first option stays; the second was not taken.
    expect(getOption(server, listen, SO_REUSEADDR).value).toBe(1);
    expect(getOption(server, listen, SO_EXCLUSIVEADDRUSE).value).toBe(0);
    // Clearing SO_REUSEADDR lets SO_EXCLUSIVEADDRUSE in, spelled as C's (int)~SO_REUSEADDR.
    setOption(server, listen, SO_REUSEADDR, 0, { name: 'clear' });
    setOption(server, listen, ~SO_REUSEADDR, 1, { name: 'exclusive2' });
    expect(getOption(server, listen, SO_EXCLUSIVEADDRUSE).value).toBe(1);
    expect(getOption(server, listen, SO_REUSEADDR).value).toBe(0);
    expect(server.log.filter((line) => !line.startsWith('get'))).toEqual([
      'socket STATUS_SUCCESS @0',
      'reuse STATUS_SUCCESS @0',
      'exclusive STATUS_INVALID_PARAMETER @0',
      'clear STATUS_SUCCESS @0',
      'exclusive2 STATUS_SUCCESS @0',
    ]);
    const records = sim.records().filter((r) => r.type === 'nt.advisory');
    expect(records).toEqual([
      expect.objectContaining({ host: 'server', rule: 'WSK-OPTION-CONFLICT' }),
    ]);
  });

  it('no IRP where one is required: STATUS_INVALID_PARAMETER returned, WSK-OPTION-NO-IRP', () => {
    const { sim, server } = world();
    const listen = listenSocket(server);
    const set = setOption(server, listen, SO_REUSEADDR, 1, { name: null });
    expect(set.returned).toBe(STATUS_INVALID_PARAMETER);
    expect(rules(server)).toEqual(['WSK-OPTION-NO-IRP']);
    expect(getOption(server, listen, SO_REUSEADDR).value).toBe(0);
    const calls = sim
      .records()
      .filter((r) => r.type === 'wsk.call')
      .filter((r) => /^WskSocket|^WskControlSocket/.test(String(r['call'])));
    expect(calls.map((r) => `${String(r['call'])} ${String(r['status'])}`)).toEqual([
      'WskSocket STATUS_SUCCESS',
      'WskControlSocket(SO_REUSEADDR) STATUS_INVALID_PARAMETER',
      'WskControlSocket(SO_REUSEADDR) STATUS_SUCCESS',
    ]);
  });

  it('set after bind: STATUS_INVALID_PARAMETER and WSK-OPTION-TIMING; the option stays off', () => {
    const { server } = world();
    const listen = listenSocket(server);
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const late = setOption(server, listen, SO_REUSEADDR, 1, { name: 'late' });
    expect(late.returned).toBe(STATUS_INVALID_PARAMETER);
    expect(rules(server)).toEqual(['WSK-OPTION-TIMING']);
    expect(getOption(server, listen, SO_REUSEADDR).value).toBe(0);
    // So a second SO_REUSEADDR socket cannot share the address (docs/model.md#address-sharing:
    // DENIED).
    const second = listenSocket(server);
    setOption(server, second, SO_REUSEADDR, 1, { name: 'reuse2' });
    expect(bind(server, second, '0.0.0.0:80')).toBe(STATUS_ACCESS_DENIED);
    expect(server.log).toEqual([
      'socket STATUS_SUCCESS @0',
      'bind STATUS_SUCCESS @0',
      'late STATUS_INVALID_PARAMETER @0',
      'get STATUS_SUCCESS @0',
      'socket STATUS_SUCCESS @0',
      'reuse2 STATUS_SUCCESS @0',
      'bind STATUS_ACCESS_DENIED @0',
    ]);
  });

  it('an output buffer of 2 bytes: STATUS_BUFFER_TOO_SMALL, nothing written', () => {
    const { server } = world();
    const listen = listenSocket(server);
    const get = getOption(server, listen, SO_REUSEADDR, { size: 2, name: 'small' });
    expect(get.returned).toBe(STATUS_BUFFER_TOO_SMALL);
    expect(get.Irp.IoStatus.Status).toBe(STATUS_BUFFER_TOO_SMALL);
    expect(get.Irp.IoStatus.Information).toBe(0);
    expect(get.value).toBe(-1);
    expect(get.size).toBe(-1);
    expect(server.log).toEqual(['socket STATUS_SUCCESS @0', 'small STATUS_BUFFER_TOO_SMALL @0']);
  });

  it('SO_CONDITIONAL_ACCEPT is stored on a listening socket, not supported on a connection socket', () => {
    const { server } = world();
    const conditional = { WskAcceptEvent: null, WskInspectEvent: () => 1, WskAbortEvent: () => 0 };
    const listen = socketOf(server, WSK_FLAG_LISTEN_SOCKET, AF_INET, conditional);
    expect(getOption(server, listen, SO_CONDITIONAL_ACCEPT).value).toBe(0);
    expect(setOption(server, listen, SO_CONDITIONAL_ACCEPT, 1).returned).toBe(STATUS_SUCCESS);
    const back = getOption(server, listen, SO_CONDITIONAL_ACCEPT);
    expect([back.value, back.size, back.Irp.IoStatus.Information]).toEqual([1, 4, 4]);
    const connection = connectionSocket(server);
    const set = setOption(server, connection, SO_CONDITIONAL_ACCEPT, 1, { name: 'conn-set' });
    expect(set.returned).toBe(STATUS_NOT_SUPPORTED);
    const get = getOption(server, connection, SO_CONDITIONAL_ACCEPT, { name: 'conn-get' });
    expect(get.returned).toBe(STATUS_NOT_SUPPORTED);
    expect(get.value).toBe(-1);
    expect(server.log.slice(-2)).toEqual([
      'conn-set STATUS_NOT_SUPPORTED @0',
      'conn-get STATUS_NOT_SUPPORTED @0',
    ]);
    expect(server.k.advisories).toEqual([]);
    // docs/model.md#socket-options-and-control: its get needs an IRP too.
    const noIrp = dispatchOf(listen).WskControlSocket(
      listen, WskGetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, 0, null, 4, { value: -1 }, null,
      null,
    );
    expect(noIrp).toBe(STATUS_INVALID_PARAMETER);
    expect(rules(server)).toEqual(['WSK-OPTION-NO-IRP']);
  });

  it('SO_CONDITIONAL_ACCEPT on a socket without WskInspectEvent and WskAbortEvent: invalid', () => {
    const { server } = world();
    const noAbort = { WskAcceptEvent: null, WskInspectEvent: () => 1, WskAbortEvent: null };
    for (const Dispatch of [null, noAbort]) {
      const listen = socketOf(server, WSK_FLAG_LISTEN_SOCKET, AF_INET, Dispatch);
      const set = setOption(server, listen, SO_CONDITIONAL_ACCEPT, 1, { name: 'set' });
      expect(set.returned).toBe(STATUS_INVALID_PARAMETER);
      expect(getOption(server, listen, SO_CONDITIONAL_ACCEPT).value).toBe(0);
    }
    expect(rules(server)).toEqual(['WSK-CONDITIONAL-NO-CALLBACK', 'WSK-CONDITIONAL-NO-CALLBACK']);
  });

  it('an option not modelled and WskIoctl: STATUS_NOT_SUPPORTED; a bad request type is invalid', () => {
    const { server } = world();
    const listen = listenSocket(server);
    expect(setOption(server, listen, SO_KEEPALIVE, 1, { name: 'keepalive' }).returned).toBe(
      STATUS_NOT_SUPPORTED,
    );
    expect(getOption(server, listen, SO_KEEPALIVE, { name: 'keepalive-get' }).returned).toBe(
      STATUS_NOT_SUPPORTED,
    );
    const ioctl = server.irp('ioctl');
    expect(
      dispatchOf(listen).WskControlSocket(
        listen, WskIoctl, 0x98000001, 0, 0, null, 0, null, null, ioctl,
      ),
    ).toBe(STATUS_NOT_SUPPORTED);
    const odd = server.irp('type-7');
    expect(
      dispatchOf(listen).WskControlSocket(listen, 7, SO_REUSEADDR, SOL_SOCKET, 0, null, 0, null,
        null, odd),
    ).toBe(STATUS_INVALID_PARAMETER);
    expect(server.log).toEqual([
      'socket STATUS_SUCCESS @0',
      'keepalive STATUS_NOT_SUPPORTED @0',
      'keepalive-get STATUS_NOT_SUPPORTED @0',
      'ioctl STATUS_NOT_SUPPORTED @0',
      'type-7 STATUS_INVALID_PARAMETER @0',
    ]);
  });

  it('a basic socket answers SO_REUSEADDR with STATUS_NOT_SUPPORTED and has no WskBind', () => {
    const { server } = world();
    const basic = socketOf(server, WSK_FLAG_BASIC_SOCKET);
    expect(setOption(server, basic, SO_REUSEADDR, 1).returned).toBe(STATUS_NOT_SUPPORTED);
    expect(getOption(server, basic, SO_REUSEADDR).returned).toBe(STATUS_NOT_SUPPORTED);
    expect('WskBind' in basic.Dispatch).toBe(false);
    expect(Object.keys(basic.Dispatch)).toEqual(['WskControlSocket', 'WskCloseSocket']);
    expect(server.log).toEqual([
      'socket STATUS_SUCCESS @0',
      'set STATUS_NOT_SUPPORTED @0',
      'get STATUS_NOT_SUPPORTED @0',
    ]);
  });

  it('IPV6_V6ONLY defaults to 1 on AF_INET6, needs no IRP, and is not supported on AF_INET', () => {
    const { server } = world();
    const v6 = listenSocket(server, AF_INET6);
    const v6only = { level: IPPROTO_IPV6 };
    const initial = getOption(server, v6, IPV6_V6ONLY, v6only);
    expect([initial.returned, initial.value, initial.size]).toEqual([STATUS_SUCCESS, 1, 4]);
    expect(setOption(server, v6, IPV6_V6ONLY, 0, { ...v6only, name: null }).returned).toBe(
      STATUS_SUCCESS,
    );
    expect(getOption(server, v6, IPV6_V6ONLY, v6only).value).toBe(0);
    // At SOL_SOCKET the same number is some other option: not supported.
    expect(getOption(server, v6, IPV6_V6ONLY, { name: 'sol' }).returned).toBe(
      STATUS_NOT_SUPPORTED,
    );
    const v4 = listenSocket(server, AF_INET);
    expect(setOption(server, v4, IPV6_V6ONLY, 0, { ...v6only, name: 'v4-set' }).returned).toBe(
      STATUS_NOT_SUPPORTED,
    );
    expect(getOption(server, v4, IPV6_V6ONLY, { ...v6only, name: 'v4-get' }).returned).toBe(
      STATUS_NOT_SUPPORTED,
    );
    expect(server.k.advisories).toEqual([]);
  });

  it('strict: an advisory fails the run with failure kind advisory', async () => {
    const { sim, server } = world({ kernel: { pendingCompletions: 0, strict: true } });
    const listen = listenSocket(server);
    setOption(server, listen, SO_REUSEADDR, 1, { name: 'reuse' });
    const conflict = setOption(server, listen, SO_EXCLUSIVEADDRUSE, 1, { name: 'conflict' });
    expect(conflict.returned).toBe(STATUS_INVALID_PARAMETER);
    const outcome = await sim.run({ until: '1s' });
    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.kind).toBe('advisory');
    expect(outcome.failure?.message).toMatch(/^WSK-OPTION-CONFLICT: .*host server/);
    expect(rules(server)).toEqual(['WSK-OPTION-CONFLICT']);
  });

  it('without strict the same advisory leaves the run alone', async () => {
    const { sim, server } = world();
    const listen = listenSocket(server);
    setOption(server, listen, SO_REUSEADDR, 1, { name: 'reuse' });
    setOption(server, listen, SO_EXCLUSIVEADDRUSE, 1, { name: 'conflict' });
    const outcome = await sim.run({ until: '1s' });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.status).not.toBe('failed');
    expect(rules(server)).toEqual(['WSK-OPTION-CONFLICT']);
  });
});

describe('WskBind: the sharing table end to end (docs/model.md#address-sharing)', () => {
  it('two SO_REUSEADDR listeners share 0.0.0.0:80; the first gets connections, the second after it closes', async () => {
    const { sim, server, client } = world();
    const first = listenSocket(server);
    const second = listenSocket(server);
    setOption(server, first, SO_REUSEADDR, 1, { name: 'reuse1' });
    setOption(server, second, SO_REUSEADDR, 1, { name: 'reuse2' });
    expect(bind(server, first, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    expect(bind(server, second, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const a1 = accept(server, first, 'a1');
    const a2 = accept(server, second, 'a2');
    expect([a1.returned, a2.returned]).toEqual([STATUS_PENDING, STATUS_PENDING]);
    const c1 = socketConnect(client, '0.0.0.0:0', '10.0.0.2:80', 0, 'c1');
    await sim.run({ until: '100ms' });
    expect(c1.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(a1.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(server.calls.get(a2.Irp)).toBeUndefined();
    sim.at('200ms', 'close first', () => expect(close(server, first)).toBe(STATUS_SUCCESS));
    let c2: IRP | null = null;
    sim.at('300ms', 'connect again', () => {
      c2 = socketConnect(client, '0.0.0.0:0', '10.0.0.2:80', 0, 'c2').Irp;
    });
    await sim.run({ until: '1s' });
    expect(server.log.slice(6)).toEqual([
      'a1 STATUS_SUCCESS @15',
      'close STATUS_SUCCESS @200',
      'a2 STATUS_SUCCESS @315',
    ]);
    expect(client.log).toEqual(['c1 STATUS_SUCCESS @10', 'c2 STATUS_SUCCESS @310']);
    const accepted = a2.Irp.IoStatus.Information as PWSK_SOCKET;
    expect(accepted).toBeInstanceOf(WSK_SOCKET);
    // The second listener's socket is c2's peer: its remote is c2's local endpoint.
    const c2Socket = (c2 as IRP | null)?.IoStatus.Information as PWSK_SOCKET;
    expect(remoteOf(server, accepted, '0.0.0.0:0')).toEqual(
      sockaddr(`10.0.0.1:${localPort(client, c2Socket)}`),
    );
    // The stack's one live listener on port 80 is the second socket's.
    expect(sim.tcp('server').listeners().filter((l) => !l.closed)).toHaveLength(1);
  });

  it('SO_EXCLUSIVEADDRUSE on 0.0.0.0:80 first: every second bind fails per the table', () => {
    const { server } = world();
    const first = listenSocket(server);
    setOption(server, first, SO_EXCLUSIVEADDRUSE, 1, { name: 'exclusive' });
    expect(bind(server, first, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const seconds: [string, number | null, string, NTSTATUS][] = [
      ['none, wildcard', null, '0.0.0.0:80', STATUS_ADDRESS_ALREADY_EXISTS],
      ['none, specific', null, '10.0.0.2:80', STATUS_ACCESS_DENIED],
      ['REUSEADDR, wildcard', SO_REUSEADDR, '0.0.0.0:80', STATUS_ACCESS_DENIED],
      ['REUSEADDR, specific', SO_REUSEADDR, '10.0.0.2:80', STATUS_ACCESS_DENIED],
      ['EXCLUSIVE, wildcard', SO_EXCLUSIVEADDRUSE, '0.0.0.0:80', STATUS_ADDRESS_ALREADY_EXISTS],
      ['EXCLUSIVE, specific', SO_EXCLUSIVEADDRUSE, '10.0.0.2:80', STATUS_ACCESS_DENIED],
    ];
    const got = seconds.map(([kind, option, address]) => {
      const socket = connectionSocket(server);
      if (option !== null) setOption(server, socket, option, 1);
      return `${kind}: ${statusName(bind(server, socket, address))}`;
    });
    expect(got).toEqual(seconds.map(([kind, , , status]) => `${kind}: ${statusName(status)}`));
    // Another port is free.
    expect(bind(server, connectionSocket(server), '0.0.0.0:81')).toBe(STATUS_SUCCESS);
  });

  it('a CHECK cell: the first socket\'s descriptor decides (Everyone, another process, cached)', () => {
    const { server } = world();
    const Client = server.Npi.Client!;
    // Everyone: none/specific after none/wildcard → SUCCESS.
    const everyone = secureSocket(server, WSK_FLAG_LISTEN_SOCKET, null,
      cacheSd(server, new SECURITY_DESCRIPTOR('Everyone')));
    expect(bind(server, everyone, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    expect(bind(server, listenSocket(server), '10.0.0.2:80')).toBe(STATUS_SUCCESS);
    // Someone else only: the System process (NULL OwningProcess) is denied.
    const someOtherProcess = { name: 'other.exe' };
    const other = secureSocket(server, WSK_FLAG_LISTEN_SOCKET, null,
      cacheSd(server, new SECURITY_DESCRIPTOR([someOtherProcess])));
    expect(bind(server, other, '0.0.0.0:81')).toBe(STATUS_SUCCESS);
    expect(bind(server, listenSocket(server), '10.0.0.2:81')).toBe(STATUS_ACCESS_DENIED);
    // ...but that process is let in.
    const allowed = secureSocket(server, WSK_FLAG_LISTEN_SOCKET, someOtherProcess, null);
    expect(bind(server, allowed, '10.0.0.2:81')).toBe(STATUS_SUCCESS);
    // A cached descriptor from WskControlClient(WSK_CACHE_SD).
    const ownerObj = { name: 'owner.exe' };
    const cached = { value: null as unknown };
    expect(
      server.Dispatch.WskControlClient(
        Client, WSK_CACHE_SD, 8, { value: new SECURITY_DESCRIPTOR([ownerObj]) }, 8, cached,
        null, null,
      ),
    ).toBe(STATUS_SUCCESS);
    expect(cached.value).toBeInstanceOf(WSK_CACHED_SECURITY_DESCRIPTOR);
    const withCached = secureSocket(server, WSK_FLAG_LISTEN_SOCKET, null,
      cached.value as WSK_CACHED_SECURITY_DESCRIPTOR);
    expect(bind(server, withCached, '0.0.0.0:82')).toBe(STATUS_SUCCESS);
    expect(bind(server, listenSocket(server), '10.0.0.2:82')).toBe(STATUS_ACCESS_DENIED);
    const owned = secureSocket(server, WSK_FLAG_LISTEN_SOCKET, ownerObj, null);
    expect(bind(server, owned, '10.0.0.2:82')).toBe(STATUS_SUCCESS);
    // A NULL descriptor is the default one: no sharing.
    expect(bind(server, listenSocket(server), '0.0.0.0:83')).toBe(STATUS_SUCCESS);
    expect(bind(server, secureSocket(server, WSK_FLAG_LISTEN_SOCKET, ownerObj, null),
      '10.0.0.2:83')).toBe(STATUS_ACCESS_DENIED);
    expect(server.k.advisories).toEqual([]);
    expect(server.k.violations).toEqual([]);
  });

  it('a descriptor not obtained through WSK_CACHE_SD: WSK-SD-NOT-CACHED from each call', () => {
    // Issue 18, defect 2. PFN_WSK_SOCKET_CONNECT: SecurityDescriptor "must be a cached copy of a
    // security descriptor that was obtained by calling WskControlClient with the WSK_CACHE_SD
    // control code"; PFN_WSK_SOCKET and SO_WSK_SECURITY take the same cached copy.
    const { server, client } = world();
    const raw = new SECURITY_DESCRIPTOR('Everyone');
    const violations = (d: Driver) => d.k.violations.map((v) => v.message);
    // WskSocket with the descriptor itself: reported, the socket is still made.
    secureSocket(server, WSK_FLAG_LISTEN_SOCKET, null, raw);
    expect(violations(server)).toEqual([
      expect.stringMatching(/^WSK-SD-NOT-CACHED: WskSocket: .*WSK_CACHE_SD/),
    ]);
    // WskSocketConnect likewise.
    const Irp = client.irp('connect');
    client.Dispatch.WskSocketConnect(
      client.Npi.Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr('0.0.0.0:0'),
      sockaddr('10.0.0.2:80'), 0, null, null, null, null, raw, Irp,
    );
    expect(violations(client)).toEqual([
      expect.stringMatching(/^WSK-SD-NOT-CACHED: WskSocketConnect: /),
    ]);
    // SO_WSK_SECURITY with the descriptor itself, and with a copy released already.
    const socket = listenSocket(server);
    const attach = (value: object) => dispatchOf(socket).WskControlSocket(
      socket, WskSetOption, SO_WSK_SECURITY, SOL_SOCKET, 8, { value }, 0, null, null, null,
    );
    attach(raw);
    const released = cacheSd(server, new SECURITY_DESCRIPTOR('Everyone'));
    expect(server.Dispatch.WskControlClient(
      server.Npi.Client!, WSK_RELEASE_SD, 8, { value: released }, 0, null, null, null,
    )).toBe(STATUS_SUCCESS);
    attach(released);
    expect(violations(server).slice(1)).toEqual([
      expect.stringMatching(/^WSK-SD-NOT-CACHED: WskControlSocket\(SO_WSK_SECURITY\): /),
      expect.stringMatching(/^WSK-SD-NOT-CACHED: WskControlSocket\(SO_WSK_SECURITY\): .*released/),
    ]);
    // A copy the client holds: nothing to report.
    attach(cacheSd(server, new SECURITY_DESCRIPTOR('Everyone')));
    expect(server.k.violations).toHaveLength(3);
  });

  it('SO_WSK_SECURITY attaches a cached descriptor before bind, as WskSocket\'s argument does', () => {
    const { server } = world();
    const ownerObj = { name: 'owner.exe' };
    const cached = { value: null as unknown };
    server.Dispatch.WskControlClient(
      server.Npi.Client!, WSK_CACHE_SD, 8, { value: new SECURITY_DESCRIPTOR([ownerObj]) }, 8,
      cached, null, null,
    );
    const first = listenSocket(server);
    const set = setOption(server, first, SO_WSK_SECURITY, 0, { name: null });
    expect(set.returned).toBe(STATUS_INVALID_PARAMETER); // a number is no descriptor
    expect(rules(server)).toEqual(['WSK-OPTION-INPUT']);
    const attach = dispatchOf(first).WskControlSocket(
      first, WskSetOption, SO_WSK_SECURITY, SOL_SOCKET, 8, cached, 0, null, null, null,
    );
    expect(attach).toBe(STATUS_SUCCESS);
    expect(bind(server, first, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const owned = secureSocket(server, WSK_FLAG_LISTEN_SOCKET, ownerObj, null);
    expect(bind(server, owned, '10.0.0.2:80')).toBe(STATUS_SUCCESS);
    expect(bind(server, listenSocket(server), '10.0.0.2:80')).toBe(STATUS_ACCESS_DENIED);
    // Not something to read back.
    expect(getOption(server, first, SO_WSK_SECURITY, { name: 'get-sd' }).returned).toBe(
      STATUS_NOT_SUPPORTED,
    );
  });

  it('two SO_REUSEADDR connection sockets on port 50000 both connect; without it the second bind fails', async () => {
    const { sim, server, client } = world();
    for (const port of [80, 81]) {
      const listen = listenSocket(server);
      expect(bind(server, listen, `0.0.0.0:${port}`)).toBe(STATUS_SUCCESS);
    }
    const sockets = [connectionSocket(client), connectionSocket(client)];
    for (const s of sockets) setOption(client, s, SO_REUSEADDR, 1, { name: 'reuse' });
    expect(sockets.map((s) => bind(client, s, '0.0.0.0:50000'))).toEqual([
      STATUS_SUCCESS,
      STATUS_SUCCESS,
    ]);
    const connects = sockets.map((s, i) => {
      const Irp = client.irp(`connect${i}`);
      expect(dispatchOf(s).WskConnect(s, sockaddr(`10.0.0.2:${80 + i}`), 0, Irp)).toBe(
        STATUS_PENDING,
      );
      return Irp;
    });
    await sim.run({ until: '1s' });
    expect(connects.map((i) => i.IoStatus.Status)).toEqual([STATUS_SUCCESS, STATUS_SUCCESS]);
    const live = sim.tcp('client').connections().filter((c) => c.state === 'ESTABLISHED');
    expect(live.map((c) => `${c.localPort}->${c.remotePort}`).sort()).toEqual([
      '50000->80',
      '50000->81',
    ]);
    const syns = packetRecords(sim.records())
      .filter((r) => r.phase === 'sent' && r.source === '10.0.0.1' && /\bSYN\b/.test(r.info ?? ''))
      .map((r) => r.info ?? '');
    expect(syns).toHaveLength(2);
    expect(syns.every((info) => info.includes('50000'))).toBe(true);

    // Without the option the second bind of the port is refused (none/none wildcard: INUSE).
    const plain = [connectionSocket(client), connectionSocket(client)];
    expect(bind(client, plain[0] as PWSK_SOCKET, '0.0.0.0:50001')).toBe(STATUS_SUCCESS);
    expect(bind(client, plain[1] as PWSK_SOCKET, '0.0.0.0:50001')).toBe(
      STATUS_ADDRESS_ALREADY_EXISTS,
    );
  });

  it('a socket accepted from an SO_EXCLUSIVEADDRUSE listener keeps the port until it closes', async () => {
    const { sim, server, client } = world();
    const listen = listenSocket(server);
    setOption(server, listen, SO_EXCLUSIVEADDRUSE, 1, { name: 'exclusive' });
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const a = accept(server, listen, 'accept');
    socketConnect(client, '0.0.0.0:0', '10.0.0.2:80');
    await sim.run({ until: '100ms' });
    const accepted = a.Irp.IoStatus.Information as PWSK_SOCKET;
    expect(accepted).toBeInstanceOf(WSK_SOCKET);
    expect(close(server, listen, 'close-listen')).toBe(STATUS_SUCCESS);
    const next = listenSocket(server);
    expect(bind(server, next, '0.0.0.0:80')).toBe(STATUS_ADDRESS_ALREADY_EXISTS);
    // none/specific after EXCLUSIVE/wildcard: DENIED (docs/model.md#address-sharing).
    expect(bind(server, connectionSocket(server), '10.0.0.2:80')).toBe(STATUS_ACCESS_DENIED);
    expect(close(server, accepted, 'close-accepted')).toBe(STATUS_SUCCESS);
    expect(server.log.slice(-6)).toEqual([
      'close-listen STATUS_SUCCESS @100',
      'socket STATUS_SUCCESS @100',
      'bind STATUS_ADDRESS_ALREADY_EXISTS @100',
      'socket STATUS_SUCCESS @100',
      'bind STATUS_ACCESS_DENIED @100',
      'close-accepted STATUS_SUCCESS @100',
    ]);
    expect(bind(server, next, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
  });

  it('a socket accepted from a listener without SO_EXCLUSIVEADDRUSE does not keep the port', async () => {
    const { sim, server, client } = world();
    const listen = listenSocket(server);
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const a = accept(server, listen, 'accept');
    socketConnect(client, '0.0.0.0:0', '10.0.0.2:80');
    await sim.run({ until: '100ms' });
    expect(a.Irp.IoStatus.Information).toBeInstanceOf(WSK_SOCKET);
    close(server, listen);
    expect(bind(server, listenSocket(server), '0.0.0.0:80')).toBe(STATUS_SUCCESS);
  });
});

describe('dual stack (docs/model.md#family-wildcard-and-ephemeral-ports)', () => {
  it('IPV6_V6ONLY 0 on [::]:80 accepts an IPv4 client; addresses are IPv4-mapped', async () => {
    const { sim, server, client } = world();
    const listen = listenSocket(server, AF_INET6);
    const v6only = setOption(server, listen, IPV6_V6ONLY, 0, { level: IPPROTO_IPV6 });
    expect(v6only.returned).toBe(STATUS_SUCCESS);
    expect(bind(server, listen, '[::]:80')).toBe(STATUS_SUCCESS);
    const Remote = sockaddr('[::]:0');
    const a = accept(server, listen, 'accept', Remote);
    const { Irp } = socketConnect(client, '0.0.0.0:0', '10.0.0.2:80');
    await sim.run({ until: '1s' });
    expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(a.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    const clientPort = localPort(client, Irp.IoStatus.Information as PWSK_SOCKET);
    expect(Remote).toEqual({
      sin6_family: AF_INET6,
      sin6_port: clientPort,
      sin6_flowinfo: 0,
      sin6_addr: '::ffff:10.0.0.1',
      sin6_scope_id: 0,
    });
    const accepted = a.Irp.IoStatus.Information as PWSK_SOCKET;
    expect(remoteOf(server, accepted)).toEqual(Remote);
    const Local = sockaddr('[::]:0');
    const l = server.irp('local');
    dispatchOf(accepted).WskGetLocalAddress(accepted, Local, l);
    expect(Local).toMatchObject({
      sin6_family: AF_INET6,
      sin6_addr: '::ffff:10.0.0.2',
      sin6_port: 80,
    });
  });

  it('with the default IPV6_V6ONLY 1 the IPv4 client is refused, and AF_INET may bind the port', async () => {
    const { sim, server, client } = world({ clientTcp: { profile: 'linux' } });
    const listen = listenSocket(server, AF_INET6);
    expect(bind(server, listen, '[::]:80')).toBe(STATUS_SUCCESS);
    const a = accept(server, listen, 'accept');
    const { Irp } = socketConnect(client, '0.0.0.0:0', '10.0.0.2:80');
    await sim.run({ until: '1s' });
    expect(Irp.IoStatus.Status).toBe(STATUS_CONNECTION_REFUSED);
    expect(client.log).toEqual(['connect STATUS_CONNECTION_REFUSED @10']);
    expect(server.calls.get(a.Irp)).toBeUndefined();
    expect(bind(server, listenSocket(server, AF_INET), '0.0.0.0:80')).toBe(STATUS_SUCCESS);
  });

  it('a dual-stack [::]:80 sharer of an IPv4 listener listens on IPv6 alone', async () => {
    const { sim, server, client } = world();
    const v4 = listenSocket(server, AF_INET);
    const dual = listenSocket(server, AF_INET6);
    expect(setOption(server, v4, SO_REUSEADDR, 1).returned).toBe(STATUS_SUCCESS);
    expect(setOption(server, dual, SO_REUSEADDR, 1).returned).toBe(STATUS_SUCCESS);
    const v6only = setOption(server, dual, IPV6_V6ONLY, 0, { level: IPPROTO_IPV6 });
    expect(v6only.returned).toBe(STATUS_SUCCESS);
    expect(bind(server, v4, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    expect(bind(server, dual, '[::]:80')).toBe(STATUS_SUCCESS);
    const a4 = accept(server, v4, 'accept-v4');
    const a6 = accept(server, dual, 'accept-v6');
    socketConnect(client, '0.0.0.0:0', '10.0.0.2:80', 0, 'connect-v4');
    socketConnect(client, '[::]:0', '[fd00::2]:80', 0, 'connect-v6');
    await sim.run({ until: '1s' });
    expect(client.log).toEqual(['connect-v4 STATUS_SUCCESS @10', 'connect-v6 STATUS_SUCCESS @10']);
    expect([a4.Irp.IoStatus.Status, a6.Irp.IoStatus.Status]).toEqual([
      STATUS_SUCCESS,
      STATUS_SUCCESS,
    ]);
    expect(remoteOf(server, a6.Irp.IoStatus.Information as PWSK_SOCKET)).toMatchObject({
      sin6_addr: 'fd00::1',
    });
  });

  it('an AF_INET bind of 0.0.0.0:80 after a dual-stack [::]:80 bind: STATUS_ADDRESS_ALREADY_EXISTS', () => {
    const { server } = world();
    const listen = listenSocket(server, AF_INET6);
    setOption(server, listen, IPV6_V6ONLY, 0, { level: IPPROTO_IPV6, name: null });
    expect(bind(server, listen, '[::]:80')).toBe(STATUS_SUCCESS);
    expect(bind(server, listenSocket(server, AF_INET), '0.0.0.0:80')).toBe(
      STATUS_ADDRESS_ALREADY_EXISTS,
    );
    expect(bind(server, connectionSocket(server, AF_INET), '0.0.0.0:80')).toBe(
      STATUS_ADDRESS_ALREADY_EXISTS,
    );
    expect(bind(server, listenSocket(server, AF_INET), '0.0.0.0:81')).toBe(STATUS_SUCCESS);
    // The other order: the port busy on IPv4 fails the dual-stack bind, not a V6ONLY one.
    const dual = listenSocket(server, AF_INET6);
    setOption(server, dual, IPV6_V6ONLY, 0, { level: IPPROTO_IPV6, name: null });
    expect(bind(server, dual, '[::]:81')).toBe(STATUS_ADDRESS_ALREADY_EXISTS);
    expect(bind(server, listenSocket(server, AF_INET6), '[::]:81')).toBe(STATUS_SUCCESS);
    expect(server.k.advisories).toEqual([]);
  });

  it('a dual-stack socket may bind the mapped form of the host\'s IPv4 address; a V6ONLY one may not', async () => {
    const { sim, server, client } = world();
    const v6only = listenSocket(server, AF_INET6);
    expect(bind(server, v6only, '[::ffff:10.0.0.2]:80')).toBe(STATUS_INVALID_ADDRESS_COMPONENT);
    const listen = listenSocket(server, AF_INET6);
    setOption(server, listen, IPV6_V6ONLY, 0, { level: IPPROTO_IPV6, name: null });
    expect(bind(server, listen, '[::ffff:10.0.0.2]:80')).toBe(STATUS_SUCCESS);
    // It holds IPv4 10.0.0.2:80 (docs/model.md#family-wildcard-and-ephemeral-ports): an AF_INET
    // bind of that address is in use.
    expect(bind(server, listenSocket(server, AF_INET), '10.0.0.2:80')).toBe(
      STATUS_ADDRESS_ALREADY_EXISTS,
    );
    const Remote = sockaddr('[::]:0');
    const a = accept(server, listen, 'accept', Remote);
    socketConnect(client, '0.0.0.0:0', '10.0.0.2:80');
    await sim.run({ until: '1s' });
    expect(a.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(Remote).toMatchObject({ sin6_family: AF_INET6, sin6_addr: '::ffff:10.0.0.1' });
    const local = sockaddr('[::]:0');
    dispatchOf(listen).WskGetLocalAddress(listen, local, server.irp('local'));
    expect(local).toEqual(sockaddr('[::ffff:10.0.0.2]:80'));
  });

  it('a dual-stack AF_INET6 connection socket connects to [::ffff:10.0.0.2]:80 over IPv4', async () => {
    const { sim, server, client } = world();
    const listen = listenSocket(server, AF_INET);
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    const Remote = sockaddr('0.0.0.0:0');
    const a = accept(server, listen, 'accept', Remote);
    const s = connectionSocket(client, AF_INET6);
    setOption(client, s, IPV6_V6ONLY, 0, { level: IPPROTO_IPV6, name: null });
    expect(bind(client, s, '[::]:0')).toBe(STATUS_SUCCESS);
    const c = client.irp('connect');
    expect(dispatchOf(s).WskConnect(s, sockaddr('[::ffff:10.0.0.2]:80'), 0, c)).toBe(
      STATUS_PENDING,
    );
    await sim.run({ until: '1s' });
    expect(client.log).toEqual([
      'socket STATUS_SUCCESS @0',
      'bind STATUS_SUCCESS @0',
      'connect STATUS_SUCCESS @10',
    ]);
    expect(a.Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(Remote).toMatchObject({ sin_family: AF_INET, sin_addr: '10.0.0.1' });
    expect(remoteOf(client, s)).toMatchObject({
      sin6_family: AF_INET6,
      sin6_addr: '::ffff:10.0.0.2',
      sin6_port: 80,
    });
    const sent = packetRecords(sim.records()).filter((r) => r.phase === 'sent');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => !r.source.includes(':') && !r.target.includes(':'))).toBe(true);
  });
});

describe('stream sockets: WskListen and WskConnect (docs/model.md#wsklisten)', () => {
  it('WskListen needs a bind; once listening, it accepts and WskConnect is refused', async () => {
    const { sim, server, client } = world();
    const s = socketOf(server, WSK_FLAG_STREAM_SOCKET);
    const early = server.irp('listen-early');
    expect(dispatchOf(s).WskListen(s, early)).toBe(STATUS_INVALID_DEVICE_STATE);
    // Bound but not listening: no listener on the stack yet, so a client is refused.
    expect(bind(server, s, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    expect(sim.tcp('server').listeners()).toHaveLength(0);
    const l = server.irp('listen');
    expect(dispatchOf(s).WskListen(s, l)).toBe(STATUS_SUCCESS);
    const again = server.irp('listen-again');
    expect(dispatchOf(s).WskListen(s, again)).toBe(STATUS_INVALID_DEVICE_STATE);
    const a = accept(server, s, 'accept');
    const connect = server.irp('connect');
    expect(dispatchOf(s).WskConnect(s, sockaddr('10.0.0.1:80'), 0, connect)).toBe(
      STATUS_INVALID_DEVICE_STATE,
    );
    const { Irp } = socketConnect(client, '0.0.0.0:0', '10.0.0.2:80');
    await sim.run({ until: '1s' });
    expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
    expect(server.log).toEqual([
      'socket STATUS_SUCCESS @0',
      'listen-early STATUS_INVALID_DEVICE_STATE @0',
      'bind STATUS_SUCCESS @0',
      'listen STATUS_SUCCESS @0',
      'listen-again STATUS_INVALID_DEVICE_STATE @0',
      'connect STATUS_INVALID_DEVICE_STATE @0',
      'accept STATUS_SUCCESS @15',
    ]);
    const accepted = a.Irp.IoStatus.Information as PWSK_SOCKET;
    expect(accepted).toBeInstanceOf(WSK_SOCKET);
    expect(remoteOf(server, accepted, '0.0.0.0:0')).toMatchObject({ sin_addr: '10.0.0.1' });
  });

  it('a bound stream socket connects with WskConnect; WskListen after that is refused', async () => {
    const { sim, server, client } = world();
    const listen = listenSocket(server);
    bind(server, listen, '0.0.0.0:80');
    const s = socketOf(client, WSK_FLAG_STREAM_SOCKET);
    const unbound = client.irp('connect-unbound');
    expect(dispatchOf(s).WskConnect(s, sockaddr('10.0.0.2:80'), 0, unbound)).toBe(
      STATUS_INVALID_DEVICE_STATE,
    );
    expect(bind(client, s, '0.0.0.0:0')).toBe(STATUS_SUCCESS);
    const c = client.irp('connect');
    expect(dispatchOf(s).WskConnect(s, sockaddr('10.0.0.2:80'), 0, c)).toBe(STATUS_PENDING);
    const early = client.irp('listen-connecting');
    expect(dispatchOf(s).WskListen(s, early)).toBe(STATUS_INVALID_DEVICE_STATE);
    await sim.run({ until: '1s' });
    const l = client.irp('listen');
    expect(dispatchOf(s).WskListen(s, l)).toBe(STATUS_INVALID_DEVICE_STATE);
    expect(client.log).toEqual([
      'socket STATUS_SUCCESS @0',
      'connect-unbound STATUS_INVALID_DEVICE_STATE @0',
      'bind STATUS_SUCCESS @0',
      'listen-connecting STATUS_INVALID_DEVICE_STATE @0',
      'connect STATUS_SUCCESS @10',
      'listen STATUS_INVALID_DEVICE_STATE @1000',
    ]);
    expect(remoteOf(client, s, '0.0.0.0:0')).toEqual(sockaddr('10.0.0.2:80'));
    expect(sim.tcp('client').listeners()).toHaveLength(0);
  });
});

describe('advisories of bad arguments (docs/design.md#status-violation-or-advisory)', () => {
  it('reserved Flags, double bind, family mismatch: STATUS_INVALID_PARAMETER with an advisory each', () => {
    const { sim, server, client } = world();
    const listen = listenSocket(server);
    const Listen = listen.Dispatch as WSK_PROVIDER_LISTEN_DISPATCH;
    const flags = server.irp('bind-flags');
    expect(Listen.WskBind(listen, sockaddr('0.0.0.0:80'), 1, flags)).toBe(
      STATUS_INVALID_PARAMETER,
    );
    expect(bind(server, listen, '0.0.0.0:80')).toBe(STATUS_SUCCESS);
    expect(bind(server, listen, '0.0.0.0:81')).toBe(STATUS_INVALID_PARAMETER);
    const v6 = connectionSocket(server, AF_INET6);
    expect(bind(server, v6, '0.0.0.0:82')).toBe(STATUS_INVALID_PARAMETER);
    const acceptFlags = server.irp('accept-flags');
    expect(Listen.WskAccept(listen, 2, null, null, null, null, acceptFlags)).toBe(
      STATUS_INVALID_PARAMETER,
    );
    const conn = connectionSocket(client);
    bind(client, conn, '0.0.0.0:0');
    const Conn = conn.Dispatch as WSK_PROVIDER_CONNECTION_DISPATCH;
    const connectFlags = client.irp('connect-flags');
    expect(Conn.WskConnect(conn, sockaddr('10.0.0.2:80'), 4, connectFlags)).toBe(
      STATUS_INVALID_PARAMETER,
    );
    const connectFamily = client.irp('connect-family');
    expect(Conn.WskConnect(conn, sockaddr('[fd00::2]:80'), 0, connectFamily)).toBe(
      STATUS_INVALID_PARAMETER,
    );
    expect(server.log).toEqual([
      'socket STATUS_SUCCESS @0',
      'bind-flags STATUS_INVALID_PARAMETER @0',
      'bind STATUS_SUCCESS @0',
      'bind STATUS_INVALID_PARAMETER @0',
      'socket STATUS_SUCCESS @0',
      'bind STATUS_INVALID_PARAMETER @0',
      'accept-flags STATUS_INVALID_PARAMETER @0',
    ]);
    expect(rules(server)).toEqual([
      'WSK-RESERVED-FLAGS',
      'WSK-DOUBLE-BIND',
      'WSK-FAMILY-MISMATCH',
      'WSK-RESERVED-FLAGS',
    ]);
    expect(rules(client)).toEqual(['WSK-RESERVED-FLAGS', 'WSK-FAMILY-MISMATCH']);
    expect(sim.advisories().map((a) => `${a.host} ${a.rule}`)).toEqual([
      'server WSK-RESERVED-FLAGS',
      'server WSK-DOUBLE-BIND',
      'server WSK-FAMILY-MISMATCH',
      'server WSK-RESERVED-FLAGS',
      'client WSK-RESERVED-FLAGS',
      'client WSK-FAMILY-MISMATCH',
    ]);
    expect(server.k.advisories[1]?.message).toMatch(/^WSK-DOUBLE-BIND: WskBind: .*host server/);
    // The failed double bind left the first bind alone.
    const local = sockaddr('0.0.0.0:0');
    Listen.WskGetLocalAddress(listen, local, server.irp('local'));
    expect(local).toEqual(sockaddr('0.0.0.0:80'));
    expect(server.k.violations).toEqual([]);
  });

  it('a scenario\'s result lists the advisories with their host', async () => {
    const scenario = defineScenario({
      name: 'wsk-advisories',
      description: 'bad WskBind arguments',
      build: (sim: Simulation) => {
        sim.addHost({ name: 'server', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
        sim.tcp('server');
        const server = driver(sim, 'server', { pendingCompletions: 0 });
        const listen = listenSocket(server);
        const statuses = [
          statusName(
            dispatchOf(listen).WskBind(listen, sockaddr('0.0.0.0:80'), 8, server.irp('flags')),
          ),
          statusName(bind(server, listen, '[::]:80')),
          statusName(bind(server, listen, '0.0.0.0:80')),
          statusName(bind(server, listen, '0.0.0.0:80')),
        ];
        server.unload([listen]);
        return { statuses };
      },
      check: (_run, handles) => {
        expect(handles.statuses).toEqual([
          'STATUS_INVALID_PARAMETER',
          'STATUS_INVALID_PARAMETER',
          'STATUS_SUCCESS',
          'STATUS_INVALID_PARAMETER',
        ]);
      },
    });
    const result = await runScenario(scenario, { seed: 1 });
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe('passed');
    expect(result.advisories.map((a) => [a.host, a.rule])).toEqual([
      ['server', 'WSK-RESERVED-FLAGS'],
      ['server', 'WSK-FAMILY-MISMATCH'],
      ['server', 'WSK-DOUBLE-BIND'],
    ]);
    expect(result.advisories.every((a) => a.at === 0 && a.message.includes('host server'))).toBe(
      true,
    );
  });
});

/** A connected IPv4 socket's local port. */
function localPort(d: Driver, Socket: PWSK_SOCKET): number {
  const Local = sockaddr('0.0.0.0:0');
  const Irp: IRP = d.irp('client-local');
  dispatchOf(Socket).WskGetLocalAddress(Socket, Local, Irp);
  expect(Irp.IoStatus.Status).toBe(STATUS_SUCCESS);
  return 'sin_port' in Local ? Local.sin_port : -1;
}
