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

  it('a build that returns a promise from a plain function is a configuration error too', async () => {
    const { path } = scenarioFile('promise.ts', "import { defineScenario } from 'wsksim';\nexport default defineScenario({ name: 'x', description: 'd', build: () => Promise.resolve(1) });\n");
    const { code, err } = await cli(['run', path]);
    expect([code, err]).toEqual([2, expect.stringContaining(`wsksim: ${path}: option 'scenario 'x'.build': returned a promise;`)]);
  });
});

describe('cli: a scenario\'s own mistake in build', () => {
  it('a bare number for a duration: one line naming the option, exit 2, for run as for a campaign', async () => {
    const { path } = scenarioFile('bare.ts', [
      "import { defineScenario } from 'wsksim';",
      "export default defineScenario({ name: 'bare', description: 'd', build(sim) {",
      "  sim.addHost({ name: 'a', ipv4: '10.0.0.1' });",
      "  sim.addHost({ name: 'b', ipv4: '10.0.0.2' });",
      "  sim.addLink('a', 'b', { latency: 5 as unknown as string });",
      '  return {};',
      '} });',
    ].join('\n'));
    const line =
      `wsksim: ${path}: option 'links[a-b].latency': a bare number (5) is not a duration; ` +
      "write a unit string such as '5ms' or a helper such as ms(5)\n";
    expect(await cli(['run', path])).toEqual({ code: 2, out: '', err: line });
    const fuzzed = await cli(['fuzz', path, '--runs', '5', '--jobs', '1', '--no-shrink']);
    expect([fuzzed.code, fuzzed.out, fuzzed.err.split('\n').at(-2)]).toEqual([2, '', line.trimEnd()]);
  });

  it('an output path that cannot be written is refused before the run: nothing printed, exit 2', async () => {
    const pcap = join(dir, 'no-such-dir', 'x.pcap');
    const { code, out, err } = await cli(['run', 'showcase', '--pcap', pcap]);
    expect([code, out, err.split('\n')[0]]).toEqual([2, '', `wsksim: --pcap ${pcap}: directory ${join(dir, 'no-such-dir')} does not exist`]);
  });
});

describe('cli: the process ends with the command', () => {
  it('a driver awaiting a real timer is its crash at its line, and the process exits at once', () => {
    const { path } = scenarioFile('sleeps.ts', [
      "import { defineScenario } from 'wsksim';",
      'export default defineScenario({ name: \'sleeps\', description: \'d\', build(sim) {',
      "  sim.addHost({ name: 'server', ipv4: '10.0.0.2' });",
      "  sim.load('server', async () => { await new Promise((r) => setTimeout(r, 600_000)); });",
      '  return {};',
      '} });',
    ].join('\n'));
    // The timeout only keeps a regression from hanging the suite; the command ends in a second.
    const child = spawnSync(process.execPath, [BIN, 'run', path], { encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(1);
    expect(child.stdout).toContain("failure: driver-crash at 0.000000s in 'thread server/DriverEntry': driver crash in DriverEntry: ForeignWaitError: setTimeout called during a run");
    expect(child.stdout).toContain(`\n  at ${path}:4\n`);
  });

  it('a scenario module that leaves a real server listening does not keep the process alive', () => {
    const { path } = scenarioFile('listens.ts', [
      "import { defineScenario } from 'wsksim';",
      "import { createServer } from 'node:net';",
      'createServer().listen(0);',
      "export default defineScenario({ name: 'listens', description: 'd', build() { return {}; } });",
    ].join('\n'));
    const child = spawnSync(process.execPath, [BIN, 'run', path], { encoding: 'utf8', timeout: 60_000 });
    expect([child.status, child.signal]).toEqual([0, null]);
  });
});
