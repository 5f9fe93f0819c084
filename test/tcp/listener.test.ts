/**
 * Listeners over src/topology's Network: the deferred-accept mode (each SYN offered upward;
 * accept, reject or later; duplicates absorbed; lifetime; client RST) and the queue policies
 * (docs/tcp.md#listen-queue, #deferred-accept; docs/policies.md#tcp-profile-policies). Wire and
 * notifications are asserted with their times.
 */
import { describe, expect, it } from 'vitest';
import { NO_OPTIONS, TcpSegment } from '../../src/tcp/payload.ts';
import type { TcpListener } from '../../src/tcp/port.ts';
import { ACK, RST, SYN } from '../../src/tcp/segment.ts';
import { Fixture, Log, type HostSpec } from './fixture.ts';

const SERVER = { address: '10.0.0.2', port: 80 };

function deferred(client: HostSpec['tcp'] = {}, server: HostSpec['tcp'] = {}, stacks?: string[]): {
  fx: Fixture; server: Log; listener: TcpListener;
} {
  const fx = new Fixture({
    hosts: { client: { ipv4: '10.0.0.1', tcp: client }, server: { ipv4: '10.0.0.2', tcp: server } },
    ...(stacks !== undefined && { stacks }),
  });
  const log = new Log(fx.sim);
  const result = fx.stack('server').listen({ local: { port: 80 }, mode: 'deferred' }, log);
  if (!result.ok) throw new Error(result.error);
  return { fx, server: log, listener: result.listener };
}

describe('tcp: deferred listener, accept now', () => {
  it('the SYN is offered; accept answers with the SYN,ACK at once; ready on the final ACK', async () => {
    const { fx, server } = deferred();
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('1s');
    expect(fx.lines()).toEqual([
      '0ms client>server SYN seq=0', '0.5ms server>client SYN,ACK seq=0 ack=1', '1ms client>server ACK seq=1 ack=1',
    ]);
    expect(server.plain()).toEqual([
      expect.stringMatching(/^0.5ms offer from 10.0.0.1:\d+ → accept$/), '1.5ms ready (1)', '1.5ms accepted',
    ]);
    expect(server.accepted[0]?.id).toBe(server.offers[0]?.id);
    expect(client.plain()).toEqual(['1ms established']);
  });
});

describe('tcp: deferred listener, reject', () => {
  it("reject ('rst'): RST,ACK seq 0 ack ISN+1; a linux client is refused after one RTT", async () => {
    const { fx, server } = deferred({ profile: 'linux' });
    server.answer = 'reject';
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('5s');
    expect(fx.lines()).toEqual(['0ms client>server SYN seq=0', '0.5ms server>client RST,ACK seq=0 ack=1']);
    expect(client.plain()).toEqual(['1ms closed refused']);
    expect(server.offers).toHaveLength(1);
    expect(fx.marked('tcp: offer rejected with rst')).toBe(1);
    expect(fx.stack('server').connections()).toEqual([]);
  });

  it("reject ('rst') with a windows10 client: one offer per SYN, five in all; refused at 2.001 s (S10)", async () => {
    const { fx, server } = deferred();
    server.answer = 'reject';
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('5s');
    expect(server.offers).toHaveLength(5);
    expect(client.plain()).toEqual(['2001ms closed refused']);
  });

  it("reject ('silent'): nothing on the wire; the windows10 client re-offers on each SYN and times out at 21 s", async () => {
    const fx = new Fixture();
    const server = new Log(fx.sim);
    server.answer = 'reject';
    fx.stack('server').listen({ local: { port: 80 }, mode: 'deferred', rejectAnswer: 'silent' }, server);
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('30s');
    expect(fx.wire.every((entry) => entry.from === 'client' && entry.segment.flags === SYN)).toBe(true);
    expect(server.offers).toHaveLength(5);
    expect(client.plain()).toEqual(['21000ms closed timed-out']);
    expect(fx.marked('tcp: offer rejected silently')).toBe(5);
  });
});

