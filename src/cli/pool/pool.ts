/**
 * A campaign on worker threads (`wsksim fuzz --jobs N`): a CampaignRunner (explore/campaign.ts)
 * that hands a batch's runs to N workers (worker.ts), each as soon as one is idle, and gives the
 * outcomes back to the campaign in index order. A batch's runs go out as soon as it is handed over
 * (handOver), behind the runs before them, so no worker waits at a boundary when the next batch
 * was planned ahead. At the end of a batch every worker gets the batch's digests, in index order,
 * and how far the main thread had planned when it observed them, so every replica of the strategy
 * plans and observes what the main thread's did, in the same order; which worker ran which run
 * changes nothing in the campaign.
 *
 * Each run has a wall-clock watchdog kept here, on the main thread (`--run-timeout`): a driver
 * spinning in a synchronous loop never yields, so no check inside the worker could stop it. When
 * a run has not ended within the bound, its worker is terminated, the run is booked as a failure
 * of kind 'hang' (campaign.ts: HANG) naming its scenario, seed and strategy, the strategy learns
 * from it as from a failed run that drew nothing (the digest of its plan, not run), and a new
 * worker takes the old one's place: it replays every batch's digests so far (no run again), so
 * its replica is where the others are, and the campaign goes on.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  HANG,
  type Batch,
  type CampaignRunner,
  type PlannedRun,
  type RunOutcome,
} from '../../explore/campaign.ts';
import type { ScenarioResult } from '../../explore/scenario.ts';
import { DEFAULT_STRATEGY } from '../../explore/strategy.ts';
import { formatDuration, type Instant } from '../../sim/index.ts';
import {
  IDLE,
  PROGRESS_BYTES,
  RUN,
  SINCE,
  type ObserveMessage,
  type ToMain,
  type WorkerData,
} from './messages.ts';

export interface PoolOptions extends WorkerData {
  /** The scenario's name, for a hang's message. */
  readonly scenarioName: string;
  /** How many workers. */
  readonly jobs: number;
  /** A run's wall-clock bound, in nanoseconds. */
  readonly runTimeout: number;
}

/** tsx's ESM API, resolved from here: a worker registers it so scenarios load as TypeScript. */
const TSX_API = tsxApi();
/** worker.ts in a checkout, the compiled worker.js in an installed package (dist/). */
const ENTRY = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)
  .href;
/**
 * bin/hooks.js and its data, as bin/wsksim.js registers them: `'wsksim'` from a scenario anywhere
 * resolves to this package, and a .ts file outside a package loads as an ES module. Loader hooks
 * are a thread's own, so a worker registers them again.
 */
const HOOKS = new URL('../../../bin/hooks.js', import.meta.url).href;
const HOOKS_DATA = {
  packageURL: new URL('../../../package.json', import.meta.url).href,
  // Running from source (a checkout: this file is .ts) resolves 'wsksim' to src/.
  conditions: import.meta.url.endsWith('.ts') ? ['wsksim-source'] : [],
};
/**
 * A worker's first code (CommonJS, as an eval'd worker is): V8's flag as bin/wsksim.js sets it
 * (it is per process; setting it again is harmless), tsx and bin/hooks.js, then worker.ts.
 */
const BOOT = `
require('node:v8').setFlagsFromString('--no-allocation-site-pretenuring');
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((tsx) => {
  tsx.register();
  require('node:module').register(workerData.hooks, { data: workerData.hooksData });
  return import(workerData.entry);
});
`;

/**
 * A worker thread running the TypeScript module `entry` (a file: URL), with `data` as its
 * workerData (and tsxApi, entry beside).
 */
export function typeScriptWorker(entry: string, data: object): Worker {
  const boot = { tsxApi: TSX_API, hooks: HOOKS, hooksData: HOOKS_DATA, entry };
  return new Worker(BOOT, { eval: true, workerData: { ...data, ...boot } });
}

/** The URL of tsx's ESM API (its CommonJS one loads its hooks by a path a worker cannot). */
function tsxApi(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    // A host without import.meta.resolve (a test runner's module loader): the file beside.
    const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
    return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  }
}

/**
 * How many chunks of runs a worker holds at most: the one it runs and the next, so that when a
 * chunk ends the next is already in its queue and it does not wait for the main thread (on a busy
 * machine that thread may not run soon).
 */
const AHEAD = 2;

