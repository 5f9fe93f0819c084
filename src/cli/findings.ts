/**
 * Writing a campaign's failure artifacts (explore/artifact.ts): one JSON file per failure group,
 * in `wsksim fuzz --out DIR` (default `.wsksim/findings/`), named after the scenario and a short
 * hash of the group's signature, so the same bug found again overwrites its own file rather than
 * adding another.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactOf, type Artifact, type ArtifactScenario } from '../explore/artifact.ts';
import type { CampaignResult, FailureGroup } from '../explore/campaign.ts';
import type { StrategyName, StrategyParams } from '../explore/strategy.ts';
import { scenarioFrom, wsksimVersion } from './provenance.ts';
import { command } from './invocation.ts';

/** Where artifacts go when `--out` is not given. */
export const DEFAULT_FINDINGS_DIR = join('.wsksim', 'findings');

/** Writes one artifact per group of `campaign`; returns their paths, in the groups' order. */
export function writeFindings(
  campaign: CampaignResult,
  scenario: ArtifactScenario,
  params: StrategyParams,
  dir: string,
): string[] {
  return campaign.groups.map((group) =>
    writeFinding(group, { scenario, strategy: campaign.strategy, params }, dir),
  );
}

/** Where a failing run comes from: its scenario and the strategy that planned it. */
export interface FindingSource {
  readonly scenario: ArtifactScenario;
  readonly strategy: StrategyName;
  readonly params: StrategyParams;
}

/**
 * Writes the artifact of one failure group (a campaign's, or `wsksim test`'s failing seed: a
 * `random` run, which is the seed alone); returns its path. The group's result must carry its tape.
 */
export function writeFinding(group: FailureGroup, from: FindingSource, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, artifactName(from.scenario.name, group));
  const scenario = scenarioFrom(from.scenario, path);
  const replay = command(['replay', path]);
  const source = { wsksimVersion: wsksimVersion(), ...from, scenario, replay };
  writeFileSync(path, artifactText(artifactOf(group, source)));
  return path;
}

/** `artifact` as JSON: indented, but one line per tape entry (a tape may hold thousands). */
export function artifactText(artifact: Artifact): string {
  const { tape } = artifact;
  const entries = tape.map((entry) => `  ${JSON.stringify(entry)}`).join(',\n');
  const head = JSON.stringify({ ...artifact, tape: [] }, null, 1).replace(
    /"tape": \[\]/,
    tape.length === 0 ? '"tape": []' : `"tape": [\n${entries}\n ]`,
  );
  return `${head}\n`;
}

function artifactName(scenario: string, group: FailureGroup): string {
  const hash = createHash('sha256').update(group.signature).digest('hex').slice(0, 10);
  return `${scenario}-${hash}.json`;
}
