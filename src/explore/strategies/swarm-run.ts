/**
 * One swarm run as the simulation sees it (swarm.ts): at the start of the run it draws the knobs
 * from the run's own 'swarm' stream (SimulationOptions.draw, so the draw heads the tape), and it
 * decides the run's allocation fault points from that draw: a fault point of a kind that is on,
 * at an active site, on a host of the fuzz space, fails with the kind's rate.
 *
 * A site is the driver's file:line (Choice.site); whether it is active is a hash of the draw's
 * salt and the site, so no list of sites is needed beforehand, and each site is on in about half
 * the runs that hash sites. The rates are drawn from the run's 'swarm faults' generator, outside
 * the choice source: under a replay the tape decides every fault point, so nothing else is asked.
 */
import seedrandom from 'seedrandom';
import type { Choice, ChoiceSource, Decider } from '../../sim/index.ts';
import { streamState } from '../../sim/stream-seed.ts';
import type { DrawnKnobs } from '../../simulation.ts';
import type { ResolvedFuzzSpace } from '../fuzz-space.ts';
import { failableKind } from './fault-points.ts';
import { SWARM_STREAM, drawSwarm, drawnKnobs, type SwarmDraw } from './swarm-draw.ts';

/** The generator of a swarm run's fault rates, seeded from the run's seed. */
const FAULTS_STREAM = 'swarm faults';

export class SwarmRun implements Decider {
  readonly #space: ResolvedFuzzSpace;
  #draw: SwarmDraw | null = null;
  #random: () => number = () => 1;
  #sites = new Map<string, boolean>();

  constructor(space: ResolvedFuzzSpace) {
    this.#space = space;
  }

  /** The run's start (SimulationOptions.draw): draws the knobs and starts the decider afresh. */
  readonly draw = (choices: ChoiceSource): DrawnKnobs => {
    const draw = drawSwarm(choices.stream(SWARM_STREAM), this.#space);
    this.#draw = draw;
    this.#random = seedrandom.xor128('', { state: streamState(choices.seed, FAULTS_STREAM) });
    this.#sites = new Map();
    return drawnKnobs(draw, this.#space);
  };

  decide(choice: Choice): number | undefined {
    const draw = this.#draw;
    if (draw === null) return undefined;
    const kind = failableKind(choice, this.#space);
    if (kind === null) return undefined;
    const rate = draw.allocations.get(kind);
    if (rate === undefined || !this.#siteActive(draw, choice.site())) return undefined;
    return this.#random() < rate ? 1 : 0;
  }

  /** Whether `site` is active under `draw`: every site, or one whose hash with the salt is even. */
  #siteActive(draw: SwarmDraw, site: string | null): boolean {
    if (draw.everySite) return true;
    const name = site ?? '(no driver frame)';
    let active = this.#sites.get(name);
    if (active === undefined) {
      active = (streamState(draw.salt, name).x & 1) === 0;
      this.#sites.set(name, active);
    }
    return active;
  }
}
