/**
 * The TCP-level part of the scenarios in docs/tcp.md#scenario-expectations (S1–S7, S11–S14) over
 * src/topology's Network: segments on the wire with their virtual times (sequence numbers relative
 * to the ISNs), and what the port reports, under the profile each scenario names. Links are 0.5 ms
 * each way (1 ms RTT) unless a test says otherwise.
 */
import { describe, expect, it } from 'vitest';
import type { TcpConnection } from '../../src/tcp/port.ts';
import { ACK, FIN, RST, SYN } from '../../src/tcp/segment.ts';
import type { TcpState } from '../../src/tcp/state.ts';
import type { Packet } from '../../src/topology/index.ts';
import { PASS, type Rule } from '../../src/topology/index.ts';
import { Fixture, Log, ms, type HostSpec } from './fixture.ts';

const SERVER = { address: '10.0.0.2', port: 80 };

function hosts(client: HostSpec['tcp'], server: HostSpec['tcp']): Record<string, HostSpec> {
  return { client: { ipv4: '10.0.0.1', tcp: client ?? {} }, server: { ipv4: '10.0.0.2', tcp: server ?? {} } };
}

function flagsOf(packet: Packet): number {
  return (packet.payload as unknown as { flags: number }).flags;
}

/** Drops the first packet `select` picks; passes everything else. */
function dropFirst(select: (packet: Packet, from: string) => boolean): Rule {
  let dropped = false;
  return (packet, context) => {
    if (dropped || !select(packet, context.sourceHost)) return PASS;
    dropped = true;
    return { action: 'drop', reason: 'test' };
  };
}

describe('tcp: S1 active open', () => {
  it('SYN at 0, SYN,ACK at 0.5 ms, ACK at 1 ms; connect completes at 1 ms, accept at 1.5 ms (windows10)', async () => {
    const fx = new Fixture();
    const server = new Log(fx.sim);
    expect(fx.stack('server').listen({ local: { port: 80 } }, server).ok).toBe(true);
    const client = new Log(fx.sim);
    expect(fx.stack('client').connect({ remote: SERVER }, client).ok).toBe(true);
    await fx.run('10ms');
    expect(fx.lines()).toEqual([
      '0ms client>server SYN seq=0',
      '0.5ms server>client SYN,ACK seq=0 ack=1',
      '1ms client>server ACK seq=1 ack=1',
    ]);
    const [syn, synAck] = fx.wire;
    expect(syn?.segment.options).toEqual({ mss: 1460, windowScale: 8, sackPermitted: true });
    expect(syn?.segment.window).toBe(64240);
    expect(synAck?.segment.options).toEqual({ mss: 1460, windowScale: 8, sackPermitted: true });
    expect(client.plain()).toEqual(['1ms established']);
    expect(server.plain()).toEqual(['1.5ms ready (1)', '1.5ms accepted']);
    expect(server.accepted[0]?.state).toBe('ESTABLISHED');
  });

  it('linux to linux: timestamps on every segment once both SYNs carry them', async () => {
    const fx = new Fixture({ hosts: hosts({ profile: 'linux' }, { profile: 'linux' }) });
    fx.stack('server').listen({ local: { port: 80 } }, new Log(fx.sim));
    fx.stack('client').connect({ remote: SERVER }, new Log(fx.sim));
    await fx.run('10ms');
    const [syn, synAck, ack] = fx.wire;
    expect(syn?.segment.options).toEqual({ mss: 1460, windowScale: 7, sackPermitted: true, timestamp: { value: 0, echo: 0 } });
    expect(synAck?.segment.options.timestamp).toEqual({ value: 0, echo: 0 });
    expect(ack?.segment.options).toEqual({ timestamp: { value: 1, echo: 0 } });
    expect(fx.wire[0]?.segment.bytes).toBe(20 + 40);
  });
});

