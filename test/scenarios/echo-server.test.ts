/**
 * The WSK echo server scenario (scenarios/echo-server.ts), one test per expectation of
 * docs/model.md#echo-server-expectations: echo in order under loss and reordering, IPv4 peers seen
 * as IPv4-mapped addresses, a half-close drained without a RST, a client's RST closing the server's
 * socket with nothing leaked, unload waiting for the clients, a dead listener recreated once. Every
 * run goes through runScenario, so the verifier's settle phase and leak rules apply, and the
 * scenario's own check (bytes, order, frees, unload) runs each time.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import type { Simulation } from '../../src/simulation.ts';
import { packetRecords } from '../../src/topology/index.ts';
import {
  CLIENTS,
  buildEchoServer,
  checkEchoServer,
  content,
  type EchoClientSpec,
  type EchoOptions,
  type Handles,
} from '../../scenarios/echo-server.ts';

const MS = 1e6;

/** Segments on the wire: '<ms> <source>><target> <flags>' (numbers left out). */
function wire(sim: Simulation): string[] {
  return packetRecords(sim.records())
    .filter((r) => r.phase === 'sent')
    .map((r) => `${r.at / MS} ${r.source}>${r.target} ${String(r.info).split(' ')[0]}`);
}

/** Runs the echo server world with `options` through runScenario, with the scenario's check. */
async function run(options: EchoOptions, seed = 1, listeners = 1) {
  let handles: Handles | undefined;
  let segments: string[] = [];
  const clients = options.clients ?? CLIENTS;
  const scenario = defineScenario({
    name: 'echo-server-test',
    description: 'the echo server with test options',
    build: (sim) => (handles = buildEchoServer(sim, options)),
    check: ({ sim }, h: Handles) => {
      segments = wire(sim);
      checkEchoServer(sim, h, clients, listeners);
    },
    limits: { time: '5m' },
  });
  const result = await runScenario(scenario, { seed, keepTrace: true });
  return { result, h: handles as Handles, wire: segments };
}

/** The server's log lines about context `c`. */
function serverLog(h: Handles, c: string): string[] {
  return h.log.filter((line) => line.includes(`: ${c} `) || line.endsWith(`: ${c}`));
}

const CLEAN = { latency: '2500us' } as const;
const v4 = (chunks: number[], more: Partial<EchoClientSpec> = {}): EchoClientSpec => ({
  host: 'client4', ipv4: '10.0.0.11', at: 0, chunks, end: 'graceful', ...more,
});
const v6 = (chunks: number[], more: Partial<EchoClientSpec> = {}): EchoClientSpec => ({
  host: 'client6', ipv6: 'fd00::12', at: 0, chunks, end: 'graceful', ...more,
});

