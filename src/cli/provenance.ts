/**
 * Where a run comes from, for what outlives it (a failure artifact, a recorded tape): the
 * scenario's name, the file it was loaded from and that file's content sha256 (so a replay can
 * tell that the scenario changed since), and this wsksim's version. Reads files, so it lives in
 * src/cli.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