describe('tcp: deferred listener, later', () => {
  it('later then accept: duplicate SYNs absorbed (one offer), SYN,ACK when accepted', async () => {
    const { fx, server, listener } = deferred();
    server.answer = 'later';
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('3500ms');
    const offer = server.offers[0];
    expect(server.offers).toHaveLength(1);
    expect(listener.decide(offer?.id ?? -1, 'accept')).toEqual({ ok: true });
    await fx.run('5s');
    expect(fx.lines()).toEqual([
      '0ms client>server SYN seq=0', '1000ms client>server SYN seq=0', '3000ms client>server SYN seq=0',
      '3500ms server>client SYN,ACK seq=0 ack=1', '3500.5ms client>server ACK seq=1 ack=1',
    ]);
    expect(fx.sim.trace.marks().get('tcp: duplicate syn absorbed while offer pending')).toBe(2);
    expect(client.plain()).toEqual(['3500.5ms established']);
    expect(server.plain().slice(1)).toEqual(['3501ms ready (1)', '3501ms accepted']);
    // Deciding twice: the offer is gone.
    expect(listener.decide(offer?.id ?? -1, 'accept')).toEqual({ ok: false, error: 'unknown-offer' });
  });

  it('later then lifetime expiry: the client gives up at 21 s with nothing sent; withdrawn at 30 s', async () => {
    const { fx, server, listener } = deferred();
    server.answer = 'later';
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('40s');
    expect(fx.wire.every((entry) => entry.from === 'client')).toBe(true);
    expect(client.plain()).toEqual(['21000ms closed timed-out']);
    expect(server.plain()).toEqual([expect.stringMatching(/offer/), '30000.5ms withdrawn expired']);
    expect([fx.marked('tcp: offer left pending'), fx.marked('tcp: offer expired')]).toEqual([1, 1]);
    expect(listener.decide(server.offers[0]?.id ?? -1, 'accept')).toEqual({ ok: false, error: 'unknown-offer' });
    await fx.run('41s');
    expect(fx.wire.every((entry) => entry.from === 'client')).toBe(true);
  });

  it('later, accepted after the client gave up: the SYN,ACK draws a RST; withdrawn (reset)', async () => {
    const { fx, server, listener } = deferred();
    server.answer = 'later';
    fx.stack('client').connect({ remote: SERVER }, new Log(fx.sim));
    await fx.run('25s');
    listener.decide(server.offers[0]?.id ?? -1, 'accept');
    await fx.run('40s');
    expect(fx.lines((entry) => entry.at >= 25e9).map((line) => line.replace(/seq=\d+$/, 'seq=…'))).toEqual([
      '25000ms server>client SYN,ACK seq=0 ack=1', '25000.5ms client>server RST seq=…',
    ]);
    expect(server.plain().slice(1)).toEqual(['25001ms withdrawn reset']);
  });

  it('later then client RST: the offer is withdrawn (reset), nothing sent', async () => {
    const { fx, server } = deferred({}, {}, ['server']);
    server.answer = 'later';
    const clientHost = fx.host('client');
    const isn = 7777;
    const segment = (flags: number, seq: number): TcpSegment =>
      new TcpSegment('10.0.0.1', '10.0.0.2', 40000, 80, seq, 0, flags, 64240, flags === SYN ? { mss: 1460 } : NO_OPTIONS, new Uint8Array(0), isn, 0);
    clientHost.send('10.0.0.1', '10.0.0.2', 44, segment(SYN, isn));
    await fx.run('1s');
    clientHost.send('10.0.0.1', '10.0.0.2', 44, segment(SYN, isn));
    await fx.run('2s');
    clientHost.send('10.0.0.1', '10.0.0.2', 40, segment(RST, isn + 1));
    await fx.run('3s');
    expect(fx.wire.every((entry) => entry.from === 'client')).toBe(true);
    expect(server.plain()).toEqual(['0.5ms offer from 10.0.0.1:40000 → later', '2000.5ms withdrawn reset']);
    expect(fx.marked('tcp: offer withdrawn by client rst')).toBe(1);
    expect(fx.stack('server').connections()).toEqual([]);
  });

  it('accepted offer, ready but not yet taken, then client RST: withdrawn (reset); accept() finds nothing', async () => {
    const { fx, server, listener } = deferred({}, {}, ['server']);
    server.autoAccept = false;
    const clientHost = fx.host('client');
    const isn = 5000;
    const segment = (flags: number, seq: number, ack: number): TcpSegment =>
      new TcpSegment('10.0.0.1', '10.0.0.2', 40001, 80, seq, ack, flags, 64240, flags === SYN ? { mss: 1460 } : NO_OPTIONS, new Uint8Array(0), isn, 0);
    clientHost.send('10.0.0.1', '10.0.0.2', 44, segment(SYN, isn, 0));
    await fx.run('100ms');
    const synAck = fx.wire.find((entry) => entry.from === 'server');
    const serverIsn = synAck?.segment.seq ?? -1;
    clientHost.send('10.0.0.1', '10.0.0.2', 40, segment(ACK, isn + 1, serverIsn + 1));
    await fx.run('200ms');
    expect(listener.readyCount).toBe(1);
    clientHost.send('10.0.0.1', '10.0.0.2', 40, segment(RST | ACK, isn + 1, serverIsn + 1));
    await fx.run('300ms');
    expect(server.plain()).toEqual([
      '0.5ms offer from 10.0.0.1:40001 → accept', '100.5ms ready (1)', '200.5ms withdrawn reset',
    ]);
    expect(listener.accept()).toBeNull();
  });

  it('accepted offer, ready but not yet taken, listener closed: withdrawn (closed), the connection reset', async () => {
    const { fx, server, listener } = deferred();
    server.autoAccept = false;
    fx.stack('client').connect({ remote: SERVER }, new Log(fx.sim));
    await fx.run('100ms');
    listener.close();
    await fx.run('200ms');
    expect(server.plain()).toEqual([
      expect.stringMatching(/offer/), '1.5ms ready (1)', '100ms withdrawn closed',
    ]);
    expect(fx.lines().slice(3)).toEqual(['100ms server>client RST,ACK seq=1 ack=1']);
  });

  it('listener closed with an offer pending: withdrawn (closed) before close returns; the next SYN meets a closed port', async () => {
    const { fx, server, listener } = deferred();
    server.answer = 'later';
    fx.stack('client').connect({ remote: SERVER }, new Log(fx.sim));
    await fx.run('500ms');
    listener.close();
    expect(server.plain()).toEqual([expect.stringMatching(/offer/), '500ms withdrawn closed']);
    await fx.run('2s');
    expect(fx.lines().slice(1, 3)).toEqual(['1000ms client>server SYN seq=0', '1000.5ms server>client RST,ACK seq=0 ack=1']);
  });
});

