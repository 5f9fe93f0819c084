/**
 * Tests of src/topology/routing.ts through the network: a direct link, a switch joining four
 * hosts, a chain of three routers (delivery time = sum of latencies), no route across a cut,
 * ties broken by link creation order, hosts that never forward, and IPv6 end to end.
 */
import { describe, expect, it } from 'vitest';
import { Simulator, type TraceRecord } from '../../src/sim/index.ts';
import { Network, packetRecords, type Host, type Payload } from '../../src/topology/index.ts';

const NOTE: Payload = Object.freeze({ describe: () => 'note' });

function network(seed = 1) {
  const sim = new Simulator({ seed, keepTrace: true });
  return { sim, net: new Network(sim) };
}

/** Records (host name, packet id, time) of every delivery to the given hosts. */
function listen(sim: Simulator, hosts: readonly Host[]): [string, number, number][] {
  const got: [string, number, number][] = [];
  for (const host of hosts) host.onReceive((packet) => void got.push([host.name, packet.id, sim.now]));
  return got;
}

function dropped(records: readonly TraceRecord[]): [unknown, unknown][] {
  return packetRecords(records).filter((r) => r.phase === 'dropped').map((r) => [r.id, r.reason]);
}

/** a — r1 — r2 — r3 — b with latencies 1, 2, 3 and 4 ms. */
function chain() {
  const { sim, net } = network();
  const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
  const b = net.addHost({ name: 'b', ipv4: '10.0.1.1' });
  for (const name of ['r1', 'r2', 'r3']) net.addRouter(name);
  net.addLink('a', 'r1', { latency: '1ms' });
  net.addLink('r1', 'r2', { latency: '2ms' });
  net.addLink('r2', 'r3', { latency: '3ms' });
  net.addLink('r3', 'b', { latency: '4ms' });
  return { sim, net, a, b, got: listen(sim, [a, b]) };
}

describe('topology: routing across a chain of routers', () => {
  it('finds the path a→r1→r2→r3→b; delivery time is the sum of latencies (10 ms)', async () => {
    const { sim, net, a, b, got } = chain();
    expect(net.route('a', 'b')).toEqual(['a', 'r1', 'r2', 'r3', 'b']);
    expect(a.hasRoute('10.0.1.1')).toBe(true);
    expect(a.send('10.0.0.1', '10.0.1.1', 100, NOTE)).toEqual({ ok: true, id: 1 });
    b.send('10.0.1.1', '10.0.0.1', 100, NOTE);
    await sim.run();
    expect(got).toEqual([['b', 1, 10e6], ['a', 2, 10e6]]);
  });

  it('reports no route across a cut (r1-r2 down), traced as dropped no-route; up again, it routes', async () => {
    const { sim, net, a, got } = chain();
    net.linkDown('r1', 'r2');
    expect(net.route('a', 'b')).toEqual([]);
    expect(a.hasRoute('10.0.1.1')).toBe(false);
    expect(a.send('10.0.0.1', '10.0.1.1', 100, NOTE)).toEqual({ ok: false, reason: 'no-route' });
    net.linkUp('r1', 'r2');
    expect(a.send('10.0.0.1', '10.0.1.1', 100, NOTE)).toEqual({ ok: true, id: 2 });
    await sim.run();
    expect(dropped(sim.trace.records())).toEqual([[1, 'no-route']]);
    expect(got).toEqual([['b', 2, 10e6]]);
  });

  it('a link cut while a packet is on it drops it link-down; one cut ahead drops it no-route', async () => {
    const { sim, net, a, got } = chain();
    a.send('10.0.0.1', '10.0.1.1', 100, NOTE); // on r1→r2 from 1 ms to 3 ms
    net.linkDown('r1', 'r2', { at: '2ms' });
    net.linkUp('r1', 'r2', { at: '2.5ms' }); // back up before arrival: still lost
    sim.schedule(4e6, 'send', () => void a.send('10.0.0.1', '10.0.1.1', 100, NOTE)); // at r2 by 7 ms
    net.linkDown('r3', 'b', { at: '6ms' });
    await sim.run();
    expect(got).toEqual([]);
    const records = packetRecords(sim.trace.records());
    expect(dropped(records)).toEqual([[1, 'link-down'], [2, 'no-route']]);
    expect(records.find((r) => r.phase === 'dropped' && r.id === 1)?.at).toBe(3e6);
    expect(records.find((r) => r.phase === 'dropped' && r.id === 2)?.at).toBe(7e6);
  });
});

describe('topology: routing through a switch', () => {
  it('a switch joins 4 hosts: every pair talks, in two hops (1 ms each)', async () => {
    const { sim, net } = network();
    net.addSwitch('s');
    const hosts = [1, 2, 3, 4].map((i) => net.addHost({ name: `h${i}`, ipv4: `10.0.0.${i}` }));
    for (const host of hosts) net.addLink(host, 's', { latency: '1ms' });
    const got = listen(sim, hosts);
    for (const from of hosts) {
      for (const to of hosts) {
        if (from !== to) from.send(from.ipv4 as string, to.ipv4 as string, 64, NOTE);
      }
    }
    await sim.run();
    expect(got).toHaveLength(12);
    expect(new Set(got.map(([, , at]) => at))).toEqual(new Set([2e6]));
    for (const host of hosts) expect(got.filter(([name]) => name === host.name)).toHaveLength(3);
    expect(net.netstat().hosts.map((h) => [h.sent, h.received])).toEqual([[3, 3], [3, 3], [3, 3], [3, 3]]);
  });
});

