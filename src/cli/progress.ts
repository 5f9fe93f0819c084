/**
 * A campaign a person can watch (`wsksim fuzz`): on a terminal, one live line on standard error,
 * redrawn in place by log-update at most five times a second: runs done of those asked, runs per
 * second, the failures so far by what failed, what the strategy measured (coverage), and the time
 * left. Not on a terminal, or under CI, a plain line every 5 seconds instead, so a CI log shows a
 * long campaign moving without a line per run, and a line at once when a run fails in a way not
 * seen before. Standard output keeps the report alone.
 */
import { createLogUpdate } from 'log-update';
import type { ScenarioResult } from '../explore/scenario.ts';

/** What the line shows; kept apart from drawing it, so tests can read it. */
export interface ProgressState {
  readonly scenario: string;
  readonly done: number;
  readonly total: number;
  /** Seconds since the campaign started. */
  readonly seconds: number;
  /** The failures so far by what failed (rule id or kind), in the order first seen. */
  readonly failures: ReadonlyMap<string, number>;
  /** What the strategy measured ('coverage 412 transitions'), or ''. */
  readonly measured: string;
  /** The --time budget in seconds, if one was given. */
  readonly budget?: number;
}

/** The progress line. */
export function progressLine(state: ProgressState): string {
  const rate = state.seconds > 0 ? state.done / state.seconds : 0;
  const failures = [...state.failures].map(([what, n]) => `${what} ×${n}`);
  const parts = [
    `fuzz ${state.scenario}: ${state.done}/${state.total} runs`,
    `${rate.toFixed(rate < 10 ? 1 : 0)} runs/s`,
    failures.length === 0 ? 'no failures' : `failures: ${failures.join(', ')}`,
    ...(state.measured === '' ? [] : [state.measured]),
    ...timeLeft(state, rate),
  ];
  return parts.join('  ');
}

function timeLeft(state: ProgressState, rate: number): string[] {
  const byRuns = rate > 0 ? (state.total - state.done) / rate : Infinity;
  const byBudget = state.budget === undefined ? Infinity : state.budget - state.seconds;
  const left = Math.max(0, Math.min(byRuns, byBudget));
  return Number.isFinite(left) ? [`~${formatSeconds(left)} left`] : [];
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.ceil(seconds - minutes * 60)} s`;
}

export interface ProgressOptions {
  readonly scenario: string;
  readonly total: number;
  readonly budget?: number;
  /** Redraw one line in place (a terminal) or write a line every few seconds. */
  readonly live: boolean;
  /** Seconds since some fixed start (the wall clock; a test gives its own). */
  readonly now: () => number;
  /** Where the live line is drawn (a terminal). */
  readonly stream: NodeJS.WritableStream;
  /** Where plain lines go (standard error, or a test's buffer). */
  readonly write: (text: string) => void;
}

/** Seconds between plain lines when not on a terminal. */
const PLAIN_INTERVAL = 5;
/** Seconds between redraws of the live line. */
const LIVE_INTERVAL = 0.2;

/** Counts a campaign's runs as they are observed and shows them (see the module header). */
export class CampaignProgress {
  readonly #options: ProgressOptions;
  readonly #start: number;
  readonly #failures = new Map<string, number>();
  readonly #live: ReturnType<typeof createLogUpdate> | null;
  #done = 0;
  #measured = '';
  #shown: number;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#start = options.now();
    this.#shown = this.#start;
    this.#live = options.live ? createLogUpdate(options.stream, { showCursor: true }) : null;
  }

  /** A run observed (CampaignRequest.onRun). */
  onRun(result: ScenarioResult, measured: () => string): void {
    this.#done++;
    const failure = result.failure;
    if (failure !== undefined) {
      const what = failure.details?.rule ?? failure.kind;
      const seen = this.#failures.get(what) ?? 0;
      this.#failures.set(what, seen + 1);
      if (seen === 0 && this.#live === null) {
        const { scenario, write } = this.#options;
        write(`fuzz ${scenario}: new failure: ${what} (seed ${result.seed})\n`);
      }
    }
    const now = this.#options.now();
    const interval = this.#live === null ? PLAIN_INTERVAL : LIVE_INTERVAL;
    if (now - this.#shown < interval) return;
    this.#shown = now;
    this.#measured = measured();
    this.#show(now);
  }

  /** The campaign ended: the live line is cleared (the report follows on standard output). */
  done(): void {
    this.#live?.clear();
    this.#live?.done();
  }

  state(now: number = this.#options.now()): ProgressState {
    const { scenario, total, budget } = this.#options;
    return {
      scenario,
      done: this.#done,
      total,
      seconds: now - this.#start,
      failures: this.#failures,
      measured: this.#measured,
      ...(budget !== undefined && { budget }),
    };
  }

  #show(now: number): void {
    const line = progressLine(this.state(now));
    if (this.#live !== null) this.#live(line);
    else this.#options.write(`${line}\n`);
  }
}
