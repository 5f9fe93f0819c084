/**
 * `wsksim fuzz --jobs N` and `--run-timeout T`: a campaign on N worker threads prints the same
 * report and writes the same artifacts, byte for byte, as on one; a driver spinning in a
 * synchronous loop is reported as a hang naming its scenario, seed and strategy while the other
 * runs go on; wrong values are refused naming the flag with exit 2.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { artifactsIn } from '../support/findings.ts';
import { tempDirs } from '../support/temp.ts';

const BIN = fileURLToPath(new URL('../../bin/wsksim.js', import.meta.url));
const SPINNING = fileURLToPath(new URL('../fixtures/spinning-driver.ts', import.meta.url));

const tempDir = tempDirs('wsksim-jobs-');

/** `wsksim` in a child process, as a user runs it. */
function wsksim(argv: string[]): { code: number | null; out: string; err: string } {
  const child = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', timeout: 120_000 });
  return { code: child.status, out: child.stdout, err: child.stderr };
}

/**
 * A campaign's output without its periodic progress lines (`… N/M runs  R runs/s …`, written
 * every 5 s of wall clock when not on a terminal): how many a run gets depends on how busy the
 * machine is, not on --jobs. The rest, "new failure" lines included, is the campaign's own.
 */
function withoutProgress(run: ReturnType<typeof wsksim>): ReturnType<typeof wsksim> {
  const progress = /^fuzz \S+: \d+\/\d+ runs {2}.*\n/gm;
  return { ...run, err: run.err.replace(progress, '') };
}

/** The files `dir` holds, by name, with their text. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    artifactsIn(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

describe('cli: fuzz --jobs', () => {
  for (const strategy of ['random', 'portfolio']) {
    it(`--jobs 2 gives --jobs 1's report and artifacts, byte for byte (${strategy})`, () => {
      const out = join(tempDir(), 'findings');
      const argv = ['fuzz', 'inspect-abort-race', '--strategy', strategy, '--runs', '80', '--out', out];
      const one = wsksim([...argv, '--jobs', '1']);
      const written = files(out);
      rmSync(out, { recursive: true });
      const two = wsksim([...argv, '--jobs', '2']);
      expect(one.code).toBe(0);
      expect(one.out).toMatch(new RegExp(`^fuzz inspect-abort-race {2}strategy ${strategy} `));
      expect(one.out).toContain('expect POOL-USE-AFTER-FREE: found on');
      // The artifacts and their shrunk forms.
      expect(Object.keys(written).length).toBeGreaterThanOrEqual(2);
      expect(withoutProgress(two)).toEqual(withoutProgress(one));
      expect(files(out)).toEqual(written);
    });
  }

  it('a driver spinning in a loop is reported as a hang, and the campaign goes on', () => {
    const out = join(tempDir(), 'findings');
    const { code, out: report } = wsksim([
      'fuzz', SPINNING, '--strategy', 'random', '--runs', '6', '--jobs', '2',
      '--run-timeout', '2s', '--out', out,
    ]);
    expect(code).toBe(1);
    // Seed 4 draws mood 3 and spins (of seeds 1–6); the five others pass, after it too.
    expect(report).toMatch(/^fuzz spinning-driver {2}strategy random {2}seeds 1–6 {2}5 passed, 1 failed\n/);
    expect(report).toMatch(/^ {2}1 run {2}first seed 4 {2}hang {2}\S+\.json$/m);
    expect(report).toContain(
      'failure: hang at 0.000000s: no result within 2s (--run-timeout): ' +
        'run 3 of scenario spinning-driver, seed 4, strategy random; its worker was stopped\n',
    );
    expect(report).toContain('(that run hangs: run and replay keep no watchdog');
    // Its artifact is written, and not shrunk (the shrinker keeps no watchdog).
    expect(artifactsIn(out)).toHaveLength(1);
    expect(report).not.toContain('shrunk');
  });

  it('two hangs in one campaign: each worker is replaced, the runs after them pass', () => {
    const { code, out: report } = wsksim([
      'fuzz', SPINNING, '--strategy', 'portfolio', '--runs', '12', '--jobs', '1',
      '--run-timeout', '1s', '--out', join(tempDir(), 'findings'), '--no-shrink',
    ]);
    expect(code).toBe(1);
    const header = /^fuzz spinning-driver .* (\d+) passed, (\d+) failed\n/.exec(report);
    expect(Number(header?.[2])).toBeGreaterThanOrEqual(2);
    expect(Number(header?.[1]) + Number(header?.[2])).toBe(12);
    // Every hang is one group, whatever its seed.
    const groups = report.split('\n').filter((line) => /^ {2}\d+ runs? {2}first seed/.test(line));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatch(new RegExp(`^ {2}${header?.[2]} runs {2}first seed \\d+ {2}hang {2}\\[`));
  });

  it('refuses --jobs 0, a --jobs that is no whole number and a --run-timeout that is no time', async () => {
    for (const jobs of ['0', '1.5', 'many']) {
      const { code, err } = await cli(['fuzz', 'accept-irp', '--jobs', jobs]);
      expect(code).toBe(2);
      expect(err).toContain('--jobs');
    }
    const { code, err } = await cli(['fuzz', 'accept-irp', '--run-timeout', 'soon']);
    expect(code).toBe(2);
    expect(err).toContain('--run-timeout');
  });
});
