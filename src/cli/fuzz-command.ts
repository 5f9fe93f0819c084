/**
 * `wsksim fuzz`: a campaign, its failure groups one line each with their artifacts, the first
 * failure in full with the command that makes it again, and the shrinking of each group's first
 * run.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Scenario } from '../explore/scenario.ts';
import {
  HANG,
  runCampaign,
  type CampaignFailure,
  type CampaignResult,
  type FailureGroup,
} from '../explore/campaign.ts';
import { makeStrategy } from '../explore/strategies/index.ts';
import { resolveFuzzSpace } from '../explore/fuzz-space.ts';
import { DEFAULT_STRATEGY } from '../explore/strategy.ts';
import { formatDuration, parseDuration } from '../sim/index.ts';
import { UsageError, integerFlag, onePositional, parseArgs } from './args.ts';
import { DEFAULT_FINDINGS_DIR, writeFindings } from './findings.ts';
import { KNOB_FLAGS, runKnobs, shellWords } from './knobs.ts';
import { loadScenario, scenarioPath } from './load.ts';
import { WorkerPool } from './pool/pool.ts';
import { scenarioIdentity } from './provenance.ts';
import { shrinkArtifactFile } from './shrink.ts';
import { STRATEGY_FLAGS, strategyOf } from './strategy-flags.ts';
import { summary } from './summary.ts';
import type { Write } from './write.ts';

/** `wsksim fuzz`: a campaign under a strategy; exit 0 when its verdict is good (campaign.ts). */
export async function fuzz(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, {
    values: ['runs', 'seed', 'time', 'out', 'jobs', 'run-timeout', ...STRATEGY_FLAGS.values],
    switches: ['bail', 'no-shrink', ...KNOB_FLAGS.switches],
    lists: [...KNOB_FLAGS.lists, ...STRATEGY_FLAGS.lists],
  });
  const reference = onePositional(args, 'scenario');
  const knobs = runKnobs(args);
  const strategy = strategyOf(args, DEFAULT_STRATEGY);
  const runs = integerFlag(args, 'runs', 100);
  if (runs < 1) throw new UsageError(`--runs expects at least 1, got ${runs}`);
  const seed = integerFlag(args, 'seed', 1);
  const timeText = args.values.get('time');
  const budget = timeText === undefined ? undefined : parseDuration('--time', timeText);
  const jobs = jobsFlag(args.values.get('jobs'));
  const runTimeout = parseDuration('--run-timeout', args.values.get('run-timeout') ?? '60s');
  const scenario = await loadScenario(reference);
  // Outside the simulated world: --time is a wall-clock budget for the campaign, read here in
  // src/cli only and handed to the campaign as a stop test between runs; no run ever reads it, so
  // each run is still a pure function of its scenario, knobs, strategy and seed.
  const start = performance.now();
  const request = {
    strategy: strategy.name,
    params: strategy.params,
    seed,
    runs,
    run: knobs.request,
    bail: args.switches.has('bail'),
    ...(budget !== undefined && {
      // Wall clock by design (see above): between runs, never inside one.
      shouldStop: () => (performance.now() - start) * 1e6 >= budget,
    }),
  };
  // The runs go to worker threads, even with --jobs 1: a run's watchdog needs a thread to stop.
  const pool = new WorkerPool({
    scenarioPath: scenarioPath(reference),
    scenarioName: scenario.name,
    campaign: { strategy: strategy.name, params: strategy.params, seed, runs },
    run: knobs.request,
    jobs,
    runTimeout,
  });
  const campaign = await runCampaign(scenario, request, pool).finally(() => pool.close());
  const flags = [...knobs.flags, ...strategy.flags];
  const identity = scenarioIdentity(scenario.name, reference);
  const dir = args.values.get('out') ?? DEFAULT_FINDINGS_DIR;
  const artifacts = writeFindings(campaign, identity, strategy.params, dir);
  const fuzzed = { reference, flags, runs, artifacts, ...(budget !== undefined && { budget }) };
  out(fuzzReport(scenario, campaign, fuzzed));
  // A hang's run would hang the shrinker too (it has no watchdog): it is not shrunk.
  const shrinkable = artifacts.filter((_, i) => campaign.groups[i]?.result.failure?.kind !== HANG);
  if (!args.switches.has('no-shrink')) await shrinkFindings(shrinkable, out);
  return campaign.ok ? 0 : 1;
}

/** `--jobs N`: how many worker threads run the campaign; the machine's cores by default. */
export function jobsFlag(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const jobs = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(jobs) || jobs < 1)
    throw new UsageError(`--jobs expects a whole number of threads, at least 1, got '${text}'`);
  return jobs;
}

/** Candidate runs `fuzz` gives the shrinking of each group's artifact (`wsksim shrink`: more). */
const FUZZ_SHRINK_BUDGET = 300;

