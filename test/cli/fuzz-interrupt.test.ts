/**
 * A campaign a person can stop: SIGINT (or SIGTERM) sent to `wsksim fuzz` once it has found a
 * failure stops it between runs; it writes the artifacts and its result, prints its report with
 * what stopped it, and exits 130 (143). Not on a terminal, it says at once when a run fails in a
 * new way (standard error), which is when the test sends the signal.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/wsksim.js', import.meta.url));
const SLOW = fileURLToPath(new URL('../fixtures/slow-bug.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wsksim-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Stopped {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs a long campaign and sends `signal` when standard error says it found a failure. */
function stopAfterFinding(signal: NodeJS.Signals, out: string): Promise<Stopped> {
  const args = [BIN, 'fuzz', SLOW, '--runs', '2000', '--strategy', 'random', '--jobs', '1'];
  const child = spawn(process.execPath, [...args, '--out', out, '--result', `${out}.json`], {
    env: { ...process.env, CI: 'true' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    const before = stderr;
    stderr += chunk.toString();
    if (!before.includes('new failure') && stderr.includes('new failure')) child.kill(signal);
  });
  return new Promise((done) => child.on('close', (code) => done({ code, out: stdout, err: stderr })));
}

describe('cli: wsksim fuzz stopped by a signal keeps what it found', () => {
  it('SIGINT after the first finding: report, artifact and result written, exit 130', async () => {
    const out = join(dir, 'int');
    const stopped = await stopAfterFinding('SIGINT', out);
    expect(stopped.err).toMatch(/^fuzz slow-bug: new failure: check \(seed 2\)$/m);
    expect(stopped.code).toBe(130);
    expect(stopped.out).toMatch(/^fuzz slow-bug {2}strategy random {2}seeds 1–\d+ {2}\d+ passed, \d+ failed {2}stopped by SIGINT after (\d+) of 2000 runs\n/);
    expect(stopped.out).toContain('stopped by SIGINT: what was found is above\n');
    const [artifact] = readdirSync(out);
    expect(artifact).toMatch(/^slow-bug-[0-9a-f]{10}\.json$/);
    expect(stopped.out).toContain(`  first seed 2  check: an even seed  ${join(out, artifact as string)}\n`);
    const result = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as { campaign: { stopped: string } };
    expect(result.campaign.stopped).toBe('by SIGINT');
  });

  it('SIGTERM likewise, exit 143', async () => {
    const out = join(dir, 'term');
    const stopped = await stopAfterFinding('SIGTERM', out);
    expect(stopped.code).toBe(143);
    expect(stopped.out).toContain('stopped by SIGTERM after');
    expect(existsSync(out) && readdirSync(out).length).toBe(1);
  });
});