/**
 * How many runs the next chunk holds: a share of the runs left (guided self-scheduling), so a
 * batch goes out in few messages, big chunks first and single runs last, which keeps the workers
 * busy to the batch's end. A worker reports a chunk's runs in one message (worker.ts), so a run
 * costs no message of its own either way: messages were most of a pooled run's overhead.
 */
function chunkSize(left: number, jobs: number): number {
  return Math.max(1, Math.ceil(left / (AHEAD * jobs)));
}

interface Slot {
  readonly worker: Worker;
  /** What it is running (worker.ts: PROGRESS), shared with it. */
  readonly progress: Int32Array;
  /** The runs it has been handed and not reported, in the order handed (it runs them so). */
  readonly runs: number[];
  /** The chunks it has been handed, each as the number of its runs not reported yet. */
  readonly chunks: number[];
  /** Terminated on purpose: its exit is no failure. */
  ended: boolean;
}

export class WorkerPool implements CampaignRunner {
  readonly #options: PoolOptions;
  readonly #slots: Slot[] = [];
  /** Every batch's digests sent so far, for a new worker to replay. */
  readonly #log: ObserveMessage[] = [];
  /** The wall clock the workers' progress is told from, in ms: the watchdog's, not simulated. */
  readonly #epoch = Date.now(); // wall clock (CLI): shared by every thread, unlike performance.now
  /** The runs handed to the pool (the current batch's and the next's) and not taken yet. */
  readonly #planned = new Map<number, PlannedRun>();
  /** Those not handed to a worker yet, in index order. */
  readonly #queue: number[] = [];
  /** The outcomes made and not taken yet. */
  readonly #outcomes = new Map<number, RunOutcome>();
  /** How far the main thread has planned: ObserveMessage's end and waited. */
  #plannedTo = { end: 0, waited: false };
  #failure: Error | null = null;
  #wake: (() => void) | null = null;
  #watchdog: ReturnType<typeof setInterval> | undefined; // wall-clock watchdog (CLI), no run

  /**
   * Starts the workers at once: a worker's start (Node, tsx, the scenario) takes a good part of a
   * second, which the main thread's own work before the first batch (its strategy, the plans)
   * overlaps.
   */
  constructor(options: PoolOptions) {
    this.#options = options;
    this.#fill();
  }

  async runBatch(batch: Batch, take: (outcome: RunOutcome) => Promise<boolean>): Promise<void> {
    const first = batch.runs[0];
    if (first === undefined) return;
    if (!this.#planned.has(first.index)) this.#enqueue(batch);
    const entries: ObserveMessage['entries'][number][] = [];
    for (const { index } of batch.runs) {
      const outcome = await this.#outcome(index);
      this.#outcomes.delete(index);
      this.#planned.delete(index);
      entries.push({ index, digest: outcome.digest });
      if (!(await take(outcome))) {
        this.#forget();
        return;
      }
    }
    const { end, waited } = this.#plannedTo;
    const message: ObserveMessage = { type: 'observe', end, waited, entries };
    this.#log.push(message);
    for (const slot of this.#slots) slot.worker.postMessage(message);
  }

  handOver(batch: Batch): void {
    this.#enqueue(batch);
  }

  /** Takes the runs of `batch` to hand out, behind those handed before. */
  #enqueue(batch: Batch): void {
    this.#fill();
    // The watchdog's real timer (CLI, outside the simulated world): a spinning run never yields.
    this.#watchdog ??= setInterval(() => this.#watch(), watchPeriod(this.#options.runTimeout));
    for (const run of batch.runs) {
      this.#planned.set(run.index, run);
      this.#queue.push(run.index);
    }
    this.#plannedTo = { end: batch.from + batch.runs.length, waited: batch.waited };
    this.#dispatch();
  }

  /** The campaign stopped: no more runs go out, and the outcomes still to come are dropped. */
  #forget(): void {
    this.#planned.clear();
    this.#queue.length = 0;
    this.#outcomes.clear();
  }

