/**
 * Tests of src/topology/faults.ts and host crash/restart: partitions both ways and one way,
 * heal, hold and release, crash (in-flight deliveries dropped, host-scoped timers dead, no
 * sending), restart, and verbs scheduled at a virtual time. Invariants are checked after every
 * event of every run here.
 */
import { describe, expect, it } from 'vitest';
import { Simulator, type TraceRecord } from '../../src/sim/index.ts';
import { Network, isFaultRecord, packetRecords, type Payload } from '../../src/topology/index.ts';

class Note implements Payload {
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  describe(): string {
    return `note ${this.n}`;
  }
}

/** a (10.0.0.1) — b (10.0.0.2), 5 ms each way; records arrivals at each end as [n, time]. */
function pair(latency = '5ms') {
  const sim = new Simulator({ seed: 1, keepTrace: true });
  const net = new Network<Note>(sim);
  const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
  const b = net.addHost({ name: 'b', ipv4: '10.0.0.2' });
  net.addLink('a', 'b', { latency });
  const atA: [number, number][] = [];
  const atB: [number, number][] = [];
  a.onReceive((packet) => void atA.push([packet.payload.n, sim.now]));
  b.onReceive((packet) => void atB.push([packet.payload.n, sim.now]));
  const aToB = (n: number) => a.send('10.0.0.1', '10.0.0.2', 100, new Note(n));
  const bToA = (n: number) => b.send('10.0.0.2', '10.0.0.1', 100, new Note(n));
  const at = (time: number, send: (n: number) => unknown, n: number): void =>
    void sim.schedule(time, 'send', () => void send(n));
  // An expect() inside an event fails the run rather than throwing: check the outcome.
  const run = async () => {
    const outcome = await sim.run({ until: () => (net.checkInvariants(), false) });
    expect(outcome.failure).toBeUndefined();
    return outcome;
  };
  return { sim, net, a, b, atA, atB, aToB, bToA, at, run };
}

function drops(records: readonly TraceRecord[]): [unknown, unknown, unknown][] {
  return packetRecords(records).filter((r) => r.phase === 'dropped').map((r) => [r.id, r.reason, r.at]);
}

function faults(records: readonly TraceRecord[]): [unknown, unknown, unknown, unknown][] {
  return records.filter(isFaultRecord).map((r) => [r.at, r.verb, r.a, r.b]);
}

describe('topology: partition', () => {
  it('both ways drops both directions at send; send still reports ok', async () => {
    const { sim, net, atA, atB, aToB, bToA, run } = pair();
    net.partition('a', 'b');
    expect(aToB(1)).toEqual({ ok: true, id: 1 });
    bToA(2);
    await run();
    expect([atA, atB]).toEqual([[], []]);
    expect(drops(sim.trace.records())).toEqual([[1, 'partition', 0], [2, 'partition', 0]]);
  });

  it('one-way a→b drops only a→b; b→a gets through', async () => {
    const { sim, net, atA, atB, aToB, bToA, run } = pair();
    net.partitionOneWay('a', 'b');
    aToB(1);
    bToA(2);
    await run();
    expect(atB).toEqual([]);
    expect(atA).toEqual([[2, 5e6]]);
    expect(drops(sim.trace.records())).toEqual([[1, 'partition', 0]]);
    expect(net.netstat().partitions).toEqual(['a→b']);
  });

  it('heal restores both directions; healOneWay restores one', async () => {
    const { sim, net, atA, atB, aToB, bToA, at, run } = pair();
    net.partition('a', 'b');
    net.heal('a', 'b', { at: '10ms' });
    net.partition('a', 'b', { at: '20ms' });
    net.healOneWay('b', 'a', { at: '30ms' });
    for (const time of [0, 10e6, 20e6, 30e6]) {
      at(time, aToB, time / 1e6);
      at(time, bToA, time / 1e6);
    }
    await run();
    expect(atB).toEqual([[10, 15e6]]);
    expect(atA).toEqual([[10, 15e6], [30, 35e6]]);
    expect(net.netstat().partitions).toEqual(['a→b']);
    expect(faults(sim.trace.records())).toEqual([
      [0, 'partition', 'a', 'b'], [10e6, 'heal', 'a', 'b'], [20e6, 'partition', 'a', 'b'],
      [30e6, 'heal-one-way', 'b', 'a'],
    ]);
  });

  it('a partition that starts while a packet is in flight drops it at delivery', async () => {
    const { sim, net, atB, aToB, run } = pair();
    aToB(1);
    net.partition('a', 'b', { at: '2ms' });
    await run();
    expect(atB).toEqual([]);
    expect(drops(sim.trace.records())).toEqual([[1, 'partition', 5e6]]);
  });
});

