/**
 * A scenario file that cannot be used is a configuration error: one line naming the file (and
 * its line and column where known), exit 2, never a stack trace: a syntax error, an import that
 * does not resolve, a throw at the top level, an async build or check. The command runs as a
 * user runs it (a child process, scenarios loaded through tsx), since the errors are the loader's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { defineScenario } from '../../src/explore/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsksim-scenario-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
const INDEX = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url))).href;

/** Writes `source` as `name` in the temporary directory; its path as the CLI will show it. */
function scenarioFile(name: string, source: string): { path: string; shown: string } {
  const path = join(dir, name);
  writeFileSync(path, source.replaceAll('wsksim', INDEX));
  return { path, shown: relative(process.cwd(), path) };
}

const BIN = fileURLToPath(new URL('../../bin/wsksim.js', import.meta.url));

async function refused(path: string): Promise<string> {
  const child = spawnSync(process.execPath, [BIN, 'run', path], { encoding: 'utf8' });
  const [code, out, err] = [child.status, child.stdout, child.stderr];
  expect([code, out]).toEqual([2, '']);
  expect(err.trimEnd().split('\n')).toHaveLength(1);
  return err.trimEnd();
}

describe('cli: a scenario file that cannot be loaded', () => {
  it('a syntax error: file:line:column and the parser\'s message', async () => {
    const { path, shown } = scenarioFile('syntax.ts', "import { defineScenario } from 'wsksim';\nexport default defineScenario({ name: 'x', build() { return 1 +; } });\n");
    expect(await refused(path)).toBe(`wsksim: ${shown}:2:64: Unexpected ";"`);
  });

  it('an import that does not resolve names the package and the importing file', async () => {
    const { path, shown } = scenarioFile('missing.ts', "import x from 'no-such-package-anywhere';\nexport default x;\n");
    expect(await refused(path)).toBe(`wsksim: ${shown}: Cannot find package 'no-such-package-anywhere' imported from ${path}`);
  });

  it('a throw at the top level: where, and what', async () => {
    const { path, shown } = scenarioFile('throws.ts', "const a = 1;\nthrow new Error('top-level boom');\nexport default a;\n");
    expect(await refused(path)).toBe(`wsksim: ${shown}:2:7: Error: top-level boom`);
  });

  it('an async build or check is refused naming the field', async () => {
    const { path, shown } = scenarioFile('async.ts', "import { defineScenario } from 'wsksim';\nexport default defineScenario({ name: 'x', description: 'd', async build() { return 1; } });\n");
    expect(await refused(path)).toBe(
      `wsksim: ${shown}: option 'scenario 'x'.build': an async function is not supported: build ` +
        'the world and check the outcome synchronously (drivers may await simulator waits; build starts them)',
    );
    expect(() => defineScenario({ name: 'y', description: 'd', build: () => 1, check: async () => {} })).toThrow(
      "option 'scenario 'y'.check': an async function is not supported",
    );
  });

  it('a build that returns a promise from a plain function fails the run as a configuration error', async () => {
    const { path } = scenarioFile('promise.ts', "import { defineScenario } from 'wsksim';\nexport default defineScenario({ name: 'x', description: 'd', build: () => Promise.resolve(1) });\n");
    const { out } = await cli(['run', path]);
    expect(out).toContain("failure: config at 0.000000s: option 'scenario 'x'.build': returned a promise;");
  });
});
