/**
 * A swarm run's draw (swarm.ts): which fault kinds are on in this run and how hard, within the
 * scenario's fuzz space. Swarm testing (Groce, Zhang, Eide, Chen, Regehr, "Swarm Testing", ISSTA
 * 2012, https://users.cs.utah.edu/~regehr/papers/swarm12.pdf) turns a random subset of features
 * off in each run, so faults that mask one another (a connection that never opens cannot race its
 * close) are each seen alone; FoundationDB's BUGGIFY
 * (https://apple.github.io/foundationdb/testing.html) and TigerBeetle's VOPR draw their fault
 * knobs per seed the same way.
 *
 * The draw is made from a choice stream named 'swarm', labelled, each probability as an integer
 * in millionths, so that made at the start of a run (SimulationOptions.draw) it heads the run's
 * tape, and a replayed tape draws the same knobs. Every draw's default (the minimum, what a
 * shrinker's cut entry takes) is the quieter choice: a kind off, every site, a knob at its
 * lower bound.
 */
import type { ChoiceStream } from '../../sim/index.ts';
import type { DrawnKnobs } from '../../simulation.ts';
import type { Bounds, KernelKnob, LinkFault, ResolvedFuzzSpace } from '../fuzz-space.ts';
import { allowedKinds, knobOf, type AllocationKind } from './fault-points.ts';

/** The name of the stream a swarm run draws from. */
export const SWARM_STREAM = 'swarm';

/** A probability is drawn as an integer count of millionths: the tape holds it exactly. */
const MILLION = 1_000_000;

/** The kernel knobs a swarm run sets, each by one of its modes: lower bound, upper bound, rate. */
export const KNOB_MODES: readonly { knob: KernelKnob; name: string; modes: readonly string[] }[] = [
  { knob: 'pendingCompletions', name: 'completions', modes: ['all inline', 'all pended', 'mixed'] },
  { knob: 'passiveCallbacks', name: 'PASSIVE', modes: ['off', 'on', 'mixed'] },
  { knob: 'acceptCallbackRace', name: 'accept race', modes: ['off', 'on'] },
  { knob: 'receiveCallbackRace', name: 'receive race', modes: ['off', 'on'] },
  { knob: 'acceptReadyPends', name: 'ready accept pends', modes: ['off', 'on'] },
];

/** One kernel knob as drawn: the mode's name and the probability it sets. */
export interface KnobDraw {
  readonly name: string;
  readonly mode: string;
  readonly value: number;
}

export interface SwarmDraw {
  /** The allocation kinds that fail at active sites, with their rate; others never fail. */
  readonly allocations: ReadonlyMap<AllocationKind, number>;
  /** Every allocation site is active, or only those `siteActive` picks with `salt`. */
  readonly everySite: boolean;
  readonly salt: number;
  /** The kernel knobs set (those the fuzz space varies). */
  readonly knobs: ReadonlyMap<KernelKnob, KnobDraw>;
  /** The link faults raised, with their probability (only those the fuzz space declares). */
  readonly links: ReadonlyMap<LinkFault, number>;
}

/** Draws a swarm run's knobs from `stream` within `space`; see the module header. */
export function drawSwarm(stream: ChoiceStream, space: ResolvedFuzzSpace): SwarmDraw {
  const allocations = new Map<AllocationKind, number>();
  for (const kind of allowedKinds(space)) {
    if (!stream.chance(`swarm ${kind} fails`, 0.5)) continue;
    const bounds = space.kernel.get(knobOf(kind)) as Bounds;
    allocations.set(kind, drawRate(stream, `swarm ${kind} failure rate ppm`, bounds));
  }
  const everySite = allocations.size === 0 || stream.pick('swarm sites 1 in', 2) === 0;
  const salt = everySite ? 0 : stream.between('swarm site salt', 0, 0xffff_ffff);
  const knobs = new Map<KernelKnob, KnobDraw>();
  for (const { knob, name, modes } of KNOB_MODES) {
    const bounds = space.kernel.get(knob);
    if (bounds === undefined) continue;
    const mode = stream.pick(`swarm ${name}`, modes.length);
    const value =
      mode === 0
        ? bounds[0]
        : mode === 1
          ? bounds[1]
          : drawRate(stream, `swarm ${name} rate ppm`, bounds);
    knobs.set(knob, { name, mode: modes[mode] as string, value });
  }
  const links = new Map<LinkFault, number>();
  for (const [fault, bounds] of space.links) {
    if (!stream.chance(`swarm link ${fault}`, 0.5)) continue;
    links.set(fault, drawRate(stream, `swarm link ${fault} rate ppm`, bounds));
  }
  return { allocations, everySite, salt, knobs, links };
}

/** A probability within `bounds`, drawn as millionths. */
function drawRate(stream: ChoiceStream, label: string, [min, max]: Bounds): number {
  const low = Math.ceil(min * MILLION);
  const high = Math.max(low, Math.floor(max * MILLION));
  return Math.min(max, stream.between(label, low, high) / MILLION);
}

/** The kernel knobs and link faults a draw sets, on the fuzz space's hosts. */
export function drawnKnobs(draw: SwarmDraw, space: ResolvedFuzzSpace): DrawnKnobs {
  const options: Record<string, number> = {};
  for (const [knob, { value }] of draw.knobs) options[knob] = value;
  const kernel = Object.keys(options).length > 0;
  return {
    ...(kernel && { kernelKnobs: Object.fromEntries(space.hosts.map((h) => [h, options])) }),
    ...(draw.links.size > 0 && { linkFaults: Object.fromEntries(draw.links) }),
  };
}

/**
 * The draw in one line, for a failure's report, e.g. `irp 4.7%, pool off at sites hashed 1 in 2;
 * completions all pended, PASSIVE mixed 50%, accept race on; loss 2%`.
 */
export function describeDraw(draw: SwarmDraw, space: ResolvedFuzzSpace): string {
  const parts: string[] = [];
  const kinds = allowedKinds(space);
  if (kinds.length > 0) {
    const rates = kinds.map((kind) => {
      const rate = draw.allocations.get(kind);
      return `${kind} ${rate === undefined ? 'off' : percent(rate)}`;
    });
    const sites = draw.allocations.size === 0 ? '' : draw.everySite ? ' at every site' : HALF;
    parts.push(`${rates.join(', ')}${sites}`);
  }
  const knobs = [...draw.knobs.values()].map(
    ({ name, mode, value }) => `${name} ${mode}${mode === 'mixed' ? ` ${percent(value)}` : ''}`,
  );
  if (knobs.length > 0) parts.push(knobs.join(', '));
  if (space.links.size > 0) {
    const links = [...space.links.keys()].map((fault) => {
      const rate = draw.links.get(fault);
      return `${fault} ${rate === undefined ? 'off' : percent(rate)}`;
    });
    parts.push(links.join(', '));
  }
  return parts.join('; ');
}

const HALF = ' at sites hashed 1 in 2';

/** A probability as a percentage with at most two decimals: 0.047 is '4.7%'. */
function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(2))}%`;
}
