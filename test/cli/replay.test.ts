/**
 * `wsksim fuzz --out` writes one failure artifact per failure group and prints one line per
 * group; `wsksim replay` makes each again to its recorded trace hash, or says exactly why not
 * (scenario changed, tape diverged, hash differs); malformed artifacts are refused naming the file
 * and the field; `run --record` / `run --replay` carry the scenario and seed.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { artifactsIn } from '../support/findings.ts';
import { tempDirs } from '../support/temp.ts';

const tempDir = tempDirs('wsksim-replay-');

const GROUP_LINE = /^ {2}(\d+) runs? {2}first seed (\d+) {2}(.*) {2}(\S+\.json)$/;

function groupLines(out: string): RegExpExecArray[] {
  return out.split('\n').flatMap((line) => {
    const match = GROUP_LINE.exec(line);
    return match === null ? [] : [match];
  });
}

/** An artifact or tape file as written, its fields read loosely. */
interface Written {
  readonly [field: string]: unknown;
  readonly traceHash: string;
  readonly options: unknown;
  readonly scenario: { readonly sha256: string };
  readonly tape: unknown;
}

function readJson(path: string): Written {
  return JSON.parse(readFileSync(path, 'utf8')) as Written;
}

describe('cli: fuzz writes one artifact per failure group', () => {
  it('inspect-abort-race, 200 runs: grouped lines, their artifacts, each replays to its hash', async () => {
    const dir = tempDir();
    const { code, out } = await cli(['fuzz', 'inspect-abort-race', '--runs', '200', '--out', dir, '--no-shrink']);
    expect(code).toBe(0);
    const groups = groupLines(out);
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.length).toBeLessThan(10);
    const counted = groups.reduce((sum, g) => sum + Number(g[1]), 0);
    expect(out).toMatch(new RegExp(`^fuzz .* ${200 - counted} passed, ${counted} failed\\n`));
    expect(artifactsIn(dir).sort()).toEqual(
      groups.map((g) => (g[4] as string).slice(dir.length + 1)).sort(),
    );
    expect(groups[0]?.[3]).toMatch(/^\(expected\) violation POOL-USE-AFTER-FREE at scenarios\//);
    expect(out).toContain(`first failure's artifact: ${groups[0]?.[4]}\nfirst failure:\n`);
    for (const group of groups) {
      const file = group[4] as string;
      const artifact = readJson(file);
      expect(artifact).toMatchObject({
        schema: 1,
        scenario: { name: 'inspect-abort-race' },
        seed: Number(group[2]),
        replay: `npx wsksim replay ${file}`,
      });
      const again = await cli(['replay', file]);
      expect(again.out).toContain(`reproduced: trace hash ${artifact.traceHash}, as recorded\n`);
      expect(again.code).toBe(0);
    }
  });

  it('an artifact of a swarm campaign replays to its hash', async () => {
    const dir = tempDir();
    await cli(['fuzz', 'inspect-abort-race', '--runs', '10', '--strategy', 'swarm', '--out', dir]);
    const [file] = artifactsIn(dir);
    const artifact = readJson(join(dir, file as string));
    expect(artifact.options).toMatchObject({ faultPoints: true, draw: 'swarm' });
    const again = await cli(['replay', join(dir, file as string)]);
    expect(again.out).toContain(`reproduced: trace hash ${artifact.traceHash}, as recorded\n`);
  });
});

