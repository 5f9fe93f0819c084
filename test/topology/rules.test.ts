/**
 * Tests of src/topology/rules.ts: the per-packet hook. Rules run in install order at send time,
 * the first verdict that is not pass wins; drop is traced 'rule:<reason>'; deliver adds a delay
 * before the packet enters the network, so later packets may overtake it.
 */
import { describe, expect, it } from 'vitest';
import { Simulator, ms } from '../../src/sim/index.ts';
import {
  Network, PASS, delayWhere, dropWhere, packetRecords, type Payload, type RuleContext,
} from '../../src/topology/index.ts';

class Note implements Payload {
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  describe(): string {
    return `note ${this.n}`;
  }
}

function pair() {
  const sim = new Simulator({ seed: 1, keepTrace: true });
  const net = new Network<Note>(sim);
  const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
  const b = net.addHost({ name: 'b', ipv4: '10.0.0.2' });
  net.addLink('a', 'b', { latency: '5ms' });
  const got: [number, number][] = [];
  b.onReceive((packet) => void got.push([packet.payload.n, sim.now]));
  const send = (n: number) => a.send('10.0.0.1', '10.0.0.2', 100, new Note(n));
  return { sim, net, a, b, got, send };
}

describe('topology: rules', () => {
  it('drop the second packet: traced rule:<reason>, send still ok, the rest delivered', async () => {
    const { sim, net, got, send } = pair();
    let seen = 0;
    net.addRule(() => (++seen === 2 ? { action: 'drop', reason: 'second' } : PASS));
    expect([send(1), send(2), send(3)]).toEqual([{ ok: true, id: 1 }, { ok: true, id: 2 }, { ok: true, id: 3 }]);
    await sim.run();
    expect(got).toEqual([[1, 5e6], [3, 5e6]]);
    const dropped = packetRecords(sim.trace.records()).filter((r) => r.phase === 'dropped');
    expect(dropped.map((r) => [r.id, r.reason, r.at])).toEqual([[2, 'rule:second', 0]]);
    expect(net.netstat().drops).toEqual({ 'rule:second': 1 });
  });

  it('deliver with a 3 ms delay arrives 3 ms later and is overtaken by the next packet', async () => {
    const { sim, net, got, send } = pair();
    net.addRule(delayWhere('3ms', (packet) => packet.payload.n === 1));
    send(1);
    sim.schedule(1e6, 'send', () => void send(2));
    await sim.run();
    expect(got).toEqual([[2, 6e6], [1, 8e6]]);
  });

  it('the first verdict that is not pass wins, in install order', async () => {
    const { sim, net, got, send } = pair();
    const calls: string[] = [];
    net.addRule(() => (calls.push('first'), PASS));
    net.addRule(() => (calls.push('second'), { action: 'deliver', delay: ms(1) }));
    net.addRule(() => (calls.push('third'), { action: 'drop', reason: 'never' }));
    send(1);
    await sim.run();
    expect(calls).toEqual(['first', 'second']);
    expect(got).toEqual([[1, 6e6]]);
  });

  it('a rule sees the packet and its context; removing it stops it', async () => {
    const { sim, net, got, send } = pair();
    const contexts: RuleContext[] = [];
    const remove = net.addRule(dropWhere('all', (_packet, context) => (contexts.push(context), true)));
    sim.schedule(2e6, 'send', () => void send(1));
    sim.schedule(3e6, 'remove', remove);
    sim.schedule(4e6, 'send', () => void send(2));
    await sim.run();
    expect(contexts).toEqual([{ now: 2e6, sourceHost: 'a', targetHost: 'b' }]);
    expect(got).toEqual([[2, 9e6]]);
  });

  it('a rule runs after the partition check: a partitioned packet never reaches it', async () => {
    const { sim, net, send } = pair();
    let calls = 0;
    net.addRule(() => (calls++, PASS));
    net.partition('a', 'b');
    send(1);
    await sim.run();
    expect(calls).toBe(0);
  });

  it('a delayed packet whose sender crashed meanwhile is dropped host-down', async () => {
    const { sim, net, got, send } = pair();
    net.addRule(() => ({ action: 'deliver', delay: '3ms' }));
    send(1);
    net.crash('a', { at: '1ms' });
    await sim.run();
    expect(got).toEqual([]);
    const dropped = packetRecords(sim.trace.records()).filter((r) => r.phase === 'dropped');
    expect(dropped.map((r) => [r.reason, r.at])).toEqual([['host-down', 3e6]]);
  });

  it('a rule returning a bare-number delay fails the run, naming the rule', async () => {
    const { sim, net, send } = pair();
    net.addRule(() => ({ action: 'deliver', delay: 5 as never }));
    sim.schedule(0, 'send', () => void send(1));
    const outcome = await sim.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.message).toContain("option 'rules[0].delay'");
  });
});
