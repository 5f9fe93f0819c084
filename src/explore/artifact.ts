/**
 * A failure artifact: one JSON document per distinct failure a campaign found (one per failure
 * group, signature.ts, made from the group's first run), holding everything needed to make that
 * run again and to read it without running it: the scenario (name, path, content hash), the
 * request's serialisable knobs, the strategy, the seed, the recorded tape (each entry marked
 * whether it is the choice's default), the failure and the trace hash to reproduce. Tools read
 * it, so the field names are fixed; `schema` changes when they do. `parseArtifact` accepts only a
 * well-formed artifact of this schema and names the first wrong field. Files are written and read
 * by src/cli; this module only builds and checks the document.
 */
import { SimConfigError, type Failure, type Tape } from '../sim/index.ts';
import type { LinkFaults } from '../simulation.ts';
import type { KernelOverrides } from '../wsk/index.ts';
import type { FailureGroup } from './campaign.ts';
import { resolveFuzzSpace } from './fuzz-space.ts';
import type { RunRequest, Scenario, ScenarioResult } from './scenario.ts';
import { SwarmRun } from './strategies/swarm-run.ts';
import { STRATEGY_NAMES, type StrategyName, type StrategyParams } from './strategy.ts';

/** The artifact format's version. */
export const ARTIFACT_SCHEMA = 1;

/** Which scenario ran: its name, the file it was loaded from and that file's content sha256. */
export interface ArtifactScenario {
  readonly name: string;
  readonly path: string;
  readonly sha256: string;
}

/**
 * The run request minus its decider, recording and callbacks: what makes the run again with its
 * tape. A swarm run's start-of-run draw is a function; it is named (`draw: 'swarm'`) and made
 * again from the scenario's fuzz space.
 */
export interface ArtifactOptions {
  readonly kernel?: KernelOverrides;
  readonly kernelKnobs?: KernelOverrides;
  readonly linkFaults?: LinkFaults;
  readonly faultPoints?: boolean;
  readonly sameInstantChoice?: boolean;
  readonly draw?: 'swarm';
}

/** One recorded choice; `isDefault` when its value is the choice's minimum. */
export interface ArtifactTapeEntry {
  readonly label: string;
  readonly value: number | null;
  readonly isDefault: boolean;
  /** The choice's minimum when it is not 0. */
  readonly min?: number;
}

/** The failure, flat: what is not known is null. `time` is virtual nanoseconds. */
export interface ArtifactFailure {
  readonly kind: string;
  readonly rule: string | null;
  readonly message: string;
  readonly time: number;
  readonly host: string | null;
  readonly socket: number | null;
  readonly irp: number | null;
  readonly site: string | null;
}

export interface Artifact {
  readonly schema: number;
  readonly wsksimVersion: string;
  readonly scenario: ArtifactScenario;
  readonly options: ArtifactOptions;
  readonly strategy: { readonly name: StrategyName; readonly params: StrategyParams };
  readonly seed: number;
  readonly traceHash: string;
  readonly tape: readonly ArtifactTapeEntry[];
  readonly failure: ArtifactFailure;
  /** The command line that replays it. */
  readonly replay: string;
}

/** What an artifact needs beyond the group: where it comes from and how to replay it. */
export interface ArtifactSource {
  readonly wsksimVersion: string;
  readonly scenario: ArtifactScenario;
  readonly strategy: StrategyName;
  readonly params: StrategyParams;
  readonly replay: string;
}

/** The artifact of a failure group (its first run). */
export function artifactOf(group: FailureGroup, source: ArtifactSource): Artifact {
  const { result, request } = group;
  return {
    schema: ARTIFACT_SCHEMA,
    wsksimVersion: source.wsksimVersion,
    scenario: source.scenario,
    options: optionsOf(request),
    strategy: { name: source.strategy, params: source.params },
    seed: result.seed,
    traceHash: result.traceHash,
    tape: (result.tape ?? []).map(artifactEntry),
    failure: flatFailure(result.failure as Failure),
    replay: source.replay,
  };
}

/**
 * The artifact of `artifact`'s run shrunk (shrink.ts): the same scenario, options and seed, the
 * shrunk tape, and the failure and trace hash of the shrunk run.
 */
export function shrunkArtifact(
  artifact: Artifact,
  shrunk: { readonly tape: Tape; readonly result: ScenarioResult },
  replay: string,
): Artifact {
  return {
    ...artifact,
    traceHash: shrunk.result.traceHash,
    tape: shrunk.tape.map(artifactEntry),
    failure: flatFailure(shrunk.result.failure as Failure),
    replay,
  };
}

/** The serialisable part of a run request (ArtifactOptions). */
export function optionsOf(request: RunRequest): ArtifactOptions {
  const { kernel, kernelKnobs, linkFaults, faultPoints, sameInstantChoice, decider } = request;
  return {
    ...(kernel !== undefined && { kernel }),
    ...(kernelKnobs !== undefined && { kernelKnobs }),
    ...(linkFaults !== undefined && { linkFaults }),
    ...(faultPoints === true && { faultPoints }),
    ...(sameInstantChoice === true && { sameInstantChoice }),
    // Only a swarm run draws from its choices at its start (strategies/swarm-run.ts); a
    // systematic run's draw draws nothing, and a replay needs no decider.
    ...(decider instanceof SwarmRun && { draw: 'swarm' as const }),
  };
}

