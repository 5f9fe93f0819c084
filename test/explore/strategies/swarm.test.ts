/**
 * The swarm strategy (src/explore/strategies/swarm.ts): a run's plan depends on its seed alone,
 * draws within the fuzz space, heads the run's tape with its draw (so the tape replays the run),
 * fails allocations only where the draw says, and a failure it finds is made again from the CLI
 * with `wsksim run --strategy swarm --seed N`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRequest, runCampaign, seedOnlyRun } from '../../../src/explore/campaign.ts';
import { resolveFuzzSpace, type FuzzSpace } from '../../../src/explore/fuzz-space.ts';
import { runScenario, type Scenario } from '../../../src/explore/scenario.ts';
import type { CampaignContext, RunPlan } from '../../../src/explore/strategy.ts';
import { makeStrategy } from '../../../src/explore/strategies/index.ts';
import { swarmDrawOf } from '../../../src/explore/strategies/swarm.ts';
import { ChoiceSource, type Choice, type Decider } from '../../../src/sim/index.ts';
import type { DrawnKnobs } from '../../../src/simulation.ts';
import { cli } from '../../support/cli.ts';
import { FIXTURE, siteOf, unchecked, uncheckedWithin } from './fixture.ts';

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

function context(fuzz?: FuzzSpace): CampaignContext {
  const scenario = (fuzz === undefined ? unchecked : uncheckedWithin(fuzz)) as Scenario<unknown>;
  return { scenario, seed: 1, runs: 1, space: resolveFuzzSpace(fuzz), params: {} };
}

/** The knobs the plan of run seed `seed` sets, as the run's start draws them. */
function knobsOf(seed: number, fuzz?: FuzzSpace): DrawnKnobs {
  const plan = seedOnlyRun(context(fuzz).scenario, 'swarm', seed);
  return plan.request.draw?.(new ChoiceSource({ seed })) ?? {};
}

/** An allocation fault point as the kernel offers it. */
function faultPoint(stream: string, label: string, site: string): Choice {
  return {
    stream, label, kind: 'chance', min: 0, max: 1, probability: 0, mean: NaN, candidates: null,
    fault: true, site: () => site, seeded: () => 0,
  };
}

