/**
 * The `wsksim` command. The one door to the outside world (docs/design.md#determinism-contract):
 * arguments, files, the terminal and child processes; it never reaches into a run's decisions.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runScenario, type Scenario } from '../explore/scenario.ts';
import {
  planRequest,
  runCampaign,
  seedOnlyRun,
  type CampaignFailure,
  type CampaignResult,
  type FailureGroup,
} from '../explore/campaign.ts';
import { makeStrategy } from '../explore/strategies/index.ts';
import { resolveFuzzSpace } from '../explore/fuzz-space.ts';
import {
  DEFAULT_STRATEGY,
  STRATEGY_NAMES,
  type RunPlan,
  type StrategyName,
  type StrategyParams,
} from '../explore/strategy.ts';
import {
  SimConfigError,
  formatDuration,
  parseDuration,
  formatRecord,
} from '../sim/index.ts';
import { RULES, parseKernelOption, type KernelOptions } from '../wsk/index.ts';
import { UsageError, integerFlag, parseArgs, type ParsedArgs } from './args.ts';
import { checkDeterminism, logRun, type RunKnobs } from './check.ts';
import { choiceLog, type ChoiceLog } from './choices.ts';
import { listScenarioNames, loadScenario } from './load.ts';
import { summary } from './summary.ts';
import { replayArtifact } from './replay.ts';
import { shrinkArtifact, shrinkArtifactFile } from './shrink.ts';
import { DEFAULT_FINDINGS_DIR, writeFindings } from './findings.ts';
import { scenarioIdentity } from './provenance.ts';
import { readTapeFile, writeTapeFile, type TapeFile } from './tape-file.ts';
import type { ArtifactScenario } from '../explore/artifact.ts';

const HELP = `wsksim — a deterministic network simulator with an executable model of Windows WSK

usage:
  wsksim showcase [--seed N]              run the showcase scenario and print its trace
  wsksim run <scenario|file.ts> [options] run one scenario with one seed
      --seed N            root seed (default: the scenario's first seed)
      --trace             print every trace record
      --choices           print the trace with every choice the run drew where it drew it
                          (not with --strategy or --replay)
      --record FILE       write the choice tape of the run to FILE (JSON)
      --replay FILE       replay a recorded tape instead of seeded choices
      --pcap FILE         write every TCP segment on the wire to FILE (classic pcap)
      --set kernel.<host>.<option>=<value>
                          a kernel option of <host>'s kernel (* for every host) over the
                          scenario's; repeatable
      --same-instant      let the choices order events due at the same instant
      --strategy S        the run of seed N under strategy S (random or swarm), as in a campaign
  wsksim fuzz <scenario|file.ts> [--strategy S] [--runs N] [--seed S] [--time T] [--bail]
                          a campaign: run i has seed S+i (default 1, 100 runs) and what the
                          strategy varies; one line per group of failures with the same
                          signature, each with its artifact; report the first failure with the
                          command that makes it again
      --strategy S        random, swarm, systematic, pct, exhaustive, coverage or portfolio
                          (default portfolio: the others in turn, run by run)
      --depth D           pct: bug depth (default 3)
      --faults K          systematic: most allocation sites failed together (default 2)
      --vary LABEL        exhaustive: vary the choices whose label contains LABEL (repeatable)
      --limit N           exhaustive: the most runs (default --runs)
      --time T            stop when T of wall-clock time has passed (e.g. 60s)
      --bail              stop at the first failure that is not the scenario's expect
                          (any failure when it has none)
      --out DIR           where to write one artifact per failure group (default
                          .wsksim/findings); the first run of each group is shrunk
                          (<name>-shrunk.json beside it, at most 300 candidate runs)
      --no-shrink         write the artifacts without shrinking them
      --set, --same-instant   as for run
  wsksim replay <artifact.json>
                          make a fuzz campaign's failing run again from its artifact and say
                          whether it reproduced (same trace hash), or why not
  wsksim shrink <artifact.json> [--out DIR] [--budget N] [--time T]
                          make the failing run's tape as small and as default as possible
                          while it fails the same way; write <name>-shrunk.json and print the
                          sizes before and after
  wsksim check <scenario|file.ts> [--seed N] [--set ...] [--same-instant]
                          run the seed twice (here and in a child process), compare trace
                          hashes and name the first event where the runs diverge
  wsksim list             the scenarios shipped in scenarios/
  wsksim rules            the verifier's rules: id, channel, what each forbids, its source
`;

type Write = (text: string) => void;

export async function main(
  argv: readonly string[],
  out: Write = (t) => process.stdout.write(t),
  err: Write = (t) => process.stderr.write(t),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'showcase':
        return await run(['showcase', ...rest], out, true);
      case 'run':
        return await run(rest, out, false);
      case 'check':
        return await check(rest, out);
      case 'fuzz':
        return await fuzz(rest, out);
      case 'replay':
        return await replay(rest, out, err);
      case 'shrink':
        return await shrink(rest, out, err);
      case 'list':
        return list(out);
      case 'rules':
        return rules(out);
      case 'event-log':
        return await eventLog(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof SimConfigError) {
      err(`wsksim: ${error.message}\n`);
      if (error instanceof UsageError) err(`run 'wsksim help' for usage\n`);
      return 2;
    }
    throw error;
  }
}

/** The flags that change a run besides its seed: `--set` (a list) and `--same-instant`. */
const KNOB_FLAGS = { lists: ['set'], switches: ['same-instant'] } as const;