describe('topology: hold and release', () => {
  it('holds packets both ways, then releases them in arrival order at the release instant', async () => {
    const { sim, net, atA, atB, aToB, bToA, at, run } = pair();
    net.hold('a', 'b');
    for (let n = 0; n < 5; n++) at(n * 1e6, aToB, n);
    at(2.5e6, bToA, 9);
    net.release('a', 'b', { at: '50ms' });
    at(60e6, aToB, 5);
    sim.schedule(20e6, 'look', () => {
      expect(net.netstat().holds).toEqual([{ between: 'a-b', buffered: 6 }]);
    });
    await run();
    expect(atB).toEqual([[0, 50e6], [1, 50e6], [2, 50e6], [3, 50e6], [4, 50e6], [5, 65e6]]);
    expect(atA).toEqual([[9, 50e6]]);
    expect(net.netstat().holds).toEqual([]);
  });

  it('release keeps arrival order even when arrival order differs from send order', async () => {
    const sim = new Simulator({ seed: 1 });
    const net = new Network<Note>(sim);
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    const b = net.addHost({ name: 'b', ipv4: '10.0.0.2' });
    net.addLink('a', 'b', { latency: '5ms', forward: { reorder: 0.5, reorderDelay: '20ms' } });
    const direct: number[] = [];
    const released: number[] = [];
    b.onReceive((packet) => void (sim.now < 100e6 ? direct : released).push(packet.payload.n));
    for (let n = 0; n < 40; n++) a.send('10.0.0.1', '10.0.0.2', 10, new Note(n));
    await sim.run();
    const sim2 = new Simulator({ seed: 1 });
    const net2 = new Network<Note>(sim2);
    const a2 = net2.addHost({ name: 'a', ipv4: '10.0.0.1' });
    const b2 = net2.addHost({ name: 'b', ipv4: '10.0.0.2' });
    net2.addLink('a', 'b', { latency: '5ms', forward: { reorder: 0.5, reorderDelay: '20ms' } });
    b2.onReceive((packet) => void released.push(packet.payload.n));
    net2.hold('a', 'b');
    net2.release('a', 'b', { at: '100ms' });
    for (let n = 0; n < 40; n++) a2.send('10.0.0.1', '10.0.0.2', 10, new Note(n));
    await sim2.run();
    expect(direct).not.toEqual([...Array(40).keys()]);
    expect(released).toEqual(direct);
  });
});