  /** Starts workers up to the number the campaign can use. */
  #fill(): void {
    const jobs = Math.min(this.#options.jobs, this.#options.campaign.runs);
    while (this.#slots.length < jobs) this.#slots.push(this.#spawn());
  }

  /** Ends every worker. */
  async close(): Promise<void> {
    clearInterval(this.#watchdog);
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((slot) => this.#end(slot)));
  }

  /** The outcome of run `index`, once some worker (or the watchdog) gives it. */
  async #outcome(index: number): Promise<RunOutcome> {
    for (;;) {
      if (this.#failure !== null) throw this.#failure;
      const outcome = this.#outcomes.get(index);
      if (outcome !== undefined) return outcome;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /**
   * Hands the batch's next runs to the workers in chunks (chunkSize), up to AHEAD chunks each, in
   * rounds so that each gets its share, one message per chunk.
   */
  #dispatch(): void {
    const queue = this.#queue;
    const jobs = this.#slots.length;
    for (let ahead = 1; ahead <= AHEAD && queue.length > 0; ahead++) {
      for (const slot of this.#slots) {
        if (slot.chunks.length >= ahead || queue.length === 0) continue;
        const indexes = queue.splice(0, chunkSize(queue.length, jobs));
        slot.runs.push(...indexes);
        slot.chunks.push(indexes.length);
        slot.worker.postMessage({ type: 'run', indexes });
      }
    }
  }

  #spawn(): Slot {
    const { scenarioPath, campaign, run } = this.#options;
    const progress = new Int32Array(new SharedArrayBuffer(PROGRESS_BYTES)).fill(IDLE);
    const data = { scenarioPath, campaign, run, progress, epoch: this.#epoch };
    const worker = typeScriptWorker(ENTRY, data);
    const slot: Slot = { worker, progress, runs: [], chunks: [], ended: false };
    for (const message of this.#log) worker.postMessage(message);
    worker.on('message', (message: ToMain) => this.#message(slot, message));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (!slot.ended) this.#fail(new Error(`a campaign worker stopped (exit code ${code})`));
    });
    return slot;
  }

  #message(slot: Slot, message: ToMain): void {
    if (slot.ended) return;
    if (message.type === 'fail') {
      this.#fail(new Error(`a campaign worker failed: ${message.message ?? ''}`));
      return;
    }
    for (const outcome of message.outcomes) {
      slot.runs.splice(slot.runs.indexOf(outcome.index), 1);
      // A worker makes its runs in the order handed, so this run is of its first chunk.
      if (--slot.chunks[0]! === 0) slot.chunks.shift();
      if (this.#planned.has(outcome.index)) this.#outcomes.set(outcome.index, outcome);
    }
    this.#dispatch();
    this.#notify();
  }

  /**
   * The watchdog, every watchPeriod: a worker whose run has gone on for longer than the bound
   * hangs (see the module header). The worker tells what it runs and since when in shared
   * memory, so a run costs no message to the main thread for it.
   */
  #watch(): void {
    const now = Date.now() - this.#epoch;
    const bound = this.#options.runTimeout / 1e6;
    for (const slot of [...this.#slots]) {
      const index = Atomics.load(slot.progress, RUN);
      if (index !== IDLE && now - Atomics.load(slot.progress, SINCE) > bound)
        void this.#hang(slot, index);
    }
  }

  /** Run `index` of `slot` hangs: see the module header. */
  async #hang(slot: Slot, index: number): Promise<void> {
    const at = this.#slots.indexOf(slot);
    const planned = this.#planned.get(index);
    if (at < 0 || planned === undefined) return;
    this.#slots[at] = this.#spawn();
    // The runs it was handed and did not report go to the others, first.
    this.#queue.unshift(...slot.runs.filter((run) => run !== index));
    const result = hangResult(this.#options, index, planned.plan.seed);
    this.#outcomes.set(index, { index, result, digest: planned.digest(result) });
    this.#dispatch();
    this.#notify();
    await this.#end(slot);
  }

  async #end(slot: Slot): Promise<void> {
    slot.ended = true;
    await slot.worker.terminate();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/** How often the watchdog looks: an eighth of the bound, within 10 ms – 1 s. */
function watchPeriod(runTimeout: number): number {
  return Math.min(1000, Math.max(10, Math.round(runTimeout / 1e6 / 8)));
}

/** The result booked for a run that hung: a failure of kind HANG, with nothing else. */
function hangResult(options: PoolOptions, index: number, seed: number): ScenarioResult {
  const strategy = options.campaign.strategy ?? DEFAULT_STRATEGY;
  const message =
    `no result within ${formatDuration(options.runTimeout)} (--run-timeout): ` +
    `run ${index} of scenario ${options.scenarioName}, seed ${seed}, strategy ${strategy}; ` +
    'its worker was stopped';
  return {
    scenario: options.scenarioName,
    seed,
    status: 'failed',
    failure: { kind: HANG, message, seed, at: 0 as Instant },
    traceHash: '',
    now: 0,
    events: 0,
    tail: [],
    advisories: [],
    faults: { taken: [], links: false },
    checkSkipped: false,
    goals: new Map(),
  };
}
