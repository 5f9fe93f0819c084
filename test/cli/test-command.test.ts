/**
 * `wsksim test`: the shipped scenarios pass with a small fuzz budget and their JUnit XML, parsed,
 * has a suite per scenario and a case per declared seed, failing run and campaign, and an expect
 * case for each bug scenario; a fixture that fails on a declared seed fails its case with the
 * message, the replay command (which runs as printed) and the artifact, and exits 1; a support
 * module beside a scenario is skipped quietly; a module that fails to import fails naming it;
 * usage errors exit 2. The regression corpus: an artifact still failing fails the test, unless it
 * is its scenario's expect; fixed passes; changed and unreadable fail; a shrunk artifact stands in
 * for its original.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarioNames, loadScenario } from '../../src/cli/load.ts';
import { corpusFiles } from '../../src/cli/regression-corpus.ts';
import { cli } from '../support/cli.ts';
import { childrenNamed, parseXml, type XmlElement } from '../support/xml.ts';
import { tempDirs } from '../support/temp.ts';

const tempDir = tempDirs('wsksim-test-');

const FIXTURES = 'test/fixtures/test-command';
const FAILING = `${FIXTURES}/failing`;
const SEED_TWO = `${FAILING}/seed-two.ts`;

function junit(file: string): XmlElement {
  return parseXml(readFileSync(file, 'utf8'));
}

function cases(suite: XmlElement): XmlElement[] {
  return childrenNamed(suite, 'testcase');
}

function failureOf(testcase: XmlElement): XmlElement | undefined {
  return childrenNamed(testcase, 'failure')[0];
}

describe('cli: test', () => {
  it('the shipped scenarios pass; the JUnit XML has every suite, case and no failure', async () => {
    const dir = tempDir();
    const xml = join(dir, 'out.xml');
    const argv = ['test', 'scenarios', '--junit', xml, '--fuzz-runs', '5'];
    const { code, out } = await cli([...argv, '--out', join(dir, 'findings'), '--corpus', dir]);
    const count = listScenarioNames().length;
    expect(out).toMatch(new RegExp(`\\ntest: ${count} scenarios, ${count} passed, 0 failed; \\d+ cases, 0 failed; corpus .*: 0 artifacts, 0 failed\\n$`));
    expect(code).toBe(0);
    const root = junit(xml);
    expect(root.attributes.failures).toBe('0');
    const suites = childrenNamed(root, 'testsuite');
    const names = listScenarioNames();
    // The corpus suite comes last, empty: the folder holds no artifact.
    expect(suites.map((s) => s.attributes.name)).toEqual([...[...names].sort(byFile), 'corpus']);
    let total = 0;
    for (const suite of suites.slice(0, -1)) {
      const name = suite.attributes.name as string;
      const scenario = await loadScenario(name);
      expect(suite.attributes.file).toBe(`scenarios/${name}.ts`);
      expect(cases(suite).map((c) => c.attributes.name)).toEqual([
        ...scenario.seeds.map((seed) => `seed ${seed}`),
        ...(scenario.failingRuns ?? []).map((r) => `run ${r.strategy} seed ${r.seed}`),
        'fuzz (portfolio, 5 runs)',
        ...(scenario.expect === undefined ? [] : [`expect ${scenario.expect}`]),
      ]);
      expect(out).toContain(`PASS  ${name}  seeds ${scenario.seeds.length}/${scenario.seeds.length} ok`);
      for (const testcase of cases(suite)) expect(failureOf(testcase)).toBeUndefined();
      total += cases(suite).length;
    }
    expect(root.attributes.tests).toBe(`${total}`);
    expect(readdirSync(dir)).toEqual(['out.xml']);
  });

  it('a scenario failing on a declared seed: a failure with message, replay and artifact; exit 1', async () => {
    const dir = tempDir();
    const xml = join(dir, 'out.xml');
    const findings = join(dir, 'findings');
    const { code, out } = await cli(['test', FAILING, '--junit', xml, '--out', findings, '--corpus', dir]);
    expect(code).toBe(1);
    // The support module beside it is no scenario: skipped, quietly.
    expect(out.split('\n')[0]).toBe(`FAIL  seed-two  seeds 1/2 ok  fuzz portfolio 3 runs  ${SEED_TWO}`);
    const replay = `npx wsksim run ${SEED_TWO} --seed 2`;
    expect(out).toContain(`\nFAIL seed-two › seed 2\n  seed 2: check: seed 2 is even\n  replay: ${replay}\n`);
    expect(out).toMatch(/\ntest: 1 scenario, 0 passed, 1 failed; 3 cases, 2 failed; /);
    const [artifact] = readdirSync(findings);
    const path = join(findings, artifact as string);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ failure: { message: 'seed 2 is even' } });

    const root = junit(xml);
    expect(root.attributes).toMatchObject({ tests: '3', failures: '2' });
    const [suite] = childrenNamed(root, 'testsuite');
    expect(suite?.attributes).toMatchObject({ name: 'seed-two', tests: '3', failures: '2', file: SEED_TWO });
    const [seed1, seed2, fuzz] = cases(suite!);
    expect(failureOf(seed1!)).toBeUndefined();
    expect(failureOf(seed2!)?.attributes.message).toBe('seed 2: check: seed 2 is even');
    expect(failureOf(seed2!)?.text).toBe(`seed 2: check: seed 2 is even\nreplay: ${replay}\nartifact: ${path}`);
    expect(fuzz?.attributes.name).toBe('fuzz (portfolio, 3 runs)');
    expect(failureOf(fuzz!)?.text).toContain(`replay: npx wsksim replay ${path}\nartifact: ${path}`);

    // The replay command runs as printed (npx wsksim is bin/wsksim.js): the same failure.
    const again = await cli(replay.split(' ').slice(2));
    expect(again.code).toBe(1);
    expect(again.out).toContain('failure: check at 0.014000s: seed 2 is even\n');
  });

  it('a module that fails to import is a failure naming the file', async () => {
    const { code, out } = await cli(['test', `${FIXTURES}/broken`, '--corpus', tempDir()]);
    expect(code).toBe(1);
    expect(out).toContain(
      `FAIL ${FIXTURES}/broken/no-description.ts › import\n` +
        `  ${FIXTURES}/broken/no-description.ts failed to import: option ` +
        `'scenario 'no-description'.description': expected a string\n`,
    );
  });

  it('usage and configuration errors exit 2', async () => {
    const empty = tempDir();
    expect(await cli(['test', 'no/such/folder'])).toMatchObject({ code: 2, err: expect.stringContaining('no such file or folder: no/such/folder') });
    expect(await cli(['test', empty])).toMatchObject({ code: 2, err: expect.stringContaining(`no scenario found in ${empty}`) });
    expect(await cli(['test', `${FAILING}/support/packets.ts`])).toMatchObject({ code: 2, err: expect.stringContaining('default export is not a scenario') });
    expect(await cli(['test', FAILING, '--no-fuzz', '--fuzz-runs', '3'])).toMatchObject({ code: 2, err: expect.stringContaining('--no-fuzz cannot be used with --fuzz-runs') });
    expect(await cli(['test', FAILING, '--fuzz-time', 'soon'])).toMatchObject({ code: 2, err: expect.stringContaining('--fuzz-time') });
    expect(await cli(['test', FAILING, '--corpus', join(empty, 'nothing')])).toMatchObject({ code: 2, err: expect.stringContaining('--corpus: no such folder') });
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      expect(await cli(['test'])).toMatchObject({ code: 2, err: expect.stringContaining(`no 'scenarios' folder in ${process.cwd()}`) });
    } finally {
      process.chdir(cwd);
    }
  });

  it('--no-fuzz: no campaign case; the scenario line says so', async () => {
    const { code, out } = await cli(['test', 'scenarios/accept-irp.ts', '--no-fuzz', '--corpus', tempDir()]);
    expect(out).toContain('PASS  accept-irp  seeds 3/3 ok  no fuzzing  scenarios/accept-irp.ts\n');
    expect(out).toContain('test: 1 scenario, 1 passed, 0 failed; 3 cases, 0 failed; ');
    expect(code).toBe(0);
  });
});

describe('cli: test --corpus', () => {
  /** A corpus holding the artifact of seed-two's failing seed 2. */
  async function seedTwoCorpus(): Promise<{ dir: string; file: string }> {
    const dir = tempDir();
    await cli(['test', FAILING, '--no-fuzz', '--out', dir, '--corpus', tempDir()]);
    const [name] = readdirSync(dir);
    return { dir, file: join(dir, name as string) };
  }

  it('still failing: the same failure again fails the test', async () => {
    const { dir, file } = await seedTwoCorpus();
    const xml = join(tempDir(), 'out.xml');
    const { code, out } = await cli(['test', FAILING, '--no-fuzz', '--corpus', dir, '--out', tempDir(), '--junit', xml]);
    expect(code).toBe(1);
    expect(out).toContain(`FAIL  corpus  ${file}  still failing: check: seed # is even (reproduced)\n`);
    expect(out).toContain(`corpus ${dir}: 1 artifact (1 still failing), 1 failed\n`);
    const corpus = childrenNamed(junit(xml), 'testsuite').find((s) => s.attributes.name === 'corpus');
    const [testcase] = cases(corpus!);
    expect(testcase?.attributes.name).toBe(file);
    expect(failureOf(testcase!)?.text).toBe(
      `still failing: check: seed # is even (reproduced)\nreplay: npx wsksim replay ${file}\nartifact: ${file}`,
    );
  });

  it('fixed: the bug fixed, its artifact passes (its scenario found by name under test)', async () => {
    const { dir, file } = await seedTwoCorpus();
    // As in a corpus committed elsewhere: the scenario's recorded path is gone.
    const moved = readFileSync(file, 'utf8').replace(/"path": "[^"]*"/, '"path": "/elsewhere/seed-two.ts"');
    writeFileSync(file, moved);
    const { code, out } = await cli(['test', `${FIXTURES}/fixed`, '--no-fuzz', '--corpus', dir]);
    expect(out).toContain(`PASS  corpus  ${file}  fixed: passes now (replayed leniently: /elsewhere/seed-two.ts is gone: seed-two under test)\n`);
    expect(code).toBe(0);
  });

  it('changed: the run fails otherwise than the artifact recorded', async () => {
    const { dir, file } = await seedTwoCorpus();
    writeFileSync(file, readFileSync(file, 'utf8').replace('"seed 2 is even"', '"something else"'));
    const { code, out } = await cli(['test', FAILING, '--no-fuzz', '--corpus', dir, '--out', tempDir()]);
    expect(out).toContain(`FAIL  corpus  ${file}  changed: check: seed # is even, was check: something else (reproduced)\n`);
    expect(code).toBe(1);
  });

  it('unreadable: not an artifact fails, naming the field', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'junk.json'), '{"schema": 1}');
    const { code, out } = await cli(['test', `${FIXTURES}/fixed`, '--no-fuzz', '--corpus', dir]);
    expect(out).toContain(`FAIL  corpus  ${join(dir, 'junk.json')}  unreadable: field 'wsksimVersion': expected a string\n`);
    expect(code).toBe(1);
  });

  it("a bug scenario's artifact still fails as its expect says: it passes", async () => {
    const dir = tempDir();
    await cli(['fuzz', 'inspect-abort-race', '--runs', '10', '--out', dir, '--no-shrink']);
    const { code, out } = await cli(['test', 'scenarios/inspect-abort-race.ts', '--no-fuzz', '--corpus', dir]);
    expect(out).toMatch(/\nPASS {2}corpus {2}\S+ {2}still failing \(expected: POOL-USE-AFTER-FREE\): violation POOL-USE-AFTER-FREE at scenarios\/inspect-abort-race\.ts:\d+ \(reproduced\)\n/);
    expect(code).toBe(0);
  });

  it('a shrunk artifact stands in for the one it was shrunk from', () => {
    const dir = tempDir();
    for (const name of ['b.json', 'a.json', 'a-shrunk.json', 'notes.txt']) writeFileSync(join(dir, name), '{}');
    mkdirSync(join(dir, 'sub'));
    expect(corpusFiles(dir)).toEqual([join(dir, 'a-shrunk.json'), join(dir, 'b.json')]);
  });
});

/** Files in the order `wsksim test` finds them: by file name, so '-' sorts before '.'. */
function byFile(a: string, b: string): number {
  const [x, y] = [`${a}.ts`, `${b}.ts`];
  return x < y ? -1 : x > y ? 1 : 0;
}