/** Shrinks the first run of each failure group (its artifact), one line each. */
async function shrinkFindings(artifacts: readonly string[], out: Write): Promise<void> {
  for (const file of artifacts) {
    const shrunk = await shrinkArtifactFile({ file, budget: FUZZ_SHRINK_BUDGET });
    if (typeof shrunk === 'string') {
      out(`not shrunk ${file}: ${shrunk}\n`);
      continue;
    }
    const { before, after } = shrunk.output;
    out(
      `shrunk: non-default entries ${before.nonDefault} → ${after.nonDefault}, ` +
        `tape entries ${before.entries} → ${after.entries} ` +
        `(${shrunk.output.candidates} runs, ${shrunk.output.ended})  ${shrunk.path}\n`,
    );
  }
}

interface FuzzCampaign {
  readonly reference: string;
  /** The knob and strategy flags, for the replay command. */
  readonly flags: readonly string[];
  /** The --runs asked for. */
  readonly runs: number;
  /** The artifact of each failure group, in the groups' order. */
  readonly artifacts: readonly string[];
  /** The --time budget in nanoseconds. */
  readonly budget?: number;
}

function fuzzReport(scenario: Scenario<unknown>, loop: CampaignResult, c: FuzzCampaign): string {
  const stopped =
    loop.stopped === undefined
      ? ''
      : `  stopped ${
          loop.stopped === 'bail'
            ? 'by --bail'
            : loop.stopped === 'exhausted'
              ? `by ${loop.strategy} (its report below says why)`
              : `by --time ${formatDuration(c.budget ?? 0)}`
        } after ${loop.runs} of ${loop.requested} runs`;
  const { low, high } = loop.seeds;
  const lines = [
    `fuzz ${loop.scenario}  strategy ${loop.strategy}  seeds ${low}–${high}  ` +
      `${loop.passed} passed, ${loop.failures.length} failed${stopped}`,
    ...loop.groups.map((group, i) => groupLine(group, c.artifacts[i] ?? '')),
    ...loop.report.map((line) => `${loop.strategy}: ${line}`),
  ];
  if (loop.checksSkipped > 0) {
    lines.push(
      `check not applied on ${loop.checksSkipped} runs with injected faults ` +
        '(the scenario does not set checkUnderFaults)',
    );
  }
  const unreached = [...loop.goals].filter(([, reached]) => !reached).map(([goal]) => goal);
  if (loop.goals.size > 0) {
    lines.push(
      `goals: ${loop.goals.size - unreached.length} of ${loop.goals.size} reached` +
        (unreached.length === 0 ? '' : `; never reached: ${unreached.join(', ')}`),
    );
  }
  if (scenario.expect !== undefined) {
    const found = loop.failures.filter((f) => f.expected).length;
    lines.push(
      `expect ${scenario.expect}: ${found === 0 ? 'not found' : `found on ${found} seeds`}` +
        `${loop.failures.length > found ? '; other failures too' : ''}`,
    );
  }
  if (loop.first !== undefined) {
    const first = loop.failures[0] as CampaignFailure;
    const replay = replayCommand(c, loop, first);
    if (c.artifacts.length > 0) lines.push(`first failure's artifact: ${c.artifacts[0]}`);
    lines.push('first failure:', summary(loop.first, replay, first.note).trimEnd());
    if (loop.first.failure?.kind === HANG)
      lines.push('(that run hangs: run and replay keep no watchdog; stop them with Ctrl-C)');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One failure group in one line: how many runs, the first seed, the signature, the first run's
 * note and the group's artifact.
 */
function groupLine(group: FailureGroup, artifact: string): string {
  const { first, count } = group;
  const note = first.note === '' ? '' : `  [${first.note}]`;
  return (
    `  ${count} run${count === 1 ? '' : 's'}  first seed ${first.seed}  ` +
    `${first.expected ? '(expected) ' : ''}${group.signature}${note}  ${artifact}`
  );
}

/**
 * The command that makes a campaign's failing run again: for a strategy whose plans depend on the
 * seed alone, `run` with that seed and strategy; for one that learns, the campaign up to that run.
 */
function replayCommand(c: FuzzCampaign, loop: CampaignResult, failure: CampaignFailure): string {
  const seedOnly = makeStrategy(loop.strategy, {
    scenario: { name: loop.scenario } as Scenario<unknown>,
    seed: loop.seed,
    runs: 1,
    space: resolveFuzzSpace(undefined),
    params: {},
  }).seedOnly;
  if (seedOnly) return `wsksim run ${c.reference} --seed ${failure.seed}${shellWords(c.flags)}`;
  const named = c.flags.includes('--strategy');
  const flags = named ? c.flags : [...c.flags, '--strategy', loop.strategy];
  return (
    `wsksim fuzz ${c.reference} --seed ${loop.seed} --runs ${failure.run + 1} --bail` +
    shellWords(flags)
  );
}

