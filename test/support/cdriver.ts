/**
 * Building C fixtures for test/cdriver at test time: clang 14 (wasm32), wasm-ld, then binaryen's
 * wasm-opt, into a temporary directory. The toolchain is Debian's `clang`, `lld` and `binaryen`
 * (installed by .ci/run). Without it a test skips and says why, except under CI=true, where
 * nothing may skip and the test fails instead. Building and running are c-build.ts (re-exported
 * here).
 */
import { spawnSync } from 'node:child_process';
import { it, type TestContext } from 'vitest';

export const TOOLCHAIN_MISSING =
  'clang, wasm-ld or wasm-opt not installed: apt-get install clang lld binaryen';

export * from './c-build.ts';

let available: boolean | undefined;
export function toolchainAvailable(): boolean {
  if (available === undefined) {
    available = ['clang', 'wasm-ld', 'wasm-opt'].every((tool) => {
      const result = spawnSync(tool, ['--version'], { encoding: 'utf8', timeout: 30_000 });
      return result.error === undefined && result.status === 0;
    });
  }
  return available;
}

export function requireToolchain(context: TestContext): void {
  if (toolchainAvailable()) return;
  if (process.env['CI'] === 'true') {
    throw new Error(`${TOOLCHAIN_MISSING} (CI=true: C driver tests fail instead of skipping)`);
  }
  console.warn(`skipping "${context.task.name}": ${TOOLCHAIN_MISSING}`);
  context.skip(TOOLCHAIN_MISSING);
}

/** `it`, for a test that compiles C (see requireToolchain). */
export function itWithToolchain(
  name: string,
  body: (context: TestContext) => void | Promise<void>,
): void {
  it(name, async (context) => {
    requireToolchain(context);
    await body(context);
  });
}