describe('tcp: listener queues', () => {
  it('windows: pending offers count against the single limit; overflow answered RST,ACK', async () => {
    const fx = new Fixture({ hosts: { client: { ipv4: '10.0.0.1', tcp: { profile: 'linux' } }, server: { ipv4: '10.0.0.2' } } });
    const server = new Log(fx.sim);
    server.answer = 'later';
    fx.stack('server').listen({ local: { port: 80 }, mode: 'deferred', backlog: 2 }, server);
    const logs = [new Log(fx.sim), new Log(fx.sim), new Log(fx.sim)];
    for (const log of logs) fx.stack('client').connect({ remote: SERVER }, log);
    await fx.run('10ms');
    expect(server.offers).toHaveLength(2);
    expect(logs.map((log) => log.plain())).toEqual([[], [], ['1ms closed refused']]);
  });

  it('linux: a listener closed with a ready, unaccepted connection resets it (packetdrill check 8)', async () => {
    const fx = new Fixture({ hosts: { client: { ipv4: '10.0.0.1', tcp: { profile: 'linux' } }, server: { ipv4: '10.0.0.2', tcp: { profile: 'linux' } } } });
    const server = new Log(fx.sim);
    server.autoAccept = false;
    const result = fx.stack('server').listen({ local: { port: 80 } }, server);
    if (!result.ok) throw new Error(result.error);
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('100ms');
    result.listener.close();
    await fx.run('200ms');
    expect(fx.lines().at(-1)).toBe('100ms server>client RST,ACK seq=1 ack=1');
    expect(client.plain()).toEqual(['1ms established', '100.5ms peer-reset', '100.5ms closed reset']);
  });

  it('closing a listener discards half-open children silently; their final ACK meets RST seq=SEG.ACK', async () => {
    const fx = new Fixture({ link: { latency: '50ms' } });
    const result = fx.stack('server').listen({ local: { port: 80 } }, new Log(fx.sim));
    if (!result.ok) throw new Error(result.error);
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('60ms');
    result.listener.close();
    await fx.run('200ms');
    const last = fx.wire.at(-1);
    expect(last?.from).toBe('server');
    expect(last?.segment.flags).toBe(RST);
    expect(last?.segment.seq).toBe(fx.wire.at(-2)?.segment.ack);
    expect(fx.wire.at(-2)?.segment.flags).toBe(ACK);
    expect(client.plain()).toEqual(['100ms established', '200ms peer-reset', '200ms closed reset']);
  });
});
