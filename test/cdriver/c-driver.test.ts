/**
 * C drivers run by the bridge (src/cdriver): waits unwind the C stack and resume at the right
 * virtual time, a trap or a bad pointer is the driver's failure named by its C function, pool
 * lives in linear memory and is accounted by the model, and a callback that waits gets what a
 * TypeScript one would (a violation, never a simulator assertion). The drivers are
 * test/fixtures/c/entries.c, one entry per behaviour.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  STATUS_CONNECTION_REFUSED,
  Simulation,
  type CDriver,
  type Choice,
  type RunOutcome,
} from '../../src/index.ts';
import { fixtureDriver, requireToolchain } from '../support/c-toolchain.ts';

/** The fixture's path as its DWARF line table names it (built from the checkout's root). */
const ENTRIES_C = 'test/fixtures/c/entries.c';
const EXPORTS = ['WaitEntry', 'TrapEntry', 'BadIrpEntry', 'PoolEntry', 'DoubleFreeEntry',
  'CallbackWaitEntry', 'BigPoolEntry', 'TimerEntry', 'UseAfterFreeEntry', 'OverrunEntry',
  'AddressEntry', 'SitesEntry', 'StatusIgnoredEntry', 'StatusReadEntry'];

interface Loaded {
  readonly sim: Simulation;
  readonly notes: string[];
  readonly outcome: RunOutcome;
}

async function runEntry(entry: string, seed = 1, passiveCallbacks = 0): Promise<Loaded> {
  const sim = new Simulation({ seed, keepTrace: true });
  sim.addHost({ name: 'server', ipv4: '10.0.0.2', ipv6: 'fd00::2' });
  sim.kernel('server', { passiveCallbacks });
  const notes: string[] = [];
  const Note = (d: CDriver, what: number, value: number): void =>
    void notes.push(`${sim.now / 1e6}ms ${d.cString(what)} ${value.toString(16)}`);
  sim.loadDriver('server', fixtureDriver('entries', EXPORTS), {
    entry,
    name: 'entries.wasm',
    hooks: { Note },
  });
  const outcome = await sim.run({ until: '1s' });
  return { sim, notes, outcome };
}

describe('cdriver: waits', () => {
  it('KeDelayExecutionThread 5 frames down unwinds, resumes at 10 ms with its locals; waits time out and are satisfied', async (context) => {
    requireToolchain(context);
    const { notes, outcome } = await runEntry('WaitEntry');
    expect(outcome.failure).toBeUndefined();
    const path = '\\Registry\\Machine\\System\\CurrentControlSet\\Services\\entries.wasm';
    expect(notes).toEqual([
      `0ms registry path length ${(2 * path.length).toString(16)}`,
      // 7 * (5 + 4 + 3 + 2 + 1) + 1 = 106
      '10ms sum after a wait 5 frames down 6a',
      '15ms timed out 102',
      '15ms signalled 0',
      '15ms irql 0',
    ]);
  });

  it('DbgPrint and KdPrint format their C varargs: %d %u %08x %s %ws %wZ %lld %%', async (context) => {
    requireToolchain(context);
    const { sim } = await runEntry('WaitEntry');
    const printed = sim.records().filter((r) => r.type === 'nt.debug-print');
    const path = '\\Registry\\Machine\\System\\CurrentControlSet\\Services\\entries.wasm';
    expect(printed.map((r) => (r as { text?: string }).text)).toEqual([
      `n=-5 u=7 x=0000beef s=narrow w=wide z=${path} ll=-1234567890123 %`,
      'KdPrint too',
    ]);
  });

  it('the same seed gives the same trace hash; two hosts run their own instances', async (context) => {
    requireToolchain(context);
    const [a, b] = [await runEntry('WaitEntry', 5), await runEntry('WaitEntry', 5)];
    expect(b.sim.traceHash()).toBe(a.sim.traceHash());
    const sim = new Simulation({ seed: 1 });
    const notes: string[] = [];
    for (const [host, ipv4] of [['a', '10.0.0.1'], ['b', '10.0.0.2']] as const) {
      sim.addHost({ name: host, ipv4 });
      sim.loadDriver(host, fixtureDriver('entries', EXPORTS), {
        entry: 'WaitEntry',
        hooks: { Note: (d, what) => void notes.push(`${host} ${sim.now / 1e6} ${d.cString(what)}`) },
      });
    }
    expect((await sim.run({ until: '1s' })).failure).toBeUndefined();
    expect(notes.filter((n) => n.includes('sum'))).toEqual([
      'a 10 sum after a wait 5 frames down',
      'b 10 sum after a wait 5 frames down',
    ]);
  });
});