describe('tcp: S2 closed port, linux client', () => {
  it('RST,ACK seq 0 ack ISN+1 after one RTT; refused at 1 ms', async () => {
    const fx = new Fixture({ hosts: hosts({ profile: 'linux' }, {}) });
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('5s');
    expect(fx.lines()).toEqual(['0ms client>server SYN seq=0', '0.5ms server>client RST,ACK seq=0 ack=1']);
    expect(fx.wire[1]?.segment.seq).toBe(0);
    expect(fx.wire[1]?.segment.window).toBe(0);
    expect(client.plain()).toEqual(['1ms closed refused']);
    expect([fx.marked('tcp: closed port answered rst'), fx.marked('tcp: connect refused')]).toEqual([1, 1]);
  });
});

describe('tcp: S3 closed port, windows10 client', () => {
  it('5 SYN/RST pairs 0.5 s apart, each SYN a new ISN on the same port; refused at 2.001 s', async () => {
    const fx = new Fixture();
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('30s');
    const syns = fx.wire.filter((entry) => entry.segment.flags === SYN);
    const rsts = fx.wire.filter((entry) => entry.segment.flags === (RST | ACK));
    expect(syns.map((entry) => ms(entry.at))).toEqual(['0ms', '500ms', '1000ms', '1500ms', '2000ms']);
    expect(rsts.map((entry) => ms(entry.at))).toEqual(['0.5ms', '500.5ms', '1000.5ms', '1500.5ms', '2000.5ms']);
    expect(new Set(syns.map((entry) => entry.segment.seq)).size).toBe(5);
    expect(new Set(syns.map((entry) => entry.segment.sourcePort)).size).toBe(1);
    rsts.forEach((rst, i) => expect(rst.segment.ack).toBe(((syns[i]?.segment.seq ?? 0) + 1) >>> 0));
    expect(client.plain()).toEqual(['2001ms closed refused']);
    expect(fx.marked('tcp: syn refused, retry scheduled')).toBe(4);
  });
});

describe('tcp: S4 black hole', () => {
  async function blackHole(profile: 'windows10' | 'windows7' | 'linux'): Promise<{ syns: number[]; log: string[] }> {
    const fx = new Fixture({ hosts: hosts({ profile }, {}) });
    fx.addRule((_packet, context) => (context.targetHost === 'server' ? { action: 'drop', reason: 'black hole' } : PASS));
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('200s');
    expect(fx.marked('tcp: syn retransmitted')).toBe(fx.wire.length - 1);
    expect(fx.marked('tcp: connect timed out')).toBe(1);
    return { syns: fx.wire.map((entry) => entry.at / 1e9), log: client.plain() };
  }

  it('windows10: SYNs at 0, 1, 3, 7, 15 s; timed out at 21 s', async () => {
    expect(await blackHole('windows10')).toEqual({ syns: [0, 1, 3, 7, 15], log: ['21000ms closed timed-out'] });
  });

  it('windows7: SYNs at 0, 3, 9 s; timed out at 21 s', async () => {
    expect(await blackHole('windows7')).toEqual({ syns: [0, 3, 9], log: ['21000ms closed timed-out'] });
  });

  it('linux: 11 SYNs at 0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67 s; timed out at 131 s', async () => {
    expect(await blackHole('linux')).toEqual({
      syns: [0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67], log: ['131000ms closed timed-out'],
    });
  });

  it('windows firewall (closed port answered by silence): timed out at 21 s, no RST on the wire', async () => {
    const fx = new Fixture({ hosts: hosts({}, { closedPortAnswer: 'silent' }) });
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('30s');
    expect(fx.wire.every((entry) => entry.segment.flags === SYN)).toBe(true);
    expect(client.plain()).toEqual(['21000ms closed timed-out']);
    expect(fx.marked('tcp: closed port, syn dropped silently')).toBe(5);
  });
});