describe('cli: artifacts name their scenario relative to themselves', () => {
  it('a project moved with its findings directory still replays them', async () => {
    const project = join(tempDir(), 'project');
    const fixture = new URL('../fixtures/leaky-driver.ts', import.meta.url);
    const index = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url)));
    const source = readFileSync(fixture, 'utf8').replace("from 'wsksim'", `from '${index.href}'`);
    const findings = join(project, 'findings');
    mkdirSync(project);
    writeFileSync(join(project, 'leaky.ts'), source);
    await cli(['fuzz', join(project, 'leaky.ts'), '--runs', '2', '--strategy', 'random', '--out', findings, '--no-shrink']);
    const [name] = artifactsIn(findings);
    expect(readJson(join(findings, name as string)).scenario).toMatchObject({ path: '../leaky.ts' });
    const moved = join(tempDir(), 'moved');
    renameSync(project, moved);
    const again = await cli(['replay', join(moved, 'findings', name as string)]);
    expect(again.out).toMatch(/reproduced: trace hash [0-9a-f]+, as recorded\n$/);
    expect(again.code).toBe(0);
  });
});

describe('cli: replay says why it did not reproduce', () => {
  it('the scenario file changed since the artifact was written', async () => {
    const dir = tempDir();
    const fixture = new URL('../fixtures/leaky-driver.ts', import.meta.url);
    const index = pathToFileURL(fileURLToPath(new URL('../../src/index.ts', import.meta.url)));
    const copy = join(dir, 'leaky-copy.ts');
    const source = readFileSync(fixture, 'utf8').replace("from 'wsksim'", `from '${index.href}'`);
    writeFileSync(copy, source);
    // As a user's scenario outside a package needs to load as ESM under `wsksim` (tsx): the
    // campaign's worker threads load it so.
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const fuzzed = await cli(['fuzz', copy, '--runs', '2', '--strategy', 'random', '--out', dir]);
    expect(groupLines(fuzzed.out)).toHaveLength(1);
    const file = groupLines(fuzzed.out)[0]?.[4] as string;
    const before = readJson(file).scenario.sha256;
    writeFileSync(copy, `${source}// edited\n`);
    const { code, out } = await cli(['replay', file]);
    expect(code).toBe(1);
    expect(out).toMatch(
      new RegExp(
        `^not reproduced: scenario changed since the artifact was written: ` +
          `sha256 ${before} now [0-9a-f]{64}\\n$`,
      ),
    );
  });

  it('a tape that diverges names the entry and both labels; a wrong hash names both', async () => {
    const dir = tempDir();
    await cli(['fuzz', 'inspect-abort-race', '--runs', '3', '--strategy', 'random', '--out', dir]);
    const file = join(dir, artifactsIn(dir)[0] as string);
    const artifact = readJson(file) as { tape: { label: string }[]; traceHash: string };
    const label = artifact.tape[0]?.label;
    artifact.tape[0] = { ...artifact.tape[0], label: 'a label never drawn' };
    writeFileSync(file, JSON.stringify(artifact));
    const diverged = await cli(['replay', file]);
    expect(diverged.code).toBe(1);
    expect(diverged.out).toContain(
      `not reproduced: tape diverged at entry 0: the tape has 'a label never drawn', ` +
        `the run asked for '${label}'`,
    );
    artifact.tape[0] = { ...artifact.tape[0], label: label as string };
    writeFileSync(file, JSON.stringify({ ...artifact, traceHash: '0123456789abcdef' }));
    const other = await cli(['replay', file]);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(
      /not reproduced: trace hash [0-9a-f]+, the artifact recorded 0123456789abcdef\n$/,
    );
  });
});

describe('cli: malformed artifacts are refused in one line (exit 2)', () => {
  it('names the file and the field', async () => {
    const dir = tempDir();
    await cli(['fuzz', 'inspect-abort-race', '--runs', '3', '--strategy', 'random', '--out', dir]);
    const good = readJson(join(dir, artifactsIn(dir)[0] as string));
    const cases: [string, string, RegExp][] = [
      ['not-json.json', '{ nope', /not a JSON artifact/],
      ['missing.json', JSON.stringify({ ...good, traceHash: undefined }), /field 'traceHash'/],
      ['schema.json', JSON.stringify({ ...good, schema: 2 }), /field 'schema': expected 1, got 2/],
      [
        'types.json',
        JSON.stringify({ ...good, tape: [{ label: 5, value: 0, isDefault: true }] }),
        /field 'tape\[0\]\.label': expected a string/,
      ],
      ['seed.json', JSON.stringify({ ...good, seed: 'one' }), /field 'seed'/],
      [
        'foreign.json',
        JSON.stringify({ ...good, options: { warpDrive: true } }),
        /field 'options\.warpDrive'/,
      ],
    ];
    for (const [name, text, reason] of cases) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const { code, out, err } = await cli(['replay', file]);
      expect([code, out]).toEqual([2, '']);
      expect(err.split('\n').filter((line) => line !== '')).toHaveLength(1);
      expect(err).toContain(`wsksim: ${file}: `);
      expect(err).toMatch(reason);
    }
  });
});

