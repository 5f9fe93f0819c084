/**
 * The per-host stack and its port (port.ts, stack.ts): bad input returns named errors and never
 * throws; no route is the 'unreachable' outcome; demultiplexing by 4-tuple and listener address
 * (wildcards, IPv6); ephemeral ports; notifications outside port calls; a crash loses all state.
 */
import { describe, expect, it } from 'vitest';
import { SimConfigError, Simulator } from '../../src/sim/index.ts';
import type { ConnectRequest, ListenRequest } from '../../src/tcp/port.ts';
import { TcpStack } from '../../src/tcp/stack.ts';
import { Network } from '../../src/topology/index.ts';
import { Fixture, Log } from './fixture.ts';

const SERVER = { address: '10.0.0.2', port: 80 };

describe('tcp: port, bad input', () => {
  it('connect: malformed or unusable addresses and ports return named errors', () => {
    const fx = new Fixture();
    const stack = fx.stack('client');
    const cases: [unknown, string][] = [
      [{ remote: { address: 'not an address', port: 80 } }, 'invalid-address'],
      [{ remote: { address: '10.0.0.256', port: 80 } }, 'invalid-address'],
      [{ remote: { address: '0.0.0.0', port: 80 } }, 'invalid-address'],
      [{ remote: { address: 42, port: 80 } }, 'invalid-address'],
      [{ remote: { address: '10.0.0.2', port: 0 } }, 'invalid-port'],
      [{ remote: { address: '10.0.0.2', port: 70000 } }, 'invalid-port'],
      [{ remote: { address: '10.0.0.2', port: 1.5 } }, 'invalid-port'],
      [{ remote: { address: '10.0.0.2', port: 80 }, local: { port: -1 } }, 'invalid-port'],
      [{ remote: { address: '10.0.0.2', port: 80 }, local: { address: '10.9.9.9' } }, 'address-not-local'],
      [{ remote: { address: 'fd00::2', port: 80 } }, 'family-mismatch'],
      [{ remote: { address: '10.0.0.2', port: 80 }, local: { address: 'fd00::1' } }, 'family-mismatch'],
      [null, 'invalid-argument'],
      [{ remote: '10.0.0.2:80' }, 'invalid-argument'],
    ];
    for (const [request, error] of cases) {
      expect(stack.connect(request as ConnectRequest, null), JSON.stringify(request)).toEqual({ ok: false, error });
    }
    expect(stack.connect({ remote: SERVER }, 'handler' as never)).toEqual({ ok: false, error: 'invalid-argument' });
    expect(fx.wire).toEqual([]);
  });

  it('listen: a port in use, bad options and foreign addresses return named errors', () => {
    const fx = new Fixture();
    const stack = fx.stack('server');
    expect(stack.listen({ local: { port: 80 } }).ok).toBe(true);
    const cases: [unknown, string][] = [
      [{ local: { port: 80 } }, 'address-in-use'],
      [{ local: { address: '10.0.0.2', port: 80 } }, 'address-in-use'],
      [{ local: { address: '0.0.0.0', port: 80 } }, 'address-in-use'],
      [{ local: { port: 0 } }, 'invalid-port'],
      [{ local: { address: 'x', port: 81 } }, 'invalid-address'],
      [{ local: { address: '10.0.0.1', port: 81 } }, 'address-not-local'],
      [{ local: { port: 81 }, backlog: -1 }, 'invalid-argument'],
      [{ local: { port: 81 }, mode: 'eager' }, 'invalid-argument'],
      [{ local: { port: 81 }, offerLifetime: 30 }, 'invalid-argument'],
      [{ local: { port: 81 }, offerLifetime: '0s' }, 'invalid-argument'],
      [{ local: { port: 81 }, rejectAnswer: 'rude' }, 'invalid-argument'],
      [{}, 'invalid-argument'],
    ];
    for (const [request, error] of cases) {
      expect(stack.listen(request as ListenRequest), JSON.stringify(request)).toEqual({ ok: false, error });
    }
    expect(stack.listen({ local: { port: 81 } }, null as never)).toEqual({ ok: false, error: 'invalid-argument' });
  });

  it('a port used by a connection cannot be listened on (windows: exclusive), nor connected from', async () => {
    const fx = new Fixture();
    fx.stack('server').listen({ local: { port: 80 } });
    const result = fx.stack('client').connect({ remote: SERVER, local: { port: 50000 } }, null);
    expect(result.ok).toBe(true);
    expect(fx.stack('client').listen({ local: { port: 50000 } })).toEqual({ ok: false, error: 'address-in-use' });
    expect(fx.stack('client').connect({ remote: { address: '10.0.0.2', port: 81 }, local: { port: 50000 } }, null))
      .toEqual({ ok: false, error: 'address-in-use' });
    fx.stack('client').listen({ local: { port: 8080 } });
    expect(fx.stack('client').connect({ remote: SERVER, local: { port: 8080 } }, null)).toEqual({ ok: false, error: 'address-in-use' });
  });

  it('linux shares a local port between different remote endpoints (4-tuple uniqueness)', () => {
    const fx = new Fixture({ hosts: { client: { ipv4: '10.0.0.1', tcp: { profile: 'linux' } }, server: { ipv4: '10.0.0.2' } } });
    const stack = fx.stack('client');
    expect(stack.connect({ remote: SERVER, local: { port: 50000 } }, null).ok).toBe(true);
    expect(stack.connect({ remote: { address: '10.0.0.2', port: 81 }, local: { port: 50000 } }, null).ok).toBe(true);
    expect(stack.connect({ remote: SERVER, local: { port: 50000 } }, null)).toEqual({ ok: false, error: 'address-in-use' });
  });

  it('send, shutdown and abort on a closed connection return named errors; a FIN-shut connection refuses sends', async () => {
    const fx = new Fixture({ hosts: { client: { ipv4: '10.0.0.1', tcp: { profile: 'linux' } }, server: { ipv4: '10.0.0.2' } } });
    const result = fx.stack('client').connect({ remote: SERVER }, null);
    if (!result.ok) throw new Error(result.error);
    const connection = result.connection;
    expect(connection.send(new Uint8Array(1))).toEqual({ ok: false, error: 'not-connected' });
    expect(connection.shutdown()).toEqual({ ok: false, error: 'not-connected' });
    expect(connection.send('text' as never)).toEqual({ ok: false, error: 'invalid-argument' });
    await fx.run('1s');
    expect(connection.outcome).toBe('refused');
    expect(connection.send(new Uint8Array(1))).toEqual({ ok: false, error: 'closed' });
    expect(connection.shutdown()).toEqual({ ok: false, error: 'closed' });
    expect(connection.abort()).toEqual({ ok: false, error: 'closed' });
    expect(connection.read()).toEqual(new Uint8Array(0));
    expect(connection.read(-3)).toEqual(new Uint8Array(0));
  });

  it('a bad TCP option throws SimConfigError naming it', () => {
    const sim = new Simulator({ seed: 1 });
    const host = new Network(sim).addHost({ name: 'h', ipv4: '10.0.0.1' });
    expect(() => new TcpStack(sim, host, { timeWait: 120 as never })).toThrow(/tcp\.timeWait/);
    expect(() => new TcpStack(sim, host, { profile: 'bsd' as never })).toThrow(SimConfigError);
  });
});

