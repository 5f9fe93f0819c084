/**
 * The campaign the shards of one campaign make together (`wsksim merge`): its runs, passes and
 * failures summed, its failures in run-index order, its groups by signature with the first run of
 * each taken from the shard that ran it first, its goals reached when some shard reached them.
 * For a strategy that plans each run from its seed alone this is the unsharded campaign exactly
 * (shard.ts); for one that learns, the union of its shards' campaigns, each strategy report line
 * under its shard.
 */
import type { FuzzResultFile } from './fuzz-result.ts';
import type { ReportedCampaign, ReportedGroup } from './reported-campaign.ts';

/** The shards' results, checked to be one campaign's; or what makes them not (one line). */
export function checkShards(results: readonly FuzzResultFile[]): string | null {
  const [first] = results;
  if (first === undefined) return 'no result files';
  for (const result of results) {
    for (const field of ['reference', 'strategy', 'seed', 'runs'] as const) {
      if (result[field] !== first[field])
        return `not one campaign: ${field} ${String(result[field])} and ${String(first[field])}`;
    }
    if (result.scenario.sha256 !== first.scenario.sha256)
      return 'not one campaign: the scenario file differs (sha256)';
    if (result.flags.join(' ') !== first.flags.join(' '))
      return `not one campaign: flags '${result.flags.join(' ')}' and '${first.flags.join(' ')}'`;
    if ((result.shard?.count ?? 1) !== (first.shard?.count ?? 1))
      return 'not one campaign: shards of different counts';
  }
  const indices = results.map((r) => r.shard?.index ?? 1);
  const twice = indices.find((index, i) => indices.indexOf(index) !== i);
  return twice === undefined ? null : `shard ${twice}/${first.shard?.count ?? 1} given twice`;
}

/** The shards missing from `results`, as `i/n`. */
export function missingShards(results: readonly FuzzResultFile[]): string[] {
  const count = results[0]?.shard?.count ?? 1;
  const have = new Set(results.map((r) => r.shard?.index ?? 1));
  return Array.from({ length: count }, (_, i) => i + 1)
    .filter((index) => !have.has(index))
    .map((index) => `${index}/${count}`);
}

/** The merged campaign (see the module header); `results` checked by checkShards. */
export function mergeCampaigns(results: readonly FuzzResultFile[]): ReportedCampaign {
  const ordered = [...results].sort((a, b) => (a.shard?.index ?? 1) - (b.shard?.index ?? 1));
  const parts = ordered.map((r) => r.campaign);
  const first = ordered[0] as FuzzResultFile;
  const failures = parts.flatMap((p) => p.failures).sort((a, b) => a.run - b.run);
  const expect = first.campaign.expect;
  return {
    scenario: first.campaign.scenario,
    strategy: first.strategy,
    seed: first.seed,
    seeds: {
      low: Math.min(...parts.map((p) => p.seeds.low)),
      high: Math.max(...parts.map((p) => p.seeds.high)),
    },
    runs: sum(parts.map((p) => p.runs)),
    requested: sum(parts.map((p) => p.requested)),
    ...stoppedOf(ordered),
    passed: sum(parts.map((p) => p.passed)),
    failures,
    groups: mergedGroups(parts),
    ...(expect !== undefined && { expect }),
    checksSkipped: sum(parts.map((p) => p.checksSkipped)),
    goals: mergedGoals(parts),
    report: reportOf(ordered),
    ok: expect === undefined
      ? failures.length === 0
      : failures.length > 0 && failures.every((f) => f.expected),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Groups by signature, ordered by their first run; counts summed. */
function mergedGroups(parts: readonly ReportedCampaign[]): ReportedGroup[] {
  const groups = new Map<string, ReportedGroup>();
  for (const group of parts.flatMap((p) => p.groups)) {
    const seen = groups.get(group.signature);
    if (seen === undefined) groups.set(group.signature, group);
    else {
      const firstOf = group.first.run < seen.first.run ? group : seen;
      groups.set(group.signature, { ...firstOf, count: seen.count + group.count });
    }
  }
  return [...groups.values()].sort((a, b) => a.first.run - b.first.run);
}

/** Each goal once, in the order first named, reached when some shard reached it. */
function mergedGoals(parts: readonly ReportedCampaign[]): [string, boolean][] {
  const goals = new Map<string, boolean>();
  for (const [goal, reached] of parts.flatMap((p) => p.goals))
    goals.set(goal, (goals.get(goal) ?? false) || reached);
  return [...goals];
}

/** The shards' strategy reports: one shard's as it is, several shards' each under its shard. */
function reportOf(ordered: readonly FuzzResultFile[]): string[] {
  if (ordered.length === 1) return [...(ordered[0] as FuzzResultFile).campaign.report];
  const lines = ordered.map((r) => r.campaign.report.join('\n'));
  if (lines.every((text) => text === lines[0])) return [...(ordered[0]?.campaign.report ?? [])];
  return ordered.flatMap((r) => {
    const shard = `shard ${r.shard?.index ?? 1}/${r.shard?.count ?? 1}`;
    return r.campaign.report.map((line) => `${shard}: ${line}`);
  });
}

/** What stopped shards early, each named. */
function stoppedOf(ordered: readonly FuzzResultFile[]): { stopped?: string } {
  const stopped = ordered.flatMap((r) =>
    r.campaign.stopped === undefined
      ? []
      : [`in shard ${r.shard?.index ?? 1}/${r.shard?.count ?? 1} ${r.campaign.stopped}`],
  );
  return stopped.length === 0 ? {} : { stopped: stopped.join(', ') };
}
