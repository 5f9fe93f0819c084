/**
 * The echo server in C (scenarios/echo-server-c.ts, scenarios/c/echo-server/) against its
 * TypeScript twin (scenarios/echo-server.ts), seed for seed: the C build passes the twin's check,
 * puts the same segments on the wire at the same times, logs the same lines, and leaves the same
 * trace but for one field, so its trace hash is the twin's trace hash with that field changed.
 *
 * The one difference: the socket context's pool block. The C allocates
 * sizeof(WSKSAMPLE_SOCKET_CONTEXT), 76 bytes on wasm32 (4-byte pointers); the port allocates what
 * the structure takes on x64, 152 bytes (echo-server.ts, SIZEOF_SOCKET_CONTEXT). So each `nt.pool`
 * record of tag wsks says bytes=76 in the C run and bytes=152 in the twin's; nothing else differs
 * (the data buffers are 2048 bytes on both). And one kind of record stands elsewhere: the model
 * records a driver's first access to a pool block in each event as `nt.pool` 'touched' (a
 * TypeScript driver's through the block's Proxy, src/nt/pool.ts; a C driver's loads and stores
 * through the shadow map, src/cdriver/shadow-memory.ts). Both runs touch the same blocks in the
 * same events, but not always first at the same point of the event: the C worker reads the
 * SLIST entry inside the socket context's block to find the next operation, the port's SLIST
 * entries are model objects its Proxy does not see, so the C touch comes before the call the
 * port makes first. The 'touched' records are compared as a set per run, the rest in order.
 * The global setup builds the driver (test/support/c-drivers-setup.ts).
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { Trace, type TraceRecord } from '../../src/sim/index.ts';
import { packetRecords } from '../../src/topology/index.ts';
import { buildEchoServer, checkEchoServer, type Handles } from '../../scenarios/echo-server.ts';
import echoServerC, { buildEchoServerC } from '../../scenarios/echo-server-c.ts';
import { requireToolchain } from '../support/c-toolchain.ts';

/** sizeof(WSKSAMPLE_SOCKET_CONTEXT): on x64 (the port's figure) and on wasm32 (the C build's). */
const SOCKET_CONTEXT_X64 = 152;
const SOCKET_CONTEXT_WASM32 = 76;

/** One run of the echo server world, its server loaded by `build`, with its trace kept. */
async function run(seed: number, build: typeof buildEchoServer) {
  let handles: Handles | undefined;
  const scenario = defineScenario({
    name: 'echo-server-twin',
    description: 'the echo server, TypeScript or C',
    build: (sim) => (handles = build(sim)),
    check: ({ sim }, h: Handles) => checkEchoServer(sim, h),
    limits: { time: '5m' },
  });
  const result = await runScenario(scenario, { seed, keepTrace: true });
  return { result, h: handles as Handles, trace: result.trace ?? [] };
}

/** The twin's record as the C build emits it: the socket context is sizeof() on wasm32. */
function asOnWasm32(record: TraceRecord): TraceRecord {
  const r = record as TraceRecord & { type: string; tag?: string; bytes?: number };
  if (r.type !== 'nt.pool' || r.tag !== 'wsks' || r.bytes !== SOCKET_CONTEXT_X64) return record;
  return { ...r, bytes: SOCKET_CONTEXT_WASM32 } as TraceRecord;
}

const isTouch = (r: TraceRecord): boolean =>
  r.type === 'nt.pool' && (r as { event?: string }).event === 'touched';

/** The twin's records as the C build makes them: the context's wasm32 size, no 'touched'. */
function asC(records: readonly TraceRecord[]): TraceRecord[] {
  return records.filter((r) => !isTouch(r)).map(asOnWasm32);
}

/** The 'touched' records of a run, at the C build's sizes, in one order (each is its instant). */
function touches(records: readonly TraceRecord[]): string[] {
  return records.filter(isTouch).map((r) => JSON.stringify(asOnWasm32(r))).sort();
}

/** The hash of `records` as a run's trace folds them. */
function hashOf(records: readonly TraceRecord[]): string {
  const trace = new Trace();
  for (const record of records) trace.emit(record);
  return trace.hash();
}

/** Every packet sent and delivered: '<ns> <phase> <source>><target> <info>'. */
function wire(records: readonly TraceRecord[]): string[] {
  return packetRecords(records).map(
    (r) => `${r.at} ${r.phase} ${r.source}>${r.target} ${String(r.info)}`,
  );
}

/** '<tag> <bytes>' of each pool record. */
function poolSizes(records: readonly TraceRecord[]): Set<string> {
  const pool = records.filter((r) => r.type === 'nt.pool');
  return new Set(pool.map((r) => `${String(r['tag'])} ${String(r['bytes'])}`));
}

describe('the echo server in C and its TypeScript twin', () => {
  it.for([1, 2, 3])('seed %i: the check passes; same wire, log, trace', async (seed, context) => {
    requireToolchain(context);
    const ts = await run(seed, buildEchoServer);
    const c = await run(seed, buildEchoServerC);
    expect(ts.result.failure).toBeUndefined();
    expect(c.result.failure).toBeUndefined();
    // The wire: every segment, sent and delivered, at the same nanosecond.
    expect(wire(c.trace)).toEqual(wire(ts.trace));
    expect(wire(c.trace).length).toBeGreaterThan(100);
    // The server's log, line for line ('<ms> <text>'), and what the check reads from it.
    expect(c.h.log).toEqual(ts.h.log);
    expect(c.h.accepted).toEqual(ts.h.accepted);
    expect(c.h.unload).toEqual(ts.h.unload);
    // The whole trace but the socket context's size, the 'touched' records aside; those are the
    // same records (block, tag, size, instant), placed apart within their events.
    expect(c.trace.filter((r) => !isTouch(r))).toEqual(asC(ts.trace));
    expect(touches(c.trace)).toEqual(touches(ts.trace));
    expect(touches(c.trace).length).toBeGreaterThan(20);
    expect(c.result.traceHash).toBe(hashOf(c.trace));
    expect(c.result.traceHash).not.toBe(ts.result.traceHash);
    expect(poolSizes(c.trace)).toEqual(new Set([`wsks ${SOCKET_CONTEXT_WASM32}`, 'wskb 2048']));
    expect(poolSizes(ts.trace)).toEqual(new Set([`wsks ${SOCKET_CONTEXT_X64}`, 'wskb 2048']));
  });

  it('the scenario passes each of its seeds', async (context) => {
    requireToolchain(context);
    for (const seed of echoServerC.seeds) {
      const result = await runScenario(echoServerC, { seed });
      expect(result.failure, `seed ${seed}`).toBeUndefined();
    }
  });
});
