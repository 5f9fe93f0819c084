/**
 * `wsksim shrink <artifact>`: makes an artifact's failing run as small and as default as it can
 * while the same failure signature persists (explore/shrink.ts, Hypothesis's choice-sequence
 * reduction over a lenient replay), writes the result as a new artifact (`<name>-shrunk.json`,
 * beside the input or in `--out DIR`), and prints the sizes before and after, the candidate runs
 * and the time taken. Bounded by `--budget N` candidate runs (default 1,000) and `--time T` (wall
 * clock, read here in src/cli only and handed to the shrinker as `shouldStop`); either way it
 * keeps the best tape so far. Deterministic: the same artifact gives the same shrunk tape.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { replayRequest, shrunkArtifact, type Artifact } from '../explore/artifact.ts';
import { runScenario, type Scenario } from '../explore/scenario.ts';
import type { RunSizes, ShrinkOutput } from '../explore/shrink.ts';
import { shrinkRun } from '../explore/shrink-run.ts';
import { formatInstant } from '../sim/index.ts';
import { artifactText } from './findings.ts';
import { readArtifact, scenarioOf } from './replay.ts';

type Write = (text: string) => void;

export interface ShrinkRequest {
  readonly file: string;
  /** Where the shrunk artifact goes. @defaultValue the input's directory */
  readonly out?: string;
  readonly budget?: number;
  /** Wall-clock budget in nanoseconds. */
  readonly time?: number;
}

/** A shrink made: the shrunk artifact's path, the shrinker's output, the wall time taken. */
export interface Shrunk {
  readonly path: string;
  readonly output: ShrinkOutput;
  readonly seconds: number;
}

/** Exit codes: 0 shrunk (or already minimal), 1 not reproduced, 2 not an artifact. */
export async function shrinkArtifact(
  request: ShrinkRequest,
  out: Write,
  err: Write,
): Promise<number> {
  const shrunk = await shrinkArtifactFile(request);
  if (typeof shrunk === 'string') {
    const malformed = shrunk.startsWith('field ') || shrunk.startsWith('not a JSON');
    if (malformed) err(`wsksim: ${request.file}: ${shrunk}\n`);
    else out(`not shrunk: ${shrunk}\n`);
    return malformed ? 2 : 1;
  }
  out(shrinkReport(request.file, shrunk.path, shrunk.output, shrunk.seconds));
  return 0;
}

/**
 * Shrinks the artifact in `request.file` and writes the result; or says why not: the file is
 * not an artifact (its field named), its scenario changed, or its run no longer fails the same way.
 */
export async function shrinkArtifactFile(request: ShrinkRequest): Promise<Shrunk | string> {
  const artifact = readArtifact(request.file);
  if (typeof artifact === 'string') return artifact;
  const scenario = await scenarioOf(artifact);
  if (typeof scenario === 'string') return scenario;
  const start = performance.now();
  const output = await shrinkArtifactRun(scenario, artifact, request, start);
  const seconds = (performance.now() - start) / 1000;
  if (output.ended === 'not-reproduced')
    return "the artifact's run does not fail the same way when replayed";
  const path = shrunkPath(request);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, artifactText(shrunkArtifact(artifact, output, `wsksim replay ${path}`)));
  return { path, output, seconds };
}

/** Replays the artifact's run once (recorded), then shrinks its tape. */
async function shrinkArtifactRun(
  scenario: Scenario<unknown>,
  artifact: Artifact,
  request: ShrinkRequest,
  start: number,
): Promise<ShrinkOutput> {
  // Records kept, so the sizes can count the hosts the run involved.
  const replay = { ...replayRequest(scenario, artifact), keepTrace: true };
  const original = await runScenario(scenario, replay);
  const time = request.time;
  return await shrinkRun(scenario, replay, original, {
    ...(request.budget !== undefined && { budget: request.budget }),
    // Wall clock by design, between candidate runs, never inside one (see the header).
    ...(time !== undefined && { shouldStop: () => (performance.now() - start) * 1e6 >= time }),
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
): string {
  const { before, after } = shrunk;
  const lines = [
    `shrunk ${input} → ${output}`,
    `signature: ${shrunk.signature ?? '(none)'}`,
    ...sizeLines(before, after),
    `candidates: ${shrunk.candidates} runs in ${seconds.toFixed(2)} s (ended: ${shrunk.ended})`,
    `replay: wsksim replay ${output}`,
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