/**
 * The run request of `--set kernel.<host>.<option>=<value>` and `--same-instant`, and the flags
 * again (for a replay command and the determinism check's child). A malformed --set is a usage
 * error; a wrong option name or value a configuration error naming it (both exit 2).
 */
function runKnobs(args: ParsedArgs): RunKnobs {
  const kernel: Record<string, Record<string, unknown>> = {};
  const flags: string[] = [];
  for (const text of args.lists.get('set') ?? []) {
    const match = /^kernel\.([^=]+)\.([^.=]+)=(.*)$/s.exec(text);
    if (match === null)
      throw new UsageError(`--set ${text}: expected kernel.<host>.<option>=<value>`);
    const [, host, option, value] = match as unknown as [string, string, string, string];
    const where = `--set kernel.${host}.${option}`;
    (kernel[host] ??= {})[option] = parseKernelOption(where, option, value);
    flags.push('--set', text);
  }
  const sameInstant = args.switches.has('same-instant');
  if (sameInstant) flags.push('--same-instant');
  return {
    request: {
      ...(flags.includes('--set') && {
        kernel: kernel as Readonly<Record<string, Omit<KernelOptions, 'disabledRules'>>>,
      }),
      ...(sameInstant && { sameInstantChoice: true }),
    },
    flags,
  };
}

