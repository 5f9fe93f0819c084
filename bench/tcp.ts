/**
 * tcp_handshakes_vs_loopback and tcp_heap_bytes_per_conn (docs/design.md#performance-metrics).
 *
 * Simulated side: 1e5 connections between two hosts, 100 in flight at a time, each kept
 * established to the end (SYN, SYN-ACK, ACK, both ends ESTABLISHED), windows10 profile on both.
 * One client address and the windows10 ephemeral range (16,384 ports) cannot hold 1e5 kept
 * connections while each port is exclusive to one socket (windows10's rule), so the client
 * shares ports by 4-tuple (linux's rule, `portSharing: 'four-tuple'`) and the server listens on
 * sixteen ports (so the seeded ephemeral pick seldom has to probe past a taken 4-tuple): every 4-tuple stays unique, as on a real machine. Baseline: real node:net
 * connect + accept + close on 127.0.0.1, 20,000 in sequence, measured in the same run.
 *
 * Heap: heap after a full GC with the 1e5 connections established, minus the heap before they
 * were made, divided by 1e5 (both ends of each connection together). Needs --expose-gc (the
 * bench script passes it).
 */
import { createServer, connect as netConnect, type Server } from 'node:net';
import { Simulation } from '../src/simulation.ts';
import { TcpStack, type ConnectionHandler, type ListenerHandler, type TcpConnection } from '../src/tcp/index.ts';
import { timeOnce, type Metric } from './measure.ts';

const CONNECTIONS = 100_000;
const IN_FLIGHT = 100;
const SERVER_PORTS = 16;
const LOOPBACK_CONNECTIONS = 20_000;

interface Handshakes {
  readonly sim: Simulation;
  /** Connections the server side accepted; kept to the end, like the client's. */
  readonly kept: TcpConnection[];
  run(): Promise<number>;
}

function buildHandshakes(connections = CONNECTIONS): Handshakes {
  const sim = new Simulation({ seed: 1 });
  const clientHost = sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
  const serverHost = sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
  sim.addLink('client', 'server', { latency: '100us' });
  const client = new TcpStack(sim.core, clientHost, { portSharing: 'four-tuple' });
  const server = new TcpStack(sim.core, serverHost);
  const kept: TcpConnection[] = [];
  let started = 0;
  let established = 0;
  const onServer: ListenerHandler = {
    onReady(listener) {
      for (let c = listener.accept(); c !== null; c = listener.accept()) kept.push(c);
    },
  };
  for (let i = 0; i < SERVER_PORTS; i++) server.listen({ local: { port: 80 + i }, backlog: 200 }, onServer);
  const onClient: ConnectionHandler = {
    onEstablished(connection) {
      kept.push(connection);
      established++;
      if (started < connections) open();
    },
  };
  const open = (): void => {
    const port = 80 + (started % SERVER_PORTS);
    started++;
    const result = client.connect({ remote: { address: '10.0.0.2', port } }, onClient);
    if (!result.ok) throw new Error(`bench connect failed: ${result.error}`);
  };
  return {
    sim,
    kept,
    async run() {
      for (let i = 0; i < IN_FLIGHT; i++) open();
      // Established connections keep no timer, so the run ends at quiescence once all are made.
      await sim.run();
      if (kept.length !== 2 * connections) throw new Error(`only ${kept.length} connection ends established`);
      return established;
    },
  };
}

/**
 * One simulated run of the handshake model (also for profiling; `connections` may be fewer).
 */
export async function benchTcpOnce(connections = CONNECTIONS): Promise<number> {
  return buildHandshakes(connections).run();
}

async function simulatedHandshakes(): Promise<number> {
  return buildHandshakes().run();
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

async function loopbackHandshakes(): Promise<void> {
  const server = createServer((socket) => socket.destroy());
  const port = await listen(server);
  for (let i = 0; i < LOOPBACK_CONNECTIONS; i++) {
    await new Promise<void>((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1', () => socket.destroy());
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
  }
  await new Promise((resolve) => server.close(resolve));
}

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('tcp_heap_bytes_per_conn needs node --expose-gc (use npm run bench)');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function heapPerConnection(): Promise<number> {
  const before = collect();
  const handshakes = buildHandshakes();
  await handshakes.run();
  const after = collect();
  const perConnection = (after - before) / CONNECTIONS;
  if (handshakes.kept.length !== 2 * CONNECTIONS) throw new Error('connections were not kept');
  return perConnection;
}

export async function benchTcp(): Promise<Metric[]> {
  let bestSim = Infinity;
  let bestLoopback = Infinity;
  for (let round = 0; round < 3; round++) {
    bestLoopback = Math.min(bestLoopback, await timeOnce(loopbackHandshakes));
    bestSim = Math.min(bestSim, await timeOnce(simulatedHandshakes));
  }
  const simulated = CONNECTIONS / bestSim;
  const loopback = LOOPBACK_CONNECTIONS / bestLoopback;
  return [
    {
      name: 'tcp_handshakes_vs_loopback', value: simulated, unit: 'handshakes/s', ratio: simulated / loopback,
      baseline: { value: loopback, unit: 'handshakes/s (node:net on 127.0.0.1)' },
    },
    { name: 'tcp_heap_bytes_per_conn', value: await heapPerConnection(), unit: 'bytes/connection (both ends)' },
  ];
}

