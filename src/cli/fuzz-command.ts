/**
 * `wsksim fuzz`: a campaign on worker threads (pool/), watched by a progress line (progress.ts)
 * and stopped by Ctrl-C or SIGTERM keeping what it found (interrupt.ts); its failure groups one
 * line each with their artifacts, the first failure in full with the command that makes it
 * again (fuzz-report.ts), the shrinking of each group's first run, and, with `--result FILE`, the
 * campaign as a result file (fuzz-result.ts) that `wsksim merge` joins with its other shards'.
 */
import { availableParallelism } from 'node:os';
import { runCampaign, type CampaignResult } from '../explore/campaign.ts';
import type { Scenario, ScenarioResult } from '../explore/scenario.ts';
import { DEFAULT_STRATEGY, type StrategyName, type StrategyParams } from '../explore/strategy.ts';
import { formatDuration, parseDuration } from '../sim/index.ts';
import { UsageError, integerFlag, onePositional, parseArgs, type ParsedArgs } from './args.ts';
import type { RunKnobs } from './check.ts';
import { writeFindingPages } from './finding-pages.ts';
import { DEFAULT_FINDINGS_DIR, writeFindings } from './findings.ts';
import { fuzzReport } from './fuzz-report.ts';
import { writeFuzzResult } from './fuzz-result.ts';
import { withInterrupt, type Interrupt } from './interrupt.ts';
import { KNOB_FLAGS, runKnobs } from './knobs.ts';
import { loadScenario, scenarioPath } from './load.ts';
import { checkOutputDir, checkOutputFile } from './output-paths.ts';
import { WorkerPool } from './pool/pool.ts';
import { CampaignProgress } from './progress.ts';
import { scenarioIdentity } from './provenance.ts';
import { reportedCampaign, seedOnly, type ReportedCampaign } from './reported-campaign.ts';
import { refuseConfigFailure } from './scenario-file-error.ts';
import { parseShard, shardCampaign, type Shard, type ShardCampaign } from './shard.ts';
import { shrinkArtifactFile } from './shrink.ts';
import { STRATEGY_FLAGS, strategyOf } from './strategy-flags.ts';
import { Stopwatch } from './stopwatch.ts';
import type { Write } from './write.ts';

/** Everything `wsksim fuzz` was asked, checked before anything runs. */
export interface FuzzOptions {
  readonly reference: string;
  readonly knobs: RunKnobs;
  readonly strategy: { name: StrategyName; params: StrategyParams; flags: string[] };
  /** The campaign seed and runs as asked (a shard's own campaign is in `campaign`). */
  readonly seed: number;
  readonly runs: number;
  /** --time, in nanoseconds. */
  readonly budget?: number;
  readonly jobs: number;
  readonly runTimeout: number;
  readonly out: string;
  readonly result?: string;
  readonly shard?: Shard;
  readonly campaign: ShardCampaign;
  readonly bail: boolean;
  readonly shrink: boolean;
}

/** `wsksim fuzz`: exit 0 when the campaign's verdict is good (campaign.ts), 1 when not. */
export async function fuzz(argv: readonly string[], out: Write, err: Write): Promise<number> {
  const options = fuzzOptions(argv);
  const scenario = await loadScenario(options.reference);
  return await withInterrupt((interrupt) => fuzzWith(scenario, options, { out, err }, interrupt));
}

function fuzzOptions(argv: readonly string[]): FuzzOptions {
  const args = parseArgs(argv, {
    values: [
      ...['runs', 'seed', 'time', 'out', 'jobs', 'run-timeout', 'shard', 'result'],
      ...STRATEGY_FLAGS.values,
    ],
    switches: ['bail', 'no-shrink', ...KNOB_FLAGS.switches],
    lists: [...KNOB_FLAGS.lists, ...STRATEGY_FLAGS.lists],
  });
  const reference = onePositional(args, 'scenario');
  const strategy = strategyOf(args, DEFAULT_STRATEGY);
  const runs = integerFlag(args, 'runs', 100);
  if (runs < 1) throw new UsageError(`--runs expects at least 1, got ${runs}`);
  const seed = integerFlag(args, 'seed', 1);
  const shardText = args.values.get('shard');
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  const timeText = args.values.get('time');
  return {
    reference,
    knobs: runKnobs(args),
    strategy,
    seed,
    runs,
    ...(timeText !== undefined && { budget: parseDuration('--time', timeText) }),
    jobs: jobsFlag(args.values.get('jobs')),
    runTimeout: parseDuration('--run-timeout', args.values.get('run-timeout') ?? '60s'),
    ...outputPaths(args),
    ...(shard !== undefined && { shard }),
    campaign: shardCampaign(seed, runs, shard, seedOnly(strategy.name)),
    bail: args.switches.has('bail'),
    shrink: !args.switches.has('no-shrink'),
  };
}

/** `--out DIR` and `--result FILE`, refused before the run when they cannot be written. */
function outputPaths(args: ParsedArgs): { out: string; result?: string } {
  const out = args.values.get('out') ?? DEFAULT_FINDINGS_DIR;
  checkOutputDir('out', out);
  const result = args.values.get('result');
  if (result !== undefined) checkOutputFile('result', result);
  return { out, ...(result !== undefined && { result }) };
}

/** `--jobs N`: how many worker threads run the campaign; the machine's cores by default. */
export function jobsFlag(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const jobs = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(jobs) || jobs < 1)
    throw new UsageError(`--jobs expects a whole number of threads, at least 1, got '${text}'`);
  return jobs;
}