describe('explore: swarm strategy', () => {
  it('the plan of seed N is the same when made twice, and seeds draw differently', () => {
    const notes = SEEDS.map((seed) => seedOnlyRun(unchecked, 'swarm', seed).note);
    expect(SEEDS.map((seed) => seedOnlyRun(unchecked, 'swarm', seed).note)).toEqual(notes);
    expect(SEEDS.map((seed) => knobsOf(seed))).toEqual(SEEDS.map((seed) => knobsOf(seed)));
    expect(new Set(notes).size).toBe(SEEDS.length);
    expect(notes[0]).toMatch(/^swarm: irp (off|[\d.]+%), pool (off|[\d.]+%), mdl .*completions /);
    // The campaign's run i is the plan of seed S + i.
    const strategy = makeStrategy('swarm', { ...context(), seed: 7 });
    expect((strategy.next(3) as RunPlan).note).toBe(seedOnlyRun(unchecked, 'swarm', 10).note);
  });

  it('each fault kind is on in some runs and off in others, and the report counts them', async () => {
    const result = await runCampaign(unchecked, { strategy: 'swarm', runs: 40 });
    const counted = result.report.map((line) => /in (\d+) of 40 runs$/.exec(line)?.[1]);
    expect(result.report.slice(0, 4)).toEqual([
      expect.stringMatching(/^irp allocation failures in \d+ of 40 runs$/),
      expect.stringMatching(/^pool allocation failures in/),
      expect.stringMatching(/^mdl allocation failures in/),
      expect.stringMatching(/^work item allocation failures in/),
    ]);
    for (const count of counted.slice(0, 4)) expect(Number(count)).toBeGreaterThan(8);
    for (const count of counted.slice(0, 4)) expect(Number(count)).toBeLessThan(32);
    expect(result.report).toContain(
      result.report.find((line) => /^completions: all inline \d+, all pended \d+, mixed \d+ of 40 runs$/.test(line)),
    );
  });

  it('keeps to the fuzz space: a knob set false never varies, bounds hold, links only when declared', () => {
    for (const seed of SEEDS) {
      const knobs = knobsOf(seed);
      expect(knobs.linkFaults).toBeUndefined();
      expect(Object.keys(knobs.kernelKnobs ?? {})).toEqual(['*']);
    }
    const fuzz: FuzzSpace = {
      hosts: ['server'],
      kernel: { pendingCompletions: false, passiveCallbacks: [0.25, 0.5] },
      links: { loss: [0.1, 0.2] },
    };
    const drawn = SEEDS.map((seed) => knobsOf(seed, fuzz));
    const passive = new Set<number>();
    for (const knobs of drawn) {
      expect(Object.keys(knobs.kernelKnobs ?? {})).toEqual(['server']);
      const server = knobs.kernelKnobs?.['server'] ?? {};
      expect(server).not.toHaveProperty('pendingCompletions');
      passive.add(server.passiveCallbacks as number);
      expect(Object.keys(knobs.linkFaults ?? {})).not.toContain('duplicate');
      const loss = knobs.linkFaults?.loss;
      if (loss !== undefined) expect(loss >= 0.1 && loss <= 0.2).toBe(true);
    }
    for (const value of passive) expect(value >= 0.25 && value <= 0.5).toBe(true);
    expect(passive.size).toBeGreaterThan(2);
    expect(drawn.filter((knobs) => knobs.linkFaults?.loss !== undefined).length).toBeGreaterThan(5);
    expect(drawn.filter((knobs) => knobs.linkFaults === undefined).length).toBeGreaterThan(5);
  });

  it('fails allocations only of kinds on, at active sites, on the fuzz space\'s hosts', () => {
    const fuzz: FuzzSpace = { hosts: ['server'], kernel: { irpAllocationFailure: [1, 1] } };
    const space = resolveFuzzSpace(fuzz);
    const seed = SEEDS.find((s) => {
      const draw = swarmDrawOf(s, { space });
      return draw.allocations.has('irp') && !draw.allocations.has('pool') && !draw.everySite;
    }) as number;
    const plan = seedOnlyRun(uncheckedWithin(fuzz), 'swarm', seed);
    plan.request.draw?.(new ChoiceSource({ seed }));
    const decider = plan.request.decider as Decider;
    const sites = Array.from({ length: 40 }, (_, i) => `driver.ts:${i + 1}`);
    const failed = sites.filter(
      (site) => decider.decide(faultPoint('kernel/server', 'irp allocation fails', site)) === 1,
    );
    expect(failed.length).toBeGreaterThan(10);
    expect(failed.length).toBeLessThan(30);
    for (const site of sites) {
      expect(decider.decide(faultPoint('kernel/client', 'irp allocation fails', site))).toBeUndefined();
      expect(decider.decide(faultPoint('kernel/server', 'pool allocation fails', site))).toBeUndefined();
    }
  });

  it('the draw heads the run\'s tape, and the tape replays the run', async () => {
    const plan = seedOnlyRun(unchecked, 'swarm', 15);
    const request = planRequest({}, plan);
    const result = await runScenario(unchecked, request);
    expect(result.status).toBe('failed');
    const head = (result.tape ?? []).filter((entry) => entry.label.startsWith('swarm '));
    expect(result.tape?.slice(0, head.length)).toEqual(head);
    expect(head.map((entry) => entry.label)).toEqual(
      expect.arrayContaining(['swarm irp fails', 'swarm pool fails', 'swarm completions']),
    );
    const draw = swarmDrawOf(15, context());
    const pool = head.find((entry) => entry.label === 'swarm pool failure rate ppm');
    expect((pool?.value ?? 0) / 1e6).toBe(draw.allocations.get('pool'));
    const { decider, ...replayed } = request;
    void decider;
    const again = await runScenario(unchecked, { ...replayed, seed: 999, replay: result.tape ?? [] });
    expect(again.traceHash).toBe(result.traceHash);
    expect(again.failure?.message).toBe(result.failure?.message);
    expect(again.faults.taken).toEqual(result.faults.taken);
  });

  it('the same campaign twice gives the same failures', async () => {
    const first = await runCampaign(unchecked, { strategy: 'swarm', runs: 40 });
    const second = await runCampaign(unchecked, { strategy: 'swarm', runs: 40 });
    expect(first.failures.length).toBeGreaterThan(0);
    expect(second.failures).toEqual(first.failures);
  });

  it('wsksim fuzz --strategy swarm finds the unchecked allocation; wsksim run makes it again', async () => {
    const findings = mkdtempSync(join(tmpdir(), 'wsksim-swarm-'));
    const fuzz = await cli(['fuzz', FIXTURE, '--strategy', 'swarm', '--runs', '40', '--out', findings]);
    expect(fuzz.code).toBe(1);
    expect(fuzz.out).toMatch(
      /first seed \d+ {2}driver-crash DRIVER-CRASH at test\/fixtures\/unchecked-allocation\.ts:\d+ {2}\[swarm: /,
    );
    expect(fuzz.out).toContain('swarm: irp allocation failures in ');
    const replay = /replay: npx wsksim (run .*)\n/.exec(fuzz.out)?.[1] as string;
    expect(replay).toMatch(new RegExp(`^run ${FIXTURE} --seed \\d+ --strategy swarm$`));
    const run = await cli(replay.split(' '));
    expect(run.code).toBe(1);
    const failure = /\nfailure: .*\n/.exec(fuzz.out)?.[0] as string;
    expect(failure).toContain("Cannot set properties of null (setting 'text')");
    expect(run.out).toContain(failure);
    expect(run.out).toMatch(/varied: swarm: .*pool [\d.]+%/);
    expect(run.out).toContain(`replay: npx wsksim ${replay}\n`);
    expect(siteOf('UNCHECKED')).toMatch(/^test\/fixtures\/unchecked-allocation\.ts:\d+$/);
  });
});
