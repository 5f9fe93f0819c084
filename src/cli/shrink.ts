/**
 * `wsksim shrink <artifact>`: makes an artifact's failing run as small and as default as it can
 * while the same failure signature persists (explore/shrink.ts, Hypothesis's choice-sequence
 * reduction over a lenient replay), writes the result as a new artifact (`<name>-shrunk.json`,
 * beside the input or in `--out DIR`), and prints the sizes before and after, the candidate runs
 * and the time taken. Bounded by `--budget N` candidate runs (default 1,000) and `--time T` (wall
 * clock, read here in src/cli only and handed to the shrinker as `shouldStop`); either way it
 * keeps the best tape so far, as it does on Ctrl-C (SIGINT) or SIGTERM, then exiting 130 or 143
 * (interrupt.ts). Deterministic: the same artifact gives the same shrunk tape.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { replayRequest, shrunkArtifact, type Artifact } from '../explore/artifact.ts';
import { runScenario, type Scenario } from '../explore/scenario.ts';
import type { RunSizes, ShrinkOutput } from '../explore/shrink.ts';
import { shrinkRun } from '../explore/shrink-run.ts';
import { formatInstant } from '../sim/index.ts';
import { TimelineRecorder } from '../report/index.ts';
import { artifactText } from './findings.ts';
import {
  SIGNAL_EXIT,
  turn,
  withInterrupt,
  type Interrupt,
  type StopSignal,
} from './interrupt.ts';
import { scenarioFileOf, scenarioFrom } from './provenance.ts';
import { readArtifact, replayOutcome, scenarioOf } from './replay.ts';
import { writeReports, type Reports } from './report-files.ts';
import { summary } from './summary.ts';
import { writeTimeline } from './timeline-file.ts';
import { Stopwatch } from './stopwatch.ts';
import type { Write } from './write.ts';
import { command } from './invocation.ts';

export interface ShrinkRequest {
  readonly file: string;
  /** Where the shrunk artifact goes. @defaultValue the input's directory */
  readonly out?: string;
  readonly budget?: number;
  /** Wall-clock budget in nanoseconds. */
  readonly time?: number;
  /** Signals that stop the shrinking, keeping the best so far. */
  readonly interrupt?: Interrupt;
  /** Where the shrunk run's HTML timeline goes (timeline-file.ts). @defaultValue none */
  readonly html?: string;
  /** Called when the shrinking starts (the artifact read, its scenario loaded). */
  readonly onStart?: () => void;
}

/** A shrink made: the shrunk artifact's path, the shrinker's output, the wall time taken. */
export interface Shrunk {
  readonly path: string;
  readonly output: ShrinkOutput;
  readonly seconds: number;
  /** The signal that stopped the shrinking, if one did. */
  readonly interrupted?: StopSignal;
}

/**
 * Exit codes: 0 shrunk (or already minimal), 1 not reproduced, 2 not an artifact. The report
 * files asked for (`--pcap`, `--mermaid`, …) are of the shrunk run, replayed once more.
 */
export async function shrinkArtifact(
  request: ShrinkRequest,
  out: Write,
  err: Write,
  reports?: Reports,
): Promise<number> {
  const onStart = (): void =>
    out(`shrinking ${request.file} (Ctrl-C stops it, keeping the best so far)\n`);
  const shrunk = await withInterrupt((interrupt) =>
    shrinkArtifactFile({ ...request, interrupt, onStart }),
  );
  if (typeof shrunk === 'string') {
    const malformed = shrunk.startsWith('field ') || shrunk.startsWith('not a JSON');
    if (malformed) err(`wsksim: ${request.file}: ${shrunk}\n`);
    else out(`not shrunk: ${shrunk}\n`);
    return malformed ? 2 : 1;
  }
  out(shrinkReport(request.file, shrunk.path, shrunk.output, shrunk.seconds, shrunk.interrupted));
  const html = request.html;
  if ((reports !== undefined && reports.files.size > 0) || html !== undefined) {
    const recorder = html === undefined ? undefined : new TimelineRecorder();
    const again = await replayOutcome(shrunk.path, reports?.request, recorder);
    if (again.kind === 'ran') {
      if (reports !== undefined) writeReports(reports, again.result, out);
      if (html !== undefined && recorder !== undefined) {
        const replayed = command(['replay', shrunk.path]);
        const closing = summary(again.result, replayed, '', `replayed ${shrunk.path}`);
        writeTimeline(html, again.result, recorder, closing, replayed, out);
      }
    }
  }
  return shrunk.interrupted === undefined ? 0 : SIGNAL_EXIT[shrunk.interrupted];
}

