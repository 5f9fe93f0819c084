/**
 * The per-host kernel's core: IRQL, the choice stream, the verifier hook and tracing, shared by
 * the IRP, pool, MDL and dispatcher modules (docs/design.md#the-wsk-surface, "Callbacks and
 * completion routines run at DISPATCH_LEVEL by default"; the verifier, #the-verifier; labelled
 * choices, #determinism-contract). It is generic in the rule ids it accepts: the kernel layer's own
 * (rules.ts), or those plus a provider's, so a misspelt id is a compile error.
 *
 * IRQL model: the kernel keeps one current IRQL. Code that is not inside `runAt` (driver load,
 * system threads, work items) runs at PASSIVE_LEVEL; the model runs callbacks and completion
 * routines through `runCallback`, which raises to DISPATCH_LEVEL unless the labelled choice
 * 'callback at PASSIVE' (probability `passiveCallbacks`, default 0) picks PASSIVE_LEVEL, as
 * Windows allows any IRQL ≤ DISPATCH_LEVEL (docs/model.md#rules-for-every-callback,
 * #inline-or-pending-completion). A callback never runs below the IRQL of its caller.
 *
 * Violations (docs/design.md#status-violation-or-advisory, second row) end the run through
 * `Simulator.fail('violation', ...)` after the current event; the message starts with the stable
 * rule id and names host and time. The model never throws through its own state for a driver's
 * misuse.
 *
 * Advisories (docs/design.md#status-violation-or-advisory, third row: legal but almost always a
 * bug) are recorded on the kernel and in the trace (record type 'nt.advisory', hashed like any
 * model event) and leave the run alone, unless the kernel is `strict`: then the first one fails the
 * run (kind 'advisory').
 */
import {
  assert,
  callerSite,
  formatInstant,
  noteCrashContext,
  type ChoiceStream,
  type FailureDetails,
  type Simulator,
} from '../sim/index.ts';
import type { LayeredRule, RuleChannel } from './catalogue.ts';
import { DISPATCH_LEVEL, PASSIVE_LEVEL, type KIRQL } from './irql.ts';
import { checkNtOptions, type NtKernelOptions } from './options.ts';
import { NT_RULES, type NtAdvisoryId, type NtViolationId } from './rules.ts';

/** One reported violation, also kept on the kernel for tests and reports. */
export interface Violation extends FailureDetails {
  readonly message: string;
  readonly at: number;
}

/** The objects a violation concerns, by their ids in the trace. */
export interface ViolationPlace {
  readonly socket?: number;
  readonly irp?: number;
  /** The object's life before the violation, one event a line (FailureDetails.history). */
  readonly history?: readonly string[];
}

/** One advisory: legal, but almost always a bug (docs/design.md#status-violation-or-advisory). */
export interface Advisory {
  readonly rule: string;
  readonly message: string;
  readonly at: number;
  /** The driver's file:line at the call, when there is a driver frame on the stack. */
  readonly site?: string;
}

export class KernelCore<
  Options extends NtKernelOptions = NtKernelOptions,
  ViolationRule extends string = NtViolationId,
  AdvisoryRule extends string = NtAdvisoryId,
