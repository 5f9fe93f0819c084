/**
 * The systematic strategy (src/explore/strategies/systematic.ts): it finds the allocation sites,
 * fails each once and then the pairs a run can reach, names the site of a failure, keeps to the
 * fuzz space, ends when everything within the bound was tried, and runs alike twice.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignResult } from '../../../src/explore/campaign.ts';
import { CombinationCursor, setsOf } from '../../../src/explore/strategies/combinations.ts';
import { cli } from '../../support/cli.ts';
import { FIXTURE, siteOf, unchecked, uncheckedWithin } from './fixture.ts';

const systematic = (runs: number, faults?: number) => ({
  strategy: 'systematic' as const,
  runs,
  ...(faults !== undefined && { params: { faults } }),
});

function notes(result: CampaignResult): string[] {
  return result.failures.map((failure) => failure.note);
}

describe('explore: systematic strategy', () => {
  it('fails the unchecked allocation within (sites + 1) runs and names its site', async () => {
    // Four sites on the normal path: the first run finds them, then one run fails each.
    const result = await runCampaign(unchecked, systematic(5));
    expect(result.failures).toHaveLength(1);
    const [failure] = result.failures;
    expect(failure?.what).toBe('DRIVER-CRASH');
    expect(failure?.message).toBe(
      "driver crash in DriverEntry: TypeError: Cannot set properties of null (setting 'text')",
    );
    expect(failure?.note).toBe(`systematic: fail pool at ${siteOf('UNCHECKED')} (1st)`);
    expect(failure?.run).toBeLessThanOrEqual(4);
  });

  it('a site only a failure path meets joins the list, and the pair that reaches it fails', async () => {
    const result = await runCampaign(unchecked, systematic(100));
    expect(notes(result)).toEqual([
      `systematic: fail pool at ${siteOf('UNCHECKED')} (1st)`,
      `systematic: fail irp at ${siteOf('FIRST IRP')} (1st) and pool at ${siteOf('FALLBACK')} (1st)`,
    ]);
    expect(result.stopped).toBe('exhausted');
    expect(result.report).toEqual([
      'allocation sites found: 5 (irp 2, pool 3)',
      'single sites failed: 5 of 5',
      'pairs failed: 1 of 10; 9 skipped, never met together',
      'runs that did not reach every site they were to fail: 1',
      'complete: every set of up to 2 sites that runs met together was failed',
    ]);
  });

  it('--faults 1 fails single sites only, and the campaign ends when they are done', async () => {
    const result = await runCampaign(unchecked, systematic(100, 1));
    expect(result.runs).toBe(6);
    expect(result.stopped).toBe('exhausted');
    expect(notes(result)).toEqual([`systematic: fail pool at ${siteOf('UNCHECKED')} (1st)`]);
  });

  it('a kind the fuzz space sets false is never failed, nor a host outside its hosts', async () => {
    const noPool = await runCampaign(
      uncheckedWithin({ kernel: { poolAllocationFailure: false } }),
      systematic(100),
    );
    expect(noPool.failures).toEqual([]);
    expect(noPool.report[0]).toBe('allocation sites found: 2 (irp 2)');
    const elsewhere = await runCampaign(uncheckedWithin({ hosts: ['client'] }), systematic(100));
    expect(elsewhere.runs).toBe(1);
    expect(elsewhere.report[0]).toBe('allocation sites found: 0');
  });

  it('the same campaign twice gives the same failures', async () => {
    const first = await runCampaign(unchecked, systematic(100));
    const second = await runCampaign(unchecked, systematic(100));
    expect(second.failures).toEqual(first.failures);
    expect(second.report).toEqual(first.report);
  });

  it('wsksim fuzz --strategy systematic reports the site and how to make the run again', async () => {
    const { code, out } = await cli(['fuzz', FIXTURE, '--strategy', 'systematic', '--runs', '50']);
    expect(code).toBe(1);
    expect(out).toContain('stopped by systematic (its report below says why) after 7 of 50 runs');
    expect(out).toContain(`[systematic: fail pool at ${siteOf('UNCHECKED')} (1st)]`);
    expect(out).toContain('systematic: pairs failed: 1 of 10');
    expect(out).toContain(
      `replay: npx wsksim fuzz ${FIXTURE} --seed 1 --runs 4 --bail --strategy systematic\n`,
    );
    const again = await cli(['fuzz', FIXTURE, '--seed', '1', '--runs', '4', '--bail', '--strategy', 'systematic']);
    expect(again.code).toBe(1);
    expect(again.out).toContain(
      'first seed 4  driver-crash DRIVER-CRASH at test/fixtures/unchecked-allocation.ts:',
    );
  });
});

describe('explore: sets of sites in colex order', () => {
  it('hands out every set once, and a longer list only extends the order', () => {
    const cursor = new CombinationCursor(2);
    const taken: string[] = [];
    for (let set = cursor.next(3); set !== null; set = cursor.next(3)) taken.push(set.join(''));
    expect(taken).toEqual(['01', '02', '12']);
    for (let set = cursor.next(5); set !== null; set = cursor.next(5)) taken.push(set.join(''));
    expect(taken).toEqual(['01', '02', '12', '03', '13', '23', '04', '14', '24', '34']);
    expect(cursor.given).toBe(setsOf(5, 2));
  });

  it('counts the sets of k out of n', () => {
    expect([setsOf(5, 1), setsOf(5, 2), setsOf(5, 3), setsOf(2, 3), setsOf(30, 2)]).toEqual([5, 10, 10, 0, 435]);
  });
});
