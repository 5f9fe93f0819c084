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
 * (the data buffers are 2048 bytes on both). And one kind of record the C run cannot have: the
 * model records a TypeScript driver's first access to a pool block in each event as `nt.pool`
 * 'touched' (src/nt/pool.ts, a Proxy over the block), while a C driver's accesses are loads and
 * stores in linear memory the bridge does not see, so the twin's 'touched' records are left out
 * before comparing. The global setup builds the driver (test/support/c-drivers-setup.ts).
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

/** The twin's trace as the C build leaves it: no 'touched' records, the context's wasm32 size. */
function asC(records: readonly TraceRecord[]): TraceRecord[] {
  return records
    .filter((r) => !(r.type === 'nt.pool' && (r as { event?: string }).event === 'touched'))
    .map(asOnWasm32);
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
    // The whole trace but the socket context's size and the 'touched' records; the hash is the
    // twin's with those.
    expect(c.trace).toEqual(asC(ts.trace));
    expect(c.result.traceHash).toBe(hashOf(asC(ts.trace)));
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
