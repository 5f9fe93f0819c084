/**
 * A pool use-after-free names three sites (nt/pool.ts, FailureDetails.history): the allocation,
 * the free and the access, each with its virtual time. The access is caught with its line; the
 * allocation and free lines come from runScenario's re-run with sites recorded, as leaks' do.
 * scenarios/inspect-abort-race.ts frees a record in WskAbortEvent that its DPC still queues.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/load.ts';
import { runScenario } from '../../src/explore/scenario.ts';
import { Simulation } from '../../src/simulation.ts';

const FILE = 'scenarios/inspect-abort-race.ts';
const SOURCE = readFileSync(fileURLToPath(new URL(`../../${FILE}`, import.meta.url)), 'utf8')
  .split('\n');

/** The line of the first source line containing `text` after the one containing `after`. */
function lineOf(text: string, after = ''): string {
  const start = SOURCE.findIndex((line) => line.includes(after));
  const index = SOURCE.findIndex((line, i) => i >= start && line.includes(text));
  expect(index).toBeGreaterThanOrEqual(0);
  return `${FILE}:${index + 1}`;
}

describe('pool use-after-free: three sites', () => {
  it('names the allocation, the free and the access with their times', async () => {
    const scenario = await loadScenario('inspect-abort-race');
    const result = await runScenario(scenario, { seed: 1 });
    const details = result.failure?.details;
    expect(details?.rule).toBe('POOL-USE-AFTER-FREE');
    const allocated = lineOf('k.ExAllocatePoolWithTag<INSPECT_RECORD>');
    const freed = lineOf('k.ExFreePoolWithTag(Record', 'Forget the inspection');
    const accessed = lineOf('k.IoQueueWorkItem(Record.WorkItem');
    expect(details?.site).toBe(accessed);
    const block = /pool block #(\d+)/.exec(result.failure?.message ?? '')?.[1];
    expect(details?.history).toEqual([
      `allocated 0.105000s at ${allocated} (ExAllocatePoolWithTag, Insp, 64 bytes, ` +
        `pool block #${block})`,
      `freed 30.105000s at ${freed} (ExFreePoolWithTag)`,
      `accessed 32.185000s at ${accessed} (read after the free)`,
    ]);
  });

  it('a run without sites recorded still gives the times, the block and the access line', async () => {
    const scenario = await loadScenario('inspect-abort-race');
    const sim = new Simulation({ seed: 1 });
    scenario.build(sim);
    const outcome = await sim.run();
    const history = outcome.failure?.details?.history;
    expect(history?.[0]).toMatch(/^allocated 0\.105000s \(ExAllocatePoolWithTag, Insp, 64 bytes/);
    expect(history?.[1]).toBe('freed 30.105000s (ExFreePoolWithTag)');
    expect(history?.[2]).toContain(` at ${lineOf('k.IoQueueWorkItem(Record.WorkItem')} `);
  });
});
