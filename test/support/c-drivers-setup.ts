/**
 * Vitest's global setup: builds the shipped C drivers (scenarios/c/*.c, and each folder of
 * scenarios/c as one driver of its .c files) into .wsksim/c/ (ignored by git), where their
 * scenarios load them (scenarios/seed-samples-c.ts, echo-server-c.ts, datagram-echo-c.ts).
 * Without the toolchain it builds nothing and says so, and the tests that need a C driver skip
 * (c-toolchain.ts), except under CI=true, where the setup fails at once.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDriver, missingTools } from '../../src/cli/build-driver.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

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
  // A driver that does not build yet (it calls what c/include does not declare) leaves no
  // .wasm; its own scenario's test says why (test/support/c-scenarios.ts), the others run.
  const build = (name: string, files: string[], output: string): void => {
    try {
      buildDriver({ sources: files, output });
    } catch (error) {
      rmSync(output, { force: true });
      console.warn(`scenarios/c/${name} did not build: ${firstLines(error)}`);
    }
  };
  for (const entry of readdirSync(sources, { withFileTypes: true }).sort(byName)) {
    if (entry.isFile() && entry.name.endsWith('.c')) {
      const output = join(out, entry.name.replace(/\.c$/, '.wasm'));
      build(entry.name, [join(sources, entry.name)], output);
    } else if (entry.isDirectory()) {
      // A folder is one driver of several files (scenarios/c/echo-server/: the driver and the
      // I/O manager's part beside it), built into <folder>.wasm.
      const folder = join(sources, entry.name);
      const files = readdirSync(folder).filter((name) => name.endsWith('.c')).sort();
      const output = join(out, `${entry.name}.wasm`);
      build(entry.name, files.map((name) => join(folder, name)), output);
    }
  }
}

function firstLines(error: unknown): string {
  return String((error as Error).message ?? error).split('\n').slice(0, 4).join('\n');
}
