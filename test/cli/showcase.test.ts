/**
 * `wsksim showcase` (`npm start`): fuzzes inspect-abort-race until a run fails, shrinks it to the
 * one delay past the pend lifetime, writes the shrunk run's timeline and capture, and prints the
 * replay command, which reproduces the run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { pageMarkup } from '../support/timeline-page.ts';

const dir = mkdtempSync(join(tmpdir(), 'wsksim-showcase-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli: wsksim showcase', () => {
  it('finds the race, shrinks it to one choice, writes the timeline and the capture', async () => {
    const { code, out } = await cli(['showcase', '--out', dir]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^wsksim showcase: fuzzing inspect-abort-race \(/);
    expect(out).toMatch(/\nfound on run 1 \(seed 1\), at virtual time 32\.185000s: violation POOL-USE-AFTER-FREE at scenarios\/inspect-abort-race\.ts:\d+\n/);
    expect(out).toMatch(/\nshrunk in \d+ runs: \d+ non-default choices → 1 \(decision delay ms = 30001\), every other choice its default\n/);
    const html = join(dir, 'inspect-abort-race.html');
    expect(out).toContain(`\nwrote ${html}: the run's HTML timeline`);
    expect(pageMarkup(readFileSync(html, 'utf8'))).toContain('data-kind="violation"');
    expect(existsSync(join(dir, 'inspect-abort-race.pcapng'))).toBe(true);
    // It ends with the timeline's path and the command that replays the run.
    expect(lines.at(-2)).toBe(`timeline: ${html} (open it in a browser: the race on one time axis, the violation marked)`);
    const replay = /\nreplay: npx wsksim (replay \S+)\n$/.exec(out)?.[1]?.split(' ') ?? [];
    const again = await cli(replay);
    expect([again.code, again.out.trimEnd().split('\n').at(-1)]).toEqual([0, expect.stringMatching(/^reproduced/)]);
  });
});
