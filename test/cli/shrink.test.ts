/**
 * `wsksim shrink <artifact>`: inspect-abort-race's first finding shrinks to one non-default
 * decision (the delay past the 30 s pend lifetime), the shrunk artifact replays to its own hash,
 * shrinking is deterministic, a malformed artifact is refused naming the field (exit 2), and
 * Ctrl-C stops a shrink keeping the best tape so far (exit 130).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { artifactsIn } from '../support/findings.ts';
import { tempDirs } from '../support/temp.ts';

const tempDir = tempDirs('wsksim-shrink-');

interface TapeEntry {
  readonly label: string;
  readonly value: number | null;
  readonly isDefault: boolean;
}

/** The artifact of the first group of a 12-seed fuzz of inspect-abort-race. */
async function finding(): Promise<string> {
  const dir = tempDir();
  await cli(['fuzz', 'inspect-abort-race', '--runs', '12', '--strategy', 'random', '--out', dir]);
  const [file] = artifactsIn(dir);
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
    const [name] = artifactsIn(out);
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

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SLOW = join(ROOT, 'test', 'fixtures', 'slow-shrink.ts');

/** Spawns `wsksim shrink`, sends SIGINT once it says it is shrinking; its exit code and output. */
function interruptedShrink(artifact: string, out: string): Promise<{ code: number; out: string }> {
  const argv = [join(ROOT, 'bin', 'wsksim.js'), 'shrink', artifact, '--out', out];
  const child = spawn(process.execPath, [...argv, '--budget', '1000000']);
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const started = text.includes('shrinking ');
    text += chunk.toString();
    if (!started && text.includes('shrinking ')) child.kill('SIGINT');
  });
  return new Promise((done) => child.on('close', (code) => done({ code: code ?? -1, out: text })));
}

describe('cli: wsksim shrink under Ctrl-C', () => {
  it('stops between candidate runs, writes the best tape so far and exits 130', async () => {
    const found = tempDir();
    await cli(['fuzz', SLOW, '--runs', '1', '--strategy', 'random', '--out', found, '--no-shrink']);
    const [file] = artifactsIn(found);
    const out = tempDir();
    const shrunk = await interruptedShrink(join(found, file as string), out);
    expect(shrunk.code).toBe(130);
    expect(shrunk.out).toMatch(/\ncandidates: \d+ runs in [\d.]+ s \(ended: SIGINT: best so far kept\)\n/);
    const [name] = artifactsIn(out);
    expect(name).toMatch(/^slow-shrink-[0-9a-f]{10}-shrunk\.json$/);
    const replay = await cli(['replay', join(out, name as string)]);
    expect([replay.code, replay.out.trimEnd().split('\n').at(-1)]).toEqual([0, expect.stringMatching(/^reproduced/)]);
  });
});

describe('cli: wsksim fuzz shrinks what it finds', () => {
  it("the first run of each group is shrunk beside its artifact; --no-shrink leaves it", async () => {
    const dir = tempDir();
    const fuzz = await cli(['fuzz', 'inspect-abort-race', '--runs', '12', '--strategy', 'random', '--out', dir]);
    expect(fuzz.out).toMatch(/\nshrunk: non-default entries \d+ → 1, tape entries \d+ → \d+ \(\d+ runs, fixpoint\)  \S+-shrunk\.json\n/);
    // The group's timeline, of its shrunk run, beside its artifact.
    expect(fuzz.out).toMatch(/\nwrote \S+\/inspect-abort-race-[0-9a-f]{10}\.html: the run's HTML timeline, \d+ trace records \(\d+ KiB\)\n$/);
    expect(artifactsIn(dir).sort()).toEqual([
      expect.stringMatching(/^inspect-abort-race-[0-9a-f]{10}-shrunk\.json$/),
      expect.stringMatching(/^inspect-abort-race-[0-9a-f]{10}\.json$/),
    ].sort((a, b) => String(a).localeCompare(String(b))));
    const plain = tempDir();
    const unshrunk = await cli(['fuzz', 'inspect-abort-race', '--runs', '12', '--strategy', 'random', '--out', plain, '--no-shrink']);
    expect(unshrunk.out).not.toContain('shrunk:');
    expect(artifactsIn(plain)).toHaveLength(1);
  });
});
