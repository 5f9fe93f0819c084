/**
 * The rule of the headers (README "Testing your C driver"): a routine c/include declares is one
 * the bridge implements. A driver that takes the address of every WSKSIM_IMPORT routine of the
 * headers, so it imports them all, builds and loads: loadDriver refuses a module importing a
 * routine the bridge lacks (SimConfigError naming it). And every import asyncify may unwind in
 * (build-driver's WAITING_IMPORTS) is a routine the headers declare.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDriver, C_ROOT, WAITING_IMPORTS } from '../../src/cli/build-driver.ts';
import { Wasm } from '../../src/cdriver/wasm.ts';
import { Simulation } from '../../src/index.ts';
import { requireToolchain } from '../support/c-toolchain.ts';

/** Every routine the headers declare as a call into the model, by name. */
function declared(): string[] {
  const include = join(C_ROOT, 'include');
  const names = new Set<string>();
  for (const file of readdirSync(include).filter((name) => name.endsWith('.h'))) {
    const text = readFileSync(join(include, file), 'utf8');
    for (const match of text.matchAll(/^WSKSIM_IMPORT\((\w+)\)/gm)) names.add(match[1] as string);
  }
  return [...names].sort();
}

describe('cdriver: the headers declare what is bridged', () => {
  it('a driver importing every declared routine loads and runs', async (context) => {
    requireToolchain(context);
    const routines = declared();
    // The routines this work bridged are among them (the list is not empty by accident).
    expect(routines).toEqual(expect.arrayContaining([
      'KeWaitForMultipleObjects', 'KeInitializeMutex', 'ExAcquireFastMutex',
      'ExWaitForRundownProtectionRelease', 'ExAllocateFromNPagedLookasideList', 'IoCreateDevice',
      'ExQueryDepthSList', 'MmGetSystemAddressForMdlSafe', 'IoSetCancelRoutine',
      'IoReleaseCancelSpinLock', 'IoCompleteRequest',
    ]));
    const dir = mkdtempSync(join(tmpdir(), 'wsksim-headers-'));
    const source = join(dir, 'all-routines.c');
    writeFileSync(source, [
      '#include <wsk.h>',
      // Volatile, so the optimiser keeps every element (and so every import).
      'static PVOID volatile Routines[] = {',
      ...routines.map((name) => `  (PVOID)${name},`),
      '};',
      'NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath) {',
      '  ULONG_PTR All = 0;',
      '  UNREFERENCED_PARAMETER(DriverObject);',
      '  UNREFERENCED_PARAMETER(RegistryPath);',
      '  for (ULONG i = 0; i < sizeof(Routines) / sizeof(Routines[0]); i++)',
      '    All ^= (ULONG_PTR)Routines[i];',
      '  return All == 1 ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;',
      '}',
      '',
    ].join('\n'));
    const output = join(dir, 'all-routines.wasm');
    buildDriver({ sources: [source], output });
    const bytes = readFileSync(output);
    const imported = Wasm.Module.imports(new Wasm.Module(bytes))
      .filter((entry) => entry.module === 'wsksim')
      .map((entry) => entry.name);
    expect(routines.filter((name) => !imported.includes(name))).toEqual([]);
    const sim = new Simulation({ seed: 1 });
    sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
    sim.loadDriver('server', bytes, { name: 'all-routines.wasm' });
    expect((await sim.run({ until: '1s' })).failure).toBeUndefined();
  });

  it('every import asyncify may unwind in is a declared routine', () => {
    const routines = declared();
    expect(WAITING_IMPORTS.filter((name) => !routines.includes(name))).toEqual([]);
  });
});