describe('cdriver: timers, DPCs, work items, system threads', () => {
  it('a timer at 7 ms runs its DPC at DISPATCH_LEVEL; a work item and a thread wait on their own stacks; the thread is joined', async (context) => {
    requireToolchain(context);
    const { notes, outcome, sim } = await runEntry('TimerEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual([
      '7ms dpc at irql 2',
      '7ms timer signalled 1',
      '7ms dpc event 1',
      '11ms work item slept, context 42',
      '27ms thread ends 14',
      '27ms joined the thread 1',
    ]);
    expect(sim.kernel('server').violations).toEqual([]);
  });
});

describe('cdriver: addresses', () => {
  it('WskBind reads SOCKADDR_IN / SOCKADDR_IN6 in network order; WskGetLocalAddress writes them back', async (context) => {
    requireToolchain(context);
    for (const seed of [1, 2, 3]) {
      const { notes, outcome } = await runEntry('AddressEntry', seed);
      expect(outcome.failure, `seed ${seed}`).toBeUndefined();
      expect(notes.map((n) => n.replace(/^\S+ /, ''))).toEqual([
        'bind 0', 'name 0', 'v4 family 2', 'v4 port 1f90', 'v4 address a000002',
        'bind 0', 'name 0', 'v6 family 17', 'v6 port 1bb', 'v6 first and last bytes fd02',
      ]);
    }
  });
});

describe('cdriver: crashes', () => {
  it('an out-of-bounds read after a wait → driver-crash in BadDereference, with its C callers', async (context) => {
    requireToolchain(context);
    const { outcome } = await runEntry('TrapEntry');
    expect(outcome.failure).toMatchObject({
      kind: 'driver-crash',
      // The C file:line of each frame, from the module's DWARF line table (loadDriver's
      // SourceLines): the dereference, and the call under it.
      message:
        'driver crash in TrapEntry: DriverTrap: entries.wasm: trap: memory access out of ' +
        `bounds in BadDereference (${ENTRIES_C}:52)`,
      details: {
        rule: 'DRIVER-CRASH',
        host: 'server',
        site: `BadDereference (${ENTRIES_C}:52)`,
        stack: [`BadDereference (${ENTRIES_C}:52)`, `TrapEntry (${ENTRIES_C}:59)`],
      },
    });
    expect(outcome.failure?.at).toBe(3_000_000);
  });

  it('IoFreeIrp of a pointer IoAllocateIrp never returned → driver-crash naming the routine', async (context) => {
    requireToolchain(context);
    const { outcome } = await runEntry('BadIrpEntry');
    expect(outcome.failure).toMatchObject({
      kind: 'driver-crash',
      message: expect.stringMatching(/IoFreeIrp: 0x[0-9a-f]+ is not an IRP IoAllocateIrp returned in BadIrpEntry/),
    });
  });
});

/** The line of entries.c marked `line:<mark>`. */
function entriesLine(mark: string): number {
  const text = readFileSync(new URL('../fixtures/c/entries.c', import.meta.url), 'utf8');
  return text.split('\n').findIndex((line) => line.includes(`line:${mark}`)) + 1;
}

describe('cdriver: fault-injection sites', () => {
  /** The site of each IRP allocation fault point of SitesEntry; the `fail`th fails. */
  async function irpSites(fail = -1): Promise<{ sites: (string | null)[]; irps: number }> {
    const sites: (string | null)[] = [];
    const decider = (choice: Choice): number | undefined => {
      if (!choice.fault || choice.label !== 'irp allocation fails') return undefined;
      sites.push(choice.site());
      return sites.length - 1 === fail ? 1 : 0;
    };
    const sim = new Simulation({ seed: 1, keepTrace: true, faultPoints: true, decider });
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.kernel('server');
    sim.loadDriver('server', fixtureDriver('entries', EXPORTS), {
      entry: 'SitesEntry',
      name: 'entries.wasm',
      hooks: { Note: () => {} },
    });
    const outcome = await sim.run({ until: '1s' });
    expect(outcome.failure).toBeUndefined();
    const irps = sim.records().filter((r) => r.type === 'nt.irp' && r['event'] === 'allocated');
    return { sites, irps: irps.length };
  }

  it('an allocation site is the C function and file:line; two calls on one line add their offsets', async (context) => {
    requireToolchain(context);
    const { sites, irps } = await irpSites();
    expect(irps).toBe(3);
    const one = entriesLine('sites-one');
    const two = entriesLine('sites-two');
    const shared = new RegExp(`^SitesEntry \\(${ENTRIES_C}:${two}, wasm 0x[0-9a-f]+\\)$`);
    expect(sites).toEqual([
      `SitesEntry (${ENTRIES_C}:${one})`,
      expect.stringMatching(shared),
      expect.stringMatching(shared),
    ]);
    expect(sites[1]).not.toBe(sites[2]);
    // Named the same in another run (the systematic strategy keys runs by them).
    expect((await irpSites(1)).sites).toEqual(sites);
    expect((await irpSites(1)).irps).toBe(2);
  });
});

