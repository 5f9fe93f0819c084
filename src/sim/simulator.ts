/**
 * The simulator: one virtual clock, one event queue, the choice source, the trace and the
 * thread host. `run()` fires events in (time, insertion) order until the queue is quiescent, a
 * virtual time is reached or a predicate holds. Every run has an event budget and a time limit;
 * hitting either ends the run with a reported livelock failure, never a hang
 * (docs/design.md#reliability). Whatever a handler throws ends the run with a failure that names
 * the seed, the time and the event; nothing escapes `run()`.
 *
 * tidy: async-host — `run()` awaits the thread host's pump between events (see threads.ts);
 * nothing else in this file is asynchronous.
 */
import { AssertionError, assert } from './assert.ts';
import { ChoiceSource, TapeDivergedError, type ChoiceStream, type Tape } from './choice.ts';
import { crashMessage, driverCrashOf, throwerOf, type DriverCrash } from './crash.ts';
import type { Candidate, DeciderOption, EventAbout } from './decider.ts';
import { SimConfigError, checkInteger } from './errors.ts';
import { EventQueue, type SimEvent } from './event-queue.ts';
import { ForeignWaitError, trapTimers } from './foreign-wait.ts';
import { ThreadHost, type SimThread } from './threads.ts';
import type { TraceRecord } from './records.ts';
import { Trace } from './trace.ts';
import {
  formatInstant,
  parseDuration,
  type Duration,
  type DurationInput,
  type Instant,
} from './time.ts';

export interface SimulatorOptions {
  /** Root seed of every random stream: a safe non-negative integer. */
  readonly seed: number;
  /** Record every choice into a tape. @defaultValue false */
  readonly record?: boolean;
  /** Replay a recorded tape (choices past its end take their defaults). */
  readonly replay?: Tape;
  /** Keep every trace record, not only the hash and the latest few. @defaultValue false */
  readonly keepTrace?: boolean;
  /**
   * Called with every trace record as it is emitted (TraceOptions.onRecord): a reader that needs
   * the records but not to keep them, such as a campaign's coverage map. It must only read.
   */
  readonly onRecord?: (record: TraceRecord) => void;
  /**
   * A strategy asked for every choice, same-instant picks included (their candidates are the
   * events due); what it does not decide takes the seeded value. Not with `replay`.
   */
  readonly decider?: DeciderOption;
  /**
   * Offer the fault points the scenario gave probability 0 (allocation failures) to the decider
   * as choices (ChoiceSourceOptions.faultPoints); strategies that inject faults set it.
   * @defaultValue false
   */
  readonly faultPoints?: boolean;
  /** Hand each set of events due at the same instant to the choice source. @defaultValue false */
  readonly sameInstantChoice?: boolean;
  /** Log (index, time, label, trace hash) after every event, for the determinism check. */
  readonly logEvents?: boolean;
  /**
   * Record the driver's file:line at every allocation the verifier may report as a leak: the
   * re-run of a failing seed (docs/design.md#stacks-and-allocation-sites), since capturing a stack
   * costs time. Display only: the run and its trace hash are the same either way.
   * @defaultValue false
   */
  readonly recordSites?: boolean;
}

export interface RunOptions {
  /** Stop at this virtual time (a duration from the start), or when this predicate holds. */
  readonly until?: DurationInput | (() => boolean);
  /** Events this call may fire before it fails as a livelock. @defaultValue 50,000,000 */
  readonly eventBudget?: number;
  /** Virtual time (from the start) past which the run fails as a livelock. @defaultValue '1h' */
  readonly timeLimit?: DurationInput;
}

/**
 * 'driver-crash': driver code threw (crash.ts says how it is told from 'assertion', a simulator
 * bug); 'error': a throw nobody can be blamed for (no stack).
 */
export type FailureKind =
  | 'livelock'
  | 'assertion'
  | 'driver-crash'
  | 'tape-diverged'
  | 'error'
  | (string & {});

/** Why a run failed; every failure names the seed and the virtual time. */
export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly seed: number;
  readonly at: Instant;
  /** The label of the event that was firing, if any. */
  readonly event?: string;
  /** The error object for thrown failures. */
  readonly error?: unknown;
  /**
   * What a verifier knows of a violation: its rule, where it happened
   * (docs/design.md#the-verifier).
   */
  readonly details?: FailureDetails;
  /**
   * The verifier's end-of-run findings when another failure came first (a failing check): what
   * the settle phase found outstanding, as a leak's details, shown under the failure.
   */
  readonly findings?: FailureDetails;
}