describe('tcp: unreachable', () => {
  it('no route to the remote address: connect succeeds, the outcome is unreachable (at once, outside the call)', async () => {
    const fx = new Fixture();
    const log = new Log(fx.sim);
    const result = fx.stack('client').connect({ remote: { address: '10.9.9.9', port: 80 } }, log);
    expect(result.ok).toBe(true);
    expect(log.events).toEqual([]);
    await fx.run('1s');
    expect(log.plain()).toEqual(['0ms closed unreachable']);
    expect(fx.marked('tcp: connect unreachable')).toBe(1);
    expect(fx.stack('client').connections()).toEqual([]);
  });
});

describe('tcp: demultiplexing', () => {
  it('IPv6: handshake over fd00:: addresses, 40-byte IP headers, MSS 1440', async () => {
    const fx = new Fixture({ hosts: { client: { ipv6: 'fd00::1' }, server: { ipv6: 'FD00:0::2' } } });
    const server = new Log(fx.sim);
    expect(fx.stack('server').listen({ local: { address: '::', port: 80 } }, server).ok).toBe(true);
    const client = new Log(fx.sim);
    expect(fx.stack('client').connect({ remote: { address: 'fd00:0:0::2', port: 80 } }, client).ok).toBe(true);
    await fx.run('10ms');
    expect(client.plain()).toEqual(['1ms established']);
    expect(fx.wire[0]?.segment.options.mss).toBe(1440);
    expect(fx.wire[0]?.segment.bytes).toBe(40 + 20 + 12);
    expect(fx.wire[2]?.segment.bytes).toBe(40 + 20);
  });

  it('the most specific listener wins: exact address over family wildcard over any', async () => {
    const fx = new Fixture({ hosts: { client: { ipv4: '10.0.0.1' }, server: { ipv4: '10.0.0.2', ipv6: 'fd00::2' } } });
    const any = new Log(fx.sim);
    const exact = new Log(fx.sim);
    const stack = fx.stack('server');
    expect(stack.listen({ local: { port: 80 } }, any).ok).toBe(true);
    expect(stack.listen({ local: { address: '10.0.0.2', port: 80 } }, exact)).toEqual({ ok: false, error: 'address-in-use' });
    expect(stack.listen({ local: { address: '10.0.0.2', port: 81 } }, exact).ok).toBe(true);
    expect(stack.listen({ local: { address: '::', port: 81 } }, any).ok).toBe(true);
    fx.stack('client').connect({ remote: { address: '10.0.0.2', port: 81 } }, null);
    fx.stack('client').connect({ remote: { address: '10.0.0.2', port: 80 } }, null);
    await fx.run('10ms');
    expect(exact.accepted.map((connection) => connection.localPort)).toEqual([81]);
    expect(any.accepted.map((connection) => connection.localPort)).toEqual([80]);
  });

  it('ephemeral ports come from the profile range in a seeded order, the same for the same seed', () => {
    const ports = (seed: number, profile: 'windows10' | 'linux'): number[] => {
      const fx = new Fixture({ seed, hosts: { client: { ipv4: '10.0.0.1', tcp: { profile } }, server: { ipv4: '10.0.0.2' } } });
      return [0, 1, 2].map(() => {
        const result = fx.stack('client').connect({ remote: SERVER }, null);
        return result.ok ? result.connection.localPort : -1;
      });
    };
    const windows = ports(7, 'windows10');
    expect(windows).toEqual(ports(7, 'windows10'));
    expect(windows.every((port) => port >= 49152 && port <= 65535)).toBe(true);
    expect(new Set(windows).size).toBe(3);
    const linux = ports(7, 'linux');
    expect(linux.every((port) => port >= 32768 && port <= 60999)).toBe(true);
    expect(ports(8, 'linux')).not.toEqual(linux);
  });

  it('an exhausted ephemeral range → no-ephemeral-port', () => {
    const fx = new Fixture({ hosts: { client: { ipv4: '10.0.0.1', tcp: { ephemeralPortMin: 60000, ephemeralPortMax: 60001 } }, server: { ipv4: '10.0.0.2' } } });
    expect(fx.stack('client').connect({ remote: SERVER }, null).ok).toBe(true);
    expect(fx.stack('client').connect({ remote: SERVER }, null).ok).toBe(true);
    expect(fx.stack('client').connect({ remote: SERVER }, null)).toEqual({ ok: false, error: 'no-ephemeral-port' });
  });

  it('LISTEN answers a stray ACK with RST seq=SEG.ACK, ignores a RST; the next SYN still connects (packetdrill check 9)', async () => {
    const fx = new Fixture({ stacks: ['server'] });
    const server = new Log(fx.sim);
    fx.stack('server').listen({ local: { port: 80 } }, server);
    const { NO_OPTIONS, TcpSegment } = await import('../../src/tcp/payload.ts');
    const { ACK, RST, SYN } = await import('../../src/tcp/segment.ts');
    const send = (flags: number, seq: number, ack: number): void => void fx.host('client').send('10.0.0.1', '10.0.0.2', 40,
      new TcpSegment('10.0.0.1', '10.0.0.2', 40000, 80, seq, ack, flags, 1000, NO_OPTIONS, new Uint8Array(0), 0, 0));
    send(ACK, 5, 777);
    send(RST, 5, 0);
    send(SYN | RST, 5, 0);
    send(0, 5, 0);
    send(SYN | ACK, 5, 999);
    await fx.run('10ms');
    const answers = fx.wire.filter((entry) => entry.from === 'server').map((entry) => [entry.segment.flags, entry.segment.seq]);
    expect(answers).toEqual([[RST, 777], [RST, 999]]);
    expect(fx.marked('tcp: listener answered ack with rst')).toBe(2);
    send(SYN, 100, 0);
    await fx.run('20ms');
    expect(fx.wire.at(-1)?.segment.flags).toBe(SYN | ACK);
    expect(server.offers).toEqual([]);
  });
});