function artifactEntry(entry: Tape[number]): ArtifactTapeEntry {
  const min = entry.min ?? 0;
  const isDefault = entry.value === null || entry.value === min;
  return { label: entry.label, value: entry.value, isDefault, ...(min !== 0 && { min }) };
}

function flatFailure(failure: Failure): ArtifactFailure {
  const details = failure.details;
  return {
    kind: failure.kind,
    rule: details?.rule ?? null,
    message: failure.message,
    time: failure.at,
    host: details?.host ?? null,
    socket: details?.socket ?? null,
    irp: details?.irp ?? null,
    site: details?.site ?? null,
  };
}

/** The run request that replays `artifact` on `scenario`: its options, seed and tape. */
export function replayRequest(scenario: Scenario<unknown>, artifact: Artifact): RunRequest {
  const { draw, ...options } = artifact.options;
  const tape: Tape = artifact.tape.map(({ label, value, min }) =>
    min === undefined ? { label, value } : { label, value, min },
  );
  return {
    ...options,
    seed: artifact.seed,
    replay: tape,
    ...(draw === 'swarm' && { draw: new SwarmRun(resolveFuzzSpace(scenario.fuzz)).draw }),
  };
}

/** A malformed or foreign artifact: `field` names what is wrong (e.g. `tape[3].label`). */
export class ArtifactError extends SimConfigError {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(field, reason);
    this.field = field;
    this.reason = reason;
  }
}

/** `value` as an artifact of this schema, or ArtifactError naming the first wrong field. */
export function parseArtifact(value: unknown): Artifact {
  const root = record('artifact', value);
  if (root.schema !== ARTIFACT_SCHEMA) {
    fail('schema', `expected ${ARTIFACT_SCHEMA}, got ${JSON.stringify(root.schema) ?? 'nothing'}`);
  }
  text('wsksimVersion', root.wsksimVersion);
  const scenario = record('scenario', root.scenario);
  for (const key of ['name', 'path', 'sha256'] as const) text(`scenario.${key}`, scenario[key]);
  checkOptions(record('options', root.options));
  const strategy = record('strategy', root.strategy);
  if (!(STRATEGY_NAMES as readonly unknown[]).includes(strategy.name))
    fail('strategy.name', `expected one of ${STRATEGY_NAMES.join(', ')}`);
  record('strategy.params', strategy.params);
  integer('seed', root.seed);
  text('traceHash', root.traceHash);
  if (!Array.isArray(root.tape)) fail('tape', 'expected an array');
  (root.tape as unknown[]).forEach((entry, i) => checkEntry(`tape[${i}]`, entry));
  checkFailure(record('failure', root.failure));
  text('replay', root.replay);
  return value as Artifact;
}

const OPTION_CHECKS: Readonly<Record<string, (field: string, value: unknown) => void>> = {
  kernel: (field, value) => void record(field, value),
  kernelKnobs: (field, value) => void record(field, value),
  linkFaults: (field, value) => void record(field, value),
  faultPoints: (field, value) => boolean(field, value),
  sameInstantChoice: (field, value) => boolean(field, value),
  draw: (field, value) => {
    if (value !== 'swarm') fail(field, `expected "swarm", got ${JSON.stringify(value)}`);
  },
};

function checkOptions(options: object): void {
  for (const [key, value] of Object.entries(options)) {
    const check = OPTION_CHECKS[key];
    if (check === undefined) fail(`options.${key}`, 'not an option this wsksim knows');
    check(`options.${key}`, value);
  }
}

function checkEntry(field: string, value: unknown): void {
  const entry = record(field, value);
  text(`${field}.label`, entry.label);
  if (entry.value !== null) integer(`${field}.value`, entry.value, -Number.MAX_SAFE_INTEGER);
  boolean(`${field}.isDefault`, entry.isDefault);
  if (entry.min !== undefined) integer(`${field}.min`, entry.min, -Number.MAX_SAFE_INTEGER);
}

function checkFailure(failure: Unchecked): void {
  text('failure.kind', failure.kind);
  text('failure.message', failure.message);
  integer('failure.time', failure.time);
  for (const key of ['rule', 'host', 'site'] as const) {
    if (failure[key] !== null) text(`failure.${key}`, failure[key]);
  }
  for (const key of ['socket', 'irp'] as const) {
    if (failure[key] !== null) integer(`failure.${key}`, failure[key]);
  }
}

/** The field names an artifact's objects have, so that reading an unchecked one is typed. */
type FieldName =
  | keyof Artifact
  | keyof ArtifactScenario
  | keyof ArtifactTapeEntry
  | keyof ArtifactFailure
  | 'params';

/** An object not yet checked: any field may hold anything. */
type Unchecked = Partial<Record<FieldName, unknown>>;

function record(field: string, value: unknown): Unchecked {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(field, 'expected an object');
  return value as Unchecked;
}

function text(field: string, value: unknown): void {
  if (typeof value !== 'string') fail(field, 'expected a string');
}

function boolean(field: string, value: unknown): void {
  if (typeof value !== 'boolean') fail(field, 'expected true or false');
}

function integer(field: string, value: unknown, min = 0): void {
  if (!Number.isSafeInteger(value) || (value as number) < min)
    fail(field, `expected an integer of at least ${min}`);
}

function fail(field: string, message: string): never {
  throw new ArtifactError(field, message);
}
