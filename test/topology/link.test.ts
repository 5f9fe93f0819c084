/**
 * Tests of src/topology/link.ts through the network: latency per direction, loss within a
 * binomial bound, bandwidth and queue capacity, jitter that never reorders, reordering,
 * duplication, and the choice stream (a fault-free link draws nothing).
 */
import { describe, expect, it } from 'vitest';
import { Simulator, ms, type TraceRecord } from '../../src/sim/index.ts';
import {
  Network, packetRecords, type LinkOptions, type PacketRecord, type Payload,
} from '../../src/topology/index.ts';

class Note implements Payload {
  readonly n: number;
  readonly digest: number;
  constructor(n: number) {
    this.n = n;
    this.digest = n;
  }
  describe(): string {
    return `note ${this.n}`;
  }
}

interface Arrival {
  readonly id: number;
  readonly n: number;
  readonly at: number;
}

/** Two hosts a (10.0.0.1) and b (10.0.0.2) on one link; records what b receives. */
function pair(seed: number, options: LinkOptions, keepTrace = false) {
  const sim = new Simulator({ seed, keepTrace });
  const net = new Network<Note>(sim);
  const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
  const b = net.addHost({ name: 'b', ipv4: '10.0.0.2' });
  net.addLink('a', 'b', options);
  const arrivals: Arrival[] = [];
  b.onReceive((packet) => void arrivals.push({ id: packet.id, n: packet.payload.n, at: sim.now }));
  const send = (n: number, bytes = 100): void => void a.send('10.0.0.1', '10.0.0.2', bytes, new Note(n));
  return { sim, net, a, b, arrivals, send };
}

/** Schedules `count` sends from a, `gap` ns apart, starting at 0. */
function sendEvery(sim: Simulator, send: (n: number) => void, count: number, gap: number): void {
  for (let n = 0; n < count; n++) sim.schedule(n * gap, 'send', send, n);
}

function drops(records: readonly TraceRecord[], reason: string): PacketRecord[] {
  return packetRecords(records).filter((r) => r.phase === 'dropped' && r.reason === reason);
}

describe('topology: link latency', () => {
  it('each direction has its own latency (forward 5 ms, reverse 2 ms)', async () => {
    const { sim, a, b, arrivals, send } = pair(1, { latency: '5ms', reverse: { latency: ms(2) } });
    const back: number[] = [];
    a.onReceive(() => void back.push(sim.now));
    send(1);
    b.send('10.0.0.2', '10.0.0.1', 100, new Note(2));
    await sim.run();
    expect(arrivals).toEqual([{ id: 1, n: 1, at: 5e6 }]);
    expect(back).toEqual([2e6]);
  });

  it('a fault-free link draws no random numbers', async () => {
    const sim = new Simulator({ seed: 1, record: true });
    const net = new Network(sim);
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    net.addHost({ name: 'b', ipv4: '10.0.0.2' });
    net.addLink('a', 'b', { latency: '1ms', bandwidth: 1e6 });
    for (let i = 0; i < 10; i++) a.send('10.0.0.1', '10.0.0.2', 100, new Note(i));
    await sim.run();
    expect(sim.choices.tape()).toEqual([]);
    expect(net.netstat().hosts[1]?.received).toBe(10);
  });
});

