/**
 * The tape file of `wsksim run --record FILE` and `--replay FILE`: the run's choice tape with the
 * scenario it was recorded on (name, path, content sha256) and its seed, so that a replay can say
 * what it replays and notice a scenario changed since. The older form, `{"tape": [...]}` alone,
 * is still read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ArtifactScenario } from '../explore/artifact.ts';
import type { Tape } from '../sim/index.ts';
import { UsageError } from './args.ts';
import { scenarioFrom } from './provenance.ts';

export interface TapeFile {
  readonly tape: Tape;
  /** Absent in the older form. */
  readonly scenario?: ArtifactScenario;
  readonly seed?: number;
}

export function writeTapeFile(file: string, contents: Required<TapeFile>): void {
  const { seed, tape } = contents;
  const scenario = scenarioFrom(contents.scenario, file);
  writeFileSync(file, `${JSON.stringify({ scenario, seed, tape }, null, 1)}\n`);
}

/** The tape file `file`; a malformed one is a usage error naming it (`--replay FILE`). */
export function readTapeFile(file: string): TapeFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--replay ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const contents = (parsed ?? {}) as Partial<Record<keyof TapeFile, unknown>>;
  if (!Array.isArray(contents.tape))
    throw new UsageError(`--replay ${file}: expected {"tape": [{"label": ..., "value": ...}]}`);
  const seed = contents.seed;
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new UsageError(`--replay ${file}: field 'seed': expected an integer`);
  return parsed as TapeFile;
}
