/**
 * Scenarios (docs/design.md#scenarios-cli-and-reports): a module whose default export is
 * `defineScenario({...})`. A scenario builds a simulation, runs it within its limits, and checks
 * the outcome. `runScenario` is the one way every caller (tests, the CLI, campaigns, the
 * determinism check) runs one, and it never throws for what happens inside the run: a check that
 * fails, a build that throws, a livelock or an assertion all come back as a failed result naming
 * the seed, so a campaign can record it and go on. Only a malformed definition or request throws,
 * naming the option.
 */
import {
  SimConfigError,
  checkInteger,
  parseDuration,
  type ChoiceSource,
  type DeciderOption,
  type DurationInput,
  type EventLogEntry,
  type Failure,
  type FailureDetails,
  type FaultTaken,
  type RunOutcome,
  type Tape,
  type TraceRecord,
} from '../sim/index.ts';
import {
  PcapCapture,
  PcapngCapture,
  mermaidDiagram,
  type MermaidOptions,
  type TimelineHost,
} from '../report/index.ts';
import {
  Simulation,
  type DrawnKnobs,
  type HostAdvisory,
  type LinkFaults,
  type SimulationOptions,
} from '../simulation.ts';
import { checkFuzzSpace, type FuzzSpace } from './fuzz-space.ts';
import type { KernelOverrides } from '../wsk/index.ts';

export interface ScenarioLimits {
  /** Virtual time the scenario's run may take. @defaultValue '1h' */
  readonly time?: DurationInput;
  /** Events the run may fire. @defaultValue 50,000,000 */
  readonly events?: number;
}

export interface ScenarioDefinition<H = unknown> {
  readonly name: string;
  readonly description: string;
  /** Builds the world: hosts, links, drivers, scheduled faults. Returns what `check` needs. */
  readonly build: (sim: Simulation) => H;
  /** Asserts on the outcome; throws (an Error, or a vitest expect) when the run is wrong. */
  readonly check?: (result: ScenarioRun, handles: H) => void;
  readonly limits?: ScenarioLimits;
  /** Seeds that always run (CI, `wsksim test`). @defaultValue [1] */
  readonly seeds?: readonly number[];
  /** Stop when this holds instead of at quiescence. */
  readonly until?: (handles: H) => boolean;
  /**
   * The verifier's liveness phase after the run and its check
   * (docs/design.md#liveness-at-the-end-of-a-run): faults healed, the simulation runs on this long,
   * then every IRP must have completed, every socket be closed, every WskRegister deregistered,
   * every IRP and pool block freed. Only when some host has a WSK kernel. @defaultValue '120s'
   */
  readonly settle?: DurationInput;
  /**
   * For a scenario that demonstrates a bug (docs/design.md#scenarios-may-not-lower-a-rule): the
   * failure it must produce, a verifier rule id (matched against the failure's rule) or a text the
   * check's failure message contains. `failsAsExpected` tells a run that failed that way from any
   * other.
   */
  readonly expect?: string;
  /**
   * The check holds under injected faults too (it reads `run.faults` and tolerates what it must).
   * By default a check is applied only to runs without injected faults: a run whose allocations a
   * strategy failed, or whose links it made lossy, models an environment that failed, where a
   * correct driver may deliver less than the check expects. Verifier violations, crashes, hangs,
   * leaks and the liveness phase count in every run either way. @defaultValue false
   */
  readonly checkUnderFaults?: boolean;
  /**
   * For a bug scenario whose failure plain seeds rarely show: runs a campaign found that fail as
   * `expect` says, each a strategy whose plans depend on the seed alone (Strategy.seedOnly) and a
   * seed; `wsksim run <scenario> --strategy <strategy> --seed <seed>` makes each again, and the
   * scenario suite checks that each still fails that way.
   */
  readonly failingRuns?: readonly FailingRun[];
  /**
   * What a campaign may vary beyond the scenario's own options (fuzz-space.ts): which kernel
   * knobs, on which hosts, within which bounds, and which link faults. @defaultValue the kernel
   * knobs on every host, no link faults
   */
  readonly fuzz?: FuzzSpace;
  /** What `wsksim test` gives this scenario (its flags override it). */
  readonly test?: ScenarioTestOptions;
}

/** A scenario's own budget in `wsksim test` (ScenarioDefinition.test). */
export interface ScenarioTestOptions {
  /**
   * Runs of the fuzz campaign `wsksim test` makes (`--fuzz-runs`, `--fuzz-time` override it); 0
   * makes none. @defaultValue 50
   */
  readonly fuzzRuns?: number;
}