/** A verifier's account of a failure; every field but `rule` only when known. */
export interface FailureDetails {
  /** The stable rule id, e.g. 'IRP-COMPLETED-TWICE'. */
  readonly rule: string;
  /** One line: what the rule forbids. */
  readonly summary?: string;
  /** The documentation the rule rests on. */
  readonly source?: string;
  readonly host?: string;
  readonly socket?: number;
  readonly irp?: number;
  /** The driver's file:line, captured at the violating call or by the re-run of a leak. */
  readonly site?: string;
  /** For a failure found at the end: each thing outstanding, one line each. */
  readonly outstanding?: readonly string[];
  /**
   * The object's life before the violation, one event a line with its time and site: a pool
   * block's allocation, free and the access after it. runScenario re-runs a failure that has one
   * with sites recorded, as it does for `outstanding`.
   */
  readonly history?: readonly string[];
  /** For a driver crash: the routine or callback that was running (crash.ts). */
  readonly routine?: string;
  /** For a driver crash: the driver's frames, innermost first (crash.ts). */
  readonly stack?: readonly string[];
}

export type RunStatus = 'quiescent' | 'reached-time' | 'condition-met' | 'failed';

export interface RunOutcome {
  readonly status: RunStatus;
  readonly now: Instant;
  /** Events fired by this call. */
  readonly events: number;
  readonly failure?: Failure;
}

/** One line of the event log kept for the determinism check. */
export interface EventLogEntry {
  readonly index: number;
  readonly at: number;
  readonly label: string;
  readonly hash: string;
}

const DEFAULT_EVENT_BUDGET = 50_000_000;
const DEFAULT_TIME_LIMIT = 3600e9 as Duration;

interface RunPlan {
  readonly stopAt: number;
  readonly predicate: (() => boolean) | null;
  readonly eventBudget: number;
  readonly timeLimit: number;
}

export class Simulator {
  readonly seed: number;
  readonly choices: ChoiceSource;
  readonly trace: Trace;
  readonly threads: ThreadHost;
  /** Allocation sites are recorded (SimulatorOptions.recordSites). */
  readonly recordSites: boolean;
  /**
   * A check run between events: before each event, once the thread code the previous one
   * resumed has parked, and when a run ends. Tests set it to the model's invariant checkers
   * (docs/design.md#assertions). It must only read: a run is the same with it or without it. What
   * it throws fails the run as a throwing handler does (an AssertionError: kind 'assertion').
   */
  betweenEvents: (() => void) | null = null;
  readonly #queue = new EventQueue();
  readonly #sameInstantChoice: boolean;
  readonly #scheduler: ChoiceStream;
  readonly #ready: SimEvent[] = [];
  /** What `describe` was told of events; null unless a strategy (`decider`) is plugged in. */
  readonly #abouts: WeakMap<SimEvent, EventAbout> | null;
  readonly #eventLog: EventLogEntry[] | null;
  #now = 0 as Instant;
  #firing: SimEvent | null = null;
  #failure: Failure | null = null;
  #eventsTotal = 0;

  constructor(options: SimulatorOptions) {
    // Methods, not arrow properties, in the objects below: under tsx (esbuild's keepNames) each
    // named arrow made costs a defineProperty of its name, and a campaign makes a simulator a run.
    const simulator = this;
    this.choices = new ChoiceSource({
      seed: options.seed,
      ...(options.record !== undefined && { record: options.record }),
      ...(options.replay !== undefined && { replay: options.replay }),
      ...(options.decider !== undefined && { decider: options.decider }),
      ...(options.faultPoints !== undefined && { faultPoints: options.faultPoints }),
      clock() {
        return simulator.#now;
      },
    });
    this.seed = this.choices.seed;
    this.recordSites = options.recordSites ?? false;
    this.trace = new Trace({
      keep: options.keepTrace ?? false,
      onRecord: options.onRecord ?? null,
    });
    this.#sameInstantChoice = options.sameInstantChoice ?? false;
    this.#scheduler = this.choices.stream('scheduler');
    this.#abouts =
      options.decider !== undefined || options.faultPoints === true ? new WeakMap() : null;
    this.#eventLog = options.logEvents === true ? [] : null;
    this.threads = new ThreadHost({
      scheduleNow(label, fire, arg) {
        simulator.#queue.push(simulator.#now, label, fire, arg);
      },
      failThread(thread, error) {
        simulator.#failThread(thread, error);
      },
    });
  }

