/**
 * The C toolchain for the tests of C drivers (src/cdriver; README "Testing your C driver"):
 * clang, wasm-ld and wasm-opt, from Debian's clang, lld and binaryen (installed by .ci/run).
 * Without them a test skips and says why, except under CI=true, where nothing may skip and the
 * test fails instead (as test/support/tshark.ts does for tshark).
 *
 * The shipped C drivers (scenarios/c/*.c) are built before the tests by the global setup
 * (c-drivers-setup.ts) into .wsksim/c/, where their scenarios load them; a test's own C sources
 * (test/fixtures/c/) are built on first use into a temporary directory, once per test process.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'vitest';
import { buildDriver, missingTools } from '../../src/cli/build-driver.ts';

let missing: string[] | undefined;

/** What the machine lacks of the toolchain (empty when it has it all); asked once. */
export function toolchainMissing(): string[] {
  return (missing ??= missingTools());
}

export function toolchainReason(): string {
  return `C toolchain missing: ${toolchainMissing().join(', ')}: apt-get install clang lld binaryen`;
}

/**
 * Call first in a test that builds or loads a C driver: returns when the toolchain is there;
 * otherwise skips the test with the reason, or fails it under CI=true.
 */
export function requireToolchain(context: TestContext): void {
  if (toolchainMissing().length === 0) return;
  if (process.env['CI'] === 'true') {
    throw new Error(`${toolchainReason()} (CI=true: C driver tests fail instead of skipping)`);
  }
  console.warn(`skipping "${context.task.name}": ${toolchainReason()}`);
  context.skip(toolchainReason());
}

const FIXTURES = fileURLToPath(new URL('../fixtures/c/', import.meta.url));
const built = new Map<string, Uint8Array>();
let outDir: string | undefined;

/** The bytes of test/fixtures/c/<name>.c built as a driver (once per process). */
export function fixtureDriver(name: string, exports: readonly string[] = []): Uint8Array {
  let bytes = built.get(name);
  if (bytes === undefined) {
    outDir ??= mkdtempSync(join(tmpdir(), 'wsksim-c-fixtures-'));
    const output = join(outDir, `${name}.wasm`);
    buildDriver({ sources: [join(FIXTURES, `${name}.c`)], output, exports });
    bytes = readFileSync(output);
    built.set(name, bytes);
  }
  return bytes;
}

/** The path of a fixture's source, for a build-driver command line. */
export function fixtureSource(name: string): string {
  return join(FIXTURES, `${name}.c`);
}