/** `flags` as they would be typed in a POSIX shell. */
function shellWords(flags: readonly string[]): string {
  return flags
    .map((word) => (/^[\w.,:/=@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .map((word) => ` ${word}`)
    .join('');
}

async function run(argv: readonly string[], out: Write, showcase: boolean): Promise<number> {
  const args = parseArgs(argv, {
    values: ['seed', 'record', 'replay', 'pcap', 'strategy'],
    switches: ['trace', 'choices', ...KNOB_FLAGS.switches],
    lists: KNOB_FLAGS.lists,
  });
  const reference = onePositional(args, 'scenario');
  const knobs = runKnobs(args);
  const scenario = await loadScenario(reference);
  const replayFile = args.values.get('replay');
  const replaying = replayFile === undefined ? undefined : readTapeFile(replayFile);
  const seed = integerFlag(args, 'seed', replaying?.seed ?? scenario.seeds[0] ?? 1);
  const recordFile = args.values.get('record');
  const pcapFile = args.values.get('pcap');
  const planned = strategyRun(scenario, args, seed);
  const { decider, ...request } = planRequest(knobs.request, planned.plan);
  const choices = choicesFlag(args);
  const result = await runScenario(scenario, {
    ...request,
    ...(decider !== undefined && replayFile === undefined && { decider }),
    keepTrace: showcase || (args.switches.has('trace') && choices === null),
    ...((recordFile !== undefined || choices !== null) && { record: true }),
    ...(replaying !== undefined && { replay: replaying.tape }),
    ...(pcapFile !== undefined && { pcap: true }),
    ...(choices !== null && { decider: choices.decider, onRecord: choices.onRecord }),
  });
  for (const record of result.trace ?? []) out(`${formatRecord(record)}\n`);
  for (const line of choices?.lines ?? []) out(`${line}\n`);
  if (pcapFile !== undefined && result.pcap !== undefined) writeFileSync(pcapFile, result.pcap);
  if (recordFile !== undefined) {
    const identity = scenarioIdentity(scenario.name, reference);
    writeTapeFile(recordFile, { scenario: identity, seed: result.seed, tape: result.tape ?? [] });
  }
  const flags = [...knobs.flags, ...planned.flags];
  const again = replayFile === undefined ? `--seed ${result.seed}` : `--replay ${replayFile}`;
  const replay = `wsksim run ${reference} ${again}${shellWords(flags)}`;
  if (replaying !== undefined)
    out(changedNote(replaying, scenarioIdentity(scenario.name, reference)));
  const ran = replayFile === undefined ? undefined : `replayed ${replayFile}`;
  out(summary(result, replay, planned.plan.note, ran));
  return result.status === 'passed' ? 0 : 1;
}

/** A line saying the scenario changed since the tape was recorded, or nothing. */
function changedNote(replaying: TapeFile, now: ArtifactScenario): string {
  const then = replaying.scenario?.sha256;
  if (then === undefined || then === now.sha256) return '';
  return `scenario changed since the tape was recorded: sha256 ${then} now ${now.sha256}\n`;
}

/** `run --choices`: the log to run with, or null; a usage error with a decider of its own. */
function choicesFlag(args: ParsedArgs): ChoiceLog | null {
  if (!args.switches.has('choices')) return null;
  for (const flag of ['strategy', 'replay']) {
    if (args.values.has(flag)) throw new UsageError(`--choices cannot be used with --${flag}`);
  }
  return choiceLog();
}

/** `run --strategy S`: the plan strategy S gives the run of seed N in any campaign. */
function strategyRun(
  scenario: Scenario<unknown>,
  args: ParsedArgs,
  seed: number,
): { plan: RunPlan; flags: string[] } {
  if (!args.values.has('strategy')) return { plan: { seed, request: {}, note: '' }, flags: [] };
  const { name, params, flags } = strategyOf(args, 'random');
  return { plan: seedOnlyRun(scenario, name, seed, params), flags };
}

/** The flags of a campaign's strategy (`--strategy` and its parameters). */
const STRATEGY_FLAGS = {
  values: ['strategy', 'depth', 'faults', 'limit'],
  lists: ['vary'],
} as const;

/** `--strategy` and its parameters; a name not among STRATEGY_NAMES is a usage error. */
function strategyOf(args: ParsedArgs, fallback: StrategyName): {
  name: StrategyName;
  params: StrategyParams;
  flags: string[];
} {
  const text = args.values.get('strategy') ?? fallback;
  if (!(STRATEGY_NAMES as readonly string[]).includes(text))
    throw new UsageError(`--strategy expects one of ${STRATEGY_NAMES.join(', ')}, got '${text}'`);
  const name = text as StrategyName;
  const flags = args.values.has('strategy') ? ['--strategy', name] : [];
  const params: { -readonly [K in keyof StrategyParams]: StrategyParams[K] } = {};
  for (const flag of ['depth', 'faults', 'limit'] as const) {
    if (!args.values.has(flag)) continue;
    const value = integerFlag(args, flag, 0);
    if (value < 1) throw new UsageError(`--${flag} expects at least 1, got ${value}`);
    params[flag] = value;
    flags.push(`--${flag}`, String(value));
  }
  const vary = args.lists.get('vary');
  if (vary !== undefined) {
    params.vary = vary;
    for (const label of vary) flags.push('--vary', label);
  }
  return { name, params, flags };
}

/** `wsksim fuzz`: a campaign under a strategy; exit 0 when its verdict is good (campaign.ts). */
async function fuzz(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, {
    values: ['runs', 'seed', 'time', 'out', ...STRATEGY_FLAGS.values],
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
  const scenario = await loadScenario(reference);
  // Outside the simulated world: --time is a wall-clock budget for the campaign, read here in
  // src/cli only and handed to the campaign as a stop test between runs; no run ever reads it, so
  // each run is still a pure function of its scenario, knobs, strategy and seed.
  const start = performance.now();
  const campaign = await runCampaign(scenario, {
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
  });
  const flags = [...knobs.flags, ...strategy.flags];
  const identity = scenarioIdentity(scenario.name, reference);
  const dir = args.values.get('out') ?? DEFAULT_FINDINGS_DIR;
  const artifacts = writeFindings(campaign, identity, strategy.params, dir);
  const fuzzed = { reference, flags, runs, artifacts, ...(budget !== undefined && { budget }) };
  out(fuzzReport(scenario, campaign, fuzzed));
  if (!args.switches.has('no-shrink')) await shrinkFindings(artifacts, out);
  return campaign.ok ? 0 : 1;
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

/** `wsksim replay <artifact>` (replay.ts). */
async function replay(argv: readonly string[], out: Write, err: Write): Promise<number> {
  const file = onePositional(parseArgs(argv, { values: [], switches: [] }), 'artifact');
  return await replayArtifact(file, out, err);
}

/** `wsksim shrink <artifact> [--out DIR] [--budget N] [--time T]` (shrink.ts). */
async function shrink(argv: readonly string[], out: Write, err: Write): Promise<number> {
  const args = parseArgs(argv, { values: ['out', 'budget', 'time'], switches: [] });
  const file = onePositional(args, 'artifact');
  const outDir = args.values.get('out');
  const timeText = args.values.get('time');
  const budget = args.values.has('budget') ? integerFlag(args, 'budget', 0) : undefined;
  if (budget !== undefined && budget < 1)
    throw new UsageError(`--budget expects at least 1, got ${budget}`);
  return await shrinkArtifact(
    {
      file,
      ...(outDir !== undefined && { out: outDir }),
      ...(budget !== undefined && { budget }),
      ...(timeText !== undefined && { time: parseDuration('--time', timeText) }),
    },
    out,
    err,
  );
}

async function check(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, { values: ['seed'], ...KNOB_FLAGS });
  const reference = onePositional(args, 'scenario');
  const knobs = runKnobs(args);
  const seed = integerFlag(args, 'seed', (await loadScenario(reference)).seeds[0] ?? 1);
  const report = await checkDeterminism(reference, seed, knobs);
  if (report.divergence === null && report.hashes[0] === report.hashes[1]) {
    out(
      `deterministic: seed ${seed}, ${report.events[0]} events, ` +
        `trace hash ${report.hashes[0]} in both processes\n`,
    );
    return 0;
  }
  out(
    `NOT deterministic: seed ${seed}, ` +
      `trace hash ${report.hashes[0]} here, ${report.hashes[1]} in the child\n`,
  );
  out(
    `${report.divergence?.message ?? 'no event differs: the difference is after the last event'}\n`,
  );
  return 1;
}

async function eventLog(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, { values: ['seed'], ...KNOB_FLAGS });
  const reference = onePositional(args, 'scenario');
  out(JSON.stringify(await logRun(reference, integerFlag(args, 'seed', 1), runKnobs(args))));
  return 0;
}

/** The layers' titles in `wsksim rules`, lowest first. */
const RULE_LAYERS: Readonly<Record<string, string>> = {
  nt: 'NT kernel (src/nt)',
  wsk: 'WSK provider (src/wsk)',
};

function rules(out: Write): number {
  const rules = [...RULES.values()];
  for (const [layer, title] of Object.entries(RULE_LAYERS)) {
    const own = rules.filter((rule) => rule.layer === layer);
    out(`# ${title}: ${own.length} rules\n\n`);
    for (const rule of own) {
      out(`${rule.id}  ${rule.channel}\n  ${rule.summary}\n  source: ${rule.source}\n`);
    }
    out('\n');
  }
  return 0;
}

function list(out: Write): number {
  out(`${listScenarioNames().join('\n')}\n`);
  return 0;
}

function onePositional(args: ParsedArgs, what: string): string {
  const [first, ...extra] = args.positional;
  if (first === undefined) throw new UsageError(`missing ${what}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  return first;
}