  /** The current virtual time in nanoseconds. */
  get now(): Instant {
    return this.#now;
  }

  /** Events fired since the simulator was made. */
  get eventsFired(): number {
    return this.#eventsTotal;
  }

  /** Live events in the queue. */
  get pendingEvents(): number {
    return this.#queue.size;
  }

  /** The failure that ended a run, if one did. */
  get failure(): Failure | null {
    return this.#failure;
  }

  /** Schedules `fire(arg)` after `delay` nanoseconds (a non-negative integer). */
  schedule<T>(delay: number, label: string, fire: (arg: T) => void, arg: T): SimEvent<T>;
  schedule(delay: number, label: string, fire: () => void): SimEvent<undefined>;
  schedule<T>(delay: number, label: string, fire: (arg: T) => void, arg?: T): SimEvent<T> {
    if (!(delay >= 0 && Number.isSafeInteger(delay))) {
      throw new AssertionError(`schedule: delay ${delay} is not a non-negative integer`);
    }
    return this.#queue.push((this.#now + delay) as Instant, label, fire, arg as T);
  }

  /** Schedules `fire(arg)` at an absolute instant, which must not be in the past. */
  scheduleAt<T>(at: number, label: string, fire: (arg: T) => void, arg?: T): SimEvent<T> {
    assert(
      Number.isSafeInteger(at) && at >= this.#now,
      `scheduleAt: ${at} is in the past or not an integer`,
    );
    return this.#queue.push(at as Instant, label, fire, arg as T);
  }

