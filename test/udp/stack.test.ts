/**
 * The UDP stack (src/udp/stack.ts): binding, demultiplexing (exact address over wildcard, dual
 * stack, first bound among equals), datagrams on the wire with their times, the closed-port
 * answer as a policy (ICMP port unreachable or silence), UDP's ports apart from TCP's, and
 * determinism.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/simulation.ts';
import type { UdpEndpoint } from '../../src/udp/index.ts';

const MS = 1e6;
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function pair(closedPort?: 'icmp' | 'silent') {
  const sim = new Simulation({ seed: 1, keepTrace: true });
  sim.addHost({ name: 'a', ipv4: '10.0.0.1', ipv6: 'fd00::1' });
  sim.addHost({ name: 'b', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  sim.addLink('a', 'b', { latency: '5ms' });
  const a = sim.udp('a');
  const b = sim.udp('b', closedPort === undefined ? undefined : { closedPort });
  return { sim, a, b };
}

type Heard = { at: number; from: UdpEndpoint; target: string; data: string };
function recorder(sim: Simulation, heard: Heard[]) {
  return {
    datagram(from: UdpEndpoint, target: string, data: Uint8Array) {
      heard.push({ at: sim.now / MS, from, target, data: str(data) });
      return true;
    },
  };
}

describe('UdpStack', () => {
  it('delivers a datagram to the bound port after the link latency, with its sender', async () => {
    const { sim, a, b } = pair();
    const heard: Heard[] = [];
    b.bind({ address: '0.0.0.0', port: 53 }, recorder(sim, heard));
    const port = a.bind({ address: '0.0.0.0', port: 40000 }, recorder(sim, []));
    expect(port.send({ address: '10.0.0.2', port: 53 }, text('query'))).toBeNull();
    await sim.run({ until: '1s' });
    expect(heard).toEqual([
      { at: 5, from: { address: '10.0.0.1', port: 40000 }, target: '10.0.0.2', data: 'query' },
    ]);
    expect([a.sent, b.delivered]).toEqual([1, 1]);
  });

  it('an exact address beats a wildcard; among equals the first bound takes it', async () => {
    const { sim, a, b } = pair();
    const wild: Heard[] = [];
    const exact: Heard[] = [];
    const second: Heard[] = [];
    b.bind({ address: '0.0.0.0', port: 7 }, recorder(sim, wild));
    b.bind({ address: '10.0.0.2', port: 7 }, recorder(sim, exact));
    b.bind({ address: '10.0.0.2', port: 7 }, recorder(sim, second));
    a.bind({ address: '0.0.0.0', port: 1000 }, recorder(sim, [])).send(
      { address: '10.0.0.2', port: 7 }, text('x'));
    await sim.run({ until: '1s' });
    expect([wild.length, exact.length, second.length]).toEqual([0, 1, 0]);
  });

  it('an IPv6 wildcard takes IPv4 datagrams only when dual stack', async () => {
    const { sim, a, b } = pair('silent');
    const only6: Heard[] = [];
    b.bind({ address: '::', port: 9 }, recorder(sim, only6));
    const from = a.bind({ address: '0.0.0.0', port: 1000 }, recorder(sim, []));
    from.send({ address: '10.0.0.2', port: 9 }, text('v4'));
    from.send({ address: '10.0.0.2', port: 10 }, text('v4'));
    await sim.run({ until: '1s' });
    expect(only6).toEqual([]);
    const dual: Heard[] = [];
    b.bind({ address: '::', port: 10, dualStack: true }, recorder(sim, dual));
    from.send({ address: '10.0.0.2', port: 10 }, text('v4'));
    await sim.run({ until: '2s' });
    expect(dual.map((h) => h.data)).toEqual(['v4']);
  });

  it("a closed port answers ICMP port unreachable by default; 'silent' answers nothing", async () => {
    for (const policy of ['icmp', 'silent'] as const) {
      const { sim, a } = pair(policy);
      a.bind({ address: '0.0.0.0', port: 1000 }, recorder(sim, [])).send(
        { address: 'fd00::2', port: 9 }, text('anyone?'));
      await sim.run({ until: '1s' });
      const udp = sim.records().filter((r) => r.type.startsWith('udp.') && r.type !== 'udp.port');
      const expected: unknown[] = [{ at: 5 * MS, type: 'udp.drop', host: 'b', reason: 'no-port',
        port: 9 }];
      if (policy === 'icmp') {
        expected.push({ at: 10 * MS, type: 'udp.unreachable', host: 'a', port: 1000,
          remote: 'fd00::2:9' });
      }
      expect(udp).toEqual(expected);
    }
  });

  it("UDP's ports are apart from TCP's: a TCP listener on 80 does not take a datagram", async () => {
    const { sim, a, b } = pair();
    sim.tcp('b').listen({ local: { port: 80 } }, {});
    const heard: Heard[] = [];
    b.bind({ address: '0.0.0.0', port: 80 }, recorder(sim, heard));
    expect(b.portUsers(80)).toHaveLength(1);
    a.bind({ address: '0.0.0.0', port: 1000 }, recorder(sim, [])).send(
      { address: '10.0.0.2', port: 80 }, text('u'));
    await sim.run({ until: '1s' });
    expect(heard.map((h) => h.data)).toEqual(['u']);
  });

  it('a handler that has no room drops the datagram (udp.drop buffer-full)', async () => {
    const { sim, a, b } = pair();
    b.bind({ address: '0.0.0.0', port: 9 }, { datagram: () => false });
    a.bind({ address: '0.0.0.0', port: 1000 }, recorder(sim, [])).send(
      { address: '10.0.0.2', port: 9 }, text('full'));
    await sim.run({ until: '1s' });
    expect(sim.records().filter((r) => r.type === 'udp.drop')).toEqual([
      { at: 5 * MS, type: 'udp.drop', host: 'b', reason: 'buffer-full', port: 9 },
    ]);
  });

  it('is deterministic: a seed run twice gives one trace hash', async () => {
    const hashes = [];
    for (let i = 0; i < 2; i++) {
      const { sim, a, b } = pair();
      b.bind({ address: '0.0.0.0', port: 9 }, recorder(sim, []));
      const port = a.bind({ address: '0.0.0.0', port: 1000 }, recorder(sim, []));
      for (let n = 0; n < 5; n++) port.send({ address: '10.0.0.2', port: 9 + (n % 2) }, text('d'));
      await sim.run({ until: '1s' });
      hashes.push(sim.traceHash());
    }
    expect(hashes[0]).toBe(hashes[1]);
  });
});