describe('tcp: host crash', () => {
  it('loses every connection and listener silently; timers die; a restarted host answers with RST', async () => {
    const fx = new Fixture();
    const server = new Log(fx.sim);
    fx.stack('server').listen({ local: { port: 80 } }, server);
    const client = new Log(fx.sim);
    const result = fx.stack('client').connect({ remote: SERVER }, client);
    if (!result.ok) throw new Error(result.error);
    await fx.run('1s');
    result.connection.send(new Uint8Array(10));
    fx.net.crash('server');
    expect(fx.stack('server').connections()).toEqual([]);
    expect(fx.stack('server').listeners()).toEqual([]);
    fx.net.restart('server', { at: '1100ms' });
    await fx.run('30s');
    expect(server.plain()).toEqual(['1.5ms ready (1)', '1.5ms accepted']);
    // The client retransmits into the void until the restarted server answers RST.
    expect(client.plain()).toEqual(['1ms established', expect.stringMatching(/peer-reset$/), expect.stringMatching(/closed reset$/)]);
    expect(server.accepted[0]?.state).toBe('CLOSED');
  });
});

describe('tcp: determinism', () => {
  async function lossyRun(seed: number, keepTrace: boolean): Promise<string> {
    const fx = new Fixture({ seed, keepTrace, link: { latency: '1ms', loss: 0.1, reorder: 0.1, reorderDelay: '2ms' } });
    const server = new Log(fx.sim);
    fx.stack('server').listen({ local: { port: 80 } }, server);
    const client = new Log(fx.sim);
    client.onEstablished = (connection): void => void connection.send(new Uint8Array(100_000));
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('60s');
    return fx.sim.trace.hash();
  }

  it('the same seed gives the same trace hash, with or without kept records; another seed another', async () => {
    const first = await lossyRun(5, false);
    expect(await lossyRun(5, false)).toBe(first);
    expect(await lossyRun(5, true)).toBe(first);
    expect(await lossyRun(6, false)).not.toBe(first);
  });
});