async function fuzzWith(
  scenario: Scenario<unknown>,
  o: FuzzOptions,
  { out, err }: { out: Write; err: Write },
  interrupt: Interrupt,
): Promise<number> {
  const loop = await campaign(scenario, o, interrupt, err);
  // A campaign stops at the first run that failed on the scenario's own configuration.
  refuseConfigFailure(o.reference, loop.first);
  const identity = scenarioIdentity(scenario.name, o.reference);
  const artifacts = writeFindings(loop, identity, o.strategy.params, o.out);
  const flags = [...o.knobs.flags, ...o.strategy.flags];
  const call = { reference: o.reference, flags, offset: o.campaign.offset };
  const reported = reportedCampaign(loop, call, artifacts, stopReason(loop, o, interrupt));
  const shard = o.shard === undefined ? undefined : `${o.shard.index}/${o.shard.count}`;
  out(fuzzReport(reported, shard));
  if (o.result !== undefined) {
    writeFuzzResult(o.result, {
      scenario: identity,
      reference: o.reference,
      strategy: o.strategy.name,
      params: o.strategy.params,
      flags,
      seed: o.seed,
      runs: o.runs,
      shard: o.shard ?? null,
      campaign: reported,
    });
    out(`wrote ${o.result}: the campaign's result, for wsksim merge\n`);
  }
  if (!interrupt.stopped && o.shrink) await shrinkFindings(reported, out, interrupt);
  if (!interrupt.stopped) await writeFindingPages(reported, out, interrupt);
  if (interrupt.stopped) out(`stopped by ${interrupt.received}: what was found is above\n`);
  return interrupt.exitCode(reported.ok ? 0 : 1);
}

/**
 * The campaign, on the worker pool (even at --jobs 1: a run's watchdog needs a thread to stop),
 * stopped between runs by --time, a signal, or a configuration error (the scenario's own, the
 * same in every run). Outside the simulated world: the wall clock and signals are read here in
 * src/cli only and handed to the campaign as a stop test between runs; no run ever reads them.
 */
async function campaign(
  scenario: Scenario<unknown>,
  o: FuzzOptions,
  interrupt: Interrupt,
  err: Write,
): Promise<CampaignResult> {
  const stopwatch = new Stopwatch();
  const { seed, runs, range } = o.campaign;
  const progress = new CampaignProgress({
    scenario: scenario.name,
    total: range === undefined ? runs : range.to - range.from,
    ...(o.budget !== undefined && { budget: o.budget / 1e9 }),
    live: process.stderr.isTTY === true && process.env['CI'] === undefined,
    now: () => stopwatch.seconds(),
    stream: process.stderr,
    write: err,
  });
  let misconfigured = false;
  const pool = new WorkerPool({
    scenarioPath: scenarioPath(o.reference),
    scenarioName: scenario.name,
    campaign: { strategy: o.strategy.name, params: o.strategy.params, seed, runs },
    run: o.knobs.request,
    jobs: o.jobs,
    runTimeout: o.runTimeout,
  });
  const timeUp = (): boolean => stopwatch.spent(o.budget);
  const request = {
    strategy: o.strategy.name,
    params: o.strategy.params,
    seed,
    runs,
    ...(range !== undefined && { range }),
    run: o.knobs.request,
    bail: o.bail,
    shouldStop: () => misconfigured || interrupt.stopped || timeUp(),
    onRun: (result: ScenarioResult, _: unknown, measured: () => string) => {
      if (result.failure?.kind === 'config') misconfigured = true;
      progress.onRun(result, measured);
    },
  };
  try {
    return await runCampaign(scenario, request, pool);
  } finally {
    progress.done();
    await pool.close();
  }
}

/** Why the campaign stopped before its runs, in words; undefined when it did not. */
function stopReason(
  loop: CampaignResult,
  o: FuzzOptions,
  interrupt: Interrupt,
): string | undefined {
  if (loop.stopped === undefined) return undefined;
  if (interrupt.received !== null) return `by ${interrupt.received}`;
  if (loop.stopped === 'bail') return 'by --bail';
  if (loop.stopped === 'exhausted') return `by ${loop.strategy} (its report below says why)`;
  return `by --time ${formatDuration(o.budget ?? 0)}`;
}

/** Candidate runs `fuzz` gives the shrinking of each group's artifact (`wsksim shrink`: more). */
const FUZZ_SHRINK_BUDGET = 300;

/**
 * Shrinks the first run of each failure group (its artifact), one line each; a hang's run would
 * hang the shrinker too (it has no watchdog), so it is not shrunk. A signal stops the shrinking
 * in hand, keeping its best, and skips the rest.
 */
async function shrinkFindings(
  loop: ReportedCampaign,
  out: Write,
  interrupt: Interrupt,
): Promise<void> {
  for (const group of loop.groups) {
    const file = group.artifact;
    if (file === null || group.hang || interrupt.stopped) continue;
    const shrunk = await shrinkArtifactFile({ file, budget: FUZZ_SHRINK_BUDGET, interrupt });
    if (typeof shrunk === 'string') {
      out(`not shrunk ${file}: ${shrunk}\n`);
      continue;
    }
    const { before, after, candidates, ended } = shrunk.output;
    const how = shrunk.interrupted === undefined ? ended : shrunk.interrupted;
    out(
      `shrunk: non-default entries ${before.nonDefault} → ${after.nonDefault}, ` +
        `tape entries ${before.entries} → ${after.entries} (${candidates} runs, ${how})  ` +
        `${shrunk.path}\n`,
    );
  }
}
