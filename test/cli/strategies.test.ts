/**
 * `wsksim fuzz --strategy coverage` and the default strategy, portfolio: what a campaign under
 * each prints, and the command that makes its first failure again.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

const TWO_DOORS = fileURLToPath(new URL('../fixtures/two-doors.ts', import.meta.url));
const RETRY_LEAK = fileURLToPath(new URL('../fixtures/retry-leak.ts', import.meta.url));

/** The command a fuzz report gives for making its first failure again. */
function replayOf(out: string): string[] {
  const line = /^replay: npx wsksim (.*)$/m.exec(out)?.[1] ?? '';
  return line.split(' ');
}

describe('cli: fuzz --strategy coverage', () => {
  it('reports its coverage, its corpus and the goals never reached, and replays its first failure', async () => {
    const { code, out } = await cli(['fuzz', TWO_DOORS, '--strategy', 'coverage', '--runs', '30']);
    expect(code).toBe(1);
    expect(out).toMatch(/^fuzz two-doors {2}strategy coverage {2}seeds 1–30 {2}\d+ passed, [1-9]\d* failed\n/);
    expect(out).toMatch(
      /^ {2}\d+ runs? {2}first seed \d+ {2}check: both doors open {2}\[mutant of run \d+: flip .*\] {2}\S+\.json$/m,
    );
    expect(out).toContain('coverage: 2 transitions reached by passing runs (2 points with hit counts)\n');
    expect(out).toMatch(/^coverage: corpus: 3 tapes; runs: /m);
    expect(out).toContain('coverage: goals never reached: a door that has no chance at all\n');
    expect(out).toContain('goals: 2 of 3 reached; never reached: a door that has no chance at all\n');
    const replay = replayOf(out);
    expect(replay.join(' ')).toMatch(
      new RegExp(`^fuzz ${TWO_DOORS} --seed 1 --runs \\d+ --bail --strategy coverage$`),
    );
    const again = await cli(replay);
    const firstSeed = (text: string) => /^ {2}\d+ runs? {2}first seed (\d+)/m.exec(text)?.[1];
    expect(again.code).toBe(1);
    expect(firstSeed(again.out)).toBe(firstSeed(out));
  });

  it('runs a shipped scenario by name', async () => {
    const { out } = await cli(['fuzz', 'connect-refused', '--strategy', 'coverage', '--runs', '5']);
    expect(out).toMatch(/^fuzz connect-refused {2}strategy coverage {2}seeds 1–5 {2}5 passed, 0 failed\n/);
    expect(out).toMatch(/^coverage: \d+ transitions reached by passing runs/m);
  });

  it('makes no single run: it depends on the campaign before it', async () => {
    const { code, err } = await cli(['run', TWO_DOORS, '--strategy', 'coverage', '--seed', '3']);
    expect(code).toBe(2);
    expect(err).toContain("a coverage run depends on the campaign's earlier runs");
  });
});

describe('cli: fuzz under the default strategy', () => {
  it('is portfolio: its members take turns, and the replay names it', async () => {
    const { code, out } = await cli(['fuzz', RETRY_LEAK, '--runs', '400']);
    expect(code).toBe(1);
    expect(out).toMatch(/^fuzz retry-leak {2}strategy portfolio {2}seeds 1–400 /);
    expect(out).toMatch(
      /^ {2}\d+ runs? {2}first seed \d+ {2}\w+ WSK-NOT-DEREGISTERED.* {2}\[portfolio\/[a-z]+: .*\] {2}\S+\.json$/m,
    );
    expect(out).toMatch(/^portfolio: random: \d+ runs, 0 failed$/m);
    expect(out).toMatch(/^portfolio: coverage: \d+ transitions reached/m);
    expect(replayOf(out).join(' ')).toMatch(/ --bail --strategy portfolio$/);
  });
});