describe('tcp: S5 SYN,ACK lost once', () => {
  it('linux server retransmits the SYN,ACK at +1 s; the connect completes ≈1 s late (windows7 client)', async () => {
    const fx = new Fixture({ hosts: hosts({ profile: 'windows7' }, { profile: 'linux' }) });
    fx.addRule(dropFirst((packet) => flagsOf(packet) === (SYN | ACK)));
    fx.stack('server').listen({ local: { port: 80 } }, new Log(fx.sim));
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('5s');
    expect(fx.lines()).toEqual([
      '0ms client>server SYN seq=0',
      '0.5ms server>client SYN,ACK seq=0 ack=1',
      '1000.5ms server>client SYN,ACK seq=0 ack=1',
      '1001ms client>server ACK seq=1 ack=1',
    ]);
    expect(client.plain()).toEqual(['1001ms established']);
    expect(fx.marked('tcp: syn-ack retransmitted')).toBe(1);
  });

  it("linux client's SYN retransmission at 1 s draws an immediate SYN,ACK (dup-SYN rule)", async () => {
    const fx = new Fixture({ hosts: hosts({ profile: 'linux' }, { profile: 'linux', synAckSchedule: ['0s', '5s'], halfOpenTimeout: '20s' }) });
    fx.addRule(dropFirst((packet) => flagsOf(packet) === (SYN | ACK)));
    fx.stack('server').listen({ local: { port: 80 } }, new Log(fx.sim));
    const client = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, client);
    await fx.run('3s');
    expect(fx.lines()).toEqual([
      '0ms client>server SYN seq=0',
      '0.5ms server>client SYN,ACK seq=0 ack=1',
      '1000ms client>server SYN seq=0',
      '1000.5ms server>client SYN,ACK seq=0 ack=1',
      '1001ms client>server ACK seq=1 ack=1',
    ]);
    expect(client.plain()).toEqual(['1001ms established']);
    expect(fx.marked('tcp: syn-ack resent for duplicate syn')).toBe(1);
  });
});

describe('tcp: S6 backlog full, windows server', () => {
  async function scenario(acceptAt: string | null): Promise<{ first: Log; second: Log; fx: Fixture }> {
    const fx = new Fixture();
    const server = new Log(fx.sim);
    server.autoAccept = false;
    const listener = fx.stack('server').listen({ local: { port: 80 }, backlog: 1 }, server);
    if (!listener.ok) throw new Error(listener.error);
    const first = new Log(fx.sim);
    const second = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, first);
    await fx.run('100ms');
    fx.stack('client').connect({ remote: SERVER }, second);
    if (acceptAt !== null) {
      await fx.run(acceptAt);
      expect(listener.listener.accept(server)).not.toBeNull();
    }
    await fx.run('30s');
    return { first, second, fx };
  }

  it('SYN answered RST,ACK; a retry after the app accepted connects (1101 ms)', async () => {
    const { second, fx } = await scenario('700ms');
    const toSecond = fx.lines((entry) => entry.at >= 100e6);
    expect(toSecond).toEqual([
      '100ms client>server SYN seq=0', '100.5ms server>client RST,ACK seq=0 ack=1',
      '600ms client>server SYN seq=0', '600.5ms server>client RST,ACK seq=0 ack=1',
      '1100ms client>server SYN seq=0', '1100.5ms server>client SYN,ACK seq=0 ack=1',
      '1101ms client>server ACK seq=1 ack=1',
    ]);
    expect(second.plain()).toEqual(['1101ms established']);
    expect(fx.marked('tcp: listen queue full, syn answered rst')).toBe(2);
  });

  it('never accepted: refused at 2.101 s (2.0 s plus one round trip after the connect)', async () => {
    const { first, second } = await scenario(null);
    expect(first.plain()).toEqual(['1ms established']);
    expect(second.plain()).toEqual(['2101ms closed refused']);
  });
});

