/**
 * A C driver's stream socket (WSK_FLAG_STREAM_SOCKET) with a WSK_CLIENT_STREAM_DISPATCH
 * (src/cdriver/client-tables.ts, test/fixtures/c/stream.c): WskListen makes it a listening
 * socket, and a client's connection reaches its Listen table's WskAcceptEvent, called in C with
 * the socket's context and the addresses when the handshake completes (10 ms + 3 × 1 ms); a seed
 * run twice has one hash.
 */
import { describe, expect, it } from 'vitest';
import {
  IPPROTO_TCP,
  SOCK_STREAM,
  WSK_PROVIDER_NPI,
  WSK_REGISTRATION,
  sockaddr,
  type Kernel,
  type WSK_PROVIDER_DISPATCH,
} from '../../src/wsk/index.ts';
import { Simulation, type CDriver } from '../../src/index.ts';
import { register, syncCaller } from '../../scenarios/support/driver.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

function world(seed: number): Simulation {
  const sim = new Simulation({ seed, keepTrace: true });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
  sim.addHost({ name: 'client', ipv4: '10.0.0.1' });
  sim.addLink('client', 'server', { latency: '1ms' });
  sim.at('10ms', 'load client', () => void sim.load('client', connectOnce));
  return sim;
}

/** A client that connects once to 10.0.0.2:80 (declined by the server) and deregisters. */
async function connectOnce(k: Kernel): Promise<void> {
  const Registration = new WSK_REGISTRATION();
  const Npi = new WSK_PROVIDER_NPI();
  await register(k, Registration, Npi);
  const Dispatch = Npi.Dispatch as WSK_PROVIDER_DISPATCH;
  const sync = syncCaller(k, new Map());
  await sync((Irp) =>
    Dispatch.WskSocketConnect(
      Npi.Client!, SOCK_STREAM, IPPROTO_TCP, sockaddr('0.0.0.0:0'), sockaddr('10.0.0.2:80'), 0,
      null, null, null, null, null, Irp,
    ),
  );
  k.WskReleaseProviderNPI(Registration);
  await k.WskDeregister(Registration);
}

async function runC(seed: number): Promise<{ sim: Simulation; notes: string[] }> {
  const sim = world(seed);
  const notes: string[] = [];
  const Note = (d: CDriver, what: number, value: number): void =>
    void notes.push(`${sim.now / 1e6}ms ${d.cString(what)} ${value.toString(16)}`);
  sim.loadDriver('server', fixtureDriver('stream'), { name: 'stream.wasm', hooks: { Note } });
  await sim.run({ until: '1s' });
  return { sim, notes };
}

describe('cdriver: a stream socket with a WSK_CLIENT_STREAM_DISPATCH', () => {
  it("WskListen makes it listen, and the Listen table's WskAcceptEvent is called in C", async (context) => {
    requireToolchain(context);
    const { sim, notes } = await runC(1);
    expect(notes).toEqual([
      '0ms WskSocket 0',
      '0ms WskBind 0',
      '0ms WskListen 0',
      '0ms enable accept 0',
      '13ms accept event, socket context 7',
      '13ms local port 50',
      '13ms remote address a000001',
      '13ms WskCloseSocket 0',
    ]);
    const callbacks = sim.records().filter((r) => r.type === 'wsk.callback');
    expect(callbacks.map((r) => (r as { status?: string }).status)).toEqual([
      'STATUS_REQUEST_NOT_ACCEPTED',
    ]);
    expect((await runC(1)).sim.traceHash()).toBe(sim.traceHash());
  });
});
