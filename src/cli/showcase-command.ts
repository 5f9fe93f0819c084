/**
 * `wsksim showcase` (`npm start`): the product in a minute. It fuzzes inspect-abort-race, a
 * conditional-accept driver whose decision timer races the 30 s pend lifetime, until a run fails
 * (a pool block used after its free); writes that run's artifact, shrinks it to the one choice
 * that matters, and writes the shrunk run's HTML timeline and capture (pcapng), then prints in a
 * few lines what it found, where the files are and the command that replays it. The ping-pong
 * scenario that used to be the showcase is `wsksim run showcase`.
 */
import { join } from 'node:path';
import { runCampaign } from '../explore/campaign.ts';
import { TimelineRecorder } from '../report/index.ts';
import { formatInstant } from '../sim/index.ts';
import { integerFlag, parseArgs } from './args.ts';
import { writeFindings } from './findings.ts';
import { command } from './invocation.ts';
import { loadScenario } from './load.ts';
import { checkOutputDir } from './output-paths.ts';
import { scenarioIdentity } from './provenance.ts';
import { replayOutcome } from './replay.ts';
import { writeReports } from './report-files.ts';
import { shrinkArtifactFile } from './shrink.ts';
import { summary } from './summary.ts';
import { writeTimeline } from './timeline-file.ts';
import type { Write } from './write.ts';

const SCENARIO = 'inspect-abort-race';
/** The most runs the showcase gives the campaign; the bug shows within a few. */
const RUNS = 200;
const DEFAULT_OUT = join('.wsksim', 'showcase');

export async function showcase(argv: readonly string[], out: Write): Promise<number> {
  const args = parseArgs(argv, { values: ['seed', 'out'], switches: [] });
  const seed = integerFlag(args, 'seed', 1);
  const dir = args.values.get('out') ?? DEFAULT_OUT;
  checkOutputDir('out', dir);
  const scenario = await loadScenario(SCENARIO);
  out(
    `wsksim showcase: fuzzing ${SCENARIO} (${scenario.description})\n` +
      `  runs of seeds ${seed}… until one fails\n`,
  );
  let found = false;
  const campaign = await runCampaign(scenario, {
    strategy: 'random',
    seed,
    runs: RUNS,
    shouldStop: () => found,
    onRun: (result) => void (found ||= result.failure !== undefined),
  });
  const group = campaign.groups[0];
  if (group === undefined) {
    out(`  no run of ${campaign.runs} failed; try another --seed\n`);
    return 1;
  }
  const identity = scenarioIdentity(scenario.name, SCENARIO);
  const [artifact] = writeFindings(campaign, identity, {}, dir) as [string];
  const failure = group.result.failure;
  out(
    `found on run ${group.first.run + 1} (seed ${group.first.seed}), at virtual time ` +
      `${formatInstant(failure?.at ?? 0)}: ${group.signature}\n  ${failure?.message ?? ''}\n`,
  );
  return await shrinkAndShow(artifact, dir, out);
}

/** Shrinks the artifact, writes the shrunk run's timeline and capture, prints where. */
async function shrinkAndShow(artifact: string, dir: string, out: Write): Promise<number> {
  const shrunk = await shrinkArtifactFile({ file: artifact, budget: 300 });
  if (typeof shrunk === 'string') {
    out(`not shrunk: ${shrunk}\n`);
    return 1;
  }
  const { before, after, candidates } = shrunk.output;
  const chosen = shrunk.output.tape.filter((entry) => entry.value !== null);
  const choices = chosen.map((entry) => `${entry.label} = ${entry.value}`).join(', ');
  out(
    `shrunk in ${candidates} runs: ${before.nonDefault} non-default choices → ${after.nonDefault}` +
      `${choices === '' ? '' : ` (${choices})`}, every other choice its default\n`,
  );
  const recorder = new TimelineRecorder();
  const pcapng = join(dir, 'inspect-abort-race.pcapng');
  const reports = { files: new Map([['pcapng', pcapng] as const]), request: { pcapng: true } };
  const again = await replayOutcome(shrunk.path, reports.request, recorder);
  if (again.kind !== 'ran') return 1;
  const replay = command(['replay', shrunk.path]);
  const html = join(dir, 'inspect-abort-race.html');
  const closing = summary(again.result, replay, '', `replayed ${shrunk.path}`);
  writeTimeline(html, again.result, recorder, closing, replay, out);
  writeReports(reports, again.result, out);
  out(
    `more: npx wsksim fuzz ${SCENARIO} --runs 1000 · npx wsksim run showcase --trace · ` +
      `npx wsksim help\n` +
      `timeline: ${html} (open it in a browser: the race on one time axis, ` +
      'the violation marked)\n' +
      `replay: ${replay}\n`,
  );
  return 0;
}
