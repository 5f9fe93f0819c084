/**
 * cdriver_pool_checks_vs_plain: the cost of checking every load and store of a C driver against
 * the pool's shadow map (src/cdriver/shadow-memory.ts). test/fixtures/cdriver/pool.c's Churn (a
 * loop reading and writing one pool block of 1,024 ints, 2,000 rounds) compiled with clang -O2,
 * once with the recommended pipeline (--instrument-memory, --asyncify) and the shadow's hooks,
 * once with --asyncify alone; wall time of the checked build ÷ the plain one, side by side.
 * `cdriver_js_hooks_vs_plain` is the same with JavaScript identity functions as the hooks, what
 * the checks would cost as JS. Needs clang, wasm-ld and wasm-opt: `--only cdriver`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSite, WasmLineTable } from '../src/cdriver/dwarf-lines.ts';
import { ShadowMemory, memoryInstrumentationImports } from '../src/cdriver/shadow-memory.ts';
import {
  ASYNCIFY_IMPORTS,
  PIPELINE,
  REDZONE,
  buildFixture,
  instantiateFixture,
} from '../test/support/c-build.ts';
import { sideBySide, type Metric } from './measure.ts';

const COUNT = 1024;
const ROUNDS = 2000;
const BENCH_ROUNDS = 15;

type Churn = () => number;

function churnOf(bytes: Uint8Array, hooks: 'shadow' | 'js' | 'none'): Churn {
  const lines = new WasmLineTable(bytes);
  const shadow = new ShadowMemory({ redzoneBytes: REDZONE });
  const pass = (_id: number, value: unknown): unknown => value;
  const pointer = (_id: number, _bytes: number, _offset: number, address: number): number =>
    address;
  const jsHooks = Object.fromEntries(['load', 'store'].flatMap((kind) => [
    [`${kind}_ptr`, pointer],
    ...['i32', 'i64', 'f32', 'f64'].map((type) => [`${kind}_val_${type}`, pass]),
  ]));
  const host = instantiateFixture(bytes, {
    allocated: (address, size, tag) => shadow.allocate(address, size, tag, new CSite(lines)),
    freed: (address, tag) => void shadow.free(address, new CSite(lines), tag),
    env: hooks === 'shadow' ? memoryInstrumentationImports(shadow, lines)
      : hooks === 'js' ? jsHooks : {},
  });
  return () => {
    const result = host.callWaiting('Churn', COUNT, ROUNDS);
    if (shadow.violations.length > 0) throw new Error(shadow.violations[0]?.message);
    return result;
  };
}

export async function benchCdriverPool(): Promise<Metric[]> {
  const directory = mkdtempSync(join(tmpdir(), 'wsksim-bench-cdriver-'));
  try {
    const cflags = ['-gdwarf-4', '-O2'];
    const checkedBytes = buildFixture(join(directory), 'pool.c', { cflags, wasmOpt: PIPELINE });
    const plainBytes = buildFixture(join(directory), 'pool.c', {
      cflags,
      wasmOpt: ['-g', '--asyncify', ASYNCIFY_IMPORTS],
    });
    const plain = churnOf(plainBytes, 'none');
    const metrics: Metric[] = [];
    for (const [name, hooks] of [
      ['cdriver_pool_checks_vs_plain', 'shadow'],
      ['cdriver_js_hooks_vs_plain', 'js'],
    ] as const) {
      const checked = churnOf(checkedBytes, hooks);
      if (checked() !== plain()) throw new Error('the two builds disagree on Churn');
      const { ours, baseline } = await sideBySide(BENCH_ROUNDS, COUNT * ROUNDS, checked, plain);
      metrics.push({
        name,
        value: baseline / ours,
        unit: 'x slower',
        measured: { value: 1e9 / ours, unit: 'ns per loop iteration (a load and a store)' },
        baseline: { value: 1e9 / baseline, unit: 'ns per loop iteration unchecked' },
      });
    }
    return metrics;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
