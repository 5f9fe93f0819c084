/**
 * `wsksim run` and `wsksim showcase`: one scenario, its declared seeds (or one seed, or a tape),
 * each run's trace when asked and its summary.
 */
import { runScenario, type RunRequest, type Scenario } from '../explore/scenario.ts';
import { planRequest, seedOnlyRun } from '../explore/campaign.ts';
import type { RunPlan } from '../explore/strategy.ts';
import type { ArtifactScenario } from '../explore/artifact.ts';
import { TimelineRecorder } from '../report/index.ts';
import { formatRecord } from '../sim/index.ts';
import { UsageError, integerFlag, onePositional, parseArgs, type ParsedArgs } from './args.ts';
import { choiceLog, type ChoiceLog } from './choices.ts';
import { KNOB_FLAGS, runKnobs } from './knobs.ts';
import { loadScenario } from './load.ts';
import { checkOutputFile } from './output-paths.ts';
import { refuseConfigFailure } from './scenario-file-error.ts';
import { REPORT_FILES, REPORT_VALUES, reportFlags, writeReports } from './report-files.ts';
import { scenarioIdentity } from './provenance.ts';
import { strategyOf } from './strategy-flags.ts';
import { summary } from './summary.ts';
import { htmlFlag, timelineRequest, writeTimeline } from './timeline-file.ts';
import { readTapeFile, writeTapeFile, type TapeFile } from './tape-file.ts';
import type { Write } from './write.ts';
import { command } from './invocation.ts';

/**
 * `wsksim run`: with `--seed N` that seed; with `--replay FILE` the tape's run; without either,
 * every seed the scenario declares, one summary each (exit 1 when any fails). What makes one
 * run's files or log (`--record`, `--pcap`, `--pcapng`, `--mermaid`, `--trace-json`, `--html`,
 * `--choices`) and `showcase` take the first declared seed when no `--seed` is given, as they
 * always did: a file per seed would overwrite itself.
 */
export async function run(argv: readonly string[], out: Write, showcase: boolean): Promise<number> {
  const args = parseArgs(argv, {
    values: ['seed', 'record', 'replay', 'strategy', 'html', ...REPORT_VALUES],
    switches: ['trace', 'choices', ...KNOB_FLAGS.switches],
    lists: KNOB_FLAGS.lists,
  });
  const reference = onePositional(args, 'scenario');
  reportFlags(args); // refuses an unwritable path or a bad --last/--from/--to before loading
  htmlFlag(args);
  const record = args.values.get('record');
  if (record !== undefined) checkOutputFile('record', record);
  const scenario = await loadScenario(reference);
  const seeds = seedsToRun(scenario, args, showcase);
  let failed = 0;
  for (const seed of seeds) {
    if ((await runOne(scenario, reference, args, seed, showcase, out)) !== 0) failed++;
  }
  if (seeds.length > 1) {
    out(`seeds ${seeds.join(', ')}: ${seeds.length - failed} passed, ${failed} failed\n`);
  }
  return failed === 0 ? 0 : 1;
}

/** The seeds `run` runs (see run): undefined for the replayed tape's own. */
function seedsToRun(
  scenario: Scenario<unknown>,
  args: ParsedArgs,
  showcase: boolean,
): readonly (number | undefined)[] {
  if (args.values.has('seed')) return [integerFlag(args, 'seed', 1)];
  if (args.values.has('replay')) return [undefined];
  const one = showcase || ONE_RUN_FLAGS.some((flag) => args.values.has(flag));
  if (one || args.switches.has('choices')) return [scenario.seeds[0] ?? 1];
  return scenario.seeds.length === 0 ? [1] : scenario.seeds;
}

/** Flags that write one run's file: with no --seed, `run` runs the first declared seed only. */
const ONE_RUN_FLAGS = ['record', 'html', ...REPORT_FILES] as const;

/** One run of `run`: its trace when asked, its files, its summary; 0 when it passed. */
async function runOne(
  scenario: Scenario<unknown>,
  reference: string,
  args: ParsedArgs,
  seedFlag: number | undefined,
  showcase: boolean,
  out: Write,
): Promise<number> {
  const knobs = runKnobs(args);
  const replayFile = args.values.get('replay');
  const replaying = replayFile === undefined ? undefined : readTapeFile(replayFile);
  const seed = seedFlag ?? replaying?.seed ?? scenario.seeds[0] ?? 1;
  const recordFile = args.values.get('record');
  const reports = reportFlags(args);
  const planned = strategyRun(scenario, args, seed);
  const { decider, ...request } = planRequest(knobs.request, planned.plan);
  const choices = choicesFlag(args);
  const htmlFile = args.values.get('html');
  const printTrace = showcase || (args.switches.has('trace') && choices === null);
  const asked: RunRequest = {
    ...request,
    ...(decider !== undefined && replayFile === undefined && { decider }),
    ...reports.request,
    keepTrace: printTrace || reports.request.keepTrace === true,
    ...((recordFile !== undefined || choices !== null) && { record: true }),
    ...(replaying !== undefined && { replay: replaying.tape }),
    ...(choices !== null && { decider: choices.decider, onRecord: choices.onRecord }),
  };
  const recorder = htmlFile === undefined ? undefined : new TimelineRecorder();
  const result = await runScenario(
    scenario,
    recorder === undefined ? asked : timelineRequest(asked, recorder, choices?.onRecord),
  );
  refuseConfigFailure(reference, result);
  if (printTrace) for (const record of result.trace ?? []) out(`${formatRecord(record)}\n`);
  for (const line of choices?.lines ?? []) out(`${line}\n`);
  writeReports(reports, result, out);
  if (recordFile !== undefined) {
    const identity = scenarioIdentity(scenario.name, reference);
    writeTapeFile(recordFile, { scenario: identity, seed: result.seed, tape: result.tape ?? [] });
  }
  const flags = [...knobs.flags, ...planned.flags];
  const again = replayFile === undefined ? ['--seed', `${result.seed}`] : ['--replay', replayFile];
  const replay = command(['run', reference, ...again, ...flags]);
  if (replaying !== undefined)
    out(changedNote(replaying, scenarioIdentity(scenario.name, reference)));
  const ran = replayFile === undefined ? undefined : `replayed ${replayFile}`;
  const closing = summary(result, replay, planned.plan.note, ran);
  if (htmlFile !== undefined && recorder !== undefined)
    writeTimeline(htmlFile, result, recorder, closing, replay, out);
  out(closing);
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

