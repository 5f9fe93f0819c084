/**
 * The package as another repository gets it (issue 16): `npm pack` the checkout, install the
 * tarball into a fresh project outside it (under the system's temporary directory), and there run
 * the `wsksim` bin, the project's own `tsc` against the package's declarations and a vitest test
 * that imports the library. The project's scenario, tsconfig.json and test are copied verbatim
 * from the README ("Writing a scenario", "Using wsksim in your own repository"), so the README
 * is what is tested.
 *
 * The install reads npm's cache first (--prefer-offline): typescript and vitest at the versions
 * the checkout has installed, and wsksim's own dependencies, are there after `npm ci`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(join(CHECKOUT, 'README.md'), 'utf8');

interface Ran {
  readonly code: number | null;
  readonly out: string;
}

/**
 * Runs a command in `cwd` with the environment a user's shell would have: without the variables
 * of the `npm test` and the vitest this test runs under, which would steer the inner npm and
 * vitest.
 */
function run(cwd: string, command: string, args: readonly string[]): Ran {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|VITEST|TEST$|NODE_ENV$|NODE_OPTIONS$)/.test(key)) env[key] = value;
  }
  // `npm test` put the checkout's node_modules/.bin on the PATH; a user's shell has not.
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => !/node_modules[\\/]\.bin|node-gyp-bin/.test(dir))
    .join(delimiter);
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  // The inner vitest colours nothing on a pipe unless FORCE_COLOR says so; drop colour codes.
  const out = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  return { code: result.status, out };
}

/** The body of the first ```<lang> block after the README heading `heading`. */
function readmeBlock(heading: string, lang: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no heading '${heading}'`);
  const open = README.indexOf(`\n\`\`\`${lang}\n`, start);
  const close = README.indexOf('\n```\n', open + 1);
  if (open < 0 || close < 0) throw new Error(`no \`\`\`${lang} block after '${heading}'`);
  return README.slice(open + lang.length + 5, close + 1);
}

