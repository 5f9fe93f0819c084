/**
 * core_events_vs_tinyqueue: the hold model with 1e5 pending events, each event scheduling one
 * more at a random delay drawn through the choice source, against raw tinyqueue on the same
 * model (objects ordered by time then sequence, delays from the same xor128 generator).
 */
import seedrandom from 'seedrandom';
import TinyQueue from 'tinyqueue';
import { Simulator } from '../src/sim/index.ts';
import { sideBySide, type Metric } from './measure.ts';

export const PENDING = 100_000;
export const EVENTS = 2_000_000;
const MAX_DELAY = 1_000_000;

async function simulatorHold(): Promise<void> {
  const sim = new Simulator({ seed: 1 });
  const delays = sim.choices.stream('bench');
  let fired = 0;
  const hold = (): void => {
    if (++fired < EVENTS) sim.schedule(delays.between('delay', 0, MAX_DELAY), 'hold', hold);
  };
  for (let i = 0; i < PENDING; i++)
    sim.schedule(delays.between('delay', 0, MAX_DELAY), 'hold', hold);
  await sim.run();
}

interface RawEvent {
  readonly at: number;
  readonly seq: number;
}

/** The raw tinyqueue hold model: EVENTS + PENDING events fired (bench/fuzz.ts reuses it). */
export function rawHold(): void {
  const random = seedrandom.xor128('1/bench');
  const queue = new TinyQueue<RawEvent>([], (a, b) => a.at - b.at || a.seq - b.seq);
  let seq = 0;
  const delay = (): number => Math.floor(random() * (MAX_DELAY + 1));
  for (let i = 0; i < PENDING; i++) queue.push({ at: delay(), seq: seq++ });
  let fired = 0;
  while (queue.length > 0) {
    const event = queue.pop() as RawEvent;
    if (++fired < EVENTS) queue.push({ at: event.at + delay(), seq: seq++ });
  }
}

export async function benchCore(): Promise<Metric[]> {
  const { ours, baseline } = await sideBySide(3, EVENTS + PENDING, simulatorHold, rawHold);
  return [
    {
      name: 'core_events_vs_tinyqueue',
      value: ours,
      unit: 'events/s',
      ratio: ours / baseline,
      baseline: { value: baseline, unit: 'events/s (raw tinyqueue)' },
    },
  ];
}
