/**
 * Pcaps of real stack runs, decoded by tshark (issue 3, docs/tcp.md#capture-format): a handshake,
 * 1 MB under 10% loss, a refused connect on windows10 and on linux, a simultaneous open. Every file
 * must decode with no malformed packet and good IP and TCP checksums; tshark's own analysis must
 * mark the retransmissions of the lossy transfer and windows10's reuse of the 4-tuple when it
 * retries a refused SYN, and mark no reuse on linux, which gives up at once.
 */
import { describe, expect, it } from 'vitest';
import { PcapCapture, readPcap } from '../../src/report/index.ts';
import { Simulation } from '../../src/simulation.ts';
import { decodeSegment } from '../../src/tcp/wire.ts';
import {
  ACK, RST, SYN, TcpStack,
  type ConnectionHandler, type Outcome, type TcpConnection, type TcpProfileOptions,
} from '../../src/tcp/index.ts';
import type { LinkOptions } from '../../src/topology/index.ts';
import { expectCleanDecode, framesFlagged, itWithTshark, writeTempPcap } from '../support/tshark.ts';

interface World {
  readonly sim: Simulation;
  readonly client: TcpStack;
  readonly server: TcpStack;
  readonly capture: PcapCapture;
}

function world(seed: number, link: LinkOptions, profile: TcpProfileOptions = {}): World {
  const sim = new Simulation({ seed });
  const clientHost = sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
  const serverHost = sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
  sim.addLink('client', 'server', link);
  const client = new TcpStack(sim.core, clientHost, profile);
  const server = new TcpStack(sim.core, serverHost, profile);
  const ttl = (profile.profile ?? 'windows10') === 'linux' ? 64 : 128;
  const capture = new PcapCapture(sim, { ipFor: () => ({ hopLimit: ttl }) });
  return { sim, client, server, capture };
}

function pcapOf(w: World, name: string): string {
  return writeTempPcap(`${name}.pcap`, w.capture.bytes());
}

function segments(w: World): { at: number; flags: number; source: string }[] {
  return readPcap(w.capture.bytes()).records.map((r) => {
    const s = decodeSegment(r.packet);
    return { at: r.at, flags: s.flags, source: s.source };
  });
}

/** Connects client → server:80; resolves with the client's outcome or 'established'. */
function connectOnce(w: World): { result: () => Outcome | 'established' | null } {
  let result: Outcome | 'established' | null = null;
  const handler: ConnectionHandler = {
    onEstablished: () => void (result = 'established'),
    onClosed: (_c, outcome) => void (result ??= outcome),
  };
  const connect = w.client.connect({ remote: { address: '10.0.0.2', port: 80 } }, handler);
  expect(connect.ok).toBe(true);
  return { result: () => result };
}

const MEGABYTE = 1 << 20;

function pattern(length: number, salt: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + salt + (i >>> 11)) & 0xff;
  return bytes;
}

async function transferMegabyte(seed: number): Promise<World> {
  const w = world(seed, { latency: '5ms', loss: 0.1 });
  const received: Uint8Array[] = [];
  let total = 0;
  let accepted: TcpConnection | null = null;
  w.server.listen({ local: { port: 9000 } }, {
    onReady(listener) {
      accepted = listener.accept({
        onData(connection) {
          for (let chunk = connection.read(); chunk.length > 0; chunk = connection.read()) {
            received.push(chunk.slice());
            total += chunk.length;
          }
        },
      });
    },
  });
  const data = pattern(MEGABYTE, seed);
  w.client.connect({ remote: { address: '10.0.0.2', port: 9000 } }, {
    onEstablished(connection) {
      expect(connection.send(data).ok).toBe(true);
    },
  });
  const outcome = await w.sim.run({ until: () => total === MEGABYTE, timeLimit: '10m' });
  expect(outcome.status).toBe('condition-met');
  expect(accepted).not.toBeNull();
  const joined = Buffer.concat(received);
  expect(joined.equals(Buffer.from(data))).toBe(true);
  return w;
}