describe('tcp: TIME-WAIT and a new SYN (RFC 9293 MAY-2)', () => {
  it('an old SYN draws an ACK; a SYN above RCV.NXT ends TIME-WAIT and opens a new connection', async () => {
    const fx = new Fixture({ stacks: ['server'] });
    const server = new Log(fx.sim);
    server.autoAccept = false;
    server.onReady = (listener): void => void listener.accept(server)?.shutdown();
    fx.stack('server').listen({ local: { port: 80 } }, server);
    const { NO_OPTIONS, TcpSegment } = await import('../../src/tcp/payload.ts');
    const { ACK, FIN, SYN } = await import('../../src/tcp/segment.ts');
    const send = (flags: number, seq: number, ack: number): void => void fx.host('client').send('10.0.0.1', '10.0.0.2', 40,
      new TcpSegment('10.0.0.1', '10.0.0.2', 40000, 80, seq, ack, flags, 60000, NO_OPTIONS, new Uint8Array(0), 1000, 0));
    send(SYN, 1000, 0);
    await fx.run('1ms');
    const iss = fx.wire.at(-1)?.segment.seq ?? 0;
    send(ACK, 1001, iss + 1);
    await fx.run('2ms');
    expect(fx.wire.at(-1)?.segment.flags).toBe(FIN | ACK);
    send(ACK, 1001, iss + 2);
    send(FIN | ACK, 1001, iss + 2);
    await fx.run('5ms');
    expect(fx.stack('server').connections().map((connection) => connection.state)).toEqual(['TIME-WAIT']);
    send(SYN, 500, 0);
    await fx.run('6ms');
    expect(fx.wire.at(-1)?.segment.flags).toBe(ACK);
    expect(fx.wire.at(-1)?.segment.ack).toBe(1002);
    send(SYN, 5000, 0);
    await fx.run('7ms');
    expect(fx.wire.at(-1)?.segment.flags).toBe(SYN | ACK);
    expect(fx.wire.at(-1)?.segment.ack).toBe(5001);
    expect(fx.stack('server').connections().map((connection) => connection.state)).toEqual(['SYN-RECEIVED']);
    expect(fx.marked('tcp: time-wait reopened by new syn')).toBe(1);
  });
});

