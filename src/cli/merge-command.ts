/**
 * `wsksim merge <result.json…> [--out DIR] [--json FILE] [--junit FILE]`: the shards of one
 * campaign (`wsksim fuzz --shard i/n --result FILE`, each on its own machine) made one report
 * (merge-campaigns.ts): printed as `wsksim fuzz` prints a campaign; written as one result file
 * (`--json`) and as JUnit XML (`--junit`: a case per failure group and one for the verdict); its
 * groups' artifacts (their shrunk runs and timelines too) copied into one findings directory
 * (`--out`), each naming its scenario and replay command from where it now is. A shard missing
 * is said, and fails the merge (exit 1), since the campaign it reports is not the one asked for.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError, parseArgs } from './args.ts';
import { artifactText } from './findings.ts';
import { fuzzReport } from './fuzz-report.ts';
import { readFuzzResult, writeFuzzResult, type FuzzResultFile } from './fuzz-result.ts';
import { command } from './invocation.ts';
import { junitXml, type JUnitCase } from './junit.ts';
import { checkShards, mergeCampaigns, missingShards } from './merge-campaigns.ts';
import { checkOutputDir, checkOutputFile } from './output-paths.ts';
import { scenarioFileOf, scenarioFrom } from './provenance.ts';
import type { ReportedCampaign, ReportedGroup } from './reported-campaign.ts';
import { readArtifact } from './replay.ts';
import type { Write } from './write.ts';

export async function merge(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, { values: ['out', 'json', 'junit'], switches: [] });
  if (args.positional.length === 0) throw new UsageError('missing result files');
  const dir = args.values.get('out');
  if (dir !== undefined) checkOutputDir('out', dir);
  for (const flag of ['json', 'junit']) {
    const path = args.values.get(flag);
    if (path !== undefined) checkOutputFile(flag, path);
  }
  const results = args.positional.map(readResult);
  const wrong = checkShards(results);
  if (wrong !== null) throw new UsageError(wrong);
  const merged = mergeCampaigns(results);
  const campaign = dir === undefined ? merged : copyArtifacts(merged, dir);
  const missing = missingShards(results);
  out(fuzzReport(campaign));
  if (missing.length > 0) out(`missing shards: ${missing.join(', ')}: the campaign is not whole\n`);
  writeOutputs(args.values.get('json'), args.values.get('junit'), results, campaign, out);
  return campaign.ok && missing.length === 0 ? 0 : 1;
}

function readResult(file: string): FuzzResultFile {
  const result = readFuzzResult(file);
  if (typeof result === 'string') throw new UsageError(`${file}: ${result}`);
  return result;
}

/** The merged campaign with its groups' artifacts copied into `dir` (see the module header). */
function copyArtifacts(campaign: ReportedCampaign, dir: string): ReportedCampaign {
  mkdirSync(dir, { recursive: true });
  const groups = campaign.groups.map((group): ReportedGroup => {
    if (group.artifact === null) return group;
    const shrunk = group.artifact.replace(/\.json$/, '-shrunk.json');
    if (existsSync(shrunk)) copyArtifact(shrunk, dir);
    const page = group.artifact.replace(/\.json$/, '.html');
    if (existsSync(page)) copyFileSync(page, join(dir, basename(page)));
    return { ...group, artifact: copyArtifact(group.artifact, dir) };
  });
  return { ...campaign, groups };
}

/** Copies an artifact into `dir`, naming its scenario and replay from there; its new path. */
function copyArtifact(file: string, dir: string): string {
  const path = join(dir, basename(file));
  const artifact = readArtifact(file);
  if (typeof artifact === 'string') {
    copyFileSync(file, path);
    return path;
  }
  const scenario = { ...artifact.scenario, path: scenarioFileOf(artifact.scenario, file) };
  const moved = { ...artifact, scenario: scenarioFrom(scenario, path) };
  writeFileSync(path, artifactText({ ...moved, replay: command(['replay', path]) }));
  return path;
}

function writeOutputs(
  json: string | undefined,
  junit: string | undefined,
  results: readonly FuzzResultFile[],
  campaign: ReportedCampaign,
  out: Write,
): void {
  const first = results[0] as FuzzResultFile;
  if (json !== undefined) {
    writeFuzzResult(json, { ...first, shard: null, campaign });
    out(`wrote ${json}: the merged campaign's result\n`);
  }
  if (junit !== undefined) {
    const suite = { name: `fuzz ${campaign.scenario}`, cases: junitCases(campaign) };
    writeFileSync(junit, junitXml('wsksim merge', [suite]));
    out(`wrote ${junit}: JUnit XML, a case per failure group and one for the verdict\n`);
  }
}

/** A case per failure group (failing when not the expected one) and one for the verdict. */
function junitCases(campaign: ReportedCampaign): JUnitCase[] {
  const groups = campaign.groups.map((group): JUnitCase => {
    const name = `${group.count} run${group.count === 1 ? '' : 's'}: ${group.signature}`;
    const artifact = group.artifact === null ? '' : `artifact: ${group.artifact}\n`;
    const text = `${group.account}${artifact}`;
    if (group.first.expected) return { name, seconds: 0, output: text };
    return { name, seconds: 0, failure: { message: group.first.message, text } };
  });
  const failed = campaign.failures.length;
  const verdict = `${campaign.runs} runs: ${campaign.passed} passed, ${failed} failed`;
  const expected = campaign.expect === undefined ? '' : ` (expect ${campaign.expect})`;
  const ok: JUnitCase = campaign.ok
    ? { name: 'verdict', seconds: 0, output: `${verdict}${expected}\n` }
    : { name: 'verdict', seconds: 0, failure: { message: `${verdict}${expected}`, text: verdict } };
  return [...groups, ok];
}
