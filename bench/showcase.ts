/**
 * showcase_sim_seconds_per_wall_second: virtual seconds simulated per wall second by the
 * showcase scenario, run seed after seed without keeping records (as a fuzz campaign would).
 */
import showcase from '../scenarios/showcase.ts';
import { runScenario } from '../src/explore/scenario.ts';
import { timeOnce, type Metric } from './measure.ts';

const RUNS = 2000;

export async function benchShowcase(): Promise<Metric[]> {
  let virtualNs = 0;
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    virtualNs = 0;
    const wall = await timeOnce(async () => {
      for (let seed = 1; seed <= RUNS; seed++)
        virtualNs += (await runScenario(showcase, { seed })).now;
    });
    best = Math.min(best, wall);
  }
  return [
    {
      name: 'showcase_sim_seconds_per_wall_second',
      value: virtualNs / 1e9 / best,
      unit: 'virtual s / wall s',
    },
  ];
}