/** A run that fails (ScenarioDefinition.failingRuns): a strategy and a seed. */
export interface FailingRun {
  readonly strategy: string;
  readonly seed: number;
}

export interface Scenario<H = unknown> extends ScenarioDefinition<H> {
  readonly seeds: readonly number[];
}

/** What `check` sees: the run's outcome on the simulation it ran on. */
export interface ScenarioRun {
  readonly sim: Simulation;
  readonly outcome: RunOutcome;
  /**
   * The faults injected from outside the scenario that the run took (allocations a strategy or a
   * `--set` failed), and whether link faults were raised. The check sees a run with injected faults
   * only when the scenario sets `checkUnderFaults`.
   */
  readonly faults: InjectedFaults;
}

/** What a run suffered that the scenario did not ask for. */
export interface InjectedFaults {
  /** Fault points that came out true and were injected (FaultTaken.injected), in order. */
  readonly taken: readonly FaultTaken[];
  /** The links' fault probabilities were raised (RunRequest.linkFaults). */
  readonly links: boolean;
}

export interface RunRequest {
  readonly seed: number;
  /** Record the choice tape. */
  readonly record?: boolean;
  /** Replay a tape instead of drawing seeded choices. */
  readonly replay?: Tape;
  /** Keep every trace record in the result. */
  readonly keepTrace?: boolean;
  /**
   * Called with every trace record as the run emits it (SimulatorOptions.onRecord), without
   * keeping them: a coverage strategy's map (coverage-map.ts). Not called by the re-run that names
   * a leak's allocation sites.
   */
  readonly onRecord?: (record: TraceRecord) => void;
  /** Keep the per-event log for the determinism check. */
  readonly logEvents?: boolean;
  /**
   * Capture every packet on the wire as a pcap file (`result.pcap`): TCP segments as such, any
   * other payload as UDP (src/report/capture.ts).
   */
  readonly pcap?: boolean;
  /** Capture every packet as pcapng, one interface per link end, fates as comments. */
  readonly pcapng?: boolean;
  /** Draw the run as a Mermaid sequence diagram (`result.mermaid`); keeps the trace. */
  readonly mermaid?: MermaidOptions;
  /** Record allocation sites (SimulatorOptions.recordSites); runScenario's own re-run sets it. */
  readonly recordSites?: boolean;
  /**
   * Hand each set of events due at one instant to the choice source ('same-instant <time>');
   * `wsksim --same-instant`.
   */
  readonly sameInstantChoice?: boolean;
  /**
   * Kernel options over the scenario's own, by host or `'*'` for every host, e.g.
   * `{ server: { passiveCallbacks: 0.5 }, '*': { pendingCompletions: 1 } }`
   * (SimulationOptions.kernelOverrides; `wsksim --set kernel.server.passiveCallbacks=0.5`). A
   * wrong name or value, disabledRules, or a host the scenario's build gives no kernel throws
   * SimConfigError naming it.
   */
  readonly kernel?: KernelOverrides;
  /**
   * Check every layer's invariants after every event (Simulation.checkInvariants, tests): a
   * broken one fails the run as an assertion; the run and its trace hash are the same.
   */
  readonly checkInvariants?: boolean;
  /**
   * A strategy asked for every choice (decider.ts); what it leaves takes the seeded value. Not
   * with `replay`.
   */
  readonly decider?: DeciderOption;
  /**
   * Kernel options a strategy drew for this run (SimulationOptions.kernelKnobs): under `kernel`,
   * over the scenario's; hosts without a kernel are skipped.
   */
  readonly kernelKnobs?: KernelOverrides;
  /** Offer allocation fault points of probability 0 to a decider (SimulatorOptions.faultPoints). */
  readonly faultPoints?: boolean;
  /** Raise every link's fault probabilities to at least these (SimulationOptions.linkFaults). */
  readonly linkFaults?: LinkFaults;
  /**
   * A strategy's draw at the start of the run, from the run's own choices, so that it heads the
   * tape (SimulationOptions.draw): the kernel knobs and link faults it returns are merged over
   * `kernelKnobs` and `linkFaults`.
   */
  readonly draw?: (choices: ChoiceSource) => DrawnKnobs;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly seed: number;
  readonly status: 'passed' | 'failed';
  readonly failure?: Failure;
  readonly traceHash: string;
  readonly now: number;
  readonly events: number;
  readonly tape?: Tape;
  readonly trace?: readonly TraceRecord[];
  /** The hosts and their addresses, when the trace is kept (to draw it: the HTML timeline). */
  readonly hosts?: readonly TimelineHost[];
  readonly eventLog?: readonly EventLogEntry[];
  /** The latest trace records, for failure reports. */
  readonly tail: readonly TraceRecord[];
  /** The pcap file, when asked for. */
  readonly pcap?: Uint8Array;
  /** The pcapng file, when asked for. */
  readonly pcapng?: Uint8Array;
  /** The Mermaid sequence diagram, when asked for. */
  readonly mermaid?: string;
  /**
   * Advisories the kernels recorded (docs/design.md#status-violation-or-advisory): legal, almost
   * always a bug.
   */
  readonly advisories: readonly HostAdvisory[];
  /** Faults injected from outside the scenario that the run took. */
  readonly faults: InjectedFaults;
  /** Injected faults kept the scenario's check from being applied (`checkUnderFaults`). */
  readonly checkSkipped: boolean;
  /** The goals the run named (Simulation.sometimes), and whether it reached each. */
  readonly goals: ReadonlyMap<string, boolean>;
}

