/**
 * `--html FILE` on `wsksim run`, `replay` and `shrink`: the page is written and its path printed;
 * an unwritable path is refused before the run (exit 2); the run is the same run as without the
 * flag (same trace hash, same summary); the shrunk run's page marks exactly the choice the shrunk
 * tape needs to fail (inspect-abort-race: the decision delay past the 30 s pend lifetime).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { artifactsIn } from '../support/findings.ts';
import { tempDirs } from '../support/temp.ts';
import { pageChoices, pageMarkup, pageRecordCount } from '../support/timeline-page.ts';

const tempDir = tempDirs('wsksim-html-');

/** The opening tags of the page's marks of `kind` (those drawn in Node: not segments, choices). */
function marks(html: string, kind: string): string[] {
  const markup = pageMarkup(html);
  return markup.match(new RegExp(`<a [^>]*class="mark [^>]*data-kind="${kind}"[^>]*>`, 'g')) ?? [];
}

describe('cli: --html', () => {
  it('run writes the page of the run it made, the same run as without the flag', async () => {
    const dir = tempDir();
    const page = join(dir, 'race.html');
    const plain = await cli(['run', 'inspect-abort-race', '--seed', '1']);
    const drawn = await cli(['run', 'inspect-abort-race', '--seed', '1', '--html', page]);
    expect(drawn.code).toBe(1);
    const line = `wrote ${page}: the run's HTML timeline, 302 trace records (`;
    const at = drawn.out.indexOf(line);
    expect(at).toBe(0);
    expect(drawn.out.slice(drawn.out.indexOf('\n') + 1)).toBe(plain.out);
    const html = readFileSync(page, 'utf8');
    const hash = /trace hash ([0-9a-f]{16})/.exec(plain.out)?.[1];
    expect(html).toContain(`trace hash ${hash}`);
    expect(marks(html, 'violation')).toHaveLength(1);
  });

  it('without --seed draws the first declared seed; --trace still prints only when asked', async () => {
    const page = join(tempDir(), 'echo.html');
    const drawn = await cli(['run', 'echo-server', '--html', page]);
    expect(drawn.code).toBe(0);
    expect(drawn.out).toMatch(/\nscenario echo-server {2}seed 1 {2}passed\n/);
    expect(drawn.out).not.toContain('net.packet');
    expect(readFileSync(page, 'utf8')).toContain('data-seed="1"');
  });

  it('writes the page beside the other report files of the same run', async () => {
    const dir = tempDir();
    const page = join(dir, 'loss.html');
    const trace = join(dir, 'loss.jsonl');
    const both = await cli(['run', 'transfer-under-loss', '--seed', '1', '--html', page,
      '--trace-json', trace]);
    expect(both.code).toBe(0);
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    expect(both.out).toContain(`wrote ${page}: the run's HTML timeline, ${lines.length} trace records`);
    const html = readFileSync(page, 'utf8');
    expect(pageRecordCount(html)).toBe(lines.length);
  });

  it('refuses a path that cannot be written before running', async () => {
    const missing = join(tempDir(), 'no-such-dir', 'x.html');
    const refused = await cli(['run', 'inspect-abort-race', '--seed', '1', '--html', missing]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`--html ${missing}: directory`);
    expect(refused.out).toBe('');
    const replay = await cli(['replay', 'nothing.json', '--html', missing]);
    expect(replay.code).toBe(2);
  });

  it('replay and shrink draw the artifact’s run; the shrunk page marks the one choice it needs', async () => {
    const dir = tempDir();
    await cli(['fuzz', 'inspect-abort-race', '--runs', '12', '--strategy', 'random', '--out', dir,
      '--no-shrink']);
    const [name] = artifactsIn(dir);
    const artifact = join(dir, name as string);
    const replayPage = join(dir, 'replay.html');
    const replayed = await cli(['replay', artifact, '--html', replayPage]);
    expect(replayed.code).toBe(0);
    expect(replayed.out).toMatch(/^wrote \S+: the run's HTML timeline, \d+ trace records \(\d+ KiB\)\n/);
    expect(replayed.out).toMatch(/\nreproduced: trace hash [0-9a-f]{16}, as recorded\n$/);
    expect(marks(readFileSync(replayPage, 'utf8'), 'violation')).toHaveLength(1);
    const shrunkPage = join(dir, 'shrunk.html');
    const shrunk = await cli(['shrink', artifact, '--out', join(dir, 'out'), '--html', shrunkPage]);
    expect(shrunk.code).toBe(0);
    expect(shrunk.out).toContain(`wrote ${shrunkPage}: the run's HTML timeline, `);
    const html = readFileSync(shrunkPage, 'utf8');
    const chosen = pageChoices(html).filter((choice) => choice.value !== choice.min);
    expect(chosen.map((choice) => `${choice.label} = ${choice.value}`)).toEqual([
      'decision delay ms = 30001',
    ]);
    expect(marks(html, 'violation')).toHaveLength(1);
  });
});