describe('topology: routing choices', () => {
  it('of two equal paths the one through older links wins; when it breaks, the other is used', async () => {
    const { sim, net } = network();
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    const b = net.addHost({ name: 'b', ipv4: '10.0.0.2' });
    net.addRouter('slow');
    net.addRouter('fast');
    net.addLink('a', 'slow', { latency: '5ms' });
    net.addLink('a', 'fast', { latency: '1ms' });
    net.addLink('slow', 'b', { latency: '5ms' });
    net.addLink('fast', 'b', { latency: '1ms' });
    const got = listen(sim, [b]);
    expect(net.route('a', 'b')).toEqual(['a', 'slow', 'b']);
    a.send('10.0.0.1', '10.0.0.2', 100, NOTE);
    net.linkDown('a', 'slow');
    expect(net.route('a', 'b')).toEqual(['a', 'fast', 'b']);
    a.send('10.0.0.1', '10.0.0.2', 100, NOTE);
    await sim.run();
    // Packet 1 left on a→slow before the cut: lost with the link. Packet 2 took the fast path.
    expect(got).toEqual([['b', 2, 2e6]]);
  });

  it('fewer hops win over lower latency (hop count, not delay)', () => {
    const { net } = network();
    net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    net.addHost({ name: 'b', ipv4: '10.0.0.2' });
    ['r1', 'r2', 'r3'].forEach((name) => net.addRouter(name));
    net.addLink('a', 'r1', { latency: '1us' });
    net.addLink('r1', 'r2', { latency: '1us' });
    net.addLink('r2', 'b', { latency: '1us' });
    net.addLink('a', 'r3', { latency: '1s' });
    net.addLink('r3', 'b', { latency: '1s' });
    expect(net.route('a', 'b')).toEqual(['a', 'r3', 'b']);
  });

  it('hosts never forward: a—m—b through host m is no route', () => {
    const { net } = network();
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    net.addHost({ name: 'm', ipv4: '10.0.0.2' });
    net.addHost({ name: 'b', ipv4: '10.0.0.3' });
    net.addLink('a', 'm');
    net.addLink('m', 'b');
    expect(a.hasRoute('10.0.0.2')).toBe(true);
    expect(a.hasRoute('10.0.0.3')).toBe(false);
    expect(a.send('10.0.0.1', '10.0.0.3', 1, NOTE)).toEqual({ ok: false, reason: 'no-route' });
  });

  it('a topology added after routes were cached is routed through', async () => {
    const { sim, net } = network();
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    expect(a.hasRoute('10.0.0.2')).toBe(false);
    const b = net.addHost({ name: 'b', ipv4: '10.0.0.2' });
    expect(a.hasRoute('10.0.0.2')).toBe(false);
    net.addLink('a', 'b', { latency: '1ms' });
    expect(a.hasRoute('10.0.0.2')).toBe(true);
    const got = listen(sim, [b]);
    a.send('10.0.0.1', '10.0.0.2', 1, NOTE);
    await sim.run();
    expect(got).toEqual([['b', 1, 1e6]]);
  });
});

describe('topology: addresses on the wire', () => {
  it('IPv6 hosts talk; any spelling of the target reaches its canonical owner', async () => {
    const { sim, net } = network();
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1', ipv6: 'FD00::1' });
    const b = net.addHost({ name: 'b', ipv6: 'fd00:0:0::2' });
    net.addLink('a', 'b', { latency: '1ms' });
    expect(a.addresses).toEqual(['10.0.0.1', 'fd00::1']);
    expect(b.ipv6).toBe('fd00::2');
    const sources: string[] = [];
    b.onReceive((packet) => void sources.push(`${packet.source}>${packet.target}`));
    expect(a.send('fd00::1', 'FD00:0000::2', 10, NOTE)).toEqual({ ok: true, id: 1 });
    expect(a.send('fd00:0::1', 'fd00::2', 10, NOTE)).toEqual({ ok: true, id: 2 });
    await sim.run();
    expect(sources).toEqual(['fd00::1>fd00::2', 'fd00::1>fd00::2']);
    expect(net.hostByAddress('FD00::2')?.name).toBe('b');
  });

  it('no host owns the target, families differ, or the source is not ours → refused and traced', async () => {
    const { sim, net } = network();
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1', ipv6: 'fd00::1' });
    net.addHost({ name: 'b', ipv6: 'fd00::2' });
    net.addLink('a', 'b');
    expect(a.send('10.0.0.1', '10.0.0.99', 1, NOTE)).toEqual({ ok: false, reason: 'no-route' });
    expect(a.send('10.0.0.1', 'fd00::2', 1, NOTE)).toEqual({ ok: false, reason: 'no-route' });
    expect(a.send('fd00::2', 'fd00::2', 1, NOTE)).toEqual({ ok: false, reason: 'not-local-address' });
    expect(a.send('10.0.0.1', 'nonsense', 1, NOTE)).toEqual({ ok: false, reason: 'no-route' });
    expect(a.hasRoute('10.0.0.99')).toBe(false);
    expect(a.hasRoute('fd00::2')).toBe(true);
    await sim.run();
    const records = packetRecords(sim.trace.records());
    expect(records.filter((r) => r.phase === 'sent')).toHaveLength(4);
    expect(dropped(records)).toEqual([[1, 'no-route'], [2, 'no-route'], [3, 'not-local-address'], [4, 'no-route']]);
  });

  it('a host reaches itself through its own address, at once', async () => {
    const { sim, net } = network();
    const a = net.addHost({ name: 'a', ipv4: '10.0.0.1' });
    const got = listen(sim, [a]);
    expect(a.hasRoute('10.0.0.1')).toBe(true);
    sim.schedule(3e6, 'send', () => void a.send('10.0.0.1', '10.0.0.1', 1, NOTE));
    await sim.run();
    expect(got).toEqual([['a', 1, 3e6]]);
  });
});
