/**
 * The `pct` strategy (src/explore/strategies/pct.ts, pct-scheduler.ts): races between hosts at
 * one instant that the canonical order never shows, found in a few runs; a depth-2 race found
 * with depth 2 and never with depth 1; the same campaign twice gives the same failures; the
 * change points are in each run's note; and `wsksim fuzz --strategy pct`.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../../src/explore/campaign.ts';
import { defineScenario } from '../../../src/explore/scenario.ts';
import { cli } from '../../support/cli.ts';

/**
 * Hosts a and b each set a timer due at every one of `instants` (a's first, so the canonical
 * order runs a's first); the check fails when at instant i b's ran first exactly when `bFirst[i]`.
 */
function race(name: string, bFirst: readonly boolean[]) {
  return defineScenario({
    name,
    description: 'pct.test.ts: two hosts whose timers fall due at the same instants',
    build: (sim) => {
      const order: string[][] = bFirst.map(() => []);
      const a = sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
      const b = sim.addHost({ name: 'b', ipv4: '10.0.0.2' });
      bFirst.forEach((_, i) => {
        const due = (i + 1) * 1_000_000;
        a.schedule(due, `a ${i}`, () => void (order[i] as string[]).push('a'));
        b.schedule(due, `b ${i}`, () => void (order[i] as string[]).push('b'));
      });
      return order;
    },
    check: (_run, order) => {
      const hit = order.every((names, i) => (names[0] === 'b') === bFirst[i]);
      if (hit) throw new Error(`the race: ${order.map((names) => names.join('')).join(' ')}`);
    },
  });
}

/** A bug of depth 1: b's timer before a's at one instant. */
const ONE = race('b-first', [true]);
/** A bug of depth 2: a's first at the first instant, then b's first at the second. */
const TWO = race('a-then-b', [false, true]);

describe('explore: pct', () => {
  it('finds in a few runs what random never finds: a race of two hosts at one instant', async () => {
    const random = await runCampaign(ONE, { strategy: 'random', runs: 30 });
    expect(random.failures).toEqual([]);
    const pct = await runCampaign(ONE, { strategy: 'pct', runs: 30 });
    expect(pct.failures.length).toBeGreaterThan(0);
    expect(pct.failures[0]?.run).toBeLessThan(5);
    expect(pct.failures[0]?.message).toBe('the race: ba');
  });

  it('finds a depth-2 race with depth 2, never with depth 1 (one priority order per run)', async () => {
    const shallow = await runCampaign(TWO, { strategy: 'pct', params: { depth: 1 }, runs: 40 });
    expect(shallow.failures).toEqual([]);
    expect(shallow.report).toEqual([
      'depth 1, k 2 (the most same-instant picks in a run), 40 runs, 2 distinct orderings',
    ]);
    const deep = await runCampaign(TWO, { strategy: 'pct', params: { depth: 2 }, runs: 40 });
    expect(deep.failures.length).toBeGreaterThan(0);
    expect(deep.failures[0]?.message).toBe('the race: ab ba');
    // The failing runs lowered a's chain after the first pick.
    for (const failure of deep.failures) {
      expect(failure.note).toBe('pct: depth 2, k 2, change points at picks 1');
    }
    expect(deep.report[0]).toMatch(/^depth 2, k 2 .*, 40 runs, [34] distinct orderings$/);
  });

  it('the same campaign twice gives the same failures, and each run notes its change points', async () => {
    const notes: string[] = [];
    const campaign = () =>
      runCampaign(TWO, {
        strategy: 'pct',
        runs: 12,
        seed: 7,
        onRun: (_result, plan) => void notes.push(plan.note),
      });
    const first = await campaign();
    const again = await campaign();
    expect(again.failures).toEqual(first.failures);
    expect(first.failures.length).toBeGreaterThan(0);
    // Before any run k is 50; then it is learned: 2 picks per run.
    expect(notes[0]).toMatch(/^pct: depth 3, k 50, change points at picks \d+, \d+$/);
    for (const note of notes.slice(1, 12)) {
      expect(note).toBe('pct: depth 3, k 2, change points at picks 1, 2');
    }
    expect(notes.slice(12)).toEqual(notes.slice(0, 12));
  });

  it('keeps the events of one chain in their canonical order', async () => {
    const seen = new Set<string>();
    const chains = defineScenario({
      name: 'chains',
      description: 'pct.test.ts: two timers of one host and one of another, at one instant',
      build: (sim) => {
        const order: string[] = [];
        const a = sim.addHost({ name: 'a', ipv4: '10.0.0.1' });
        const b = sim.addHost({ name: 'b', ipv4: '10.0.0.2' });
        a.schedule(1000, 'a1', () => void order.push('a1'));
        b.schedule(1000, 'b', () => void order.push('b'));
        a.schedule(1000, 'a2', () => void order.push('a2'));
        return order;
      },
      check: (_run, order) => void seen.add(order.join(' ')),
    });
    await runCampaign(chains, { strategy: 'pct', params: { depth: 1 }, runs: 20 });
    expect([...seen].sort()).toEqual(['a1 a2 b', 'b a1 a2']);
  });

  it('wsksim fuzz --strategy pct --depth 2 runs a campaign; --depth 0 is a usage error', async () => {
    const { code, out } = await cli([
      'fuzz', 'connect-refused', '--strategy', 'pct', '--depth', '2', '--runs', '3',
    ]);
    expect(out).toMatch(/^fuzz connect-refused {2}strategy pct {2}seeds 1–3 {2}3 passed, 0 failed$/m);
    expect(out).toMatch(/^pct: depth 2, k \d+ \(the most same-instant picks in a run\), 3 runs, \d distinct orderings$/m);
    expect(code).toBe(0);
    const bad = await cli(['fuzz', 'connect-refused', '--strategy', 'pct', '--depth', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--depth expects at least 1, got 0');
  });
});
