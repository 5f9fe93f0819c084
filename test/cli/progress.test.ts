/**
 * The progress of a campaign (cli/progress.ts): the line's contents, and, off a terminal, a plain
 * line every 5 seconds and one at once for a failure of a new kind. The clock is the test's own.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CampaignProgress, progressLine } from '../../src/cli/progress.ts';
import type { ScenarioResult } from '../../src/explore/scenario.ts';

function sink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { stream, lines };
}

const passed = { seed: 1, status: 'passed' } as ScenarioResult;
const failed = (seed: number, rule: string) =>
  ({ seed, status: 'failed', failure: { kind: 'violation', details: { rule } } }) as unknown as ScenarioResult;

describe('progress', () => {
  it('the line: runs, rate, failures by rule, what the strategy measured, time left', () => {
    const line = progressLine({
      scenario: 'x',
      done: 300,
      total: 1000,
      seconds: 10,
      failures: new Map([['POOL-USE-AFTER-FREE', 12], ['hang', 1]]),
      measured: 'coverage 41 transitions',
    });
    expect(line).toBe('fuzz x: 300/1000 runs  30 runs/s  failures: POOL-USE-AFTER-FREE ×12, hang ×1  coverage 41 transitions  ~24 s left');
    expect(progressLine({ scenario: 'x', done: 0, total: 5, seconds: 0, failures: new Map(), measured: '', budget: 90 })).toBe(
      'fuzz x: 0/5 runs  0.0 runs/s  no failures  ~1 min 30 s left',
    );
  });

  it('off a terminal: a line every 5 s, and one at once for a new kind of failure', async () => {
    let now = 0;
    const { stream, lines } = sink();
    const progress = new CampaignProgress({ scenario: 'x', total: 100, live: false, now: () => now, stream, write: (t) => void stream.write(t) });
    for (let i = 0; i < 10; i++) {
      now += 1;
      progress.onRun(i === 3 || i === 4 ? failed(i + 1, 'R') : passed, () => 'm');
    }
    progress.done();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      'fuzz x: new failure: R (seed 4)',
      'fuzz x: 5/100 runs  1.0 runs/s  failures: R ×2  m  ~1 min 35 s left',
      'fuzz x: 10/100 runs  1.0 runs/s  failures: R ×2  m  ~1 min 30 s left',
    ]);
  });
});