describe('topology: crash and restart', () => {
  it('crash drops in-flight deliveries to the host (host-crashed) and tells listeners', async () => {
    const { sim, net, b, atB, aToB, run } = pair();
    const told: string[] = [];
    b.onCrash(() => void told.push(`crash ${sim.now} up=${b.isUp}`));
    b.onRestart(() => void told.push(`restart ${sim.now} up=${b.isUp}`));
    aToB(1);
    net.crash('b', { at: '1ms' });
    await run();
    expect(atB).toEqual([]);
    expect(drops(sim.trace.records())).toEqual([[1, 'host-crashed', 5e6]]);
    expect(told).toEqual(['crash 1000000 up=false']);
    expect(b.isUp).toBe(false);
  });

  it('crash kills host-scoped timers, even after a restart; new timers fire', async () => {
    const { sim, net, b, run } = pair();
    const fired: string[] = [];
    const before = b.schedule(10e6, 'old', (tag: string) => void fired.push(`${tag} ${sim.now}`), 'old');
    b.schedule(0, 'early', () => void fired.push(`early ${sim.now}`));
    net.crash('b', { at: '1ms' });
    net.restart('b', { at: '2ms' });
    sim.schedule(3e6, 'new', () => void b.schedule(10e6, 'new', () => void fired.push(`new ${sim.now}`)));
    sim.schedule(1.5e6, 'look', () => expect(before.isPending).toBe(false));
    await run();
    expect(fired).toEqual(['early 0', 'new 13000000']);
  });

  it('a timer scheduled while the host is down never fires; cancel stops a live one', async () => {
    const { sim, net, b, run } = pair();
    const fired: string[] = [];
    net.crash('b');
    b.schedule(1e6, 'dead', () => void fired.push('dead'));
    net.restart('b', { at: '5ms' });
    sim.schedule(6e6, 'arm', () => {
      const timer = b.schedule(1e6, 'cancelled', () => void fired.push('cancelled'));
      expect(timer.at).toBe(7e6);
      timer.cancel();
    });
    await run();
    expect(fired).toEqual([]);
  });

  it('a crashed host cannot send (host-down); after restart it sends and receives again', async () => {
    const { sim, net, atA, atB, aToB, bToA, at, run } = pair();
    net.crash('b');
    expect(bToA(1)).toEqual({ ok: false, reason: 'host-down' });
    aToB(2);
    net.restart('b', { at: '20ms' });
    at(30e6, aToB, 3);
    at(30e6, bToA, 4);
    await run();
    expect(atB).toEqual([[3, 35e6]]);
    expect(atA).toEqual([[4, 35e6]]);
    expect(drops(sim.trace.records())).toEqual([[1, 'host-down', 0], [2, 'host-crashed', 5e6]]);
    expect(faults(sim.trace.records())).toEqual([[0, 'crash', 'b', undefined], [20e6, 'restart', 'b', undefined]]);
  });

  it('packets the host sent before it crashed are still delivered (they are on the wire)', async () => {
    const { net, atA, bToA, run } = pair();
    bToA(1);
    net.crash('b', { at: '1ms' });
    await run();
    expect(atA).toEqual([[1, 5e6]]);
  });

  it('crash and restart are idempotent: listeners are told once per change', async () => {
    const { net, b, run } = pair();
    let crashes = 0;
    let restarts = 0;
    b.onCrash(() => void crashes++);
    b.onRestart(() => void restarts++);
    net.restart('b');
    net.crash('b');
    net.crash('b', { at: '1ms' });
    net.restart('b', { at: '2ms' });
    net.restart('b', { at: '3ms' });
    await run();
    expect([crashes, restarts]).toEqual([1, 1]);
  });
});

describe('topology: scheduled faults', () => {
  it('link down at 1 s and up at 2 s: packets at 0.5 s and 2.5 s arrive, at 1.5 s no route', async () => {
    const { sim, net, atB, aToB, run } = pair('1ms');
    const results: unknown[] = [];
    net.linkDown('a', 'b', { at: '1s' });
    net.linkUp('a', 'b', { at: '2s' });
    for (const time of [0.5e9, 1.5e9, 2.5e9]) sim.schedule(time, 'send', () => void results.push(aToB(time / 1e8)));
    await run();
    expect(atB).toEqual([[5, 0.501e9], [25, 2.501e9]]);
    expect(results).toEqual([{ ok: true, id: 1 }, { ok: false, reason: 'no-route' }, { ok: true, id: 3 }]);
    expect(faults(sim.trace.records())).toEqual([[1e9, 'link-down', 'a', 'b'], [2e9, 'link-up', 'a', 'b']]);
    expect(net.netstat().links[0]?.isUp).toBe(true);
  });
});

describe('topology: taps', () => {
  it('a tap sees every packet that leaves its host, before loss or partition, and can be removed', async () => {
    const sim = new Simulator({ seed: 1 });
    const net = new Network(sim);
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    net.addHost({ name: 'b', ipv4: '10.0.0.2' });
    net.addLink('a', 'b', { latency: '1ms', loss: 1 });
    const seen: string[] = [];
    const remove = net.addTap((packet, now) => void seen.push(`${now} ${packet.id} ${packet.target}`));
    const payload = { describe: () => 'x' };
    a.send('10.0.0.1', '10.0.0.2', 10, payload);
    a.send('10.0.0.1', '10.9.9.9', 10, payload); // no route: refused at the host, never on the wire
    net.partition('a', 'b');
    sim.schedule(5, 'later', () => void a.send('10.0.0.1', '10.0.0.2', 10, payload));
    await sim.run();
    remove();
    a.send('10.0.0.1', '10.0.0.2', 10, payload);
    expect(seen).toEqual(['0 1 10.0.0.2', '5 3 10.0.0.2']);
  });
});