/**
 * Shrinks the artifact in `request.file` and writes the result; or says why not: the file is
 * not an artifact (its field named), its scenario changed, or its run no longer fails the same way.
 */
export async function shrinkArtifactFile(request: ShrinkRequest): Promise<Shrunk | string> {
  const artifact = readArtifact(request.file);
  if (typeof artifact === 'string') return artifact;
  const scenario = await scenarioOf(artifact, request.file);
  if (typeof scenario === 'string') return scenario;
  request.onStart?.();
  const stopwatch = new Stopwatch();
  const output = await shrinkArtifactRun(scenario, artifact, request, stopwatch);
  const seconds = stopwatch.seconds();
  if (output.ended === 'not-reproduced')
    return "the artifact's run does not fail the same way when replayed";
  const path = shrunkPath(request);
  mkdirSync(dirname(path), { recursive: true });
  const moved = { ...artifact, scenario: scenarioFrom(scenarioAt(artifact, request.file), path) };
  writeFileSync(path, artifactText(shrunkArtifact(moved, output, command(['replay', path]))));
  const signal = request.interrupt?.received ?? null;
  return { path, output, seconds, ...(signal !== null && { interrupted: signal }) };
}

/** The artifact's scenario with its absolute path, the artifact being at `file`. */
function scenarioAt(artifact: Artifact, file: string): Artifact['scenario'] {
  return { ...artifact.scenario, path: scenarioFileOf(artifact.scenario, file) };
}

/** Replays the artifact's run once (recorded), then shrinks its tape. */
async function shrinkArtifactRun(
  scenario: Scenario<unknown>,
  artifact: Artifact,
  request: ShrinkRequest,
  stopwatch: Stopwatch,
): Promise<ShrinkOutput> {
  // Records kept, so the sizes can count the hosts the run involved.
  const replay = { ...replayRequest(scenario, artifact), keepTrace: true };
  const original = await runScenario(scenario, replay);
  const { time, interrupt } = request;
  // Wall clock and signals by design, between candidate runs, never inside one (see the header).
  const timeUp = (): boolean => stopwatch.spent(time);
  return await shrinkRun(scenario, replay, original, {
    ...(request.budget !== undefined && { budget: request.budget }),
    shouldStop: () => timeUp() || interrupt?.stopped === true,
    ...(interrupt !== undefined && { beforeRun: turn }),
  });
}

function shrunkPath(request: ShrinkRequest): string {
  const name = basename(request.file).replace(/(-shrunk)?\.json$/, '');
  return join(request.out ?? dirname(request.file), `${name}-shrunk.json`);
}

/** The shrink's account: what, sizes before → after, cost, how it ended, the replay command. */
export function shrinkReport(
  input: string,
  output: string,
  shrunk: ShrinkOutput,
  seconds: number,
  interrupted?: StopSignal,
): string {
  const { before, after } = shrunk;
  const ended = interrupted === undefined ? shrunk.ended : `${interrupted}: best so far kept`;
  const lines = [
    `shrunk ${input} → ${output}`,
    `signature: ${shrunk.signature ?? '(none)'}`,
    ...sizeLines(before, after),
    `candidates: ${shrunk.candidates} runs in ${seconds.toFixed(2)} s (ended: ${ended})`,
    `replay: ${command(['replay', output])}`,
  ];
  return `${lines.join('\n')}\n`;
}

function sizeLines(before: RunSizes, after: RunSizes): string[] {
  return [
    `tape entries: ${before.entries} → ${after.entries}`,
    `non-default entries: ${before.nonDefault} → ${after.nonDefault}`,
    `events: ${before.events} → ${after.events}`,
    `virtual time: ${formatInstant(before.time)} → ${formatInstant(after.time)}`,
    `hosts (from the ${after.hostsFrom}): ${before.hosts} → ${after.hosts}`,
  ];
}
