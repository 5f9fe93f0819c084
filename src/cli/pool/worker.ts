/**
 * A campaign worker thread (pool.ts): loads the scenario, makes its own replica of the campaign's
 * strategy, and runs the runs the main thread hands it. Plans hold deciders, which cannot cross
 * threads, so no plan is sent: the replica plans every run of every batch itself, in index order,
 * and observes every run's digest when the main thread sends a batch's digests, in index order,
 * as the main thread's strategy does (explore/campaign.ts: planBatch). So every replica holds
 * the same state as the main thread's at each batch boundary, and plans run i as it does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { campaignStrategy, planRequest } from '../../explore/campaign.ts';
import { runScenario, type ScenarioResult } from '../../explore/scenario.ts';
import { WAIT, type RunPlan } from '../../explore/strategy.ts';
import { loadScenario } from '../load.ts';
import type { ToMain, ToWorker, WorkerData } from './messages.ts';

const data = workerData as WorkerData;
const port = parentPort as NonNullable<typeof parentPort>;
const scenario = await loadScenario(data.scenarioPath);
const strategy = campaignStrategy(scenario, data.campaign);
const plans = new Map<number, RunPlan>();
let planned = 0;

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
    if (message.waited && strategy.next(message.end) !== WAIT)
      throw new Error(`worker: the strategy's replica did not wait at run ${message.end}`);
    for (const { index, digest } of message.entries) {
      strategy.observe(plans.get(index) as RunPlan, digest);
      plans.delete(index);
    }
    return;
  }
  planTo(message.index + 1);
  const plan = plans.get(message.index) as RunPlan;
  post({ type: 'start', index: message.index });
  const result = await runScenario(scenario, planRequest(data.run, plan));
  const digest = strategy.digest(plan, result);
  post({ type: 'done', index: message.index, result: cloneable(result), digest });
}

function post(message: ToMain): void {
  port.postMessage(message);
}

/** `result` as a message can carry it: a thrown value that cannot be cloned becomes its text. */
function cloneable(result: ScenarioResult): ScenarioResult {
  const failure = result.failure;
  if (failure === undefined || failure.error === undefined) return result;
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
post({ type: 'ready' });