describe('tcp: S7 accept queue full, linux server', () => {
  it('SYN dropped silently; the retransmission after the app accepted succeeds', async () => {
    const fx = new Fixture({ hosts: hosts({ profile: 'linux' }, { profile: 'linux' }) });
    const server = new Log(fx.sim);
    server.autoAccept = false;
    const result = fx.stack('server').listen({ local: { port: 80 }, backlog: 0 }, server);
    if (!result.ok) throw new Error(result.error);
    const first = new Log(fx.sim);
    const second = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, first);
    await fx.run('100ms');
    fx.stack('client').connect({ remote: SERVER }, second);
    await fx.run('2500ms');
    expect(result.listener.accept()).not.toBeNull();
    await fx.run('10s');
    const toSecond = fx.lines((entry) => entry.at >= 100e6);
    expect(toSecond).toEqual([
      '100ms client>server SYN seq=0', '1100ms client>server SYN seq=0', '2100ms client>server SYN seq=0',
      '3100ms client>server SYN seq=0', '3100.5ms server>client SYN,ACK seq=0 ack=1',
      '3101ms client>server ACK seq=1 ack=1',
    ]);
    expect(second.plain()).toEqual(['3101ms established']);
    expect(fx.sim.trace.marks().get('tcp: listen queue full, syn dropped')).toBe(3);
  });

  it('never drained: the client times out at 131 s after its connect', async () => {
    const fx = new Fixture({ hosts: hosts({ profile: 'linux' }, { profile: 'linux' }) });
    const server = new Log(fx.sim);
    server.autoAccept = false;
    fx.stack('server').listen({ local: { port: 80 }, backlog: 0 }, server);
    fx.stack('client').connect({ remote: SERVER }, new Log(fx.sim));
    await fx.run('100ms');
    const second = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, second);
    await fx.run('200s');
    expect(second.plain()).toEqual(['131100ms closed timed-out']);
  });

  async function finalAckOverflow(abortOnOverflow: boolean): Promise<{ fx: Fixture; second: Log; server: Log }> {
    const fx = new Fixture({ hosts: hosts({ profile: 'linux' }, { profile: 'linux', abortOnOverflow }) });
    const server = new Log(fx.sim);
    server.autoAccept = false;
    const result = fx.stack('server').listen({ local: { port: 80 }, backlog: 0 }, server);
    if (!result.ok) throw new Error(result.error);
    const first = new Log(fx.sim);
    const second = new Log(fx.sim);
    fx.stack('client').connect({ remote: SERVER }, first);
    fx.stack('client').connect({ remote: SERVER }, second);
    await fx.run('500ms');
    result.listener.accept(server);
    await fx.run('5s');
    return { fx, second, server };
  }

  it('queue full at the final ACK: the ACK is dropped; the SYN,ACK retransmission admits it later', async () => {
    const { fx, second, server } = await finalAckOverflow(false);
    expect(second.plain()).toEqual(['1ms established']);
    // The client's ACK was dropped at 1.5 ms; its answer to the SYN,ACK re-sent at 1000.5 ms gets in.
    expect(server.plain()).toEqual(['1.5ms ready (1)', '1001.5ms ready (1)']);
    expect(fx.sim.trace.marks().get('tcp: final ack dropped, accept queue full')).toBe(1);
  });

  it('queue full at the final ACK with abort-on-overflow: RST, the client sees reset', async () => {
    const { fx, second } = await finalAckOverflow(true);
    expect(second.plain()).toEqual(['1ms established', '2ms peer-reset', '2ms closed reset']);
    expect(fx.marked('tcp: final ack reset, accept queue full')).toBe(1);
  });
});

