/**
 * udp_pingpong_vs_loopback: datagram round trips through two hosts' UDP stacks (src/udp, a
 * 1 ms link, each reply sent when the request arrives), per second of wall time, against
 * node:dgram ping-pong on 127.0.0.1 measured in the same run (docs/design.md#performance-metrics:
 * a ratio to a baseline measured alongside).
 */
import { createSocket } from 'node:dgram';
import { Simulation } from '../src/simulation.ts';
import { timeOnce, type Metric } from './measure.ts';

const ROUND_TRIPS = 20_000;
const LOOPBACK_ROUND_TRIPS = 2_000;

async function simulatedPingPong(): Promise<void> {
  const sim = new Simulation({ seed: 1 });
  sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
  sim.addHost({ name: 'b', ipv4: '10.0.0.2' });
  sim.addLink('a', 'b', { latency: '1ms' });
  const data = new Uint8Array(32);
  let done = 0;
  const server = sim.udp('b').bind({ address: '0.0.0.0', port: 7 }, {
    datagram(from) {
      server.send(from, data);
      return true;
    },
  });
  const target = { address: '10.0.0.2', port: 7 };
  const client = sim.udp('a').bind({ address: '0.0.0.0', port: 5000 }, {
    datagram() {
      if (++done < ROUND_TRIPS) client.send(target, data);
      return true;
    },
  });
  client.send(target, data);
  await sim.run();
  if (done !== ROUND_TRIPS) throw new Error(`${done} round trips`);
}

async function loopbackPingPong(): Promise<void> {
  const server = createSocket('udp4');
  const client = createSocket('udp4');
  server.on('message', (message, remote) => server.send(message, remote.port, remote.address));
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  const port = server.address().port;
  const data = Buffer.alloc(32);
  await new Promise<void>((resolve) => {
    let done = 0;
    client.on('message', () => {
      if (++done === LOOPBACK_ROUND_TRIPS) resolve();
      else client.send(data, port, '127.0.0.1');
    });
    client.send(data, port, '127.0.0.1');
  });
  client.close();
  server.close();
}

export async function benchUdp(): Promise<Metric[]> {
  let bestSim = Infinity;
  let bestLoopback = Infinity;
  for (let round = 0; round < 3; round++) {
    bestLoopback = Math.min(bestLoopback, await timeOnce(loopbackPingPong));
    bestSim = Math.min(bestSim, await timeOnce(simulatedPingPong));
  }
  const simulated = ROUND_TRIPS / bestSim;
  const loopback = LOOPBACK_ROUND_TRIPS / bestLoopback;
  return [
    {
      name: 'udp_pingpong_vs_loopback', value: simulated, unit: 'round trips/s',
      ratio: simulated / loopback,
      baseline: { value: loopback, unit: 'round trips/s (node:dgram on 127.0.0.1)' },
    },
  ];
}
