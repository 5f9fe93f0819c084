/**
 * The result file of a campaign (`wsksim fuzz --result FILE`), what `wsksim merge` reads: the
 * campaign as its report holds it (reported-campaign.ts), with what it was asked (scenario, with
 * its content hash; strategy; seed and runs of the whole campaign; which shard), and its groups'
 * artifacts named relative to the file, as artifacts name their scenario, so a directory of
 * results and findings can move (a CI job's download lands elsewhere than its upload).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ArtifactScenario } from '../explore/artifact.ts';
import type { StrategyName, StrategyParams } from '../explore/strategy.ts';
import { scenarioFileOf, scenarioFrom, wsksimVersion } from './provenance.ts';
import type { ReportedCampaign } from './reported-campaign.ts';
import type { Shard } from './shard.ts';

export const RESULT_KIND = 'wsksim-fuzz-result';

export interface FuzzResultFile {
  readonly schema: 1;
  readonly kind: typeof RESULT_KIND;
  readonly wsksimVersion: string;
  /** Its path relative to the result file. */
  readonly scenario: ArtifactScenario;
  /** The scenario as the command named it, for the commands printed. */
  readonly reference: string;
  readonly strategy: StrategyName;
  readonly params: StrategyParams;
  /** The knob and strategy flags, as given. */
  readonly flags: readonly string[];
  /** The whole campaign's seed and runs (a shard's part: shard.ts). */
  readonly seed: number;
  readonly runs: number;
  readonly shard: Shard | null;
  /** Artifacts relative to the result file. */
  readonly campaign: ReportedCampaign;
}

/** What a result file records, its paths as the writer knows them. */
export type FuzzResultSource = Omit<FuzzResultFile, 'schema' | 'kind' | 'wsksimVersion'>;

export function writeFuzzResult(file: string, source: FuzzResultSource): void {
  const contents: FuzzResultFile = {
    schema: 1,
    kind: RESULT_KIND,
    wsksimVersion: wsksimVersion(),
    ...source,
    scenario: scenarioFrom(source.scenario, file),
    campaign: withArtifacts(source.campaign, (path) => relativeTo(file, path)),
  };
  writeFileSync(file, `${JSON.stringify(contents, null, 1)}\n`);
}

/** The result file `file`, its paths (scenario, artifacts) absolute; or what is wrong with it. */
export function readFuzzResult(file: string): FuzzResultFile | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return `not a JSON result file: ${error instanceof Error ? error.message : String(error)}`;
  }
  const contents = parsed as Partial<FuzzResultFile> | null;
  if (contents?.kind !== RESULT_KIND) return `field 'kind': expected '${RESULT_KIND}'`;
  if (contents.schema !== 1) return `field 'schema': expected 1, got ${String(contents.schema)}`;
  for (const field of ['scenario', 'campaign', 'strategy', 'seed', 'runs'] as const) {
    if (contents[field] === undefined) return `field '${field}': missing`;
  }
  const result = contents as FuzzResultFile;
  const base = dirname(resolve(file));
  const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(base, path));
  const scenario = { ...result.scenario, path: scenarioFileOf(result.scenario, file) };
  return { ...result, scenario, campaign: withArtifacts(result.campaign, absolute) };
}

function withArtifacts(
  campaign: ReportedCampaign,
  map: (path: string) => string,
): ReportedCampaign {
  return {
    ...campaign,
    groups: campaign.groups.map((g) => ({
      ...g,
      artifact: g.artifact === null ? null : map(g.artifact),
    })),
  };
}

function relativeTo(file: string, path: string): string {
  return relative(dirname(resolve(file)), resolve(path)).split(sep).join('/');
}
