/**
 * README "Testing your C driver", as written: examples/c-driver's driver.c builds, its scenario
 * passes its seeds, and a fuzz campaign finds the bug the driver has (AcceptConnection without
 * the listening page's check of IoAllocateIrp's result: a NULL IRP under an injected allocation
 * failure) as a driver crash named by its C function and line, which replays and shrinks.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildDriver } from '../../src/cli/build-driver.ts';
import { requireToolchain } from '../support/c-toolchain.ts';
import { cli } from '../support/cli.ts';
import { tempDirs } from '../support/temp.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/c-driver/', import.meta.url));
const tempDir = tempDirs('wsksim-c-example-');

describe('examples: a C driver from an empty directory to a shrunk finding', () => {
  it('builds, passes its seeds, and fuzz finds the NULL IRP as a driver crash that shrinks', async (context) => {
    requireToolchain(context);
    buildDriver({ sources: [join(EXAMPLE, 'driver.c')], output: join(EXAMPLE, 'driver.wasm') });
    const scenario = join(EXAMPLE, 'scenario.ts');
    const run = await cli(['run', scenario]);
    expect(run.out).toContain('seeds 1, 2, 3: 3 passed, 0 failed');
    expect(run.code).toBe(0);

    const out = tempDir();
    const fuzz = await cli(['fuzz', scenario, '--runs', '60', '--jobs', '1', '--out', out]);
    expect(fuzz.code).toBe(1);
    // Named by its C line (the module's DWARF line table, loadDriver's SourceLines).
    expect(fuzz.out).toMatch(/driver-crash DRIVER-CRASH at DriverEntry \(\S*driver\.c:\d+\)/);
    // The fault the campaign injected is named by its C line too (call-sites.ts).
    expect(fuzz.out).toMatch(/fail irp at DriverEntry \(\S*driver\.c:\d+\) \(1st\)/);
    const crash = readdirSync(out).find((name) => {
      if (!name.endsWith('.json') || name.endsWith('-shrunk.json')) return false;
      return readFileSync(join(out, name), 'utf8').includes('DRIVER-CRASH');
    });
    expect(crash).toBeDefined();
    const artifact = join(out, crash as string);
    expect(readFileSync(artifact, 'utf8')).toContain(
      'IoSetCompletionRoutine: 0x0 is not an IRP IoAllocateIrp returned',
    );
    const replay = await cli(['replay', artifact]);
    expect(replay.out + replay.err).toContain('failure: driver-crash');
    const shrunk = artifact.replace(/\.json$/, '-shrunk.json');
    expect(readdirSync(out)).toContain(shrunk.slice(out.length + 1));
    expect((await cli(['replay', shrunk])).out).toMatch(/IoSetCompletionRoutine: 0x0 is not an IRP/);
  });
});
