/**
 * `wsksim build-driver`: a driver's C sources to a module sim.loadDriver runs; an undeclared
 * routine (one the model lacks) is the compiler's error, exit 1; a bad invocation exit 2 naming
 * what is wrong; a machine without the toolchain is told which Debian packages to install.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WasmLineTable } from '../../src/cdriver/dwarf-lines.ts';
import { Wasm } from '../../src/cdriver/wasm.ts';
import { buildDriver } from '../../src/cli/build-driver.ts';
import { Simulation } from '../../src/index.ts';
import { fixtureSource, requireToolchain } from '../support/c-toolchain.ts';
import { cli } from '../support/cli.ts';
import { tempDirs } from '../support/temp.ts';

const tempDir = tempDirs('wsksim-build-driver-');

describe('cli: build-driver', () => {
  it('builds a driver whose exports the bridge needs, with asyncify and the C names kept', async (context) => {
    requireToolchain(context);
    const output = join(tempDir(), 'entries.wasm');
    const argv = ['build-driver', fixtureSource('entries'), '-o', output, '--export', 'PoolEntry'];
    expect(await cli(argv)).toEqual({ code: 0, out: `built ${output}\n`, err: '' });
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
    const notes: string[] = [];
    sim.loadDriver('a', readFileSync(output), {
      entry: 'PoolEntry',
      hooks: { Note: (d, what, value) => void notes.push(`${d.cString(what)} ${value}`) },
    });
    expect((await sim.run({ until: '1s' })).failure).toBeUndefined();
    expect(notes).toEqual(['sum 6']);
  });

  it('instruments loads and stores for the pool checks and keeps the DWARF line table; without the checks a module loads unchecked', async (context) => {
    requireToolchain(context);
    const checked = join(tempDir(), 'checked.wasm');
    const plain = join(tempDir(), 'plain.wasm');
    const exports = ['UseAfterFreeEntry'];
    buildDriver({ sources: [fixtureSource('entries')], output: checked, exports });
    buildDriver({ sources: [fixtureSource('entries')], output: plain, exports, poolChecks: false });
    const envImports = (file: string): string[] =>
      Wasm.Module.imports(new Wasm.Module(readFileSync(file)))
        .filter((entry) => entry.module === 'env')
        .map((entry) => entry.name)
        .sort();
    expect(envImports(checked)).toEqual([
      'load_ptr', 'load_val_f32', 'load_val_f64', 'load_val_i32', 'load_val_i64',
      'store_ptr', 'store_val_f32', 'store_val_f64', 'store_val_i32', 'store_val_i64',
    ]);
    expect(envImports(plain)).toEqual([]);
    expect(new WasmLineTable(readFileSync(checked)).hasLines).toBe(true);
    const run = async (file: string) => {
      const sim = new Simulation({ seed: 1 });
      sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
      const notes: string[] = [];
      sim.loadDriver('a', readFileSync(file), {
        entry: 'UseAfterFreeEntry',
        hooks: { Note: (d, what, value) => void notes.push(`${d.cString(what)} ${value}`) },
      });
      return { outcome: await sim.run({ until: '1s' }), notes };
    };
    const seen = await run(checked);
    expect(seen.outcome.failure?.details?.rule).toBe('POOL-USE-AFTER-FREE');
    // Unchecked: the stale read goes unseen (the quarantine keeps the value there).
    const unseen = await run(plain);
    expect(unseen.outcome.failure).toBeUndefined();
    expect(unseen.notes).toEqual(['read after free 7']);
  });

  it('a routine the model lacks is undeclared: the compiler says so, exit 1, no module', async (context) => {
    requireToolchain(context);
    const output = join(tempDir(), 'undeclared.wasm');
    const { code, out } = await cli(['build-driver', fixtureSource('undeclared'), '-o', output]);
    expect(code).toBe(1);
    expect(out).toMatch(/^clang failed:\n.*undeclared\.c:7:10: error: implicit declaration of function 'IoCreateSymbolicLink'/);
    expect(existsSync(output)).toBe(false);
  });

  it('bad arguments → exit 2 naming the option', async () => {
    expect(await cli(['build-driver'])).toMatchObject({ code: 2, err: expect.stringContaining('build-driver: no .c file given') });
    expect(await cli(['build-driver', 'a.c'])).toMatchObject({ code: 2, err: expect.stringContaining('build-driver: -o <driver.wasm> is required') });
    expect(await cli(['build-driver', 'a.c', '-o'])).toMatchObject({ code: 2, err: expect.stringContaining('build-driver: -o needs a value') });
    expect(await cli(['build-driver', 'a.txt', '-o', 'x.wasm'])).toMatchObject({ code: 2, err: expect.stringContaining('build-driver: a.txt is not a .c file') });
    expect(await cli(['build-driver', 'a.c', '--opt', '-o', 'x.wasm'])).toMatchObject({ code: 2, err: expect.stringContaining('build-driver: unknown option --opt') });
    // A file or include directory that is not there is the invocation's mistake, not the build's.
    expect(await cli(['build-driver', 'no-such-driver.c', '-o', 'x.wasm'])).toMatchObject({ code: 2, err: expect.stringContaining('build-driver: no such file: no-such-driver.c') });
    const real = fileURLToPath(new URL('../fixtures/c/entries.c', import.meta.url));
    expect(await cli(['build-driver', real, '-I', 'no-such-dir', '-o', 'x.wasm'])).toMatchObject({ code: 2, err: expect.stringContaining('build-driver: -I no-such-dir: no such directory') });
  });

  it('no clang, wasm-ld or wasm-opt on PATH → one line naming the Debian packages, exit 2', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      const { code, err } = await cli(['build-driver', fileURLToPath(new URL('../fixtures/c/entries.c', import.meta.url)), '-o', 'x.wasm']);
      expect(code).toBe(2);
      expect(err.split('\n')[0]).toBe(
        'wsksim: build-driver needs clang (Debian package clang), wasm-ld (Debian package lld), ' +
          'wasm-opt (Debian package binaryen): apt-get install clang lld binaryen',
      );
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('loadDriver of a driver not built → SimConfigError with the build command', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
    const missing = join(tempDir(), 'missing.wasm');
    expect(() => sim.loadDriver('a', missing, { sources: ['driver.c'] })).toThrow(
      `option 'loadDriver(a)': no driver at ${missing}: build it with ` +
        `\`npx wsksim build-driver driver.c -o ${missing}\``,
    );
  });
});