function installedVersion(name: string): string {
  const manifest = join(CHECKOUT, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

const USING = '## Using wsksim in your own repository';

describe('the package: npm pack, installed into a project outside the checkout', () => {
  let root = '';
  let project = '';
  let packed: string[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'wsksim-package-'));
    const pack = run(CHECKOUT, 'npm', ['pack', '--json', '--pack-destination', root]);
    expect(pack.code, pack.out).toBe(0);
    const json = pack.out.slice(pack.out.indexOf('['), pack.out.lastIndexOf(']') + 1);
    const [entry] = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
    if (entry === undefined) throw new Error(`npm pack printed no package:\n${pack.out}`);
    packed = entry.files.map((file) => file.path);

    project = join(root, 'project');
    mkdirSync(project);
    const manifest = { name: 'wsksim-user', private: true, type: 'module' };
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const install = run(project, 'npm', [
      'install',
      '--save-dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(root, entry.filename),
      `typescript@${installedVersion('typescript')}`,
      `vitest@${installedVersion('vitest')}`,
    ]);
    expect(install.code, install.out).toBe(0);
    writeFileSync(join(project, 'my-scenario.ts'), readmeBlock('## Writing a scenario', 'ts'));
    writeFileSync(join(project, 'tsconfig.json'), readmeBlock(USING, 'json'));
    writeFileSync(join(project, 'my-scenario.test.ts'), readmeBlock(USING, 'ts'));
  }, 180_000);

  afterAll(() => {
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  it('ships compiled code with declarations, the bin, scenarios, C headers and docs; no tests or benches', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'bin/wsksim.js',
        'bin/hooks.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cli/main.js',
        'scenarios/showcase.ts',
        'scenarios/support/driver.ts',
        'c/include/wsk.h',
        'c/runtime/wsk-dispatch.c',
        'docs/model.md',
      ]),
    );
    const stray = packed.filter((path) => /^(test|bench|src|\.ci)\/|^tsconfig|^vitest/.test(path));
    expect(stray).toEqual([]);
    expect(packed.filter((path) => path.endsWith('.d.ts')).length).toBeGreaterThan(50);
  });

  // The commands a user runs in the project; `npx --no` never fetches a 'wsksim' from the
  // registry, it runs the installed bin or fails.
  it("`npx wsksim run` runs the README's scenario, which imports from 'wsksim'", () => {
    const { code, out } = run(project, 'npx', ['--no', 'wsksim', 'run', 'my-scenario.ts']);
    expect(out).toMatch(/^scenario partition-heals {2}seed 1 {2}passed$/m);
    expect(code).toBe(0);
  });

  it('`npx wsksim fuzz` runs a campaign on it', () => {
    const args = ['--no', 'wsksim', 'fuzz', 'my-scenario.ts', '--runs', '12', '--no-shrink'];
    const { code, out } = run(project, 'npx', args);
    expect(out).toMatch(/^fuzz partition-heals {2}strategy portfolio {2}seeds 1–12 {2}12 passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('`npx wsksim test` tests it with its seeds and a campaign, and writes JUnit XML', () => {
    const args = ['--no', 'wsksim', 'test', 'my-scenario.ts', '--fuzz-runs', '5', '--junit', 'out.xml'];
    const { code, out } = run(project, 'npx', args);
    expect(out).toMatch(/partition-heals/);
    expect(code).toBe(0);
    const xml = readFileSync(join(project, 'out.xml'), 'utf8');
    expect(xml).toMatch(/<testsuite name="partition-heals"[^>]* failures="0"/);
  });

  it('the shipped scenarios run by name from the installed package', () => {
    const list = run(project, 'npx', ['--no', 'wsksim', 'list']);
    expect(list.out.split('\n')).toEqual(expect.arrayContaining(['showcase', 'accept-event']));
    const { code, out } = run(project, 'npx', ['--no', 'wsksim', 'run', 'accept-event']);
    expect(out).toMatch(/^scenario accept-event {2}seed \d+ {2}passed$/m);
    expect(code).toBe(0);
  });

  it("the project's own tsc checks its scenario and test against wsksim's declarations", () => {
    const clean = run(project, 'npx', ['--no', '--', 'tsc', '--noEmit']);
    expect(clean.out).toBe('');
    expect(clean.code).toBe(0);
    // The declarations are read, not waved through: a wrong option is an error.
    const wrong = "import { defineScenario } from 'wsksim';\n" +
      "export default defineScenario({ name: 1, build() { return {}; } });\n";
    writeFileSync(join(project, 'wrong.ts'), wrong);
    const caught = run(project, 'npx', ['--no', '--', 'tsc', '--noEmit']);
    rmSync(join(project, 'wrong.ts'));
    expect(caught.out).toMatch(/^wrong\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/m);
    expect(caught.code).not.toBe(0);
  });

  it("a vitest test in the project uses the library's helpers on the scenario", () => {
    const { code, out } = run(project, 'npx', ['--no', 'vitest', 'run']);
    expect(out).toMatch(/Tests\s+2 passed \(2\)/);
    expect(code).toBe(0);
  });
});

describe("the checkout's bin on a scenario file outside the checkout", () => {
  let outside = '';
  afterAll(() => {
    if (outside !== '') rmSync(outside, { recursive: true, force: true });
  });

  it("resolves 'wsksim' to the checkout and loads the file as an ES module, with no package.json", () => {
    outside = mkdtempSync(join(tmpdir(), 'wsksim-outside-'));
    const file = join(outside, 'my.ts');
    writeFileSync(file, readmeBlock('## Writing a scenario', 'ts'));
    const { code, out } = run(outside, process.execPath, [join(CHECKOUT, 'bin', 'wsksim.js'), 'run', file]);
    expect(out).toMatch(/^scenario partition-heals {2}seed 1 {2}passed$/m);
    expect(code).toBe(0);
  });
});