describe('cli: run --record and run --replay', () => {
  it('the tape file carries scenario and seed; the replay says what it replayed', async () => {
    const dir = tempDir();
    const tape = join(dir, 'tape.json');
    const recorded = await cli(['run', 'showcase', '--seed', '7', '--record', tape]);
    const hash = /trace hash (\w+)/.exec(recorded.out)?.[1];
    const written = readJson(tape);
    expect(written).toMatchObject({
      scenario: { name: 'showcase', path: expect.stringMatching(/showcase\.ts$/) },
      seed: 7,
    });
    expect(written.scenario.sha256).toMatch(/^[0-9a-f]{64}$/);
    const replayed = await cli(['run', 'showcase', '--replay', tape]);
    expect(replayed.out).toMatch(
      new RegExp(`^scenario showcase {2}replayed ${tape} {2}passed\\n.*trace hash ${hash}\\n`),
    );
    expect(replayed.out).not.toContain('seed 1');
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ tape: written.tape }));
    const fromOld = await cli(['run', 'showcase', '--seed', '7', '--replay', old]);
    expect(fromOld.out).toContain(`replayed ${old}  passed`);
    expect(fromOld.out).toContain(`trace hash ${hash}`);
  });
});

describe('cli: artifacts of a portfolio campaign', () => {
  it('a run the portfolio gave coverage (a mutant of an earlier run) replays to its hash', async () => {
    const dir = tempDir();
    const leak = fileURLToPath(new URL('../fixtures/retry-leak.ts', import.meta.url));
    const { out } = await cli(['fuzz', leak, '--runs', '400', '--out', dir]);
    const groups = groupLines(out);
    expect(groups.length).toBeGreaterThan(0);
    expect(groups[0]?.[3]).toMatch(/\[portfolio\/[a-z]+: /);
    for (const group of groups) {
      const artifact = readJson(group[4] as string);
      expect(artifact['strategy']).toEqual({ name: 'portfolio', params: {} });
      const again = await cli(['replay', group[4] as string]);
      expect(again.out).toContain(`reproduced: trace hash ${artifact.traceHash}, as recorded\n`);
    }
  });
});

describe('cli: artifacts keep the knobs of the campaign', () => {
  it('--set and --same-instant go into options and the replay reproduces under them', async () => {
    const dir = tempDir();
    await cli([
      'fuzz', 'inspect-abort-race', '--runs', '2', '--strategy', 'random', '--same-instant',
      '--set', 'kernel.server.wskProviderReadyAt=400s', '--out', dir,
    ]);
    const file = join(dir, artifactsIn(dir)[0] as string);
    const artifact = readJson(file);
    expect(artifact.options).toEqual({
      kernel: { server: { wskProviderReadyAt: '400s' } },
      sameInstantChoice: true,
    });
    expect((await cli(['replay', file])).code).toBe(0);
    // Another wsksim's artifact that does not reproduce: the versions are named.
    writeFileSync(file, JSON.stringify({ ...artifact, wsksimVersion: '0.0.1', traceHash: 'ff' }));
    const other = await cli(['replay', file]);
    expect(other.out).toMatch(/the artifact was written by wsksim 0\.0\.1, this is \d+\.\d+\.\d+\)\n$/);
  });
});
