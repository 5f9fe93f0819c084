/**
 * A campaign worker thread (pool.ts): loads the scenario, makes its own replica of the campaign's
 * strategy, and runs the runs the main thread hands it. Plans hold deciders, which cannot cross
 * threads, so no plan is sent: the replica plans every run of every batch itself, in index order,
 * and observes every run's digest when the main thread sends a batch's digests, in index order,
 * after planning as far as the main thread had then (explore/campaign.ts: planBatch, plansAhead).
 * So every replica holds the same state as the main thread's at each batch boundary, and plans
 * run i as it does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { campaignStrategy, planRequest } from '../../explore/campaign.ts';
import { runScenario, type ScenarioResult } from '../../explore/scenario.ts';
import { WAIT, type RunPlan } from '../../explore/strategy.ts';
import { loadScenario } from '../load.ts';
import {
  IDLE,
  RUN,
  SINCE,
  type DoneMessage,
  type ToMain,
  type ToWorker,
  type WorkerStart,
} from './messages.ts';

const data = workerData as WorkerStart;
const port = parentPort as NonNullable<typeof parentPort>;
const scenario = await loadScenario(data.scenarioPath);
const strategy = campaignStrategy(scenario, data.campaign);
const plans = new Map<number, RunPlan>();
let planned = 0;
/** The run the replica was last told WAIT at, as the main thread was (ObserveMessage.waited). */
let waitedAt = -1;

/**
 * How long finished runs may wait to be reported, when a chunk (a run message) takes long: so the
 * main thread sees progress, and a time budget (`--time`) is kept, even with slow runs. A chunk's
 * runs are otherwise reported together when it ends, in one message. Date.now, the wall clock,
 * by design (src/cli, outside any run): the same clock in every thread, as the watchdog's
 * shared progress needs (a thread's performance.now counts from its own start).
 */
const REPORT_MS = 50;
let unreported: DoneMessage['outcomes'][number][] = [];
let reported = Date.now(); // wall clock (CLI): when runs were last reported

/** Plans every run before `end` not planned yet, in index order. */
function planTo(end: number): void {
  for (; planned < end; planned++) {
    const plan = strategy.next(planned);
    if (plan === null || plan === WAIT)
      throw new Error(`worker: the strategy's replica said ${plan} at run ${planned}`);
    plans.set(planned, plan);
  }
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'observe') {
    planTo(message.end);
    if (message.waited && waitedAt !== message.end) {
      if (strategy.next(message.end) !== WAIT)
        throw new Error(`worker: the strategy's replica did not wait at run ${message.end}`);
      waitedAt = message.end;
    }
    for (const { index, digest } of message.entries) {
      strategy.observe(plans.get(index) as RunPlan, digest);
      plans.delete(index);
    }
    return;
  }
  for (const index of message.indexes) {
    planTo(index + 1);
    const plan = plans.get(index) as RunPlan;
    // For the main thread's watchdog (messages.ts: RUN, SINCE): SINCE first.
    Atomics.store(data.progress, SINCE, Date.now() - data.epoch); // wall clock: watchdog (CLI)
    Atomics.store(data.progress, RUN, index);
    const result = await runScenario(scenario, planRequest(data.run, plan));
    Atomics.store(data.progress, RUN, IDLE);
    unreported.push({ index, result: cloneable(result), digest: strategy.digest(plan, result) });
    if (Date.now() - reported >= REPORT_MS) report(); // wall clock: reporting cadence
  }
  report();
}

/** Sends the runs made and not reported yet. */
function report(): void {
  if (unreported.length > 0) port.postMessage({ type: 'done', outcomes: unreported } as ToMain);
  unreported = [];
  reported = Date.now(); // wall clock (CLI), never seen by a run
}

/**
 * `result` as the main thread needs it: a passing run's without its tape and its last trace
 * records (the campaign keeps them for failures only; copying them is most of a message's cost),
 * a failing run's whole, a thrown value that cannot be cloned as its text.
 */
function cloneable(result: ScenarioResult): ScenarioResult {
  const failure = result.failure;
  if (failure === undefined) {
    const { tape, ...rest } = result;
    void tape;
    return { ...rest, tail: [] };
  }
  if (failure.error === undefined) return result;
  try {
    structuredClone(failure.error);
    return result;
  } catch {
    const error = failure.error;
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { ...result, failure: { ...failure, error: text } };
  }
}

// One message at a time, in order: a run's plan depends on the batches observed before it.
let queue = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(() => handle(message));
  queue.catch((error: unknown) => {
    // An error here is a bug of ours; the main thread reports it and ends the campaign.
    port.postMessage({ type: 'fail', message: error instanceof Error ? error.stack : `${error}` });
  });
});