  /**
   * Tells a strategy (SimulatorOptions.decider) what an event is, beyond its label, for it to
   * see among the candidates of a same-instant pick. Kept only when a strategy is plugged in.
   */
  describe<T>(event: SimEvent<T>, about: EventAbout): void {
    if (this.#abouts !== null) this.#abouts.set(event as SimEvent, about);
  }

  /**
   * Ends the current run with a failure once the current event returns. Later layers (the
   * verifier) use this so that a violation never throws through the model's own state.
   */
  fail(kind: FailureKind, message: string, details?: FailureDetails): void {
    if (this.#failure !== null) return;
    this.#failure = {
      kind,
      message,
      seed: this.seed,
      at: this.#now,
      ...(this.#firing !== null && { event: this.#firing.label }),
      ...(details !== undefined && { details }),
    };
  }

  /** The event log of a run made with `logEvents` (for the determinism check). */
  eventLog(): readonly EventLogEntry[] {
    return this.#eventLog ?? [];
  }

  /**
   * Runs until quiescence, a time, or a predicate; see RunOptions. Malformed options throw
   * SimConfigError; whatever happens inside the run ends in the outcome, never in a throw.
   */
  async run(options: RunOptions = {}): Promise<RunOutcome> {
    const plan = resolveRunPlan(options, this.#now);
    const firstEvent = this.#eventsTotal;
    let status: RunStatus;
    const untrap = trapTimers();
    try {
      for (;;) {
        status = this.#failure !== null ? 'failed' : this.#slice(plan, firstEvent);
        if (status !== ('pump' as RunStatus)) break;
        try {
          await this.threads.pump();
        } catch (error) {
          this.#failFromError(error);
        }
      }
    } finally {
      untrap();
    }
    return {
      status,
      now: this.#now,
      events: this.#eventsTotal - firstEvent,
      ...(this.#failure !== null && { failure: this.#failure }),
    };
  }

  #slice(plan: RunPlan, firstEvent: number): RunStatus {
    const budgetEnd = firstEvent + plan.eventBudget;
    const plain =
      plan.predicate === null &&
      !this.#sameInstantChoice &&
      this.#eventLog === null &&
      this.betweenEvents === null;
    return plain ? this.#sliceFast(plan, budgetEnd) : this.#sliceFull(plan, budgetEnd);
  }

  /**
   * The hot loop, for runs with no predicate, no same-instant choice and no event log: the
   * checks that cannot change between events are made once, outside it.
   */
  #sliceFast(plan: RunPlan, budgetEnd: number): RunStatus {
    const queue = this.#queue;
    const threads = this.threads;
    const horizon = Math.min(plan.stopAt, plan.timeLimit);
    for (;;) {
      const next = queue.peek();
      if (next === undefined) return this.#quiesce(plan);
      if (next.at > horizon || this.#eventsTotal >= budgetEnd)
        return this.#stop(plan, next, budgetEnd);
      queue.popPeeked(next);
      this.#now = next.at;
      this.#eventsTotal++;
      this.#fire(next);
      if (this.#failure !== null) return 'failed';
      if (threads.pumping !== null) return 'pump' as RunStatus;
    }
  }

  #sliceFull(plan: RunPlan, budgetEnd: number): RunStatus {
    const queue = this.#queue;
    const predicate = plan.predicate;
    const check = this.betweenEvents;
    for (;;) {
      if (check !== null && !this.#passes(check)) return 'failed';
      if (predicate !== null && this.#holds(predicate))
        return this.#failure === null ? 'condition-met' : 'failed';
      const next = this.#sameInstantChoice ? this.#chosen() : queue.peek();
      if (this.#failure !== null) return 'failed';
      if (next === undefined) return this.#quiesce(plan);
      if (next.at > plan.stopAt || next.at > plan.timeLimit || this.#eventsTotal >= budgetEnd) {
        if (this.#sameInstantChoice) this.#returnReady();
        return this.#stop(plan, next, budgetEnd);
      }
      if (this.#sameInstantChoice) this.#takeChosen(next);
      else queue.popPeeked(next);
      this.#now = next.at;
      this.#eventsTotal++;
      this.#fire(next);
      if (this.#eventLog !== null) this.#logEvent(next);
      if (this.#failure !== null) return 'failed';
      if (this.threads.pumping !== null) return 'pump' as RunStatus;
    }
  }

  #fire(event: SimEvent): void {
    this.#firing = event;
    try {
      event.fire(event.arg);
    } catch (error) {
      this.#failFromError(error);
    }
    this.#firing = null;
  }

  /** Why the run stops before `next`: the time it was asked to reach, or a limit. */
  #stop(plan: RunPlan, next: SimEvent, budgetEnd: number): RunStatus {
    if (next.at > plan.stopAt) {
      this.#now = plan.stopAt as Instant;
      return 'reached-time';
    }
    if (next.at > plan.timeLimit)
      return this.#livelock(`time limit ${formatInstant(plan.timeLimit)} reached`);
    assert(this.#eventsTotal >= budgetEnd, 'stopped with budget left');
    return this.#livelock(`event budget of ${plan.eventBudget} spent`);
  }

  /** A run until a time that runs out of events still reaches that time. */
  #quiesce(plan: RunPlan): RunStatus {
    if (plan.stopAt === Infinity) return 'quiescent';
    this.#now = plan.stopAt as Instant;
    return 'reached-time';
  }

  /** Runs the between-events check; one that throws fails the run like a handler would. */
  #passes(check: () => void): boolean {
    try {
      check();
      return true;
    } catch (error) {
      this.#failFromError(error);
      return false;
    }
  }

  /** Evaluates a run predicate; a predicate that throws fails the run like a handler would. */
  #holds(predicate: () => boolean): boolean {
    try {
      return predicate();
    } catch (error) {
      this.#failFromError(error);
      return true;
    }
  }

  /** The pick among same-instant events; a replayed tape that disagrees fails the run. */
  #chosen(): SimEvent | undefined {
    try {
      return this.#peekChosen();
    } catch (error) {
      this.#failFromError(error);
      return undefined;
    }
  }

  /** Same-instant mode: gathers every live event due at the earliest instant into #ready. */
  #peekChosen(): SimEvent | undefined {
    const ready = this.#ready;
    for (let i = ready.length - 1; i >= 0; i--) {
      if (!(ready[i] as SimEvent).isPending) removeAt(ready, i);
    }
    let top = this.#queue.peek();
    const at = ready.length > 0 ? (ready[0] as SimEvent).at : top?.at;
    while (top !== undefined && top.at === at) {
      ready.push(this.#queue.detach() as SimEvent);
      top = this.#queue.peek();
    }
    if (ready.length <= 1) return ready[0];
    // The instant is in the label, so a report or an enumeration can tell one tie from another.
    const label = `same-instant ${formatInstant((ready[0] as SimEvent).at)}`;
    const index = this.#scheduler.pick(label, ready.length, this.#candidates(ready));
    return ready[index];
  }

  /** A strategy's view of the events due at one instant; nothing to build without a strategy. */
  #candidates(ready: readonly SimEvent[]): Candidate[] | null {
    const abouts = this.#abouts;
    if (abouts === null) return null;
    return ready.map((event) => ({
      label: event.label,
      at: event.at,
      seq: event.seq,
      about: abouts.get(event) ?? null,
    }));
  }

  /**
   * A run that stops before the instant it gathered gives the events back to the queue: what is
   * scheduled before the next run may fall due earlier, and must fire first.
   */
  #returnReady(): void {
    for (const event of this.#ready) this.#queue.reattach(event);
    this.#ready.length = 0;
  }

  #takeChosen(event: SimEvent): void {
    const ready = this.#ready;
    removeAt(ready, ready.indexOf(event));
    event.cancel();
  }

  #logEvent(event: SimEvent): void {
    const log = this.#eventLog as EventLogEntry[];
    log.push({ index: log.length, at: event.at, label: event.label, hash: this.trace.hash() });
  }

  #livelock(reason: string): RunStatus {
    const pending = this.pendingEvents;
    this.fail('livelock', `${reason} with ${pending} event${pending === 1 ? '' : 's'} pending`);
    return 'failed';
  }

  #failFromError(error: unknown): void {
    if (this.#failure !== null) return;
    const crash = driverCrashOf(error) ?? foreignWaitCrash(error);
    if (crash !== null) return this.#failCrash(error, crash);
    const kind: FailureKind =
      error instanceof TapeDivergedError
        ? 'tape-diverged'
        : error instanceof SimConfigError
          ? 'config'
          : throwerOf(error) === 'simulator'
            ? 'assertion'
            : 'error';
    const message = error instanceof Error ? error.message : String(error);
    this.fail(kind, message);
    const failure = this.#failure as Failure | null;
    if (failure !== null) this.#failure = { ...failure, error };
  }

  /** Driver code threw: a failure of its own kind, naming the driver's line (crash.ts). */
  #failCrash(error: unknown, crash: DriverCrash): void {
    const { site, stack, routine, host, socket, irp } = crash;
    this.fail('driver-crash', crashMessage(error, crash), {
      rule: 'DRIVER-CRASH',
      summary: 'Driver code threw an exception (the analogue of a bug check).',
      ...(host !== undefined && { host }),
      ...(socket !== undefined && { socket }),
      ...(irp !== undefined && { irp }),
      site,
      ...(routine !== undefined && { routine }),
      stack,
    });
    const failure = this.#failure as Failure | null;
    if (failure !== null) this.#failure = { ...failure, error };
  }

