/** What the main thread and a campaign worker (worker.ts, pool.ts) say to each other. */
import type { CampaignRequest } from '../../explore/campaign.ts';
import type { RunRequest, ScenarioResult } from '../../explore/scenario.ts';
import type { Digest } from '../../explore/strategy.ts';

/** What a worker is started with: enough to load the scenario and replicate the strategy. */
export interface WorkerData {
  /** The scenario's file, absolute. */
  readonly scenarioPath: string;
  readonly campaign: Pick<CampaignRequest, 'strategy' | 'params' | 'seed' | 'runs'>;
  /** The campaign's base run request (`--set`, `--same-instant`): plain data. */
  readonly run: Omit<RunRequest, 'seed'>;
}

/** What pool.ts starts a worker with besides. */
export interface WorkerStart extends WorkerData {
  /** RUN and SINCE, shared. */
  readonly progress: Int32Array;
  /** The pool's epoch (the wall clock when it began; CLI, not simulated): SINCE counts from it. */
  readonly epoch: number;
}

/**
 * A batch's digests, in index order: every replica observes them (campaign.ts: planBatch), once
 * it has planned as far as the main thread had when it observed them (the batch, and the next
 * when it was planned ahead: campaign.ts, plansAhead).
 */
export interface ObserveMessage {
  readonly type: 'observe';
  /** The main thread had planned every run before this one. */
  readonly end: number;
  /** It had then asked for run `end` and been told WAIT (each replica asks it too, once). */
  readonly waited: boolean;
  readonly entries: readonly { readonly index: number; readonly digest: Digest }[];
}

/** Runs to make, in this order, after those handed before. */
export interface RunMessage {
  readonly type: 'run';
  readonly indexes: readonly number[];
}

export type ToWorker = RunMessage | ObserveMessage;

/** Runs made: their results (a passing run's without tape and tail) and digests. */
export interface DoneMessage {
  readonly type: 'done';
  readonly outcomes: readonly {
    readonly index: number;
    readonly result: ScenarioResult;
    readonly digest: Digest;
  }[];
}

export type ToMain = DoneMessage | { readonly type: 'fail'; readonly message: string | undefined };

/**
 * What a worker is running, in shared memory (an Int32Array the main thread reads for its
 * watchdog, with Atomics): the run's index (IDLE when none) and since when, in ms from the
 * pool's epoch (WorkerData.epoch). The worker stores SINCE before RUN.
 */
export const RUN = 0;
export const SINCE = 1;
export const IDLE = -1;
export const PROGRESS_BYTES = 2 * Int32Array.BYTES_PER_ELEMENT;
