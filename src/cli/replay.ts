/**
 * `wsksim replay <artifact>`: makes a campaign's failing run again from its artifact
 * (explore/artifact.ts) and says whether it reproduced, to the same trace hash, or exactly why
 * not: the scenario file changed since (its sha256), the tape diverged (at which entry, with both
 * labels), or the trace hash differs. A file that is not a well-formed artifact of this schema is
 * refused in one line naming the file and the field (exit 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { ArtifactError, parseArtifact, replayRequest, type Artifact } from '../explore/artifact.ts';
import { runScenario, type Scenario, type ScenarioResult } from '../explore/scenario.ts';
import { TapeDivergedError } from '../sim/index.ts';
import { TimelineRecorder } from '../report/index.ts';
import { loadScenario } from './load.ts';
import { writeReports, type Reports } from './report-files.ts';
import { fileSha256, scenarioFileOf, wsksimVersion } from './provenance.ts';
import { summary } from './summary.ts';
import { timelineRequest, writeTimeline } from './timeline-file.ts';
import type { Write } from './write.ts';
import { command } from './invocation.ts';

/**
 * What replaying an artifact came to: not an artifact (why, naming the field), not run (the
 * scenario changed since or is gone), a tape that diverged at the run's start, or the run made
 * again with the one-line verdict (reproduced: the same trace hash).
 */
export type ReplayOutcome =
  | { readonly kind: 'not-artifact'; readonly reason: string }
  | { readonly kind: 'not-run'; readonly artifact: Artifact; readonly reason: string }
  | {
      readonly kind: 'diverged';
      readonly artifact: Artifact;
      readonly scenario: Scenario<unknown>;
      readonly error: TapeDivergedError;
    }
  | {
      readonly kind: 'ran';
      readonly artifact: Artifact;
      readonly scenario: Scenario<unknown>;
      readonly result: ScenarioResult;
      readonly reproduced: boolean;
      /** One line: `reproduced: …` or `not reproduced: …`, and both versions if they differ. */
      readonly verdict: string;
    };

/**
 * Replays the artifact in `file` strictly: its scenario unchanged, its tape followed exactly;
 * `reports` asks for report files of the run (report-files.ts), and `timeline` notes its choices
 * for the HTML timeline (timeline-file.ts); neither changes it.
 */
export async function replayOutcome(
  file: string,
  reports?: Reports['request'],
  timeline?: TimelineRecorder,
): Promise<ReplayOutcome> {
  const artifact = readArtifact(file);
  if (typeof artifact === 'string') return { kind: 'not-artifact', reason: artifact };
  const scenario = await scenarioOf(artifact, file);
  if (typeof scenario === 'string') return { kind: 'not-run', artifact, reason: scenario };
  const result = await replayed(scenario, artifact, reports, timeline);
  if (result instanceof TapeDivergedError)
    return { kind: 'diverged', artifact, scenario, error: result };
  const verdict = verdictOf(artifact, result);
  const reproduced = verdict.startsWith('reproduced');
  return {
    kind: 'ran',
    artifact,
    scenario,
    result,
    reproduced,
    verdict: `${verdict}${versionNote(artifact, verdict)}`,
  };
}

/**
 * Exit codes: 0 reproduced, 1 not reproduced, 2 not an artifact. The report files asked for are
 * written whenever the run was made, reproduced or not; so is the timeline with `html`.
 */
export async function replayArtifact(
  file: string,
  out: Write,
  err: Write,
  reports?: Reports,
  html?: string,
): Promise<number> {
  const recorder = html === undefined ? undefined : new TimelineRecorder();
  const outcome = await replayOutcome(file, reports?.request, recorder);
  switch (outcome.kind) {
    case 'not-artifact':
      err(`wsksim: ${file}: ${outcome.reason}\n`);
      return 2;
    case 'not-run':
      out(`not reproduced: ${outcome.reason}\n`);
      return 1;
    case 'diverged':
      out(`not reproduced: ${outcome.error.message}${versionNote(outcome.artifact, 'not')}\n`);
      return 1;
    case 'ran': {
      const { artifact, result } = outcome;
      const ran = `replayed ${file} (seed ${artifact.seed})`;
      const closing = summary(result, command(['replay', file]), '', ran);
      if (reports !== undefined) writeReports(reports, result, out);
      if (html !== undefined && recorder !== undefined)
        writeTimeline(html, result, recorder, closing, command(['replay', file]), out);
      out(closing);
      out(`${outcome.verdict}\n`);
      return outcome.reproduced ? 0 : 1;
    }
  }
}

/**
 * The run `artifact` records, made again; a tape that diverges at the run's start (a swarm run's
 * draw, made while the simulation is built) is returned rather than thrown.
 */
async function replayed(
  scenario: Scenario<unknown>,
  artifact: Artifact,
  reports: Reports['request'] = {},
  timeline?: TimelineRecorder,
): Promise<ScenarioResult | TapeDivergedError> {
  const request = { ...replayRequest(scenario, artifact), ...reports };
  try {
    return await runScenario(
      scenario,
      timeline === undefined ? request : timelineRequest(request, timeline),
    );
  } catch (error) {
    if (error instanceof TapeDivergedError) return error;
    throw error;
  }
}

/** The artifact's scenario, loaded, or why not: its file changed since (sha256) or is gone. */
export async function scenarioOf(
  artifact: Artifact,
  file: string,
): Promise<Scenario<unknown> | string> {
  const { sha256 } = artifact.scenario;
  const path = scenarioFileOf(artifact.scenario, file);
  const now = existsSync(path) ? fileSha256(path) : null;
  if (now !== sha256) {
    return (
      `scenario changed since the artifact was written: sha256 ${sha256} ` +
      `now ${now ?? `missing (${path})`}`
    );
  }
  return await loadScenario(path);
}

/** The artifact in `file`, or what is wrong with it (naming the field). */
export function readArtifact(file: string): Artifact | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return `not a JSON artifact: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    return parseArtifact(parsed);
  } catch (error) {
    if (error instanceof ArtifactError) return `field '${error.field}': ${error.reason}`;
    throw error;
  }
}

/** Whether the replay made the recorded run: one line. */
function verdictOf(artifact: Artifact, result: ScenarioResult): string {
  const failure = result.failure;
  if (failure?.kind === 'tape-diverged') return `not reproduced: ${failure.message}`;
  if (result.traceHash !== artifact.traceHash) {
    return (
      `not reproduced: trace hash ${result.traceHash}, ` +
      `the artifact recorded ${artifact.traceHash}`
    );
  }
  return `reproduced: trace hash ${result.traceHash}, as recorded`;
}

/** When a replay fails on an artifact another wsksim wrote, the versions (the likely cause). */
function versionNote(artifact: Artifact, verdict: string): string {
  const version = wsksimVersion();
  if (verdict.startsWith('reproduced') || artifact.wsksimVersion === version) return '';
  return ` (the artifact was written by wsksim ${artifact.wsksimVersion}, this is ${version})`;
}