  #failThread(thread: SimThread, error: unknown): void {
    this.#failFromError(error);
    if (this.#failure !== null && this.#failure.event === undefined) {
      this.#failure = { ...this.#failure, event: `thread ${thread.name}` };
    }
  }
}

/**
 * A thread that awaited something outside the simulation (foreign-wait.ts) with no driver frame
 * to name: the driver's failure all the same, its line unknown.
 */
function foreignWaitCrash(error: unknown): DriverCrash | null {
  if (!(error instanceof ForeignWaitError)) return null;
  return { site: 'unknown', stack: [], routine: 'a system thread' };
}

function resolveRunPlan(options: RunOptions, now: number): RunPlan {
  const eventBudget =
    options.eventBudget === undefined
      ? DEFAULT_EVENT_BUDGET
      : checkInteger('eventBudget', options.eventBudget, 1, Number.MAX_SAFE_INTEGER);
  const timeLimit =
    options.timeLimit === undefined
      ? DEFAULT_TIME_LIMIT
      : parseDuration('timeLimit', options.timeLimit);
  const until = options.until;
  if (typeof until === 'function')
    return { stopAt: Infinity, predicate: until, eventBudget, timeLimit };
  if (until === undefined) return { stopAt: Infinity, predicate: null, eventBudget, timeLimit };
  const stopAt = parseDuration('until', until);
  if (stopAt < now)
    throw new SimConfigError(
      'until',
      `${formatInstant(stopAt)} is before now (${formatInstant(now)})`,
    );
  return { stopAt, predicate: null, eventBudget, timeLimit };
}

/** Removes `array[index]` in place, in order: splice would allocate the removed, every event. */
function removeAt<T>(array: T[], index: number): void {
  for (let i = index + 1; i < array.length; i++) array[i - 1] = array[i] as T;
  array.length--;
}
