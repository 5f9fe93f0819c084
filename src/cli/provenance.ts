/**
 * Where a run comes from, for what outlives it (a failure artifact, a recorded tape): the
 * scenario's name, the file it was loaded from and that file's content sha256 (so a replay can
 * tell that the scenario changed since), and this wsksim's version. Reads files, so it lives in
 * src/cli. A file that names its scenario (an artifact, a tape) names it relative to its own
 * directory, so a checkout, or a findings directory committed with the scenarios, can move.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArtifactScenario } from '../explore/artifact.ts';
import { scenarioPath } from './load.ts';

const PACKAGE_JSON = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');

/** The version in wsksim's package.json. */
export function wsksimVersion(): string {
  return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
}

/** The sha256 of a file's bytes, in hex. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The scenario named `name`, loaded through `reference` (a name or a file). */
export function scenarioIdentity(name: string, reference: string): ArtifactScenario {
  const path = scenarioPath(reference);
  return { name, path, sha256: fileSha256(path) };
}

/** `scenario` as a file written at `file` names it: its path relative to that file's directory. */
export function scenarioFrom(scenario: ArtifactScenario, file: string): ArtifactScenario {
  const path = relative(dirname(resolve(file)), resolve(scenario.path)).split(sep).join('/');
  return { ...scenario, path };
}

/** The scenario file a file at `file` names (relative to its directory; an absolute path as is). */
export function scenarioFileOf(scenario: ArtifactScenario, file: string): string {
  return isAbsolute(scenario.path) ? scenario.path : resolve(dirname(resolve(file)), scenario.path);
}