describe('echo server (docs/model.md#echo-server-expectations)', () => {
  it.each([1, 2, 3, 4, 5])(
    'echoes every byte in order under loss 0.1 and reorder 0.05 (seed %i)',
    async (seed) => {
      const clients = [v4([3000, 1, 2047, 5000]), v6([4096, 100, 4096], { at: 5 })];
      const { result, h } = await run(
        { clients, link: { latency: '2500us', loss: 0.1, reorder: 0.05, reorderDelay: '5ms' } },
        seed,
      );
      expect(result.failure).toBeUndefined();
      expect(h.clients.get('client4')?.received).toEqual(content(0, 10048));
      expect(h.clients.get('client6')?.received).toEqual(content(1, 8292));
    },
  );

  it('sees IPv4 peers as IPv4-mapped IPv6 addresses on its dual-stack [::]:40007', async () => {
    const clients = [v4([10]), v6([10], { at: 20 })];
    const { result, h } = await run({ clients, link: CLEAN });
    expect(result.failure).toBeUndefined();
    expect(h.accepted).toEqual(['[::ffff:10.0.0.11]:49152', '[fd00::12]:49152']);
    expect(h.clients.get('client4')?.local).toBe('10.0.0.11:49152');
    expect(h.clients.get('client6')?.local).toBe('[fd00::12]:49152');
    expect(h.log.filter((line) => line.includes('AcceptEvent'))).toEqual([
      '15 AcceptEvent: c1 [::ffff:10.0.0.11]:49152',
      '35 AcceptEvent: c2 [fd00::12]:49152',
    ]);
  });

  it('a half-close is drained: everything echoed, then a graceful disconnect; no RST', async () => {
    const { result, h, wire: segments } = await run({ clients: [v4([3000])], link: CLEAN });
    expect(result.failure).toBeUndefined();
    expect(h.clients.get('client4')).toMatchObject({ receiveEnd: 'FIN', disconnect: 0 });
    // The client's FIN at 20 ms (its send acknowledged); the server's after the echo, at 25 ms.
    expect(segments.filter((s) => !s.endsWith(' ACK'))).toEqual([
      '0 10.0.0.11>10.0.0.2 SYN',
      '5 10.0.0.2>10.0.0.11 SYN,ACK',
      '10 10.0.0.11>10.0.0.2 PSH,ACK',
      '15 10.0.0.2>10.0.0.11 PSH,ACK',
      '15 10.0.0.2>10.0.0.11 PSH,ACK',
      '20 10.0.0.11>10.0.0.2 FIN,ACK',
      '25 10.0.0.2>10.0.0.11 FIN,ACK',
    ]);
    expect(segments.filter((s) => s.includes('RST'))).toEqual([]);
    // Both receives see the FIN; the second disconnect is skipped; close after the
    // disconnect completed (our FIN acknowledged at 35 ms); the context freed last.
    expect(serverLog(h, 'c1').slice(10)).toEqual([
      '25 OpReceive: c1 2048',
      '25 OpReceive: c1 2048',
      '25 ReceiveIrpCompletionRoutine: c1 STATUS_SUCCESS 0',
      '25 ReceiveIrpCompletionRoutine: c1 STATUS_SUCCESS 0',
      '25 OpDisconnect: c1',
      '25 OpDisconnect: c1 SKIP',
      '35 DisconnectIrpCompletionRoutine: c1 STATUS_SUCCESS',
      '35 OpClose: c1',
      '35 CloseIrpCompletionRoutine: c1 STATUS_SUCCESS',
      '35 OpFree: c1',
      '35 FreeSocketContext: c1',
    ]);
  });

  it("a client's RST fails the server's receives; it closes, frees, and leaks nothing", async () => {
    const clients = [v4([1500], { end: 'abort', hold: 100 })];
    const { result, h, wire: segments } = await run({ clients, link: CLEAN });
    // Passed: the check (no pool block, IRP or socket left on any host) and the settle phase.
    expect(result.failure).toBeUndefined();
    expect(h.clients.get('client4')).toMatchObject({ received: content(0, 1500) });
    expect(h.clients.get('client4')?.receiveEnd).toBe('STATUS_CANCELLED');
    expect(segments.filter((s) => s.includes('RST'))).toEqual(['120 10.0.0.11>10.0.0.2 RST,ACK']);
    expect(serverLog(h, 'c1').slice(8)).toEqual([
      '125 ReceiveIrpCompletionRoutine: c1 STATUS_CONNECTION_RESET 0',
      '125 ReceiveIrpCompletionRoutine: c1 STATUS_CONNECTION_RESET 0',
      '125 OpClose: c1',
      '125 OpClose: c1 SKIP',
      '125 CloseIrpCompletionRoutine: c1 STATUS_SUCCESS',
      '125 OpFree: c1',
      '125 FreeSocketContext: c1',
    ]);
  });

  it('unload waits in WskDeregister until the last client has hung up', async () => {
    const clients = [v4([100], { hold: 2000 })];
    const { result, h } = await run({ clients, link: CLEAN, unloadAt: 100 });
    expect(result.failure).toBeUndefined();
    // The listener closes at once; WskDeregister returns after the client's FIN (2020 ms) and
    // the server's disconnect and close (2035 ms).
    expect(h.unload).toEqual({ start: 100, end: 2035 });
    expect(h.clients.get('client4')?.closedAt).toBe(2030);
    // c1's close pends (the 'IRP pends' choice): WskDeregister returns before its completion
    // routine ran, and the unload waits for it to queue the free before stopping the worker.
    expect(h.log.filter((l) => /UNLOAD|OpFree|WorkerThread/.test(l))).toEqual([
      '100 UNLOAD START',
      '100 OpFree: L',
      '2035 UNLOAD: waiting for closes',
      '2035 OpFree: c1',
      '2035 WorkerThread: exit',
      '2035 UNLOAD END',
    ]);
  });

  it('unload waits for the completion routine of a close that pends, whatever runs first', async () => {
    // WskDeregister returns once every socket is closed, and a close that pends completes its
    // IRP only after that; its completion routine queues the context's free, so the worker
    // must not be stopped before it ran. On these seeds the events due at one instant, in the
    // seed's order, run the unload before the last close's completion.
    let waited = 0;
    for (const seed of [13, 17, 24, 41]) {
      let handles: Handles | undefined;
      const scenario = defineScenario({
        name: 'echo-server-orders',
        description: 'the echo server, same-instant events in the seed’s order',
        build: (sim) => (handles = buildEchoServer(sim)),
        check: ({ sim }, h: Handles) => checkEchoServer(sim, h),
        limits: { time: '5m' },
      });
      const result = await runScenario(scenario, { seed, sameInstantChoice: true });
      expect(result.failure, `seed ${seed}`).toBeUndefined();
      if (handles?.log.some((line) => line.endsWith('UNLOAD: waiting for closes'))) waited++;
    }
    expect(waited).toBeGreaterThan(0);
  });

  it('a dead listener (NULL accept indication) is closed and recreated exactly once', async () => {
    const clients = [v4([100]), v6([200], { at: 200 })];
    const { result, h } = await run(
      { clients, link: CLEAN, invalidateListenerAt: [100] },
      1,
      2,
    );
    expect(result.failure).toBeUndefined();
    expect(h.log.filter((l) => / L( |$)/.test(l))).toEqual([
      '0 AllocateSocketContext: L',
      '0 SetupListeningSocket: L',
      '100 AcceptEvent: L NULL',
      '100 SetupListeningSocket: L',
      '315 OpStopListen: L',
      '315 OpClose: L',
      '315 CloseIrpCompletionRoutine: L STATUS_SUCCESS',
      '315 OpFree: L',
      '315 FreeSocketContext: L',
    ]);
    // The client connecting after the death reaches the new listener.
    expect(h.accepted).toEqual(['[::ffff:10.0.0.11]:49152', '[fd00::12]:49152']);
    expect(h.log.filter((l) => l.includes('AcceptEvent'))[2]).toBe(
      '215 AcceptEvent: c2 [fd00::12]:49152',
    );
  });
});