describe('cdriver: WSK-STATUS-IGNORED (a load of the C IRP\'s IoStatus.Status is the read)', () => {
  /** A WskSocketConnect refused after it pended (nobody listens on 10.0.0.9:81), then IoFreeIrp. */
  async function refused(entry: string) {
    const sim = new Simulation({ seed: 1, keepTrace: true });
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.addHost({ name: 'peer', ipv4: '10.0.0.9' });
    sim.addLink('server', 'peer', { latency: '1ms' });
    const kernel = sim.kernel('server');
    sim.tcp('peer'); // answers the SYNs with RSTs: refused after the retries, at 2 s
    const notes: string[] = [];
    const Note = (d: CDriver, what: number, value: number): void =>
      void notes.push(`${d.cString(what)} ${value.toString(16)}`);
    sim.loadDriver('server', fixtureDriver('entries', EXPORTS), {
      entry,
      name: 'entries.wasm',
      hooks: { Note },
    });
    const outcome = await sim.run({ until: '5s' });
    const advisories = sim.records().filter((r) => r.type === 'nt.advisory');
    return { outcome, notes, advisories, reported: kernel.advisories, hash: sim.traceHash() };
  }

  it('a pended failure freed unread → the advisory, at the C line of the IoFreeIrp', async (context) => {
    requireToolchain(context);
    const { outcome, notes, advisories, reported, hash } = await refused('StatusIgnoredEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual(['pended 1']);
    expect(advisories).toEqual([
      expect.objectContaining({
        host: 'server',
        rule: 'WSK-STATUS-IGNORED',
        info: expect.stringMatching(
          /^IoFreeIrp on IRP #\d+: WskSocketConnect failed with STATUS_CONNECTION_REFUSED, never read$/,
        ),
      }),
    ]);
    const line = entriesLine('status-free');
    expect(reported.map((a) => a.site)).toEqual([
      expect.stringMatching(new RegExp(`^\\w+ \\(${ENTRIES_C}:${line}\\)$`)),
    ]);
    expect((await refused('StatusIgnoredEntry')).hash).toBe(hash);
  });

  it('…and none when the driver reads IoStatus.Status first', async (context) => {
    requireToolchain(context);
    const { outcome, notes, advisories, reported } = await refused('StatusReadEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual(['pended 1', `connect ${STATUS_CONNECTION_REFUSED.toString(16)}`]);
    expect(advisories).toEqual([]);
    expect(reported).toEqual([]);
  });
});

describe('cdriver: pool', () => {
  it('three blocks in linear memory, two freed → the model reports the third as leaked', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runEntry('PoolEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual(['0ms sum 6']);
    expect(sim.kernel('server').leaks()).toEqual([
      // 'gnhT' in C, a little-endian ULONG: the model shows it as the debugger does.
      { tag: 'Thng', bytes: 12, poolType: 512 },
    ]);
  });

  it('a 3 MiB block, more than the memory a driver starts with → the memory grows, all of it usable', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runEntry('BigPoolEntry');
    expect(outcome.failure).toBeUndefined();
    expect(notes).toEqual(['0ms last byte 5a']);
    expect(sim.kernel('server').leaks()).toEqual([]);
  });

  it('a double free → the verifier\'s violation, as for a TypeScript driver', async (context) => {
    requireToolchain(context);
    const { sim, outcome } = await runEntry('DoubleFreeEntry');
    const site = `${ENTRIES_C}:103 (DoubleFreeEntry)`;
    // The shadow map's report: this free, the allocation and the first free, by C line.
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      message: expect.stringMatching(new RegExp(
        `^POOL-DOUBLE-FREE: entries\\.wasm: free of 0x[0-9a-f]+ at ${paren(site)}: already ` +
        `freed at ${paren(`${ENTRIES_C}:102 (DoubleFreeEntry)`)}; block 0x[0-9a-f]+ ` +
        `\\(32 bytes, tag 'Dubl'\\) allocated at ${paren(`${ENTRIES_C}:99 (DoubleFreeEntry)`)}`,
      )),
      details: { rule: 'POOL-DOUBLE-FREE', site },
    });
    const violations = sim.records().filter((r) => r.type === 'nt.violation');
    expect(violations).toEqual([
      { at: 0, type: 'nt.violation', host: 'server', rule: 'POOL-DOUBLE-FREE' },
    ]);
  });
});

