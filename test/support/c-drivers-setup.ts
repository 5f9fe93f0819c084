/**
 * Vitest's global setup: builds the shipped C drivers (scenarios/c/*.c) into .wsksim/c/ (ignored
 * by git), where their scenarios load them (scenarios/seed-samples-c.ts). Without the toolchain
 * it builds nothing and says so, and the tests that need a C driver skip (c-toolchain.ts), except
 * under CI=true, where the setup fails at once.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDriver, missingTools } from '../../src/cli/build-driver.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default function setup(): void {
  const missing = missingTools();
  if (missing.length > 0) {
    const reason = `C toolchain missing: ${missing.join(', ')}: apt-get install clang lld binaryen`;
    if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: nothing may skip)`);
    console.warn(`not building scenarios/c: ${reason}`);
    return;
  }
  const sources = join(ROOT, 'scenarios', 'c');
  const out = join(ROOT, '.wsksim', 'c');
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(sources).filter((name) => name.endsWith('.c')).sort()) {
    const output = join(out, file.replace(/\.c$/, '.wasm'));
    buildDriver({ sources: [join(sources, file)], output });
  }
}
