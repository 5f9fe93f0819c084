/**
 * Pool checks in C linear memory: the shadow map on its own (sites as text), then on
 * test/fixtures/cdriver/pool.c built with the recommended pipeline, its pool routines stand-ins
 * that allocate with redzones and never reuse memory, each report naming the C lines of the
 * access, the allocation and the free.
 */
import { describe, expect, it } from 'vitest';
import { CSite, WasmLineTable } from '../../src/cdriver/dwarf-lines.ts';
import {
  ShadowMemory,
  memoryInstrumentationImports,
  poolTagText,
  type PoolViolation,
} from '../../src/cdriver/shadow-memory.ts';
import {
  PIPELINE,
  REDZONE,
  buildFixture,
  instantiateFixture,
  itWithToolchain,
  markedLines,
  type FixtureHost,
} from '../support/cdriver.ts';
import { tempDirs } from '../support/temp.ts';

const tempDir = tempDirs('wsksim-cdriver-shadow-');
const TAG = 0x54657374; // C's 'Test', shown "tseT" (its bytes in memory order)
const site = (text: string) => (): string => text;

describe('cdriver: the shadow map', () => {
  it('a clean allocate, access, free → no violation; an access outside the pool is not looked at', () => {
    const shadow = new ShadowMemory({ redzoneBytes: 16 });
    shadow.allocate(0x1000, 32, TAG, 'a.c:1');
    expect(shadow.check(0x1000, 4, true, site('a.c:2'))).toBe(true);
    expect(shadow.check(0x101c, 4, false, site('a.c:3'))).toBe(true);
    expect(shadow.check(0x10, 8, false, site('stack'))).toBe(true);
    expect(shadow.free(0x1000, 'a.c:4', TAG)).toBe(true);
    expect(shadow.violations).toEqual([]);
    expect(shadow.liveBlocks).toEqual([]);
  });

  it('onTouch: a block\'s first access after each rearm, not in its allocating round; every access after its free', () => {
    const touched: string[] = [];
    const shadow = new ShadowMemory({
      redzoneBytes: 16,
      onTouch: (address) => void touched.push(`0x${address.toString(16)}`),
    });
    shadow.allocate(0x1000, 32, TAG, 'a.c:1');
    shadow.allocate(0x1040, 8, TAG, 'a.c:2');
    expect(shadow.check(0x1000, 4, true, site('a.c:3'))).toBe(true);
    expect(touched).toEqual([]);
    shadow.rearm();
    // Through the wasm hooks (the driver's path): the first access of each block is told once.
    const hooks = shadow.instrumentationHooks(site('hook'));
    const load = hooks['load_ptr'] as (id: number, bytes: number, offset: number, p: number) => number;
    expect(load(0, 4, 8, 0x1010)).toBe(0x1010);
    load(0, 4, 0, 0x1000);
    load(0, 8, 0, 0x1040);
    load(0, 4, 4, 0x1040);
    expect(touched).toEqual(['0x1000', '0x1040']);
    shadow.rearm();
    expect(shadow.check(0x101c, 4, false, site('a.c:4'))).toBe(true);
    expect(touched).toEqual(['0x1000', '0x1040', '0x1000']);
    expect(shadow.free(0x1040, 'a.c:5', TAG)).toBe(true);
    shadow.rearm();
    expect(shadow.check(0x1044, 4, false, site('a.c:6'))).toBe(false);
    expect(touched).toEqual(['0x1000', '0x1040', '0x1000', '0x1040']);
    expect(shadow.violations.map((v) => v.rule)).toEqual(['POOL-USE-AFTER-FREE']);
    // A redzone access is no touch: only a violation.
    expect(shadow.check(0x1020, 4, false, site('a.c:7'))).toBe(false);
    expect(touched).toHaveLength(4);
  });

  it('watch: the next load or store of any watched byte is told once, by the watch\'s address; unwatch ends it silently', () => {
    const watched: number[] = [];
    const shadow = new ShadowMemory({ onWatched: (address) => void watched.push(address) });
    shadow.allocate(0x1000, 32, TAG, 'a.c:1');
    shadow.watch(0x8018, 4);
    shadow.watch(0x9018, 4);
    const hooks = shadow.instrumentationHooks(site('hook'));
    const load = hooks['load_ptr'] as (id: number, bytes: number, offset: number, p: number) => number;
    const store = hooks['store_ptr'] as (id: number, bytes: number, offset: number, p: number) => number;
    load(0, 4, 0, 0x801c); // the next field: not watched
    expect(watched).toEqual([]);
    load(0, 8, 0x14, 0x8000); // 8 bytes from 0x8014 reach 0x8018
    load(0, 4, 0, 0x8018);
    expect(watched).toEqual([0x8018]);
    shadow.unwatch(0x9018);
    store(0, 4, 0, 0x9018);
    expect(watched).toEqual([0x8018]);
    shadow.watch(0x9018, 4);
    store(0, 4, 0, 0x9018);
    expect(watched).toEqual([0x8018, 0x9018]);
    // Memory handed out again (unmark) drops its watches.
    shadow.watch(0xa018, 4);
    shadow.unmark(0xa000, 104);
    load(0, 4, 0, 0xa018);
    expect(watched).toEqual([0x8018, 0x9018]);
    expect(shadow.violations).toEqual([]);
  });

  it('a read after the free → POOL-USE-AFTER-FREE with access, allocation and free sites', () => {
    const shadow = new ShadowMemory();
    shadow.allocate(0x1000, 32, TAG, 'a.c:10 (f)');
    shadow.free(0x1000, 'a.c:11 (f)');
    expect(shadow.check(0x1008, 4, false, site('a.c:12 (f)'))).toBe(false);
    expect(shadow.violations.map((v) => v.message)).toEqual([
      "POOL-USE-AFTER-FREE: read of 4 bytes at 0x1008 at a.c:12 (f): 8 bytes into the block, " +
        "freed; block 0x1000 (32 bytes, tag 'tseT') allocated at a.c:10 (f), freed at a.c:11 (f)",
    ]);
    expect(poolTagText(TAG)).toBe('tseT');
  });

  it('a second free → POOL-DOUBLE-FREE naming the first; freeing the middle → POOL-FREE-FOREIGN', () => {
    const shadow = new ShadowMemory();
    shadow.allocate(0x2000, 8, TAG, 'b.c:1');
    shadow.free(0x2000, 'b.c:2');
    expect(shadow.free(0x2000, 'b.c:3')).toBe(false);
    shadow.allocate(0x3000, 8, TAG, 'b.c:4');
    expect(shadow.free(0x3004, 'b.c:5')).toBe(false);
    expect(shadow.violations.map((v) => [v.rule, v.message])).toEqual([
      ['POOL-DOUBLE-FREE', "POOL-DOUBLE-FREE: free of 0x2000 at b.c:3: already freed at b.c:2; " +
        "block 0x2000 (8 bytes, tag 'tseT') allocated at b.c:1, freed at b.c:2"],
      ['POOL-FREE-FOREIGN', 'POOL-FREE-FOREIGN: free of 0x3004 at b.c:5: not the start of a live ' +
        'pool block'],
    ]);
    expect(shadow.liveBlocks.map((block) => block.address)).toEqual([0x3000]);
  });

  it('a free with another tag → POOL-TAG-MISMATCH, the block stays live', () => {
    const shadow = new ShadowMemory();
    shadow.allocate(0x2000, 8, TAG, 'c.c:1');
    expect(shadow.free(0x2000, 'c.c:2', 0x41414141)).toBe(false);
    expect(shadow.violations[0]?.rule).toBe('POOL-TAG-MISMATCH');
    expect(shadow.check(0x2000, 8, false, site('c.c:3'))).toBe(true);
  });

  it('one byte past the end, into the redzone → POOL-OUT-OF-BOUNDS; without redzones, unseen', () => {
    const guarded = new ShadowMemory({ redzoneBytes: 8 });
    guarded.allocate(0x1008, 12, TAG, 'd.c:1');
    expect(guarded.check(0x1014, 1, true, site('d.c:2'))).toBe(false);
    expect(guarded.check(0x1004, 4, false, site('d.c:3'))).toBe(false);
    expect(guarded.violations.map((v) => v.message)).toEqual([
      "POOL-OUT-OF-BOUNDS: write of 1 bytes at 0x1014 at d.c:2: 0 bytes past its end, in a " +
        "redzone; block 0x1008 (12 bytes, tag 'tseT') allocated at d.c:1",
      "POOL-OUT-OF-BOUNDS: read of 4 bytes at 0x1004 at d.c:3: 4 bytes before the block, in a " +
        "redzone; block 0x1008 (12 bytes, tag 'tseT') allocated at d.c:1",
    ]);
    const bare = new ShadowMemory();
    bare.allocate(0x1008, 12, TAG, 'd.c:1');
    expect(bare.check(0x1014, 1, true, site('d.c:2'))).toBe(true);
  });

  it('memory freed then handed out again is live: the old block is forgotten', () => {
    const shadow = new ShadowMemory();
    shadow.allocate(0x1000, 16, TAG, 'e.c:1');
    shadow.free(0x1000, 'e.c:2');
    shadow.allocate(0x1000, 16, TAG, 'e.c:3');
    expect(shadow.check(0x1000, 4, false, site('e.c:4'))).toBe(true);
    expect(shadow.free(0x1000, 'e.c:5')).toBe(true);
    expect(shadow.free(0x1000, 'e.c:6')).toBe(false);
    expect(shadow.violations[0]?.message).toContain('allocated at e.c:3, freed at e.c:5');
  });

  it('freed pool memory handed out for something else (a thread stack) is unmarked: clean, the old block forgotten', () => {
    const shadow = new ShadowMemory({ redzoneBytes: 16 });
    shadow.allocate(0x1000, 32, TAG, 'e.c:1');
    shadow.free(0x1000, 'e.c:2');
    expect(shadow.isFreed(0x1000)).toBe(true);
    shadow.unmark(0x1000, 32);
    expect(shadow.isFreed(0x1000)).toBe(false);
    expect(shadow.check(0x1000, 8, true, site('e.c:3'))).toBe(true);
    // The redzone before it is untouched by an unmark of the block's own bytes.
    expect(shadow.check(0x1000 - 4, 4, false, site('e.c:4'))).toBe(false);
    expect(shadow.violations.map((v) => v.rule)).toEqual(['POOL-OUT-OF-BOUNDS']);
  });

  it('onViolation sees each violation inside the call (a throw there stops the driver)', () => {
    const seen: PoolViolation[] = [];
    const shadow = new ShadowMemory({ onViolation: (v) => void seen.push(v) });
    shadow.free(0x40, 'f.c:1');
    expect(seen.map((v) => v.rule)).toEqual(['POOL-FREE-FOREIGN']);
  });
});