describe('topology: link loss', () => {
  const PACKETS = 10_000;
  const LOSS = 0.1;
  // Five standard deviations of the binomial: a correct link fails this about once in 1.7e6.
  const BOUND = 5 * Math.sqrt(PACKETS * LOSS * (1 - LOSS));

  it.each([1, 2, 3, 42, 0x5eed])('loss 10%% over 10,000 packets stays within ±5σ (seed %i)', async (seed) => {
    const { sim, net, arrivals, send } = pair(seed, { latency: '1ms', loss: LOSS });
    for (let n = 0; n < PACKETS; n++) send(n);
    await sim.run();
    const lost = net.netstat().drops['loss'] ?? 0;
    expect(Math.abs(lost - PACKETS * LOSS)).toBeLessThanOrEqual(BOUND);
    expect(lost + arrivals.length).toBe(PACKETS);
    expect(lost).toBeGreaterThan(0);
  });

  it('pooled over the same five seeds (50,000 packets) stays within ±5σ of the pooled binomial', async () => {
    let lost = 0;
    for (const seed of [1, 2, 3, 42, 0x5eed]) {
      const { sim, net, send } = pair(seed, { loss: LOSS });
      for (let n = 0; n < PACKETS; n++) send(n);
      await sim.run();
      lost += net.netstat().drops['loss'] ?? 0;
    }
    const total = 5 * PACKETS;
    expect(Math.abs(lost - total * LOSS)).toBeLessThanOrEqual(5 * Math.sqrt(total * LOSS * (1 - LOSS)));
  });

  it('each loss is traced as dropped with reason loss', async () => {
    const { sim, arrivals, send } = pair(7, { loss: 0.5 }, true);
    for (let n = 0; n < 100; n++) send(n);
    await sim.run();
    const lost = drops(sim.trace.records(), 'loss');
    expect(lost.length).toBe(100 - arrivals.length);
    const ids = new Set([...lost.map((r) => r.id), ...arrivals.map((a) => a.id)]);
    expect(ids.size).toBe(100);
  });

  it('loss applies per direction (forward 1, reverse 0)', async () => {
    const { sim, a, b, arrivals, send } = pair(1, { forward: { loss: 1 } });
    const back: number[] = [];
    a.onReceive((packet) => void back.push(packet.id));
    send(1);
    b.send('10.0.0.2', '10.0.0.1', 100, new Note(2));
    await sim.run();
    expect(arrivals).toEqual([]);
    expect(back).toEqual([2]);
  });
});

describe('topology: link bandwidth', () => {
  it('1250-byte packets at 10 Mbit/s leave 1 ms apart (latency 2 ms)', async () => {
    const { sim, arrivals, send } = pair(1, { latency: '2ms', bandwidth: 10e6 });
    for (let n = 0; n < 5; n++) send(n, 1250);
    await sim.run();
    expect(arrivals.map((a) => a.at)).toEqual([3e6, 4e6, 5e6, 6e6, 7e6]);
  });

  it('an idle transmitter starts at once; a busy one queues (64 bytes at 1 Mbit/s = 512 us)', async () => {
    const { sim, arrivals, send } = pair(1, { bandwidth: 1e6 });
    sim.schedule(0, 'send', () => send(0, 64));
    sim.schedule(100e3, 'send', () => send(1, 64));
    sim.schedule(5e6, 'send', () => send(2, 64));
    await sim.run();
    expect(arrivals.map((a) => a.at)).toEqual([512e3, 1024e3, 5e6 + 512e3]);
  });

  it('drops queue-full past capacity (3 packets), and accepts again once one has left', async () => {
    const { sim, net, arrivals, send } = pair(1, { bandwidth: 10e6, queuePackets: 3 }, true);
    for (let n = 0; n < 5; n++) send(n, 1250);
    // At 1 ms the first packet has left the transmitter: one slot is free, for one packet.
    sim.schedule(1e6, 'send', () => send(5, 1250));
    sim.schedule(1e6, 'send', () => send(6, 1250));
    await sim.run({ until: () => (net.checkInvariants(), false) });
    expect(arrivals.map((a) => a.n)).toEqual([0, 1, 2, 5]);
    expect(arrivals.map((a) => a.at)).toEqual([1e6, 2e6, 3e6, 4e6]);
    expect(drops(sim.trace.records(), 'queue-full').map((r) => [r.id, r.at])).toEqual([[4, 0], [5, 0], [7, 1e6]]);
  });

  it('a snapshot shows the queue while it drains', async () => {
    const { sim, net, send } = pair(1, { bandwidth: 10e6 });
    for (let n = 0; n < 4; n++) send(n, 1250);
    expect(net.netstat().links[0]?.forward).toMatchObject({ queued: 4, admitted: 4, busyUntil: 4e6 });
    await sim.run({ until: '2.5ms' });
    expect(net.netstat().links[0]?.forward.queued).toBe(2);
  });
});

