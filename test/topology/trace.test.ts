/**
 * Tests of the topology's trace and determinism: packet records in three phases with reasons,
 * payload descriptions only when records are kept (and the same hash either way), the same seed
 * giving the same trace hash, different seeds different hashes under jitter, a recorded tape
 * replaying to the same hash, and invariants holding after every event of a busy run.
 */
import { describe, expect, it } from 'vitest';
import { Simulator, type SimulatorOptions } from '../../src/sim/index.ts';
import { Network, packetRecords, type Payload } from '../../src/topology/index.ts';

let describeCalls = 0;

class Note implements Payload {
  readonly n: number;
  readonly digest: number;
  constructor(n: number) {
    this.n = n;
    this.digest = n * 7;
  }
  describe(): string {
    describeCalls++;
    return `note ${this.n}`;
  }
}

/** A switch with three hosts under jitter, loss, duplication, reorder and a narrow queue. */
function busy(options: SimulatorOptions) {
  const sim = new Simulator(options);
  const net = new Network<Note>(sim);
  net.addSwitch('s');
  const hosts = [1, 2, 3].map((i) => net.addHost({ name: `h${i}`, ipv4: `10.0.0.${i}` }));
  for (const host of hosts) {
    net.addLink(host, 's', {
      latency: '2ms', jitter: { distribution: 'uniform', max: '3ms' }, loss: 0.05, duplicate: 0.05,
      reorder: 0.05, reorderDelay: '4ms', bandwidth: 5e6, queuePackets: 8,
    });
  }
  for (const host of hosts) host.onReceive((packet) => {
    if (packet.payload.n % 3 === 0) host.send(packet.target, packet.source, 40, new Note(packet.payload.n + 1));
  });
  for (let n = 0; n < 300; n++) {
    const from = hosts[n % 3];
    const to = hosts[(n + 1) % 3];
    sim.schedule(n * 200e3, 'send', () => void from?.send(from.ipv4 as string, to?.ipv4 as string, 500, new Note(n)));
  }
  net.partitionOneWay('h1', 'h2', { at: '20ms' });
  net.healOneWay('h1', 'h2', { at: '30ms' });
  net.crash('h3', { at: '40ms' });
  net.restart('h3', { at: '45ms' });
  return { sim, net };
}

async function hashOf(options: SimulatorOptions): Promise<string> {
  const { sim } = busy(options);
  await sim.run();
  return sim.trace.hash();
}

describe('topology: trace records', () => {
  it('every packet is traced sent, then delivered or dropped with its reason', async () => {
    const { sim, net } = busy({ seed: 9, keepTrace: true });
    await sim.run();
    const packets = packetRecords(sim.trace.records());
    const sent = new Set(packets.filter((r) => r.phase === 'sent').map((r) => r.id));
    for (const record of packets) {
      expect(sent.has(record.id)).toBe(true);
      if (record.phase === 'dropped') expect(typeof record.reason).toBe('string');
      if (record.phase !== 'dropped') expect(record.reason).toBeUndefined();
    }
    const finished = new Set(packets.filter((r) => r.phase !== 'sent').map((r) => r.id));
    expect(finished).toEqual(sent);
    const reasons = new Set(packets.map((r) => r.reason).filter((r) => r !== undefined));
    expect(reasons).toEqual(new Set(['loss', 'queue-full', 'partition', 'host-crashed', 'host-down']));
    expect(packets[0]).toEqual({
      at: 0, type: 'net.packet', phase: 'sent', id: 1, source: '10.0.0.1', target: '10.0.0.2', bytes: 500,
      reason: undefined, digest: 0, info: 'note 0',
    });
    expect(net.netstat().delivered).toBe(packets.filter((r) => r.phase === 'delivered').length);
  });

  it('payloads describe themselves only when records are kept, and the hash is the same', async () => {
    describeCalls = 0;
    const unkept = await hashOf({ seed: 4 });
    expect(describeCalls).toBe(0);
    const kept = await hashOf({ seed: 4, keepTrace: true });
    expect(describeCalls).toBeGreaterThan(0);
    expect(kept).toBe(unkept);
  });
});

describe('topology: determinism', () => {
  it('same seed → same trace hash (seeds 1, 2, 3)', async () => {
    for (const seed of [1, 2, 3]) expect(await hashOf({ seed })).toBe(await hashOf({ seed }));
  });

  it('different seeds → different trace hashes under jitter', async () => {
    const hashes = await Promise.all([1, 2, 3, 4, 5].map((seed) => hashOf({ seed })));
    expect(new Set(hashes).size).toBe(5);
  });

  it('a recorded tape replays to the same hash; the empty tape is the fault-free run', async () => {
    const recorded = busy({ seed: 11, record: true });
    await recorded.sim.run();
    const tape = recorded.sim.choices.tape();
    expect(tape.some((entry) => entry.label === 'link h1→s jitter')).toBe(true);
    expect(tape.some((entry) => entry.label === 'link s→h2 loss')).toBe(true);
    expect(await hashOf({ seed: 999, replay: tape })).toBe(recorded.sim.trace.hash());
    const empty = busy({ seed: 11, replay: [] });
    await empty.sim.run();
    const drops = empty.net.netstat().drops;
    expect(drops['loss']).toBeUndefined();
    expect(empty.net.netstat().links.every((l) => l.isUp)).toBe(true);
  });

  it('invariants hold after every event of a busy run', async () => {
    const { sim, net } = busy({ seed: 5 });
    let checks = 0;
    const outcome = await sim.run({ until: () => (net.checkInvariants(), checks++, false) });
    expect(outcome.status).toBe('quiescent');
    expect(checks).toBeGreaterThan(600);
  });
});
