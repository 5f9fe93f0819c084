/**
 * `wsksim shrink <artifact>`: inspect-abort-race's first finding shrinks to one non-default
 * decision (the delay past the 30 s pend lifetime), the shrunk artifact replays to its own hash,
 * shrinking is deterministic, and a malformed artifact is refused naming the field (exit 2).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wsksim-shrink-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface TapeEntry {
  readonly label: string;
  readonly value: number | null;
  readonly isDefault: boolean;
}

/** The artifact of the first group of a 12-seed fuzz of inspect-abort-race. */
async function finding(): Promise<string> {
  const dir = tempDir();
  await cli(['fuzz', 'inspect-abort-race', '--runs', '12', '--strategy', 'random', '--out', dir]);
  const [file] = readdirSync(dir);
  return join(dir, file as string);
}

describe('cli: wsksim shrink', () => {
  it('cuts inspect-abort-race to the one delay past the lifetime; the result replays', async () => {
    const artifact = await finding();
    const out = tempDir();
    const shrunk = await cli(['shrink', artifact, '--out', out]);
    expect(shrunk.code).toBe(0);
    expect(shrunk.out).toContain('signature: violation POOL-USE-AFTER-FREE at scenarios/inspect-abort-race.ts:');
    expect(shrunk.out).toMatch(/\nnon-default entries: \d+ → 1\n/);
    expect(shrunk.out).toMatch(/\ncandidates: \d+ runs in [\d.]+ s \(ended: fixpoint\)\n/);
    const [name] = readdirSync(out);
    expect(name).toMatch(/^inspect-abort-race-[0-9a-f]{10}-shrunk\.json$/);
    const path = join(out, name as string);
    const tape = (JSON.parse(readFileSync(path, 'utf8')) as { tape: TapeEntry[] }).tape;
    const chosen = tape.filter((entry) => !entry.isDefault);
    expect(chosen).toEqual([{ label: 'decision delay ms', value: 30_001, isDefault: false }]);
    const replay = await cli(['replay', path]);
    expect([replay.code, replay.out.trimEnd().split('\n').at(-1)]).toEqual([0, expect.stringMatching(/^reproduced/)]);
    // Deterministic: the same artifact shrinks to the same tape.
    const again = tempDir();
    await cli(['shrink', artifact, '--out', again]);
    const tapeOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { tape: unknown }).tape;
    expect(tapeOf(join(again, name as string))).toEqual(tape);
  });

  it('a budget bounds the candidates and keeps the best so far', async () => {
    const shrunk = await cli(['shrink', await finding(), '--out', tempDir(), '--budget', '5']);
    expect(shrunk.code).toBe(0);
    expect(shrunk.out).toMatch(/\ncandidates: 5 runs in [\d.]+ s \(ended: budget\)\n/);
  });

  it('a malformed artifact or flag is refused, exit 2', async () => {
    const bad = join(tempDir(), 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 1 }));
    const refused = await cli(['shrink', bad]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(new RegExp(`^wsksim: ${bad}: field '\\w+'`));
    expect((await cli(['shrink', bad, '--budget', '0'])).code).toBe(2);
  });
});

describe('cli: wsksim fuzz shrinks what it finds', () => {
  it("the first run of each group is shrunk beside its artifact; --no-shrink leaves it", async () => {
    const dir = tempDir();
    const fuzz = await cli(['fuzz', 'inspect-abort-race', '--runs', '12', '--strategy', 'random', '--out', dir]);
    expect(fuzz.out).toMatch(/\nshrunk: non-default entries \d+ → 1, tape entries \d+ → \d+ \(\d+ runs, fixpoint\)  \S+-shrunk\.json\n$/);
    expect(readdirSync(dir).sort()).toEqual([
      expect.stringMatching(/^inspect-abort-race-[0-9a-f]{10}-shrunk\.json$/),
      expect.stringMatching(/^inspect-abort-race-[0-9a-f]{10}\.json$/),
    ].sort((a, b) => String(a).localeCompare(String(b))));
    const plain = tempDir();
    const unshrunk = await cli(['fuzz', 'inspect-abort-race', '--runs', '12', '--strategy', 'random', '--out', plain, '--no-shrink']);
    expect(unshrunk.out).not.toContain('shrunk:');
    expect(readdirSync(plain)).toHaveLength(1);
  });
});