describe('tcp: hasLiveConnectionOnPort', () => {
  function scan(stack: TcpStack, port: number): boolean {
    return stack.connections().some((c) => c.outcome === null && c.localPort === port);
  }

  it('counts table entries without an outcome: connect, establish, close to TIME-WAIT, crash', async () => {
    const fx = new Fixture();
    const server = new Log(fx.sim);
    fx.stack('server').listen({ local: { port: 80 } }, server);
    const client = fx.stack('client');
    const check = (port: number, live: boolean): void => {
      expect(client.hasLiveConnectionOnPort(port)).toBe(live);
      expect(scan(client, port)).toBe(live);
      client.checkInvariants();
      fx.stack('server').checkInvariants();
    };
    check(50000, false);
    const result = client.connect({ remote: SERVER, local: { port: 50000 } }, new Log(fx.sim));
    if (!result.ok) throw new Error(result.error);
    check(50000, true); // SYN-SENT
    check(50001, false);
    expect(fx.stack('server').hasLiveConnectionOnPort(80)).toBe(false);
    await fx.run('1s');
    expect(result.connection.state).toBe('ESTABLISHED');
    check(50000, true);
    expect(fx.stack('server').hasLiveConnectionOnPort(80)).toBe(true);
    result.connection.shutdown();
    await fx.run('1100ms');
    server.accepted[0]?.shutdown();
    await fx.run('1200ms');
    expect(result.connection.state).toBe('TIME-WAIT');
    expect(result.connection.outcome).not.toBeNull();
    expect(client.connections()).toHaveLength(1);
    check(50000, false); // TIME-WAIT: in the table, outcome reported
    expect(fx.stack('server').hasLiveConnectionOnPort(80)).toBe(false);
    fx.stack('server').checkInvariants();
    const second = client.connect({ remote: SERVER, local: { port: 50002 } }, new Log(fx.sim));
    expect(second.ok).toBe(true);
    await fx.run('2s');
    check(50002, true);
    fx.net.crash('client');
    check(50002, false);
    check(50000, false);
    expect(client.connections()).toEqual([]);
  });

  it('an aborted connection stops counting at once; one that never left SYN-SENT on refusal too', async () => {
    const fx = new Fixture();
    const client = fx.stack('client');
    const refused = client.connect({ remote: SERVER, local: { port: 50010 } }, new Log(fx.sim));
    if (!refused.ok) throw new Error(refused.error);
    expect(client.hasLiveConnectionOnPort(50010)).toBe(true);
    await fx.run('60s');
    expect(refused.connection.outcome).not.toBeNull();
    expect(client.hasLiveConnectionOnPort(50010)).toBe(scan(client, 50010));
    expect(client.hasLiveConnectionOnPort(50010)).toBe(false);
    const aborted = client.connect({ remote: SERVER, local: { port: 50011 } }, new Log(fx.sim));
    if (!aborted.ok) throw new Error(aborted.error);
    aborted.connection.abort();
    expect(client.hasLiveConnectionOnPort(50011)).toBe(false);
    client.checkInvariants();
  });
});