describe('cdriver: pool checks (loadDriver: the shadow map, build-driver\'s --instrument-memory)', () => {
  it('a read of a freed block → POOL-USE-AFTER-FREE at the read\'s C line, with the allocation\'s and the free\'s', async (context) => {
    requireToolchain(context);
    const { sim, notes, outcome } = await runEntry('UseAfterFreeEntry');
    const site = `${ENTRIES_C}:225 (UseAfterFreeEntry)`;
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      message:
        'POOL-USE-AFTER-FREE: entries.wasm: read of 4 bytes at ' +
        `${hexOf(outcome)} at ${site}: 4 bytes into the block, freed; block ` +
        `${hexOf(outcome, -4)} (32 bytes, tag 'Test') allocated at ` +
        `${ENTRIES_C}:219 (UseAfterFreeEntry), freed at ${ENTRIES_C}:224 (UseAfterFreeEntry) ` +
        '(host server at 0.000000s)',
      details: { rule: 'POOL-USE-AFTER-FREE', host: 'server', site },
    });
    // The violation is the kernel's, in the trace as a TypeScript driver's; the read goes on.
    const violations = sim.records().filter((r) => r.type === 'nt.violation');
    expect(violations).toEqual([
      { at: 0, type: 'nt.violation', host: 'server', rule: 'POOL-USE-AFTER-FREE' },
    ]);
    expect(notes).toEqual(['0ms read after free 7']);
  });

  it('a write one ULONG past a block → POOL-OUT-OF-BOUNDS (a catalogued rule), with the allocation', async (context) => {
    requireToolchain(context);
    const { outcome } = await runEntry('OverrunEntry');
    // Not yet the store's line (234): the hook's call in this -O2 build carries the line of the
    // function's closing brace (238). The function, the rule and the allocation's line are right.
    const site = `${ENTRIES_C}:238 (OverrunEntry)`;
    expect(outcome.failure).toMatchObject({
      kind: 'violation',
      details: { rule: 'POOL-OUT-OF-BOUNDS', host: 'server', site },
    });
    expect(outcome.failure?.message).toMatch(
      new RegExp(`^POOL-OUT-OF-BOUNDS: entries\\.wasm: write of 4 bytes at 0x[0-9a-f]+ at ` +
        `${site.replace(/[()]/g, '\\$&')}: 0 bytes past its end, in a redzone; block ` +
        `0x[0-9a-f]+ \\(32 bytes, tag 'Test'\\) allocated at ${ENTRIES_C}:230 `),
    );
  });
});

/** `text` for a RegExp, its parentheses escaped. */
function paren(text: string): string {
  return text.replace(/[().]/g, '\\$&');
}

/** The address in a pool violation's message (`at 0x…`), moved by `delta`. */
function hexOf(outcome: RunOutcome, delta = 0): string {
  const match = / at (0x[0-9a-f]+) at /.exec(outcome.failure?.message ?? '');
  return `0x${(Number.parseInt(match?.[1] ?? '0', 16) + delta).toString(16)}`;
}

describe('cdriver: callbacks', () => {
  it('a completion routine that waits for ever, at DISPATCH_LEVEL → IRQL-TOO-HIGH', async (context) => {
    requireToolchain(context);
    for (const seed of [1, 2, 3, 4]) {
      const { outcome } = await runEntry('CallbackWaitEntry', seed);
      expect(outcome.failure, `seed ${seed}`).toMatchObject({
        kind: 'violation',
        details: { rule: 'IRQL-TOO-HIGH' },
      });
    }
  });

  it('…at PASSIVE_LEVEL, inline or pended → WAIT-OUTSIDE-THREAD, never a simulator assertion', async (context) => {
    requireToolchain(context);
    // Inline, the routine runs under the thread's own C frames, which cannot unwind past it;
    // pended, it runs from an event, outside any thread: both are the TypeScript model's rule.
    const messages = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { outcome } = await runEntry('CallbackWaitEntry', seed, 1);
      expect(outcome.failure, `seed ${seed}`).toMatchObject({
        kind: 'violation',
        details: { rule: 'WAIT-OUTSIDE-THREAD' },
      });
      messages.add((outcome.failure?.message ?? '').replace(/ \(host .*$/, ''));
    }
    expect([...messages].sort()).toEqual([
      // Inline (seeds 1-3): the bridge, which cannot unwind the thread's C frames under it.
      "WAIT-OUTSIDE-THREAD: KeWaitForSingleObject would block in a callback the kernel called " +
        "synchronously (a C driver's callback cannot wait)",
      // Pended (seeds 4-6): the model itself, as for a TypeScript driver.
      'WAIT-OUTSIDE-THREAD: KeWaitForSingleObject would block outside a system thread (a ' +
        'callback or DPC)',
    ]);
  });
});