describe('cdriver: the wasm hooks --instrument-memory calls', () => {
  type Hook = (id: number, bytes: number, offset: number, pointer: number) => number;
  const hooksOf = (shadow: ShadowMemory): { load: Hook; store: Hook; value: (id: number, v: bigint) => bigint } => {
    const hooks = shadow.instrumentationHooks(() => 'the access');
    return { load: hooks['load_ptr'] as Hook, store: hooks['store_ptr'] as Hook,
      value: hooks['store_val_i64'] as (id: number, v: bigint) => bigint };
  };

  it('checks each width at the edges of a block: its last bytes clean, one more byte caught', () => {
    const shadow = new ShadowMemory({ redzoneBytes: 8 });
    const { load, store } = hooksOf(shadow);
    expect(load(0, 8, 0, 0x2000)).toBe(0x2000); // before any block: not looked at
    shadow.allocate(0x2008, 16, TAG, 'g.c:1');
    for (const bytes of [1, 2, 4, 8]) {
      expect(load(1, bytes, 16 - bytes, 0x2008)).toBe(0x2008);
      expect(store(2, bytes, 0, 0x2008)).toBe(0x2008);
    }
    expect(shadow.violations).toEqual([]);
    for (const bytes of [1, 2, 4, 8]) load(3, bytes, 17 - bytes, 0x2008);
    store(4, 1, 0, 0x2007);
    expect(shadow.violations.map((v) => [v.rule, v.address, v.bytes, String(v.site)])).toEqual([
      ['POOL-OUT-OF-BOUNDS', 0x2018, 1, 'the access'],
      ['POOL-OUT-OF-BOUNDS', 0x2017, 2, 'the access'],
      ['POOL-OUT-OF-BOUNDS', 0x2015, 4, 'the access'],
      ['POOL-OUT-OF-BOUNDS', 0x2011, 8, 'the access'],
      ['POOL-OUT-OF-BOUNDS', 0x2007, 1, 'the access'],
    ]);
  });

  it('a freed block is caught through the hooks; the value hooks pass values through', () => {
    const shadow = new ShadowMemory();
    const { load, value } = hooksOf(shadow);
    shadow.allocate(0x10000, 4, TAG, 'h.c:1');
    expect(load(0, 4, 0, 0x10000)).toBe(0x10000);
    shadow.free(0x10000, 'h.c:2');
    expect(load(0, 2, 2, 0x10000)).toBe(0x10000);
    expect(shadow.violations.map((v) => v.rule)).toEqual(['POOL-USE-AFTER-FREE']);
    expect(value(0, -5n)).toBe(-5n);
  });

  it('the shadow grows with the blocks: one far above the first is checked too', () => {
    const shadow = new ShadowMemory();
    const { store } = hooksOf(shadow);
    shadow.allocate(0x100, 8, TAG, 'i.c:1');
    shadow.allocate(0x300000, 8, TAG, 'i.c:2');
    shadow.free(0x300000, 'i.c:3');
    store(0, 4, 4, 0x300000);
    expect(shadow.violations.map((v) => v.address)).toEqual([0x300004]);
  });
});