describe('tcp: pcaps of stack runs, decoded by tshark', () => {
  itWithTshark('a handshake: SYN, SYN-ACK, ACK, clean', async () => {
    const w = world(1, { latency: '5ms' });
    w.server.listen({ local: { port: 80 } }, { onReady: (l) => void l.accept() });
    const attempt = connectOnce(w);
    await w.sim.run({ until: '1s' });
    expect(attempt.result()).toBe('established');
    expect(segments(w).map((s) => [s.at, s.flags])).toEqual([[0, SYN], [5e6, SYN | ACK], [10e6, ACK]]);
    expectCleanDecode(pcapOf(w, 'handshake'), 3);
  });

  itWithTshark('1 MB under 10% loss: intact, and tshark marks the retransmissions', async () => {
    const w = await transferMegabyte(3);
    const path = pcapOf(w, 'megabyte-10pct-loss');
    expectCleanDecode(path);
    const retransmitted = [
      ...framesFlagged(path, 'retransmission'),
      ...framesFlagged(path, 'fast_retransmission'),
    ];
    expect(retransmitted.length).toBeGreaterThan(20);
  });

  itWithTshark('refused on windows10: SYN retried after each RST, tshark marks the port reuse', async () => {
    const w = world(1, { latency: '5ms' });
    const attempt = connectOnce(w);
    await w.sim.run({ until: '10s' });
    expect(attempt.result()).toBe('refused');
    const wire = segments(w);
    const syns = wire.filter((s) => s.flags === SYN).map((s) => s.at);
    expect(syns).toEqual([0, 500e6, 1000e6, 1500e6, 2000e6]);
    expect(wire.filter((s) => s.flags === (RST | ACK))).toHaveLength(5);
    const path = pcapOf(w, 'refused-windows10');
    expectCleanDecode(path, 10);
    expect(framesFlagged(path, 'reused_ports')).toEqual([3, 5, 7, 9]);
  });

  itWithTshark('refused on linux: one SYN, one RST, refused at once; no reuse', async () => {
    const w = world(1, { latency: '5ms' }, { profile: 'linux' });
    const attempt = connectOnce(w);
    await w.sim.run({ until: '10s' });
    expect(attempt.result()).toBe('refused');
    expect(segments(w).map((s) => [s.at, s.flags])).toEqual([[0, SYN], [5e6, RST | ACK]]);
    const path = pcapOf(w, 'refused-linux');
    expectCleanDecode(path, 2);
    expect(framesFlagged(path, 'reused_ports')).toEqual([]);
  });

  itWithTshark('a simultaneous open: SYN both ways, SYN-ACK both ways, clean', async () => {
    const w = world(1, { latency: '5ms' });
    const ends: string[] = [];
    const note = (who: string): ConnectionHandler => ({ onEstablished: () => void ends.push(who) });
    expect(w.client.connect({ local: { port: 5000 }, remote: { address: '10.0.0.2', port: 6000 } }, note('client')).ok).toBe(true);
    expect(w.server.connect({ local: { port: 6000 }, remote: { address: '10.0.0.1', port: 5000 } }, note('server')).ok).toBe(true);
    await w.sim.run({ until: '1s' });
    expect(ends.sort()).toEqual(['client', 'server']);
    const wire = segments(w);
    expect(wire.slice(0, 2).map((s) => s.flags)).toEqual([SYN, SYN]);
    expect(wire.filter((s) => s.flags === (SYN | ACK))).toHaveLength(2);
    expectCleanDecode(pcapOf(w, 'simultaneous-open'));
  });
});

describe('tcp: pcap determinism', () => {
  it('the same seed gives a byte-identical pcap of a lossy transfer', async () => {
    const first = await transferMegabyte(5);
    const second = await transferMegabyte(5);
    expect(Buffer.from(second.capture.bytes()).equals(Buffer.from(first.capture.bytes()))).toBe(true);
  });
});
