/**
 * The bridge's data path and what the C echo server needs beside it (src/cdriver; README "Testing
 * your C driver"): SLISTs and MDLs as C reads them, kept in step with the model's; WskControlClient
 * with WSK_SET_STATIC_EVENT_CALLBACKS; WskSend, WskReceive and WskDisconnect over C WSK_BUFs, with
 * MDLs made before the driver's linear memory grew; an IPv4-mapped peer written into C memory.
 * The drivers are test/fixtures/c/data-path.c, one entry per behaviour; LinearBytes, the MDL's
 * view of a growing memory, is tested without C.
 */
import { describe, expect, it } from 'vitest';
import {
  LinearBytes,
  Simulation,
  type CDriver,
  type RunOutcome,
} from '../../src/index.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

const EXPORTS = ['SListEntry', 'MdlEntry', 'ControlEntry', 'ServerEntry', 'ClientEntry'];

interface Loaded {
  readonly sim: Simulation;
  readonly notes: string[];
  readonly outcome: RunOutcome;
}

/** Runs `entries` (host name → entry) of the fixture, each on its own host. */
async function run(entries: Record<string, string>): Promise<Loaded> {
  const sim = new Simulation({ seed: 1, keepTrace: true });
  const hosts: Record<string, [string, string]> = {
    server: ['10.0.0.2', 'fd00::2'],
    client: ['10.0.0.11', 'fd00::11'],
  };
  const notes: string[] = [];
  sim.addSwitch('lan');
  for (const host of Object.keys(entries)) {
    const [ipv4, ipv6] = hosts[host] as [string, string];
    sim.addHost({ name: host, ipv4, ipv6 });
    sim.addLink(host, 'lan', { latency: '1ms' });
    sim.tcp(host);
    sim.kernel(host);
  }
  for (const [host, entry] of Object.entries(entries)) {
    const Note = (d: CDriver, what: number, value: number): void =>
      void notes.push(`${host} ${d.cString(what)} ${value >>> 0}`);
    sim.loadDriver(host, fixtureDriver('data-path', EXPORTS), {
      entry,
      name: 'data-path.wasm',
      hooks: { Note },
    });
  }
  const outcome = await sim.run({ until: '10s' });
  return { sim, notes, outcome };
}

/** The WebAssembly.Memory constructor (the project's lib has no WebAssembly declarations). */
type MemoryClass = new (limits: { initial: number; maximum: number }) => {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
};

const rules = (sim: Simulation, host: string): string[] =>
  sim.kernel(host).violations.map((v) => (v as { rule: string }).rule);

describe('cdriver: SLISTs', () => {
  it('push returns the previous first, C sees the header, flush takes newest first; a second push is the verifier\'s', async (context) => {
    requireToolchain(context);
    const { sim, notes } = await run({ server: 'SListEntry' });
    expect(notes).toEqual([
      'server empty depth 0',
      'server push returned the previous first 1',
      'server push returned the previous first 1',
      'server push returned the previous first 1',
      'server depth 3',
      "server header's first is the last pushed 1",
      'server flushed, newest first 321',
      'server depth after flush 0',
      'server header empty 1',
      'server push after flush 1',
    ]);
    expect(rules(sim, 'server')).toEqual(['SLIST-ENTRY-PUSHED-TWICE']);
  });
});

describe('cdriver: MDLs', () => {
  it('IoAllocateMdl fills the C MDL, links Irp->MdlAddress and the chain; bad length and double free are the verifier\'s', async (context) => {
    requireToolchain(context);
    const { sim, notes } = await run({ server: 'MdlEntry' });
    expect(notes).toEqual([
      'server ByteCount 64',
      'server ByteOffset 0',
      'server StartVa is the buffer 1',
      'server MappedSystemVa is the buffer 1',
      'server Size 28',
      'server Next 1',
      'server Irp->MdlAddress is the primary 1',
      'server the secondary follows it 1',
      'server a 0-byte MDL 1',
      'server freed 1',
    ]);
    expect(rules(sim, 'server')).toEqual(['MDL-BAD-LENGTH', 'MDL-FREED-TWICE']);
  });

  it('LinearBytes: an MDL over a WebAssembly memory reads its bytes after the memory grew', () => {
    const Memory = (globalThis as unknown as { WebAssembly: { Memory: MemoryClass } }).WebAssembly
      .Memory;
    const memory = new Memory({ initial: 1, maximum: 4 });
    new Uint8Array(memory.buffer).set([1, 2, 3, 4, 5], 100);
    const bytes = new LinearBytes(() => new Uint8Array(memory.buffer), 100, 5);
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'h', ipv4: '10.0.0.2' });
    const k = sim.kernel('h');
    const mdl = k.IoAllocateMdl(bytes.subarray(1, 5), 4, false, false, null);
    expect(mdl).not.toBeNull();
    const old = new Uint8Array(memory.buffer);
    memory.grow(1);
    expect(old.length).toBe(0); // detached
    new Uint8Array(memory.buffer)[102] = 42;
    expect([...(k.MmGetSystemAddressForMdlSafe(mdl!, 16) ?? [])]).toEqual([2, 42, 4, 5]);
  });
});

describe('cdriver: WskControlClient', () => {
  it('WSK_SET_STATIC_EVENT_CALLBACKS: STATUS_SUCCESS, a bad event bit STATUS_INVALID_PARAMETER', async (context) => {
    requireToolchain(context);
    const { sim, notes } = await run({ server: 'ControlEntry' });
    expect(notes).toEqual(['server static accept 0', 'server a bad event bit 3221225485']);
    expect(sim.kernel('server').advisories.map((a) => a.rule)).toContain(
      'WSK-CONTROL-CLIENT-INPUT',
    );
  });
});

describe('cdriver: WskSend, WskReceive, WskDisconnect', () => {
  it('echoes 32 bytes sent from an MDL made before memory grew; the IPv4-mapped peer is ::ffff:10.0.0.11 in C', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await run({ server: 'ServerEntry', client: 'ClientEntry' });
    expect(outcome.failure).toBeUndefined();
    const server = notes.filter((n) => n.startsWith('server'));
    const client = notes.filter((n) => n.startsWith('client'));
    expect(server).toEqual([
      'server bind 0',
      'server accept 0',
      'server peer bytes 10..15 65535',
      `server peer IPv4 ${(10 << 24 | 11) >>> 0}`,
      'server receive 0',
      'server received 32',
      `server first byte at the offset ${'A'.charCodeAt(0)}`,
      'server send 0',
      'server sent 32',
      'server last message 4',
      `server last message's first byte ${'b'.charCodeAt(0)}`,
      'server end of stream 0',
    ]);
    expect(client).toEqual([
      'client grew 1',
      'client connect 0',
      'client send 0',
      'client receive 0',
      'client echoed 32',
      'client echo is what was sent 1',
      'client disconnect with a buffer 0',
    ]);
    expect(rules(sim, 'server')).toEqual([]);
    expect(rules(sim, 'client')).toEqual([]);
  });
});