/** The fixture under the full pipeline, its pool stand-ins feeding one shadow map. */
function checkedFixture(bytes: Uint8Array): { host: FixtureHost; shadow: ShadowMemory } {
  const lines = new WasmLineTable(bytes);
  const shadow = new ShadowMemory({ redzoneBytes: REDZONE });
  const host = instantiateFixture(bytes, {
    allocated: (address, size, tag) => shadow.allocate(address, size, tag, new CSite(lines)),
    freed: (address, tag) => void shadow.free(address, new CSite(lines), tag),
    env: memoryInstrumentationImports(shadow, lines),
  });
  return { host, shadow };
}

describe('cdriver: pool checks on a C fixture (instrument-memory, asyncify)', () => {
  const marks = markedLines('pool.c');
  const at = (mark: string, fn: string): string => `pool.c:${marks.get(mark) ?? '?'} (${fn})`;
  for (const level of ['-O0', '-O2']) {
    // Built once per level, by the first test that runs (after its toolchain check).
    let built: Uint8Array | undefined;
    const build = (): Uint8Array =>
      (built ??= buildFixture(tempDir(), 'pool.c', {
        cflags: ['-gdwarf-4', level],
        wasmOpt: PIPELINE,
      }));

    itWithToolchain(`use after free → the access, allocation and free lines (${level})`, () => {
      const { host, shadow } = checkedFixture(build());
      host.callWaiting('UseAfterFree');
      expect(shadow.violations).toHaveLength(1);
      const [violation] = shadow.violations;
      expect(violation?.rule).toBe('POOL-USE-AFTER-FREE');
      expect(String(violation?.site)).toBe(at('uaf-use', 'UseAfterFree'));
      expect(String(violation?.block?.allocation)).toBe(at('uaf-alloc', 'UseAfterFree'));
      expect(String(violation?.block?.free)).toBe(at('uaf-free', 'UseAfterFree'));
      expect(violation?.message).toContain(`read of 4 bytes`);
      expect(violation?.message).toContain(`at ${at('uaf-use', 'UseAfterFree')}: 4 bytes into`);
    });

    itWithToolchain(`double free → both frees' lines and the allocation's (${level})`, () => {
      const { host, shadow } = checkedFixture(build());
      host.callWaiting('DoubleFree');
      expect(shadow.violations.map((v) => v.rule)).toEqual(['POOL-DOUBLE-FREE']);
      const [violation] = shadow.violations;
      expect(String(violation?.site)).toBe(at('df-second', 'DoubleFree'));
      expect(String(violation?.block?.free)).toBe(at('df-first', 'DoubleFree'));
      expect(String(violation?.block?.allocation)).toBe(at('df-alloc', 'DoubleFree'));
    });

    itWithToolchain(`a write one int past the block → POOL-OUT-OF-BOUNDS at its line (${level})`, () => {
      const { host, shadow } = checkedFixture(build());
      host.callWaiting('Overrun', 7);
      expect(shadow.violations).toEqual([]);
      host.callWaiting('Overrun', 8);
      expect(shadow.violations.map((v) => [v.rule, String(v.site), String(v.block?.allocation)]))
        .toEqual([['POOL-OUT-OF-BOUNDS', at('oob-write', 'Overrun'), at('oob-alloc', 'Overrun')]]);
      // The block was live at the write; its free after the report does not change the report.
      expect(shadow.violations[0]?.block?.free).toBeUndefined();
    });

    itWithToolchain(`a clean run reports nothing and frees every block (${level})`, () => {
      const { host, shadow } = checkedFixture(build());
      expect(host.callWaiting('Clean')).toBe(6);
      expect(host.callWaiting('Churn', 64, 10)).toBe(expectedChurn(64, 10));
      expect(host.callWaiting('WaitThenReport', 3)).toBe(3);
      expect(shadow.violations).toEqual([]);
      expect(shadow.liveBlocks).toEqual([]);
    });
  }
});

describe('cdriver: why the pipeline has no wasm-opt -O after it', () => {
  const marks = markedLines('pool.c');
  itWithToolchain('binaryen 108 -O1 after the passes moves an overrun to the allocation\'s line', () => {
    const bytes = buildFixture(tempDir(), 'pool.c', {
      cflags: ['-gdwarf-4', '-O2'],
      wasmOpt: [...PIPELINE, '-O1'],
    });
    const { host, shadow } = checkedFixture(bytes);
    host.callWaiting('Overrun', 8);
    const [violation] = shadow.violations;
    expect(violation?.rule).toBe('POOL-OUT-OF-BOUNDS');
    // Without -O1 this is line:oob-write (the tests above); with it, one line early.
    expect(String(violation?.site)).toBe(`pool.c:${marks.get('oob-alloc')} (Overrun)`);
  });
});

/** Churn's result computed in JS (int arithmetic wrapping as C's on wasm32). */
function expectedChurn(count: number, rounds: number): number {
  const values = Array.from({ length: count }, (_, i) => i);
  let sum = 0;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < count; i++) {
      values[i] = (Math.imul(values[i] ?? 0, 3) + round) | 0;
      sum = (sum + (values[i] ?? 0)) | 0;
    }
  }
  return sum;
}