describe('tcp: S11 simultaneous open', () => {
  it('4 segments, both SYN-SENT → SYN-RECEIVED → ESTABLISHED, ISNs unchanged', async () => {
    const fx = new Fixture({ hosts: { a: { ipv4: '10.0.0.1' }, b: { ipv4: '10.0.0.2' } }, keepTrace: true });
    const a = new Log(fx.sim);
    const b = new Log(fx.sim);
    fx.stack('a').connect({ remote: { address: '10.0.0.2', port: 6000 }, local: { port: 5000 } }, a);
    fx.stack('b').connect({ remote: { address: '10.0.0.1', port: 5000 }, local: { port: 6000 } }, b);
    await fx.run('10ms');
    expect(fx.lines()).toEqual([
      '0ms a>b SYN seq=0', '0ms b>a SYN seq=0',
      '0.5ms b>a SYN,ACK seq=0 ack=1', '0.5ms a>b SYN,ACK seq=0 ack=1',
    ]);
    expect(fx.wire[2]?.segment.seq).toBe(fx.wire[1]?.segment.seq);
    expect(fx.wire[3]?.segment.seq).toBe(fx.wire[0]?.segment.seq);
    expect(a.plain()).toEqual(['1ms established']);
    expect(b.plain()).toEqual(['1ms established']);
    expect(fx.marked('tcp: simultaneous open')).toBe(2);
    const path = (host: string): string[] => fx.sim.trace.records()
      .filter((record) => record.type === 'tcp.transition')
      .filter((record) => record.host === host)
      .map((record) => `${record.from}→${record.to}`);
    expect(path('a')).toEqual(['CLOSED→SYN-SENT', 'SYN-SENT→SYN-RECEIVED', 'SYN-RECEIVED→ESTABLISHED']);
    expect(path('b')).toEqual(path('a'));
  });
});

describe('tcp: S12 close in SYN-SENT', () => {
  it('nothing sent at close; the late SYN,ACK draws <SEQ=SEG.ACK><CTL=RST>', async () => {
    const fx = new Fixture();
    const server = new Log(fx.sim);
    fx.stack('server').listen({ local: { port: 80 } }, server);
    const client = new Log(fx.sim);
    const result = fx.stack('client').connect({ remote: SERVER }, client);
    if (!result.ok) throw new Error(result.error);
    await fx.run('0.2ms');
    expect(result.connection.abort()).toEqual({ ok: true });
    await fx.run('20s');
    expect(fx.lines().slice(0, 2)).toEqual(['0ms client>server SYN seq=0', '0.5ms server>client SYN,ACK seq=0 ack=1']);
    const [, synAck, rst] = fx.wire;
    expect(fx.wire).toHaveLength(3);
    expect(ms(rst?.at ?? 0)).toBe('1ms');
    expect(rst?.segment.flags).toBe(RST);
    expect(rst?.segment.seq).toBe(synAck?.segment.ack);
    expect(client.plain()).toEqual(['0.2ms closed aborted']);
    expect(server.plain()).toEqual([]);
    expect(fx.stack('server').connections()).toEqual([]);
    expect(fx.marked('tcp: rst for segment without connection')).toBe(1);
  });
});

describe('tcp: S13 half-open connection', () => {
  it("after the client lost its state, its new SYN draws an ACK, its RST resets the server's connection, the SYN retransmission connects", async () => {
    const fx = new Fixture();
    const server = new Log(fx.sim);
    fx.stack('server').listen({ local: { port: 80 } }, server);
    const local = { port: 50000 };
    fx.stack('client').connect({ remote: SERVER, local }, new Log(fx.sim));
    await fx.run('1s');
    fx.net.crash('client');
    fx.net.restart('client', { at: '2s' });
    await fx.run('3s');
    const client = new Log(fx.sim);
    expect(fx.stack('client').connect({ remote: SERVER, local }, client).ok).toBe(true);
    await fx.run('10s');
    expect(fx.lines((entry) => entry.at >= 3e9)).toEqual([
      '3000ms client>server SYN seq=0',
      '3000.5ms server>client ACK seq=1 ack=1',
      expect.stringMatching(/^3001ms client>server RST seq=\d+$/),
      '4000ms client>server SYN seq=0',
      '4000.5ms server>client SYN,ACK seq=0 ack=1',
      '4001ms client>server ACK seq=1 ack=1',
    ]);
    const [challenge, rst] = fx.wire.filter((entry) => entry.at > 3e9 && entry.at < 3.002e9);
    expect(rst?.segment.seq).toBe(challenge?.segment.ack);
    expect(server.plain()).toEqual([
      '1.5ms ready (1)', '1.5ms accepted', '3001.5ms peer-reset', '3001.5ms closed reset',
      '4001.5ms ready (1)', '4001.5ms accepted',
    ]);
    expect(client.plain()).toEqual(['4001ms established']);
  });
});

