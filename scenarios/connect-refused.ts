/**
 * A windows10 client connects to a port nobody listens on. The server answers each SYN with
 * RST,ACK; windows10 retries the SYN 0.5 s after the previous SYN left, four times, and reports
 * the connect refused when the fourth retry's RST arrives: 2.0 s plus one round trip
 * (docs/policies.md#tcp-profile-policies, docs/tcp.md#windows-timings). A linux client on the same
 * network gives up at the first RST.
 *
 *   npx wsksim run connect-refused --trace --pcap refused.pcap
 */
import { defineScenario, type Outcome } from 'wsksim';

export default defineScenario({
  name: 'connect-refused',
  description:
    'windows10 retries a refused SYN four times (refused at 2.01 s); linux gives up at once',
  build(sim) {
    sim.addHost({ name: 'windows', ipv4: '10.0.0.1' });
    sim.addHost({ name: 'linux', ipv4: '10.0.0.3' });
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.addSwitch('lan');
    for (const host of ['windows', 'linux', 'server'])
      sim.addLink(host, 'lan', { latency: '2500us' });
    sim.tcp('server');
    const outcomes: Record<string, { outcome: Outcome; at: number }> = {};
    for (const [host, profile] of [
      ['windows', 'windows10'],
      ['linux', 'linux'],
    ] as const) {
      sim.tcp(host, { profile }).connect(
        { remote: { address: '10.0.0.2', port: 445 } },
        {
          onClosed: (_connection, outcome) => void (outcomes[host] = { outcome, at: sim.now }),
        },
      );
    }
    return { outcomes };
  },
  check(_run, { outcomes }) {
    // Round trip 10 ms (2.5 ms a hop, two hops each way):
    // windows10 is refused at 2.0 s + 1 round trip, linux after one.
    const expected = {
      windows: { outcome: 'refused', at: 2_010_000_000 },
      linux: { outcome: 'refused', at: 10_000_000 },
    };
    for (const host of ['windows', 'linux'] as const) {
      const actual = outcomes[host];
      if (actual?.outcome !== expected[host].outcome || actual.at !== expected[host].at) {
        throw new Error(
          `${host}: expected ${JSON.stringify(expected[host])}, got ${JSON.stringify(actual)}`,
        );
      }
    }
  },
  limits: { time: '1m' },
});
