/**
 * The CLI's edges: `--version`, `help <command>` and `<command> --help`, output paths refused
 * before anything runs (exit 2, naming the flag and the path), and the exit code of an internal
 * error (70), kept apart from a failure found (1) and a usage error (2).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { checkOutputDir, checkOutputFile } from '../../src/cli/output-paths.ts';
import { cli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsksim-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('cli: version and help', () => {
  it('--version prints the package version', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: `wsksim ${VERSION}\n`, err: '' });
  });

  it('`run --help` and `help run` print run\'s part of the usage, and nothing runs', async () => {
    const a = await cli(['run', '--help']);
    const b = await cli(['help', 'run']);
    expect(a).toEqual(b);
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^usage:\n {2}wsksim run <scenario\|file\.ts> /);
    expect(a.out).toContain('--pcap FILE');
    expect(a.out).not.toContain('wsksim fuzz');
  });

  it('an unknown command asked for help is a usage error', async () => {
    const { code, err } = await cli(['help', 'frobnicate']);
    expect([code, err]).toEqual([2, "wsksim: unknown command 'frobnicate'\nrun 'wsksim help' for usage\n"]);
  });

  it('the full usage ends with the table of exit codes', async () => {
    const { out } = await cli(['help']);
    expect(out).toMatch(/\nexit codes:\n {2}0 {4}passed/);
    for (const code of ['1', '2', '70', '130']) expect(out).toMatch(new RegExp(`\\n {2}${code} +\\S`));
  });
});

describe('cli: output paths are checked before the command starts', () => {
  it('a file in a directory that does not exist, a directory given as a file, a file given as a directory', () => {
    expect(() => checkOutputFile('pcap', join(dir, 'nope', 'x.pcap'))).toThrow(`--pcap ${join(dir, 'nope', 'x.pcap')}: directory ${join(dir, 'nope')} does not exist`);
    expect(() => checkOutputFile('record', dir)).toThrow(`--record ${dir}: is a directory, not a file`);
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    expect(() => checkOutputDir('out', file)).toThrow(`--out ${file}: is a file, not a directory`);
    expect(() => checkOutputDir('out', join(file, 'below'))).toThrow(`--out ${join(file, 'below')}: ${file} is a file, not a directory`);
    expect(() => checkOutputDir('out', join(dir, 'new', 'deeper'))).not.toThrow();
    expect(() => checkOutputFile('pcap', join(dir, 'x.pcap'))).not.toThrow();
  });

  it('a directory without write permission is refused (unless run as root, who may write anywhere)', () => {
    const locked = join(dir, 'locked');
    rmSync(locked, { force: true, recursive: true });
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    const root = process.getuid?.() === 0;
    const attempt = () => checkOutputDir('out', join(locked, 'findings'));
    if (root) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(`--out ${join(locked, 'findings')}: not writable (${locked})`);
    chmodSync(locked, 0o700);
  });

  it('`wsksim shrink --out` to a place that cannot be written: exit 2 before reading the artifact', async () => {
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    const { code, err } = await cli(['shrink', join(dir, 'missing.json'), '--out', file]);
    expect([code, err.split('\n')[0]]).toEqual([2, `wsksim: --out ${file}: is a file, not a directory`]);
  });
});

describe('cli: every command checks its output paths first', () => {
  it('test --out and --junit, fuzz --out and --result, merge --json: exit 2 naming flag and path', async () => {
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    const cases: [string[], string][] = [
      [['test', 'scenarios', '--no-fuzz', '--out', file], `--out ${file}: is a file, not a directory`],
      [['test', 'scenarios', '--no-fuzz', '--junit', dir], `--junit ${dir}: is a directory, not a file`],
      [['fuzz', 'showcase', '--out', join(file, 'x')], `--out ${join(file, 'x')}: ${file} is a file, not a directory`],
      [['fuzz', 'showcase', '--result', join(dir, 'none', 'r.json')], `--result ${join(dir, 'none', 'r.json')}: directory ${join(dir, 'none')} does not exist`],
      [['merge', 'r.json', '--json', dir], `--json ${dir}: is a directory, not a file`],
    ];
    for (const [argv, message] of cases) {
      const { code, out, err } = await cli(argv);
      expect([code, out, err.split('\n')[0]]).toEqual([2, '', `wsksim: ${message}`]);
    }
  });
});

describe('cli: exit codes apart', () => {
  it('an internal error exits 70 with its stack, not 1 (a failure found) or 2 (usage)', async () => {
    let err = '';
    const code = await main(['list'], () => { throw new Error('the terminal went away'); }, (t) => void (err += t));
    expect(code).toBe(70);
    expect(err).toMatch(/^wsksim: internal error \(a bug in wsksim; please report it with this text\):\nError: the terminal went away\n {4}at /);
  });
});
