/**
 * A failing check still shows the verifier's end-of-run findings (runScenario, Failure.findings):
 * the settle phase runs after the check fails, and what it finds outstanding is attached, named by
 * its allocation line (the line marked `// leaked` below) from the re-run with sites.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../src/explore/scenario.ts';
import { NonPagedPoolNx } from '../../src/wsk/index.ts';

const FILE = 'test/explore/check-findings.test.ts';
const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const LEAK_LINE = `${FILE}:${SOURCE.findIndex((l) => l.endsWith('// leaked')) + 1}`;

function scenario(leaks: boolean) {
  return defineScenario({
    name: leaks ? 'check-fails-and-leaks' : 'check-fails-cleanly',
    description: 'a check that fails, over a driver that leaks or not',
    build(sim) {
      sim.addHost({ name: 'server', ipv4: '10.0.0.2' });
      sim.load('server', (k) => {
        const Block = k.ExAllocatePoolWithTag(NonPagedPoolNx, 48, 'Sess'); // leaked
        if (!leaks && Block !== null) k.ExFreePoolWithTag(Block, 'Sess');
      });
      return {};
    },
    check() {
      throw new Error('expected 3 connections, saw 2');
    },
    settle: '1s',
  });
}

describe('a failing check with the end-of-run findings', () => {
  it('keeps the check as the failure and attaches the leak report with its sites', async () => {
    const result = await runScenario(scenario(true), { seed: 1 });
    expect(result.failure?.kind).toBe('check');
    expect(result.failure?.message).toBe('expected 3 connections, saw 2');
    expect(result.failure?.details).toBeUndefined();
    expect(result.failure?.findings).toMatchObject({ rule: 'POOL-LEAKED', site: LEAK_LINE });
    expect(result.failure?.findings?.outstanding).toEqual([
      `POOL-LEAKED server: pool tag Sess, 48 bytes never freed (${LEAK_LINE})`,
    ]);
  });

  it('a driver that cleans up adds no findings', async () => {
    const result = await runScenario(scenario(false), { seed: 1 });
    expect(result.failure?.kind).toBe('check');
    expect(result.failure?.findings).toBeUndefined();
  });
});
