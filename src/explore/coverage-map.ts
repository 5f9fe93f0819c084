/**
 * A run's coverage: the feedback of the coverage strategy (strategies/coverage.ts), as AFL's edge
 * map is a fuzzer's ("Technical whitepaper for afl-fuzz",
 * https://lcamtuf.coredump.cx/afl/technical_details.txt). wsksim has no code edges to count, so
 * a point is a transition of the model, read from the typed trace records (each layer's
 * records.ts) as the run emits them (RunRequest.onRecord): a TCP state transition and its cause,
 * an IRP's step from one event to the next (allocated→issued→pending→completed→freed, with the
 * operation and status), a WSK call and the status it returned, a callback and what it returned,
 * a listener's or an offer's event, a pool allocation or its failure, a packet's fate, a
 * verifier rule broken, a goal of the scenario reached (Simulation.sometimes). Host names, ids
 * and times are left out: a transition is the same whichever connection or host takes it. A
 * thread's life (`nt.thread`) and a pool block's touches (`nt.pool` touched) are not points:
 * they were added to the trace for the HTML timeline, and counting them would change what the
 * campaigns measured in the bench call new coverage.
 *
 * As in AFL, how often a run took a transition counts, in coarse buckets (1, 2, 3, 4–7, 8–15,
 * 16–31, 32–127, 128+): a run that retransmits five times reaches a point one that retransmits
 * once does not. A point is the transition's text, followed by ` ×<bucket>` past one hit.
 */
import type { TraceRecord } from '../sim/index.ts';

/** The lower ends of AFL's hit-count buckets, past the first (one hit: the bare transition). */
const BUCKETS = [2, 3, 4, 8, 16, 32, 128] as const;
const BUCKET_NAMES = ['2', '3', '4-7', '8-15', '16-31', '32-127', '128+'] as const;

export class CoverageMap {
  readonly #hits = new Map<string, number>();
  /** Each live IRP's latest event, by `host/irp`, for its next step. */
  readonly #irps = new Map<string, string>();

  /** The listener to give RunRequest.onRecord: folds each record into the map. */
  readonly listener = (record: TraceRecord): void => {
    if (record.type === 'nt.thread') return;
    if (record.type === 'nt.pool' && record.event === 'touched') return;
    this.#hit(this.#transitionOf(record));
  };

  /** Counts the goals the run reached (ScenarioResult.goals) as transitions of their own. */
  reach(goals: ReadonlyMap<string, boolean>): void {
    for (const [goal, reached] of goals) if (reached) this.#hit(`goal ${goal}`);
  }

  /** The distinct transitions taken, without their counts. */
  transitions(): readonly string[] {
    return [...this.#hits.keys()];
  }

  /** The run's coverage points: each transition with its hit-count bucket. */
  points(): readonly string[] {
    const points: string[] = [];
    for (const [transition, hits] of this.#hits) points.push(pointOf(transition, hits));
    return points;
  }

  #hit(transition: string): void {
    this.#hits.set(transition, (this.#hits.get(transition) ?? 0) + 1);
  }

  #transitionOf(record: TraceRecord): string {
    switch (record.type) {
      case 'tcp.transition':
        return `tcp ${record.from}>${record.to} (${record.cause})`;
      case 'tcp.outcome':
        return `tcp outcome ${record.outcome}`;
      case 'tcp.drop':
        return `tcp drop ${record.reason}`;
      case 'tcp.listener':
        return `tcp listener ${record.event}`;
      case 'tcp.offer':
        return `tcp offer ${record.event}`;
      case 'nt.irp':
        return this.#irpStep(record.host, record.irp, record.event, record.op, record.status);
      case 'nt.pool':
        return `pool ${record.event} ${record.tag}`;
      case 'nt.violation':
      case 'nt.advisory':
        return `${record.type} ${record.rule}`;
      case 'wsk.call':
        return `wsk ${record.call} ${record.status ?? ''}`.trimEnd();
      case 'wsk.callback':
        return `wsk callback ${record.callback} ${record.status}`;
      case 'wsk.socket':
        return `wsk socket ${record.event}`;
      case 'net.packet':
        return `net ${record.phase} ${record.reason ?? ''}`.trimEnd();
      case 'net.fault':
        return `net fault ${record.verb}`;
      default:
        return record.type;
    }
  }

  /** An IRP's step from its previous event to this one; a freed IRP is forgotten. */
  #irpStep(host: string, irp: number, event: string, op?: string, status?: string): string {
    const key = `${host}/${irp}`;
    const previous = irp === 0 ? 'none' : (this.#irps.get(key) ?? 'none');
    if (event === 'freed') this.#irps.delete(key);
    else if (irp !== 0) this.#irps.set(key, event);
    const step = `irp ${op ?? '-'} ${previous}>${event}`;
    return status === undefined ? step : `${step} ${status}`;
  }
}

/** A transition with its hit-count bucket. */
function pointOf(transition: string, hits: number): string {
  let bucket = -1;
  while (bucket + 1 < BUCKETS.length && hits >= (BUCKETS[bucket + 1] as number)) bucket++;
  return bucket < 0 ? transition : `${transition} ×${BUCKET_NAMES[bucket] as string}`;
}
