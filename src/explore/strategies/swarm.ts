/**
 * `swarm`: each run turns on a random subset of the fault kinds the scenario's fuzz space allows,
 * each at a random rate within its bounds (swarm-draw.ts: "Swarm Testing", Groce et al., ISSTA
 * 2012; FoundationDB's BUGGIFY; TigerBeetle's swarm testing), and fails allocations only at the
 * sites the run hashes active (swarm-run.ts). The plan of run seed N depends on N alone (its draw
 * comes from the stream 'swarm' of seed N), so `wsksim run <scenario> --strategy swarm --seed N`
 * makes a campaign's run again. The draw heads the run's tape, is the plan's note, and the report
 * counts the runs that had each kind on.
 */
import { ChoiceSource } from '../../sim/index.ts';
import type { RunPlan, CampaignContext, Strategy } from '../strategy.ts';
import type { ResolvedFuzzSpace } from '../fuzz-space.ts';
import {
  KNOB_MODES,
  SWARM_STREAM,
  describeDraw,
  drawSwarm,
  type SwarmDraw,
} from './swarm-draw.ts';
import { SwarmRun } from './swarm-run.ts';
import { allowedKinds } from './fault-points.ts';

export function swarmStrategy(context: CampaignContext): Strategy {
  const { space } = context;
  const draws = new WeakMap<RunPlan, SwarmDraw>();
  const tally = new SwarmTally(space);
  return {
    name: 'swarm',
    seedOnly: true,
    next(index) {
      const seed = context.seed + index;
      const draw = swarmDrawOf(seed, context);
      const run = new SwarmRun(space);
      const plan: RunPlan = {
        seed,
        request: { faultPoints: true, decider: run, draw: run.draw },
        note: `swarm: ${describeDraw(draw, space) || 'nothing to vary in this fuzz space'}`,
      };
      draws.set(plan, draw);
      return plan;
    },
    digest: () => null,
    observe(plan) {
      const draw = draws.get(plan);
      if (draw !== undefined) tally.add(draw);
    },
    report: () => tally.lines(),
  };
}

/** The draw of run seed `seed`: the one the run makes at its start from the same stream. */
export function swarmDrawOf(seed: number, context: Pick<CampaignContext, 'space'>): SwarmDraw {
  return drawSwarm(new ChoiceSource({ seed }).stream(SWARM_STREAM), context.space);
}

/** How many runs had each fault kind on, and each knob in each mode. */
class SwarmTally {
  readonly #space: ResolvedFuzzSpace;
  #runs = 0;
  readonly #counts = new Map<string, number>();

  constructor(space: ResolvedFuzzSpace) {
    this.#space = space;
  }

  add(draw: SwarmDraw): void {
    this.#runs++;
    for (const kind of draw.allocations.keys()) this.#count(kind);
    if (draw.allocations.size > 0 && !draw.everySite) this.#count('hashed sites');
    for (const { name, mode } of draw.knobs.values()) this.#count(`${name} ${mode}`);
    for (const fault of draw.links.keys()) this.#count(fault);
  }

  #count(what: string): void {
    this.#counts.set(what, (this.#counts.get(what) ?? 0) + 1);
  }

  lines(): string[] {
    const of = `of ${this.#runs} runs`;
    const count = (what: string): number => this.#counts.get(what) ?? 0;
    const space = this.#space;
    const kinds = allowedKinds(space);
    const lines = kinds.map((kind) => `${kind} allocation failures in ${count(kind)} ${of}`);
    if (kinds.length > 0)
      lines.push(`allocation sites hashed 1 in 2 in ${count('hashed sites')} ${of}`);
    for (const { knob, name, modes } of KNOB_MODES) {
      if (!space.kernel.has(knob)) continue;
      const counted = modes.map((mode) => `${mode} ${count(`${name} ${mode}`)}`);
      lines.push(`${name}: ${counted.join(', ')} ${of}`);
    }
    for (const fault of space.links.keys()) lines.push(`link ${fault} in ${count(fault)} ${of}`);
    return lines;
  }
}