describe('tcp: S14 TIME-WAIT', () => {
  /** Closes from the client at 1 s; the server closes as soon as it sees the FIN. */
  async function closeAt1s(profile: 'windows10' | 'linux', dropFinalAck: boolean): Promise<Fixture> {
    const tcp = { profile, ephemeralPortMin: 50000, ephemeralPortMax: 50000 } as const;
    const fx = new Fixture({ hosts: hosts(tcp, { profile }) });
    const closer = new Log(fx.sim);
    closer.onPeerFin = (connection: TcpConnection): void => void connection.shutdown();
    fx.stack('server').listen({ local: { port: 80 } }, closer);
    const result = fx.stack('client').connect({ remote: SERVER }, new Log(fx.sim));
    if (!result.ok) throw new Error(result.error);
    if (dropFinalAck) fx.addRule(dropFirst((packet, from) => from === 'client' && flagsOf(packet) === ACK && fx.sim.now >= 1e9));
    await fx.run('1s');
    result.connection.shutdown();
    await fx.run('2s');
    return fx;
  }

  function states(fx: Fixture): TcpState[] {
    return fx.stack('client').connections().map((connection) => connection.state);
  }

  it('windows: the active closer holds the 4-tuple 120 s; its ephemeral port is not reissued until then', async () => {
    const fx = await closeAt1s('windows10', false);
    expect(fx.lines((entry) => entry.at >= 1e9)).toEqual([
      '1000ms client>server FIN,ACK seq=1 ack=1',
      '1000.5ms server>client ACK seq=1 ack=2',
      '1000.5ms server>client FIN,ACK seq=1 ack=2',
      '1001ms client>server ACK seq=2 ack=2',
    ]);
    expect(states(fx)).toEqual(['TIME-WAIT']);
    expect(fx.stack('client').connect({ remote: SERVER }, null)).toEqual({ ok: false, error: 'no-ephemeral-port' });
    await fx.run('121000.9ms');
    expect(states(fx)).toEqual(['TIME-WAIT']);
    await fx.run('121001.1ms');
    expect(states(fx)).toEqual([]);
    expect(fx.stack('client').connect({ remote: SERVER }, null).ok).toBe(true);
  });

  it('linux: TIME-WAIT lasts 60 s', async () => {
    const fx = await closeAt1s('linux', false);
    await fx.run('61000.9ms');
    expect(states(fx)).toEqual(['TIME-WAIT']);
    await fx.run('61001.1ms');
    expect(states(fx)).toEqual([]);
  });

  it('a retransmitted FIN in TIME-WAIT is ACKed again and restarts the timer', async () => {
    const fx = await closeAt1s('windows10', true);
    expect(fx.lines((entry) => entry.at >= 1.001e9)).toEqual([
      '1001ms client>server ACK seq=2 ack=2',
      '1300.5ms server>client FIN,ACK seq=1 ack=2',
      '1301ms client>server ACK seq=2 ack=2',
    ]);
    expect(fx.sim.trace.marks().get('tcp: fin re-acked in TIME-WAIT')).toBe(1);
    await fx.run('121100ms');
    expect(states(fx)).toEqual(['TIME-WAIT']);
    await fx.run('121301.1ms');
    expect(states(fx)).toEqual([]);
    expect(fx.wire.at(-1)?.segment.flags).toBe(ACK);
    expect(fx.wire.some((entry) => (entry.segment.flags & FIN) !== 0 && entry.at > 1.4e9)).toBe(false);
  });
});