/** Validates a scenario definition once, at load, naming the faulty field. */
/** Why build and check must not be async: the run does not wait for them (runOnce). */
const SYNCHRONOUS =
  'an async function is not supported: build the world and check the outcome synchronously ' +
  '(drivers may await simulator waits; build starts them)';

/** Whether `f` is an `async` function (or an async generator). */
function isAsync(f: unknown): boolean {
  const name = (f as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  return name === 'AsyncFunction' || name === 'AsyncGeneratorFunction';
}

/** Throws when `value`, returned by a scenario's `field`, is a promise (a non-async function's). */
function refusePromise(value: unknown, field: 'build' | 'check', scenario: string): void {
  if (typeof (value as { then?: unknown } | null)?.then !== 'function') return;
  const where = `scenario '${scenario}'.${field}`;
  throw new SimConfigError(where, `returned a promise; ${SYNCHRONOUS}`);
}

export function defineScenario<H>(definition: ScenarioDefinition<H>): Scenario<H> {
  const named = typeof definition?.name === 'string';
  const where = `scenario ${named ? `'${definition.name}'` : '(unnamed)'}`;
  if (typeof definition !== 'object' || definition === null)
    throw new SimConfigError('scenario', 'expected an object');
  if (typeof definition.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(definition.name)) {
    throw new SimConfigError(
      `${where}.name`,
      'expected a kebab-case name such as "accept-under-loss"',
    );
  }
  if (typeof definition.description !== 'string')
    throw new SimConfigError(`${where}.description`, 'expected a string');
  if (typeof definition.build !== 'function')
    throw new SimConfigError(`${where}.build`, 'expected a function');
  if (definition.check !== undefined && typeof definition.check !== 'function') {
    throw new SimConfigError(`${where}.check`, 'expected a function');
  }
  for (const field of ['build', 'check'] as const) {
    if (isAsync(definition[field])) throw new SimConfigError(`${where}.${field}`, SYNCHRONOUS);
  }
  if (definition.limits?.time !== undefined)
    parseDuration(`${where}.limits.time`, definition.limits.time);
  if (definition.settle !== undefined) parseDuration(`${where}.settle`, definition.settle);
  if (
    definition.expect !== undefined &&
    (typeof definition.expect !== 'string' || definition.expect === '')
  ) {
    throw new SimConfigError(
      `${where}.expect`,
      'expected a rule id or a check message, as a string',
    );
  }
  if (definition.limits?.events !== undefined) {
    checkInteger(`${where}.limits.events`, definition.limits.events, 1, Number.MAX_SAFE_INTEGER);
  }
  if (definition.checkUnderFaults !== undefined && typeof definition.checkUnderFaults !== 'boolean')
    throw new SimConfigError(`${where}.checkUnderFaults`, 'expected true or false');
  if (definition.fuzz !== undefined) checkFuzzSpace(`${where}.fuzz`, definition.fuzz);
  if (definition.test?.fuzzRuns !== undefined) {
    checkInteger(`${where}.test.fuzzRuns`, definition.test.fuzzRuns, 0, 1_000_000_000);
  }
  (definition.failingRuns ?? []).forEach((run, i) => {
    if (typeof run?.strategy !== 'string')
      throw new SimConfigError(`${where}.failingRuns[${i}].strategy`, 'expected a strategy name');
    checkInteger(`${where}.failingRuns[${i}].seed`, run.seed, 0, Number.MAX_SAFE_INTEGER);
  });
  const seeds = definition.seeds ?? [1];
  seeds.forEach((seed, i) =>
    checkInteger(`${where}.seeds[${i}]`, seed, 0, Number.MAX_SAFE_INTEGER),
  );
  return Object.freeze({ ...definition, seeds: Object.freeze([...seeds]) });
}

/** Whether `result` failed the way its scenario's `expect` says (false when it passed). */
export function failsAsExpected<H>(scenario: Scenario<H>, result: ScenarioResult): boolean {
  const expected = scenario.expect;
  const failure = result.failure;
  if (expected === undefined || failure === undefined) return false;
  if (failure.details?.rule === expected) return true;
  return failure.kind === 'check' && failure.message.includes(expected);
}

/**
 * Runs one scenario with one seed; see the module header for what may throw. When the verifier
 * finds something left outstanding at the end, or a violation that tells an object's life (a pool
 * block used after its free), the same seed runs again with allocation sites recorded (the run is
 * deterministic, so it is the same run) and the failure names them.
 */
export async function runScenario<H>(
  scenario: Scenario<H>,
  request: RunRequest,
): Promise<ScenarioResult> {
  const result = await runOnce(scenario, request);
  if (!failureWantsSites(result.failure) || request.recordSites === true) return result;
  // The same run again: the choices it made are replayed when a strategy decided them.
  const { record, keepTrace, logEvents, pcap, pcapng, mermaid, decider, onRecord, ...same } =
    request;
  void record, void keepTrace, void logEvents, void pcap, void pcapng, void mermaid, void onRecord;
  const replay = decider !== undefined ? result.tape : request.replay;
  if (decider !== undefined && replay === undefined) return result;
  const again = await runOnce(scenario, {
    ...same,
    ...(replay !== undefined && { replay }),
    recordSites: true,
  });
  const sited = again.failure;
  if (again.traceHash !== result.traceHash || !failureWantsSites(sited)) return result;
  return { ...result, failure: { ...(result.failure as Failure), ...sitedParts(sited) } };
}

function failureWantsSites(failure: Failure | undefined): failure is Failure {
  return wantsSites(failure?.details) || wantsSites(failure?.findings);
}

/** The parts of a re-run's failure that name sites: its details and its findings. */
function sitedParts(failure: Failure): Pick<Failure, 'details' | 'findings'> {
  const { details, findings } = failure;
  return { ...(details !== undefined && { details }), ...(findings !== undefined && { findings }) };
}

/** A failure whose report a re-run with sites recorded names better: leaks, a block's life. */
function wantsSites(details: FailureDetails | undefined): details is FailureDetails {
  return details?.outstanding !== undefined || details?.history !== undefined;
}

/** The simulation a request asks for: its fields are SimulationOptions', but for `kernel`. */
function simulationOptions(
  request: RunRequest,
  onRecord: ((record: TraceRecord) => void) | undefined,
): SimulationOptions {
  const { kernel, pcap, pcapng, mermaid, checkInvariants, onRecord: _, ...rest } = request;
  void pcap, void pcapng, void checkInvariants;
  const options = {
    ...rest,
    ...(mermaid !== undefined && { keepTrace: true }),
    ...(onRecord !== undefined && { onRecord }),
  };
  return kernel === undefined ? options : { ...options, kernelOverrides: kernel };
}

/** The run's onRecord: the request's and a pcapng capture's, which is made after the run's sim. */
function recordListener(
  request: RunRequest,
  capture: { current: PcapngCapture | undefined },
): ((record: TraceRecord) => void) | undefined {
  const own = request.onRecord;
  if (request.pcapng !== true) return own;
  return (record) => {
    capture.current?.record(record);
    own?.(record);
  };
}

async function runOnce<H>(scenario: Scenario<H>, request: RunRequest): Promise<ScenarioResult> {
  const pcapng: { current: PcapngCapture | undefined } = { current: undefined };
  const sim = new Simulation(simulationOptions(request, recordListener(request, pcapng)));
  sim.lockRules();
  if (request.checkInvariants === true) sim.core.betweenEvents = () => sim.checkInvariants();
  const ipFor = (source: string): { hopLimit: number } => ({ hopLimit: sim.ttlOf(source) });
  const capture = request.pcap === true ? new PcapCapture(sim, { ipFor }) : undefined;
  if (request.pcapng === true) pcapng.current = new PcapngCapture(sim, { ipFor });
  let failure: Failure | undefined;
  let outcome: RunOutcome | undefined;
  let faults: InjectedFaults = NO_FAULTS;
  let checkSkipped = false;
  try {
    const handles = scenario.build(sim);
    refusePromise(handles, 'build', scenario.name);
    const unused = sim.unusedKernelOverrides();
    if (unused.length > 0) throw new UnusedOverride(unused);
    const until = scenario.until;
    outcome = await sim.run({
      ...(until !== undefined && { until: () => until(handles) }),
      ...(scenario.limits?.time !== undefined && { timeLimit: scenario.limits.time }),
      ...(scenario.limits?.events !== undefined && { eventBudget: scenario.limits.events }),
    });
    failure = outcome.failure;
    faults = injectedFaults(sim);
    checkSkipped =
      failure === undefined &&
      scenario.check !== undefined &&
      isInjected(faults) &&
      scenario.checkUnderFaults !== true;
    if (failure === undefined && scenario.check !== undefined && !checkSkipped) {
      const run = { sim, outcome, faults };
      failure = checkFailure(sim, () =>
        refusePromise(scenario.check?.(run, handles), 'check', scenario.name),
      );
      if (failure !== undefined) failure = await withFindings(sim, scenario, failure);
    }
    if (failure === undefined) failure = (await sim.settle(scenario.settle))?.failure;
  } catch (error) {
    if (error instanceof UnusedOverride) throw error;
    failure = thrownFailure(sim, error, outcome === undefined ? 'build' : 'check');
  }
  const core = sim.core;
  return {
    scenario: scenario.name,
    seed: request.seed,
    status: failure === undefined ? 'passed' : 'failed',
    ...(failure !== undefined && { failure }),
    traceHash: core.trace.hash(),
    now: core.now,
    events: core.eventsFired,
    ...(core.choices.isRecording && { tape: core.choices.tape() }),
    ...(core.trace.keep && { trace: core.trace.records(), hosts: hostsOf(sim) }),
    ...(request.logEvents === true && { eventLog: core.eventLog() }),
    tail: core.trace.tail(20),
    advisories: sim.advisories(),
    ...(capture !== undefined && { pcap: capture.bytes() }),
    ...(pcapng.current !== undefined && { pcapng: pcapng.current.bytes() }),
    ...(request.mermaid !== undefined && { mermaid: diagramOf(sim, request.mermaid) }),
    faults: faults === NO_FAULTS ? injectedFaults(sim) : faults,
    checkSkipped,
    goals: sim.goals(),
  };
}

function hostsOf(sim: Simulation): TimelineHost[] {
  return sim.hosts().map((host) => ({ name: host.name, addresses: host.addresses }));
}

/** The run's Mermaid diagram: hosts in the order they were made. */
function diagramOf(sim: Simulation, options: MermaidOptions): string {
  const hosts = sim.hosts().map((host) => host.name);
  const hostOf = (address: string): string | undefined => sim.hostByAddress(address)?.name;
  return mermaidDiagram(sim.records(), { hosts, hostOf }, options);
}

const NO_FAULTS: InjectedFaults = Object.freeze({ taken: Object.freeze([]), links: false });

function injectedFaults(sim: Simulation): InjectedFaults {
  const taken = sim.core.choices.faults().filter((fault) => fault.injected);
  const links = sim.raisesLinkFaults;
  return taken.length === 0 && !links ? NO_FAULTS : { taken, links };
}

/** Whether a run suffered faults from outside the scenario. */
export function isInjected(faults: InjectedFaults): boolean {
  return faults.taken.length > 0 || faults.links;
}

/** Kernel overrides for hosts the scenario gives no kernel: a malformed request, thrown. */
class UnusedOverride extends SimConfigError {
  constructor(hosts: readonly string[]) {
    const [first] = hosts;
    super(
      `kernel.${hosts.join(', kernel.')}`,
      first === '*'
        ? 'the scenario gives no host a kernel, so this override would do nothing'
        : `the scenario gives host${hosts.length > 1 ? 's' : ''} ${hosts.join(', ')} no kernel, ` +
            'so this override would do nothing',
    );
  }
}

/**
 * A failing check with the verifier's end-of-run findings: the settle phase runs as it would
 * have, and what it finds outstanding (with sites, in runScenario's re-run) is attached as the
 * failure's `findings`; the check's failure stays the run's failure.
 */
async function withFindings<H>(
  sim: Simulation,
  scenario: Scenario<H>,
  failure: Failure,
): Promise<Failure> {
  try {
    const findings = (await sim.settle(scenario.settle))?.failure?.details;
    return findings?.outstanding === undefined ? failure : { ...failure, findings };
  } catch {
    // The settle phase is an addition to the check's report; the check's failure stands.
    return failure;
  }
}

function checkFailure(sim: Simulation, check: () => void): Failure | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return thrownFailure(sim, error, 'check');
  }
}

function thrownFailure(sim: Simulation, error: unknown, kind: 'build' | 'check'): Failure {
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: error instanceof SimConfigError ? 'config' : kind,
    message,
    seed: sim.core.seed,
    at: sim.core.now,
    error,
  };
}
