/**
 * `wsksim run` without `--seed` runs every seed the scenario declares, one summary each and a
 * closing tally, exit 1 when any fails; `--seed` runs one; what writes one run's file
 * (`--record`, `--pcap`) or log (`--choices`) takes the first declared seed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsksim-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function summaryLines(out: string): string[] {
  return out.split('\n').filter((line) => line.startsWith('scenario '));
}

describe('cli: run', () => {
  it('no --seed: every declared seed (accept-irp: 1, 2, 3), one summary each, a tally', async () => {
    const { code, out } = await cli(['run', 'accept-irp']);
    expect(summaryLines(out)).toEqual([
      'scenario accept-irp  seed 1  passed',
      'scenario accept-irp  seed 2  passed',
      'scenario accept-irp  seed 3  passed',
    ]);
    expect(out).toMatch(/\nseeds 1, 2, 3: 3 passed, 0 failed\n$/);
    expect(code).toBe(0);
  });

  it('no --seed on a bug scenario: exit 1, the failing seeds each with its replay command', async () => {
    const { code, out } = await cli(['run', 'inspect-abort-race']);
    expect(summaryLines(out)).toHaveLength(8);
    expect(out).toContain('replay: npx wsksim run inspect-abort-race --seed 1\n');
    expect(out).toMatch(/\nseeds 1, 2, 3, 4, 5, 6, 7, 8: \d passed, \d failed\n$/);
    expect(code).toBe(1);
  });

  it('--seed N: that seed alone, no tally', async () => {
    const { code, out } = await cli(['run', 'accept-irp', '--seed', '2']);
    expect(summaryLines(out)).toEqual(['scenario accept-irp  seed 2  passed']);
    expect(out).not.toContain('seeds ');
    expect(code).toBe(0);
  });

  it('--record without --seed: the first declared seed only (accept-event: 2)', async () => {
    const tape = join(dir, 'tape.json');
    const { code, out } = await cli(['run', 'accept-event', '--record', tape]);
    expect(summaryLines(out)).toEqual(['scenario accept-event  seed 2  passed']);
    expect(JSON.parse(readFileSync(tape, 'utf8'))).toMatchObject({ seed: 2 });
    expect(code).toBe(0);
  });

  it('--choices without --seed: the first declared seed only', async () => {
    const { out } = await cli(['run', 'accept-irp', '--choices']);
    expect(summaryLines(out)).toEqual(['scenario accept-irp  seed 1  passed']);
  });
});
