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

/** A batch's digests, in index order: every replica observes them (campaign.ts: planBatch). */
export interface ObserveMessage {
  readonly type: 'observe';
  /** The batch ends before this run. */
  readonly end: number;
  /** The strategy was asked for run `end` and said WAIT (each replica asks it too). */
  readonly waited: boolean;
  readonly entries: readonly { readonly index: number; readonly digest: Digest }[];
}

export type ToWorker = { readonly type: 'run'; readonly index: number } | ObserveMessage;

export type ToMain =
  | { readonly type: 'ready' }
  | { readonly type: 'start'; readonly index: number }
  | {
      readonly type: 'done';
      readonly index: number;
      readonly result: ScenarioResult;
      readonly digest: Digest;
    }
  | { readonly type: 'fail'; readonly message: string | undefined };
