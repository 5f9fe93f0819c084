/**
 * Sharded campaigns (`wsksim fuzz --shard i/n --result FILE`, then `wsksim merge`): three shards,
 * each its own process as on three machines, merge into exactly the unsharded campaign for a
 * seed-only strategy (the same report, result, artifacts); a learning strategy's shards cover the
 * same seeds; results of different campaigns, a shard given twice or malformed files are refused
 * (exit 2), and a missing shard is said (exit 1).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseXml } from '../support/xml.ts';
import { artifactsIn } from '../support/findings.ts';

const BIN = fileURLToPath(new URL('../../bin/wsksim.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wsksim-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wsksim(args: string[]): { code: number; out: string; err: string } {
  const child = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: child.status ?? -1, out: child.stdout, err: child.stderr };
}

const FUZZ = ['fuzz', 'inspect-abort-race', '--runs', '30', '--no-shrink', '--jobs', '1'];

/** A result file read back, artifacts' paths and the writer's version left out. */
function campaignOf(file: string): unknown {
  const result = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    campaign: { groups: { artifact: string | null }[] };
  };
  const groups = result.campaign.groups.map((g) => ({ ...g, artifact: g.artifact !== null }));
  return { ...result, shard: null, campaign: { ...result.campaign, groups } };
}

/** An artifact's run: what replays it, not where it is. */
function runOf(path: string): unknown {
  const { tape, seed, traceHash, failure, options, strategy } = JSON.parse(readFileSync(path, 'utf8'));
  return { tape, seed, traceHash, failure, options, strategy };
}

describe('cli: wsksim merge of a sharded campaign', () => {
  it('random: three shards in three processes merge into the unsharded campaign', () => {
    const whole = wsksim([...FUZZ, '--strategy', 'random', '--out', 'all', '--result', 'all.json']);
    for (const i of [1, 2, 3]) {
      const shard = wsksim([...FUZZ, '--strategy', 'random', '--shard', `${i}/3`, '--out', `f${i}`, '--result', `r${i}.json`]);
      expect(shard.out).toMatch(new RegExp(`^fuzz inspect-abort-race {2}strategy random {2}shard ${i}/3 {2}seeds ${(i - 1) * 10 + 1}–${i * 10} `));
    }
    const merged = wsksim(['merge', 'r3.json', 'r1.json', 'r2.json', '--out', 'merged', '--json', 'merged.json', '--junit', 'merged.xml']);
    expect(merged.code).toBe(whole.code);
    const report = (text: string) => text.replace(/(all|merged)\//g, 'DIR/').split('\nwrote ')[0];
    expect(report(merged.out)).toBe(report(whole.out));
    expect(campaignOf('merged.json')).toEqual(campaignOf('all.json'));
    const names = artifactsIn(join(dir, 'all')).sort();
    expect(artifactsIn(join(dir, 'merged')).sort()).toEqual(names);
    for (const name of names) expect(runOf(join(dir, 'merged', name))).toEqual(runOf(join(dir, 'all', name)));
    // The copied artifacts replay from where they are now.
    const replayed = wsksim(['replay', join('merged', names[0] as string)]);
    expect([replayed.code, replayed.out.trimEnd().split('\n').at(-1)]).toEqual([0, expect.stringMatching(/^reproduced/)]);
    const xml = parseXml(readFileSync(join(dir, 'merged.xml'), 'utf8'));
    const cases = xml.children.flatMap((suite) => suite.children);
    expect(cases.map((c) => c.attributes['name'])).toEqual([expect.stringMatching(/^\d+ runs: violation POOL-USE-AFTER-FREE/), 'verdict']);
    expect(cases.every((c) => c.children.every((child) => child.name !== 'failure'))).toBe(true);
  });

  it('a learning strategy shards by seed: the shards together run the same seeds', () => {
    for (const i of [1, 2]) wsksim([...FUZZ, '--strategy', 'pct', '--shard', `${i}/2`, '--out', `p${i}`, '--result', `p${i}.json`]);
    const merged = wsksim(['merge', 'p1.json', 'p2.json']);
    expect(merged.out).toMatch(/^fuzz inspect-abort-race {2}strategy pct {2}seeds 1–30 {2}(\d+) passed, (\d+) failed\n/);
    const [, passed, failed] = /(\d+) passed, (\d+) failed/.exec(merged.out) as unknown as [string, string, string];
    expect(Number(passed) + Number(failed)).toBe(30);
    expect(merged.out).toMatch(/^pct: shard 1\/2: /m);
  });

  it('a missing shard is said and fails the merge; other campaigns, twice the same shard, a bad file: exit 2', () => {
    const partial = wsksim(['merge', 'r1.json', 'r3.json']);
    expect(partial.code).toBe(1);
    expect(partial.out).toContain('missing shards: 2/3: the campaign is not whole\n');
    expect(wsksim(['merge', 'r1.json', 'r1.json']).err).toBe("wsksim: shard 1/3 given twice\nrun 'wsksim help' for usage\n");
    expect(wsksim(['merge', 'r1.json', 'p2.json']).err).toMatch(/^wsksim: not one campaign: strategy pct and random\n/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ kind: 'wsksim-fuzz-result', schema: 1 }));
    const bad = wsksim(['merge', 'bad.json']);
    expect([bad.code, bad.err.split('\n')[0]]).toEqual([2, "wsksim: bad.json: field 'scenario': missing"]);
  });
});
