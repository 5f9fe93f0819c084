/**
 * The regression corpus of `wsksim test --corpus DIR` (default `.wsksim/findings` when it
 * exists): every failure artifact in DIR made again and told apart as
 * - still failing: it fails with the artifact's signature (signature.ts), the same bug;
 * - fixed: it passes now;
 * - changed: it fails otherwise, another failure on the same run;
 * - unreadable: not an artifact of this schema, or its scenario is gone.
 * An artifact passes unless the run fails now, and fails otherwise than the scenario's `expect`
 * (a deliberate bug scenario's artifacts always fail the way it declares, and that is right), or
 * cannot be made at all: a bug in the corpus fails `wsksim test` until it is fixed, and then stays
 * fixed or fails it again.
 *
 * The run is made as `wsksim replay` makes it (replay.ts): strictly, when the scenario is unchanged
 * and the tape fits. When the scenario file changed since (often the fix itself: a driver lives in
 * its scenario), or the tape no longer lines up with the run (the model or the driver changed),
 * the tape is replayed leniently, as shrinking replays it (lenient-decider.ts): what lines up
 * decides, the rest takes its default. An artifact records its scenario's path relative to itself;
 * when no file is there (the scenario moved or was renamed), a scenario of the same name among
 * those under test stands in. Beside an artifact `X.json`, its shrunk run `X-shrunk.json` (`wsksim
 * shrink`, `wsksim fuzz`) is the same bug, smaller: only the shrunk one is replayed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { replayRequest, type Artifact, type ArtifactFailure } from '../explore/artifact.ts';
import { failsAsExpected, type Scenario, type ScenarioResult } from '../explore/scenario.ts';
import { lenientRun } from '../explore/shrink-run.ts';
import { failureSignature } from '../explore/signature.ts';
import type { Failure, FailureKind, Instant } from '../sim/index.ts';
import { loadScenario } from './load.ts';
import { scenarioFileOf } from './provenance.ts';
import { replayOutcome } from './replay.ts';

export type CorpusStatus = 'still failing' | 'fixed' | 'changed' | 'unreadable';

/** One artifact of the corpus, replayed. */
export interface CorpusEntry {
  readonly file: string;
  readonly status: CorpusStatus;
  /** Whether it passes `wsksim test` (see the module header). */
  readonly ok: boolean;
  /** One line: the status and why. */
  readonly line: string;
  /** The run made, when one was. */
  readonly result?: ScenarioResult;
}

/** The artifacts in `dir`, sorted, each shrunk one in place of the artifact it was shrunk from. */
export function corpusFiles(dir: string): string[] {
  const names = new Set(readdirSync(dir).filter((name) => name.endsWith('.json')));
  return [...names]
    .filter((name) => !names.has(name.replace(/\.json$/, '-shrunk.json')))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => join(dir, name));
}

/** Replays the artifacts `files` (corpusFiles); `known` are the scenarios under test, by name. */
export async function replayCorpus(
  files: readonly string[],
  known: ReadonlyMap<string, Scenario<unknown>>,
): Promise<CorpusEntry[]> {
  const entries: CorpusEntry[] = [];
  for (const file of files) entries.push(await replayEntry(file, known));
  return entries;
}

async function replayEntry(
  file: string,
  known: ReadonlyMap<string, Scenario<unknown>>,
): Promise<CorpusEntry> {
  const outcome = await replayOutcome(file);
  if (outcome.kind === 'not-artifact')
    return { file, status: 'unreadable', ok: false, line: `unreadable: ${outcome.reason}` };
  if (outcome.kind === 'ran') {
    const how = outcome.reproduced ? 'reproduced' : 'replayed';
    return judged(file, outcome.artifact, outcome.scenario, outcome.result, how);
  }
  const { artifact } = outcome;
  const found =
    outcome.kind === 'diverged'
      ? { scenario: outcome.scenario, why: 'the tape diverged' }
      : await changedScenario(artifact, file, known);
  if (found === null) {
    const missing = `its scenario ${artifact.scenario.name} is gone (${artifact.scenario.path})`;
    return { file, status: 'unreadable', ok: false, line: `unreadable: ${missing}` };
  }
  const { scenario, why } = found;
  const request = replayRequest(scenario, artifact);
  const result = await lenientRun(scenario, request)(request.replay ?? []);
  return judged(file, artifact, scenario, result, `replayed leniently: ${why}`);
}

/**
 * The artifact's scenario when its file changed since: that file, or else one under test of the
 * same name; and which.
 */
async function changedScenario(
  artifact: Artifact,
  file: string,
  known: ReadonlyMap<string, Scenario<unknown>>,
): Promise<{ scenario: Scenario<unknown>; why: string } | null> {
  const { name } = artifact.scenario;
  const path = scenarioFileOf(artifact.scenario, file);
  if (existsSync(path)) return { scenario: await loadScenario(path), why: 'the scenario changed' };
  const scenario = known.get(name);
  return scenario === undefined ? null : { scenario, why: `${path} is gone: ${name} under test` };
}

function judged(
  file: string,
  artifact: Artifact,
  scenario: Scenario<unknown>,
  result: ScenarioResult,
  how: string,
): CorpusEntry {
  const then = artifactSignature(artifact.failure);
  if (result.failure === undefined)
    return { file, status: 'fixed', ok: true, line: `fixed: passes now (${how})`, result };
  const now = failureSignature(result.failure);
  const status = now === then ? 'still failing' : 'changed';
  const expected = failsAsExpected(scenario, result);
  const as = expected ? ` (expected: ${scenario.expect})` : '';
  const what = status === 'changed' ? `${now}, was ${then}` : now;
  return { file, status, ok: expected, line: `${status}${as}: ${what} (${how})`, result };
}

/** The signature of an artifact's failure, as of the failure it was written from. */
function artifactSignature(failure: ArtifactFailure): string {
  const { rule, site } = failure;
  const whole: Failure = {
    kind: failure.kind as FailureKind,
    message: failure.message,
    seed: 0,
    at: failure.time as Instant,
    ...(rule !== null && { details: { rule, ...(site !== null && { site }) } }),
  };
  return failureSignature(whole);
}