> {
  readonly sim: Simulator;
  readonly host: string;
  readonly options: Options;
  /** The kernel's choice stream: 'kernel/<host>'. */
  readonly choices: ChoiceStream;
  readonly violations: Violation[] = [];
  readonly advisories: Advisory[] = [];
  /** @internal the current IRQL; read it with KeGetCurrentIrql. */
  irql: KIRQL = PASSIVE_LEVEL;
  /** @internal spin locks held now (spin-locks.ts), checked when a callback returns. */
  spinLocksHeld = 0;
  /** The callback running now (0: none), each run of a callback a new number. */
  #callback = 0;
  #callbacks = 0;
  readonly #disabled: ReadonlySet<string>;
  readonly #catalogue: ReadonlyMap<string, LayeredRule>;

  /** `catalogue`: every rule this kernel may report (the kernel's own, or with a provider's). */
  constructor(
    sim: Simulator,
    host: string,
    options: Options,
    catalogue: ReadonlyMap<string, LayeredRule> = NT_RULES,
  ) {
    this.sim = sim;
    this.host = host;
    this.options = options;
    this.#catalogue = catalogue;
    this.choices = sim.choices.stream(`kernel/${host}`);
    this.#disabled = new Set(options.disabledRules ?? []);
    checkNtOptions(host, options);
  }

  /**
   * Reports a verifier violation: the run fails after the current event, with the rule, the
   * host, the socket and IRP concerned and the driver's file:line (docs/design.md#the-verifier).
   */
  violation(rule: NtViolationId | ViolationRule, detail: string, place: ViolationPlace = {}): void {
    if (this.#disabled.has(rule)) return;
    const site = callerSite();
    this.report(rule, detail, { ...place, ...(site !== null && { site }) });
  }

  /** Reports a violation whose place and site the caller knows (leaks found at the end). */
  report(
    rule: NtViolationId | ViolationRule,
    detail: string,
    place: ViolationPlace & { site?: string },
  ): void {
    if (this.#disabled.has(rule)) return;
    const { summary, source } = this.#catalogued(rule, 'violation');
    const message = `${rule}: ${detail} (host ${this.host} at ${formatInstant(this.sim.now)})`;
    const details = { rule, summary, source, host: this.host, ...place };
    this.violations.push({ ...details, message, at: this.sim.now });
    this.sim.trace.emit({ at: this.sim.now, type: 'nt.violation', host: this.host, rule });
    this.sim.fail('violation', message, details);
  }

  /** Records an advisory; under `strict` it fails the run after the current event. */
  advisory(rule: NtAdvisoryId | AdvisoryRule, detail: string): void {
    if (this.#disabled.has(rule)) return;
    const { summary, source } = this.#catalogued(rule, 'advisory');
    const message = `${rule}: ${detail} (host ${this.host} at ${formatInstant(this.sim.now)})`;
    const site = callerSite();
    this.advisories.push({ rule, message, at: this.sim.now, ...(site !== null && { site }) });
    const at = this.sim.now;
    this.sim.trace.emit({ at, type: 'nt.advisory', host: this.host, rule, info: detail });
    if (this.options.strict === true) {
      const details = { rule, summary, source, host: this.host, ...(site !== null && { site }) };
      this.sim.fail('advisory', message, details);
    }
  }

  /**
   * Runs `body` at `irql` (never below the current one) and restores the IRQL after. `routine`
   * names the driver code `body` runs, for a report if it throws (a driver crash, sim/crash.ts),
   * with the socket and IRP it concerns; nothing is built unless it throws.
   */
  runAt<R>(irql: KIRQL, body: () => R, routine = 'callback', socket?: number, irp?: number): R {
    const old = this.irql;
    const locks = this.spinLocksHeld;
    const level = (irql > old ? irql : old) as KIRQL;
    const outer = this.#callback;
    this.irql = level;
    this.#callback = ++this.#callbacks;
    let result: R;
    try {
      result = body();
    } catch (error) {
      this.irql = old;
      this.#noteCrash(error, routine, socket, irp);
      throw error;
    } finally {
      this.#callback = outer;
    }
    if (this.irql !== level) {
      this.violation(
        'IRQL-NOT-RESTORED',
        `a callback entered at IRQL ${level} returned at IRQL ${this.irql}`,
      );
    }
    if (this.spinLocksHeld > locks) {
      this.violation('SPINLOCK-HELD-ON-RETURN', 'a callback returned holding a spin lock');
    }
    this.irql = old;
    return result;
  }

  /**
   * Who runs now, for spin lock ownership: the callback being run (by number), else the system
   * thread, else the event (driver code run from the simulator directly).
   */
  context(): unknown {
    return this.#callback !== 0 ? this.#callback : (this.sim.threads.current ?? 'event');
  }

  /**
   * Runs a callback or completion routine at DISPATCH_LEVEL, or PASSIVE_LEVEL by choice; `routine`
   * and its socket and IRP as runAt's.
   */
  runCallback<R>(body: () => R, routine?: string, socket?: number, irp?: number): R {
    const passive = this.choices.chance('callback at PASSIVE', this.options.passiveCallbacks ?? 0);
    return this.runAt(passive ? PASSIVE_LEVEL : DISPATCH_LEVEL, body, routine, socket, irp);
  }

  /** Tells a crash report what driver code was running when `error` went by (sim/crash.ts). */
  #noteCrash(error: unknown, routine: string, socket?: number, irp?: number): void {
    const named = routine === 'completion routine' && irp !== undefined;
    noteCrashContext(error, {
      routine: named ? `completion routine of IRP #${irp}` : routine,
      host: this.host,
      ...(socket !== undefined && { socket }),
      ...(irp !== undefined && { irp }),
    });
  }

  /** Draws an injected allocation failure for `what` ('pool', 'irp', 'mdl', 'work item'). */
  allocationFails(what: string, probability: number | undefined): boolean {
    return this.choices.fault(`${what} allocation fails`, probability ?? 0);
  }

  /** Checks that a routine documented for IRQL ≤ `max` runs there; a violation otherwise. */
  requireIrql(routine: string, max: KIRQL): boolean {
    if (this.irql <= max) return true;
    this.violation(
      'IRQL-TOO-HIGH',
      `${routine} called at IRQL ${this.irql}; it must be called at IRQL <= ${max}`,
    );
    return false;
  }

  /** The catalogue's entry for `id`; an id it lacks, or of the other channel, is a model bug. */
  #catalogued(id: string, channel: RuleChannel): LayeredRule {
    const rule = this.#catalogue.get(id);
    assert(rule !== undefined, `rule ${id} is not in the catalogue`);
    assert(rule.channel === channel, `rule ${id} is ${rule.channel}, reported as ${channel}`);
    return rule;
  }
}