describe('topology: link jitter and reordering', () => {
  it.each([1, 2, 3])('jitter alone never reorders (uniform up to 10 ms, 100 us apart, seed %i)', async (seed) => {
    const { sim, arrivals, send } = pair(seed, { latency: '5ms', jitter: { distribution: 'uniform', max: '10ms' } });
    sendEvery(sim, send, 300, 100e3);
    await sim.run();
    expect(arrivals.map((a) => a.n)).toEqual([...Array(300).keys()]);
    // The jitter did act: delays vary, and stay within latency + max.
    const delays = arrivals.map((a) => a.at - a.n * 100e3);
    expect(new Set(delays).size).toBeGreaterThan(100);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(5e6);
    expect(Math.max(...delays)).toBeLessThanOrEqual(15e6);
  });

  it('exponential jitter stays below its cap and never reorders', async () => {
    const jitter = { distribution: 'exponential', mean: '1ms', max: '4ms' } as const;
    const { sim, arrivals, send } = pair(5, { latency: '1ms', jitter });
    sendEvery(sim, send, 500, 1e6);
    await sim.run();
    const delays = arrivals.map((a) => a.at - a.n * 1e6);
    expect(arrivals.map((a) => a.n)).toEqual([...Array(500).keys()]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(5e6);
    expect(delays.filter((d) => d > 2e6).length).toBeGreaterThan(50);
  });

  it('reorder 30% with reorderDelay 5 ms reorders, within the extra delay (seed 1)', async () => {
    const { sim, arrivals, send } = pair(1, { latency: '1ms', reorder: 0.3, reorderDelay: '5ms' });
    sendEvery(sim, send, 200, 100e3);
    await sim.run();
    expect(arrivals).toHaveLength(200);
    const order = arrivals.map((a) => a.n);
    const overtaken = order.filter((n, i) => i > 0 && n < (order[i - 1] as number)).length;
    expect(overtaken).toBeGreaterThan(10);
    for (const arrival of arrivals) {
      const delay = arrival.at - arrival.n * 100e3;
      expect(delay).toBeGreaterThanOrEqual(1e6);
      expect(delay).toBeLessThanOrEqual(6e6);
    }
  });
});

describe('topology: link duplication', () => {
  it('duplicate 1 delivers every packet twice, with the same id', async () => {
    const { sim, arrivals, send } = pair(1, { latency: '1ms', duplicate: 1 }, true);
    send(1);
    send(2);
    await sim.run();
    expect(arrivals.map((a) => [a.id, a.n])).toEqual([[1, 1], [1, 1], [2, 2], [2, 2]]);
    const delivered = packetRecords(sim.trace.records()).filter((r) => r.phase === 'delivered');
    expect(delivered.map((r) => r.id)).toEqual([1, 1, 2, 2]);
  });

  it('duplicate 20% over 2,000 packets duplicates within ±5σ; a copy has its own jitter, never earlier', async () => {
    const jitter = { distribution: 'uniform', max: '1ms' } as const;
    const { sim, arrivals, send } = pair(3, { latency: '1ms', duplicate: 0.2, jitter });
    sendEvery(sim, send, 2000, 10e6);
    await sim.run();
    const copies = arrivals.length - 2000;
    expect(Math.abs(copies - 400)).toBeLessThanOrEqual(5 * Math.sqrt(2000 * 0.2 * 0.8));
    const byId = new Map<number, number[]>();
    for (const a of arrivals) byId.set(a.id, [...(byId.get(a.id) ?? []), a.at]);
    const pairs = [...byId.values()].filter((times) => times.length === 2);
    expect(pairs).toHaveLength(copies);
    // The copy's draw is clamped like any other (jitter does not reorder): never before its original.
    for (const [first, second] of pairs) expect(second).toBeGreaterThanOrEqual(first as number);
    expect(pairs.filter(([first, second]) => first !== second).length).toBeGreaterThan(copies / 4);
  });
});
