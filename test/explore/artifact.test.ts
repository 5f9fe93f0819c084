/**
 * Failure artifacts (src/explore/artifact.ts) and signatures (src/explore/signature.ts): an
 * artifact built from a campaign's failure group survives JSON and replays to its trace hash (a
 * swarm run's draw included, under the portfolio too); `isDefault` marks a choice's minimum;
 * parseArtifact names the first wrong field; a signature masks digits of a message but keeps a
 * verifier failure's rule and site.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/cli/load.ts';
import {
  ArtifactError,
  artifactOf,
  parseArtifact,
  replayRequest,
  type Artifact,
} from '../../src/explore/artifact.ts';
import { planRequest, runCampaign, type FailureGroup } from '../../src/explore/campaign.ts';
import { runScenario, type ScenarioResult } from '../../src/explore/scenario.ts';
import { failureSignature } from '../../src/explore/signature.ts';
import type { Failure, Instant } from '../../src/sim/index.ts';

const SOURCE = {
  wsksimVersion: '0.0.0-test',
  scenario: { name: 'inspect-abort-race', path: 'scenarios/inspect-abort-race.ts', sha256: 'x' },
  strategy: 'portfolio' as const,
  params: {},
  replay: 'wsksim replay test.json',
};

/** The artifact of `group`, through JSON and back, as a tool would read it. */
function throughJson(group: FailureGroup): Artifact {
  return parseArtifact(JSON.parse(JSON.stringify(artifactOf(group, SOURCE))));
}

describe('explore: failure artifacts', () => {
  it('every group of a portfolio campaign replays from its artifact to the same hash', async () => {
    const scenario = await loadScenario('inspect-abort-race');
    const campaign = await runCampaign(scenario, { runs: 40 });
    expect(campaign.groups.length).toBeGreaterThan(0);
    expect(campaign.groups.reduce((sum, g) => sum + g.count, 0)).toBe(campaign.failures.length);
    for (const group of campaign.groups) {
      const artifact = throughJson(group);
      expect(artifact.tape.length).toBeGreaterThan(0);
      const again = await runScenario(scenario, replayRequest(scenario, artifact));
      expect(again.traceHash).toBe(artifact.traceHash);
    }
  });

  it("a swarm run's artifact (its draw heads the tape) replays, under the portfolio too", async () => {
    const scenario = await loadScenario('inspect-abort-race');
    const swarmRuns: FailureGroup[] = [];
    await runCampaign(scenario, {
      runs: 20,
      onRun(result: ScenarioResult, plan) {
        if (result.failure === undefined || !plan.note.startsWith('portfolio/swarm')) return;
        const request = planRequest({}, plan);
        const first = { run: 0, seed: result.seed, what: '', message: '', expected: true };
        const brief = { ...first, note: plan.note, signature: '' };
        swarmRuns.push({ signature: '', count: 1, first: brief, result, request });
      },
    });
    expect(swarmRuns.length).toBeGreaterThan(0);
    for (const group of swarmRuns) {
      const artifact = throughJson(group);
      expect(artifact.options).toMatchObject({ draw: 'swarm', faultPoints: true });
      expect(artifact.tape[0]?.label).toMatch(/^swarm /);
      const again = await runScenario(scenario, replayRequest(scenario, artifact));
      expect(again.traceHash).toBe(group.result.traceHash);
    }
  });

  it('isDefault is true exactly when a value is its choice minimum', async () => {
    const scenario = await loadScenario('inspect-abort-race');
    const campaign = await runCampaign(scenario, { runs: 5, strategy: 'random' });
    const artifact = throughJson(campaign.groups[0] as FailureGroup);
    for (const entry of artifact.tape) expect(entry.isDefault).toBe(entry.value === (entry.min ?? 0));
    expect(artifact.tape.some((entry) => entry.isDefault)).toBe(true);
    expect(artifact.tape.some((entry) => !entry.isDefault)).toBe(true);
  });
});

describe('explore: parseArtifact', () => {
  it('names the first wrong field', async () => {
    const scenario = await loadScenario('inspect-abort-race');
    const campaign = await runCampaign(scenario, { runs: 3, strategy: 'random' });
    const good = JSON.parse(JSON.stringify(artifactOf(campaign.groups[0] as FailureGroup, SOURCE)));
    const fieldOf = (value: unknown): string => {
      try {
        parseArtifact(value);
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(ArtifactError);
        return (error as ArtifactError).field;
      }
    };
    expect(fieldOf(good)).toBe('accepted');
    expect(fieldOf(null)).toBe('artifact');
    expect(fieldOf({ ...good, schema: 2 })).toBe('schema');
    expect(fieldOf({ ...good, scenario: { ...good.scenario, sha256: 1 } })).toBe('scenario.sha256');
    expect(fieldOf({ ...good, strategy: { name: 'magic', params: {} } })).toBe('strategy.name');
    expect(fieldOf({ ...good, tape: [{ label: 'x', value: 1.5, isDefault: false }] })).toBe(
      'tape[0].value',
    );
    expect(fieldOf({ ...good, failure: { ...good.failure, socket: 'one' } })).toBe(
      'failure.socket',
    );
    expect(fieldOf({ ...good, options: { draw: 'pct' } })).toBe('options.draw');
  });
});

describe('explore: failure signatures', () => {
  const failure = (fields: Partial<Failure>): Failure => ({
    kind: 'check',
    message: '',
    seed: 1,
    at: 0 as Instant,
    ...fields,
  });

  it('a verifier failure: kind, rule and site, whatever its message', () => {
    const details = { rule: 'IRP-LEAKED', site: 'driver.ts:26' };
    const a = failure({ kind: 'violation', message: 'IRP-LEAKED: 2 left', details });
    const b = failure({ kind: 'violation', message: 'IRP-LEAKED: 3 left', details });
    expect(failureSignature(a)).toBe('violation IRP-LEAKED at driver.ts:26');
    expect(failureSignature(b)).toBe(failureSignature(a));
    const elsewhere = failure({ ...a, details: { ...details, site: 'driver.ts:40' } });
    expect(failureSignature(elsewhere)).not.toBe(failureSignature(a));
  });

  it('any other failure: kind and message with digits masked', () => {
    const a = failure({ message: 'expected 12 echoes, got 7' });
    const b = failure({ message: 'expected 12 echoes, got 9' });
    expect(failureSignature(a)).toBe('check: expected ## echoes, got #');
    expect(failureSignature(b)).toBe(failureSignature(a));
    expect(failureSignature(failure({ kind: 'livelock', message: 'got 7' }))).toBe(
      'livelock: got #',
    );
  });
});