describe('tcp: portUsers', () => {
  it('hands back the user of each open listener and live connection on the port', async () => {
    const fx = new Fixture();
    const server = fx.stack('server');
    const log = new Log(fx.sim);
    log.autoAccept = false;
    const listening = server.listen({ local: { port: 80 }, user: 'listen token' }, log);
    if (!listening.ok) throw new Error(listening.error);
    expect(server.portUsers(80)).toEqual(['listen token']);
    expect(server.portUsers(81)).toEqual([]);
    const client = fx.stack('client');
    const connect = { remote: SERVER, local: { port: 50000 }, user: 'connect token' };
    const connected = client.connect(connect, new Log(fx.sim));
    if (!connected.ok) throw new Error(connected.error);
    expect(connected.connection.user).toBe('connect token');
    expect(client.portUsers(50000)).toEqual(['connect token']);
    await fx.run('1s');
    // The child nobody accepted yet is its listener's; the one accepted has what its acceptor set.
    expect(server.portUsers(80)).toEqual(['listen token', 'listen token']);
    const accepted = listening.listener.accept(log);
    if (accepted === null) throw new Error('nothing to accept');
    accepted.user = 'accepted token';
    expect(server.portUsers(80)).toEqual(['listen token', 'accepted token']);
    listening.listener.close();
    accepted.abort();
    expect(server.portUsers(80)).toEqual([]);
  });
});

describe('tcp: a port shared by listeners and active opens (local.shared)', () => {
  it('a shared listener and shared active opens do not keep each other out', async () => {
    const fx = new Fixture();
    fx.stack('client').listen({ local: { port: 80 } }, new Log(fx.sim));
    const server = fx.stack('server');
    const out = { remote: { address: '10.0.0.1', port: 80 }, local: { port: 5000 } };
    const shared = { ...out, local: { port: 5000, shared: true } };
    expect(server.connect(shared, new Log(fx.sim)).ok).toBe(true);
    expect(server.listen({ local: { port: 5000 } }, new Log(fx.sim))).toEqual({
      ok: false,
      error: 'address-in-use',
    });
    const listening = server.listen({ local: { port: 5000, shared: true } }, new Log(fx.sim));
    expect(listening.ok).toBe(true);
    // The 4-tuple stays unique; another remote port is free; an unshared open is kept out.
    expect(server.connect(shared, new Log(fx.sim))).toEqual({ ok: false, error: 'address-in-use' });
    const other = { remote: { address: '10.0.0.1', port: 81 }, local: { port: 5000 } };
    expect(server.connect({ ...other, local: { port: 5000, shared: true } }, null).ok).toBe(true);
    expect(server.connect(other, null)).toEqual({ ok: false, error: 'address-in-use' });
    await fx.run('1s');
    server.checkInvariants();
  });

  it('an unshared active open keeps a shared listener out; an unshared listener, shared opens', () => {
    const fx = new Fixture();
    const server = fx.stack('server');
    const remote = { address: '10.0.0.1', port: 80 };
    expect(server.connect({ remote, local: { port: 5000 } }, null).ok).toBe(true);
    expect(server.listen({ local: { port: 5000, shared: true } })).toEqual({
      ok: false,
      error: 'address-in-use',
    });
    expect(server.listen({ local: { port: 6000 } }).ok).toBe(true);
    expect(server.connect({ remote, local: { port: 6000, shared: true } }, null)).toEqual({
      ok: false,
      error: 'address-in-use',
    });
  });
});

describe('tcp: port, peek / unsent / sendCapacity / onTransmitted (WSK data path)', () => {
  it('peek leaves bytes unread; unsent falls to 0 once data left; onTransmitted tells when', async () => {
    const fx = new Fixture();
    const server = new Log(fx.sim);
    fx.stack('server').listen({ local: { port: 80 } }, server);
    const told: string[] = [];
    const handler = {
      onTransmitted: (c: { unsent: number }) => void told.push(`sent ${c.unsent} @${fx.sim.now}`),
    };
    const result = fx.stack('client').connect({ remote: SERVER }, handler);
    if (!result.ok) throw new Error(result.error);
    const connection = result.connection;
    await fx.run('10ms');
    expect(connection.sendCapacity).toBe(64240); // the server's window, under the 64 KiB limit
    expect(connection.send(new Uint8Array([1, 2, 3])).ok).toBe(true);
    expect(connection.unsent).toBe(0);
    expect(told).toEqual([]);
    await fx.run('20ms');
    expect(told).toEqual([`sent 0 @${10e6}`]);
    const accepted = server.accepted[0];
    if (accepted === undefined) throw new Error('not accepted');
    expect([...accepted.peek(2)]).toEqual([1, 2]);
    expect(accepted.readable).toBe(3);
    expect([...accepted.read()]).toEqual([1, 2, 3]);
    expect(accepted.peek().length).toBe(0);
  });
});
